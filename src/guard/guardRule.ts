import type { FinishReason, ViolationSeverity } from '../events/eventTypes.js';

/**
 * What a rule reports: one finding becomes one `violation` event. `severity` and `recoverable`
 * default to the rule's; `position` is the offset in the attempt's text where the offending text
 * starts. A finding of another shape (a `position` outside the text the check judged, a `redact`
 * that is not `{length, replacement}`) is reported as the rule's failure (see `onRuleError`).
 */
export interface GuardFinding {
  readonly message: string;
  readonly severity?: ViolationSeverity;
  /** @default severity !== 'fatal' (a fatal finding is never retried) */
  readonly recoverable?: boolean;
  readonly position?: number;
  /**
   * Replace `length` characters from `position` in the released text by `replacement` instead of
   * failing the attempt (the finding is then reported as a `warning` with `redacted` set: the
   * characters replaced, no more than the text the check judged holds from `position`).
   */
  readonly redact?: { readonly length: number; readonly replacement: string };
}

/** Zero, one or many findings, as a rule's check returns them. */
export type GuardFindings = GuardFinding | readonly GuardFinding[] | undefined | null | void;

/**
 * The per-attempt half of a rule: its state and its checks. {@link guard} gets a fresh one from
 * {@link GuardRule.create} for every attempt (or uses the rule itself when it has no `create`).
 */
export interface GuardRuleRun {
  /**
   * The incremental check: `delta` is the text added since this rule's last check (never a gap,
   * whatever the interval; at the end of the attempt, before `complete`, it gets what its interval
   * left unchecked), `text` the attempt's text so far. Do O(delta) work on `delta` and state
   * of your own: a regex, `slice` or `charCodeAt` on `text` makes V8 copy the whole growing string
   * on every call (O(n^2) over a run); read `text` only at completion or rarely. Synchronous: a
   * promise it returns is the rule's failure (see `onRuleError`); only `complete` may be async.
   */
  check?(delta: string, text: string): GuardFindings;
  /**
   * The completion check on the whole text. May be async (bounded by the rule's `timeout`).
   * `finishReason` is the `complete` event's (undefined when the source ended without one): a
   * `length` answer was cut by the token limit, which its finish reason already reports. A run
   * with `complete` and no `check` has judged nothing before then: hold-back releases none of
   * the text until its verdict.
   */
  complete?(text: string, finishReason?: FinishReason): GuardFindings | Promise<GuardFindings>;
  /**
   * The attempt resumed from `checkpoint`, text the rules already passed: bring the state up to it
   * without reporting anything. Without it, the rule's incremental check starts after the checkpoint.
   */
  resume?(checkpoint: string): void;
  /**
   * Characters at the end of the text this run has seen but not judged yet (a match it waits to
   * see the end of; all of it, for a verdict that may still block the whole answer, as
   * zeroOutputRule's while no letter has come): hold-back does not release them until it has, and
   * no checkpoint holds them (the engine keeps the rule's `span` back as well). A fraction counts as
   * the next whole number, and a value that is no number (NaN) or below 0 as 0, as a rule that fails is open; a
   * getter that throws is the rule's failure (see `onRuleError`), reported once an attempt: the run
   * holds nothing after it. @default 0
   */
  readonly held?: number;
}

/**
 * A guardrail rule: a frozen description. Its per-attempt state comes from `create()`, so the same
 * rule (or preset) is safe on any number of concurrent runs.
 *
 * @example
 * import { guard, type GuardRule } from 'l0-rx';
 * const noShouting: GuardRule = {
 *   name: 'no-shouting',
 *   severity: 'warning',
 *   check: (delta) => (/[A-Z]{20}/.test(delta) ? { message: 'shouting' } : undefined),
 * };
 * events$.pipe(guard([noShouting]));
 */
export interface GuardRule extends GuardRuleRun {
  /** The `ruleId` of its violations. */
  readonly name: string;
  /** Severity of findings that give none. @default 'error' */
  readonly severity?: ViolationSeverity;
  /**
   * Tokens between incremental checks; each check sees all the text since the last one, and the
   * rest comes before `complete`. @default 1
   */
  readonly interval?: number;
  /** Time budget in ms of an async `complete`, at most 2147483647 (about 24.8 days, the longest a timer waits), or `Infinity` for none. @default 5000 */
  readonly timeout?: number;
  /**
   * When a check throws or times out: `'open'` reports a `warning` and lets the text through,
   * `'closed'` reports an `error` (the attempt fails and is retried). @default 'open'
   */
  readonly onRuleError?: 'open' | 'closed';
  /** The longest text one finding covers; hold-back keeps at least this many characters back. @default 0 */
  readonly span?: number;
  /**
   * A fresh per-attempt state, made when the attempt's first check is due (or at completion); a
   * throw, or a promise, is a rule failure (see `onRuleError`). Without it the rule object itself is used (a
   * stateless rule).
   */
  create?(): GuardRuleRun;
}

/**
 * The key of a built-in rule's finding that says where the text decided it: the text length from
 * which a check sees it (a match's end, plus the characters it waits for, plus one). A check round
 * reports its findings in this order (a finding without it is decided by the round's text), so the
 * verdict is the one checks after every character would give, whatever the chunks. @internal
 */
export const DECIDED: unique symbol = /*#__PURE__*/ Symbol('decided');

/** A finding as a built-in rule makes it: where the text decided it, when known (see {@link DECIDED}). @internal */
export type DecidedFinding = GuardFinding & { [DECIDED]?: number };

/**
 * What a scanning rule run finds during one check, handed to the engine once: the shared base of
 * `TailScanner` and the line reader. The list is allocated at the first finding, so a check
 * that finds nothing allocates nothing.
 * @internal
 */
export abstract class FindingRun {
  #found: GuardFinding[] | undefined = undefined;

  /** Adds a finding to the current check's (a built-in rule's says where the text decided it). */
  protected report(finding: DecidedFinding): void {
    (this.#found ??= []).push(finding);
  }

  /** The findings reported since the last call, if any. */
  protected takeFindings(): GuardFinding[] | undefined {
    const found = this.#found;
    this.#found = undefined;
    return found;
  }
}

/** A finding list as an array. @internal */
export function findingsOf(result: GuardFindings): readonly GuardFinding[] {
  if (result === undefined || result === null) return [];
  return Array.isArray(result) ? (result as readonly GuardFinding[]) : [result as GuardFinding];
}
