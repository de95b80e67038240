import { catchError, from, map, of, timeout, type Observable, type SchedulerLike } from 'rxjs';
import type { Violation, ViolationSeverity } from '../events/eventTypes.js';
import { isWhole, RECOVERABLE_CHECK, SEVERITY_CHECK, wrongField, type FieldCheck } from './guardConfig.js';
import { DECIDED, findingsOf, type DecidedFinding, type GuardFinding, type GuardFindings, type GuardRule } from './guardRule.js';

/** A pending in-flight replacement, in raw-text offsets. @internal */
export interface Redaction {
  readonly position: number;
  readonly length: number;
  readonly replacement: string;
}

const NO_VIOLATIONS: Violation[] = [];
/** No failing finding yet: beyond any text length. */
const NO_END = 0x3fffffff;

/** Where a verdict puts the redactions its findings ask for (allocated at the first one). @internal */
export interface RedactionSink {
  redactions: Redaction[] | undefined;
  /** The text length the consumer has received: a redaction can no longer reach it. */
  readonly released: number;
}

/** A check round's finding waiting for {@link VerdictBuilder.decide}, with its rule's place in the list. */
type Found = readonly [rule: number, finding: DecidedFinding];

/**
 * Collects findings into violations and redactions, applying the rule's defaults. A redact finding
 * is a warning with `redacted` set, unless its text was released already (stream-first mode, or a
 * hold-back shorter than the match): then it keeps its severity, so an `error` fails the attempt
 * and the `retry` event retracts the text. `error` and `fatal` findings fail the attempt.
 *
 * A verdict is ordered: its findings, each naming its rule by its place in `rules`, wait for {@link decide},
 * which takes them in the order the text decided them (see DECIDED; the rules' order breaks
 * ties), and the first that fails the attempt ends it, with
 * the failing findings the text decided at the same point (a fatal one first). So the verdict is
 * the one a check after every character would give: a round that spans more text, because the
 * tokens were longer, reports nothing the text decided after the failure. @internal
 */
export class VerdictBuilder {
  violations: Violation[] = NO_VIOLATIONS;
  failing: Violation[] = NO_VIOLATIONS;

  readonly #sink: RedactionSink;
  /** The findings until `decide` (undefined after: findings count as they come). */
  #found: Found[] | undefined = [];

  /** The rules, by their place in the list (the index the findings name them by). */
  readonly #rules: readonly GuardRule[];

  constructor(sink: RedactionSink, rules: readonly GuardRule[]) {
    this.#sink = sink;
    this.#rules = rules;
  }

  /**
   * Adds rule `i`'s findings on a text `length` long; true when one of them fails the attempt (when
   * ordered, one that would if {@link decide} reaches it: a rule's own verdict, for its phase
   * event). A malformed finding is the rule's failure, named (see {@link findingProblem}).
   */
  add(i: number, result: GuardFindings, length: number): boolean {
    if (result === undefined || result === null) return false;
    let failed = false;
    for (const f of findingsOf(result)) {
      const problem = findingProblem(f, length);
      failed = (problem === undefined ? this.#take(i, f) : this.ruleFailed(i, new TypeError(`rule ${this.#rules[i]!.name} returned ${problem}`))) || failed;
    }
    return failed;
  }

  /** Rule `i` threw or timed out: a warning (fail-open) or an error (fail-closed). */
  ruleFailed(i: number, error: unknown): boolean {
    const message = error instanceof Error ? error.message : String(error);
    const severity: ViolationSeverity = this.#rules[i]!.onRuleError === 'closed' ? 'error' : 'warning';
    return this.#take(i, { message: `Rule execution failed: ${message}`, severity, recoverable: true });
  }

  /**
   * An ordered verdict's end, the round's text `length` long (it decided the findings that say
   * nothing of where): its findings in the order the text decided them (a fatal one first at the
   * same point, then by position, then in the rules' order), up to the point that decided the
   * first failing one. `atEnd`: the completion checks' verdict, whose findings the text decided at
   * its end, whatever they say (a check after every character would have seen them only there): a
   * fatal one first, then by position, then in the rules' order, however late an async check answered.
   */
  decide(length: number, atEnd = false): this {
    const found = this.#found;
    this.#found = undefined;
    if (found === undefined) return this;
    // every finding here is well-formed (`add` reports a malformed one as the rule's failure)
    const rules = this.#rules;
    const at = ([, f]: Found): number => (atEnd ? length : (f[DECIDED] ?? length));
    const rank = ([i, f]: Found): number => ((f.severity ?? rules[i]!.severity) === 'fatal' || f.recoverable === false ? 0 : 1);
    found.sort((a, b) => at(a) - at(b) || rank(a) - rank(b) || (a[1].position ?? length) - (b[1].position ?? length) || a[0] - b[0]);
    let end = NO_END;
    for (const d of found) {
      if (at(d) > end) break;
      if (this.#addOne(rules[d[0]]!, d[1], length)) end = at(d);
    }
    return this;
  }

  #take(i: number, f: GuardFinding): boolean {
    const rule = this.#rules[i]!;
    if (this.#found === undefined) return this.#addOne(rule, f);
    this.#found.push([i, f]);
    return this.#fails(rule, f);
  }

  /** Whether `f` fails the attempt once added (as {@link #addOne} decides: a redaction the consumer has not received is a warning). */
  #fails(rule: GuardRule, f: GuardFinding): boolean {
    return (f.severity ?? rule.severity ?? 'error') !== 'warning' && !redacts(f, this.#sink.released);
  }

  /** Adds a finding on a text `length` long (a redaction covers only the text). */
  #addOne(rule: GuardRule, f: GuardFinding, length = NO_END): boolean {
    let severity = f.severity ?? rule.severity ?? 'error';
    const late = f.redact !== undefined && f.position !== undefined && f.position < this.#sink.released;
    const base = { ruleId: rule.name, message: late ? `${f.message} too late: the text was already released` : f.message };
    let extra: { position?: number; redacted?: number } = f.position === undefined ? {} : { position: f.position };
    if (redacts(f, this.#sink.released)) {
      // a match the final newline completed (a pattern's `lineEnd` run at the end) may end past the text
      const redacted = Math.min(f.redact.length, length - f.position);
      if (redacted > 0) {
        const redactions = (this.#sink.redactions ??= []);
        redactions.push({ position: f.position, length: redacted, replacement: f.redact.replacement });
        redactions.sort((a, b) => a.position - b.position);
      }
      severity = 'warning';
      extra = { ...extra, redacted };
    }
    const recoverable = severity === 'fatal' ? false : (f.recoverable ?? true);
    const v: Violation = Object.freeze({ ...base, severity, recoverable, ...extra });
    if (this.violations === NO_VIOLATIONS) this.violations = [];
    this.violations.push(v);
    if (severity === 'warning') return false;
    if (this.failing === NO_VIOLATIONS) this.failing = [];
    this.failing.push(v);
    return true;
  }
}

/** A finding's fields (its `position` must also be within the text judged). */
const FINDING_CHECKS: readonly FieldCheck[] = [
  SEVERITY_CHECK,
  RECOVERABLE_CHECK,
  ['position', isWhole, 'a whole number'],
  ['redact', (v) => isWhole((v as Redaction | null)?.length) && typeof (v as Redaction | null)?.replacement === 'string', '{ length, replacement }'],
];

/**
 * What is wrong with a finding a rule returned on a text `length` long (a rule may return anything),
 * or undefined: a `redact` that is not `{length, replacement}` would put "undefined" in the released
 * text, a string `position` or `length` would drop text, and a `severity` not in the union would
 * reach the consumer's violation events.
 */
function findingProblem(f: GuardFinding, length: number): string | undefined {
  if (typeof f !== 'object' || f === null || typeof f.message !== 'string') return 'a finding without a string `message`';
  const wrong = wrongField(f, FINDING_CHECKS) ?? (f.position! > length ? `\`position\` must be within the ${length} characters judged, got ${f.position}` : undefined);
  return wrong && `a finding whose ${wrong}`;
}

/** Whether `f` redacts text the consumer, who has `released` characters, has not received yet (one it has is too late: a warning no more). */
function redacts(f: GuardFinding, released: number): f is GuardFinding & Required<Pick<GuardFinding, 'redact' | 'position'>> {
  return !!f.redact && f.redact.length > 0 && f.position !== undefined && f.position >= released;
}

/**
 * The released text from `from` to `to` (text offsets) with the pending redactions applied;
 * `pending` is the unreleased text, starting at offset `from`. Consumed redactions are removed. A
 * redaction that started in text already released replaces only its remainder.
 * @internal
 */
export function releaseText(pending: string, from: number, to: number, redactions: Redaction[] | undefined): string {
  if (redactions === undefined || redactions.length === 0 || redactions[0]!.position >= to) return pending.slice(0, to - from);
  let out = '';
  let cursor = from;
  while (redactions.length > 0 && redactions[0]!.position < to) {
    const r = redactions.shift()!;
    const end = r.position + r.length;
    if (end <= cursor) continue;
    if (r.position >= cursor) out += pending.slice(cursor - from, r.position - from) + r.replacement;
    cursor = Math.min(Math.max(cursor, end), to);
  }
  return out + pending.slice(cursor - from, to - from);
}

/**
 * Where hold-back may release up to: `limit`, the checked text less the hold-back, or the start of a
 * pending redaction that runs past it (its replacement goes out whole, once the rules have checked
 * past its end: a redaction another finding overlaps, found later, still applies). The redactions
 * are in position order; one that starts before `released` was already applied. @internal
 */
export function releaseTarget(length: number, limit: number, released: number, redactions: readonly Redaction[] | undefined): number {
  let target = Math.max(released, Math.min(length, limit));
  if (redactions === undefined) return target;
  // from the last: pulling back to one's start may put the target inside an earlier one
  for (let i = redactions.length - 1; i >= 0; i--) {
    const r = redactions[i]!;
    if (r.position < target && r.position + r.length > target) target = Math.max(released, r.position);
  }
  return target;
}

/** Rule `i`'s async completion check of a text `length` long, within the rule's time budget; a throw or a timeout is a rule failure. Tells `ended` whether it passed. @internal */
export function settle(rule: GuardRule, i: number, result: Promise<GuardFindings>, verdict: VerdictBuilder, length: number, scheduler: SchedulerLike, ended?: (passed: boolean) => void): Observable<unknown> {
  const budget = rule.timeout ?? 5000;
  const settled = from(result);
  // Infinity: no time limit (never handed to a timer, which would fire it at once)
  return (budget === Infinity ? settled : settled.pipe(timeout({ first: budget, scheduler, with: () => { throw new Error(`timed out after ${budget} ms`); } }))).pipe(
    map((findings) => verdict.add(i, findings, length)),
    catchError((e: unknown) => of(verdict.ruleFailed(i, e))),
    map((failed) => ended?.(!failed)),
  );
}

/** The index of the last sentence boundary (`.`, `!`, `?`, newline) in `s`, or -1. @internal */
export function lastBoundary(s: string): number {
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c === 46 || c === 33 || c === 63 || c === 10) return i;
  }
  return -1;
}
