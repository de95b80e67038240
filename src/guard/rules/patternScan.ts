import type { ViolationSeverity } from '../../events/eventTypes.js';
import { DECIDED, type DecidedFinding, type GuardRuleRun } from '../guardRule.js';
import { TailScanner, type ScanPattern } from '../tailScanner.js';
import { RECOVERABLE_CHECK, SEVERITY_CHECK, wrongField, type FieldCheck } from '../guardConfig.js';
import { CODE_MARKERS, CODE_TRIGGERS, CodeSpans, MARKER_SPAN } from './codeSpans.js';
import { patternReads } from './patternReads.js';

/** One phrase family a pattern rule looks for. */
export interface PatternSpec {
  /** Names the family in the message ("refusal", "instruction-leak"...). */
  readonly name: string;
  /** What to look for; flags are kept, `g` is added. Keep it linear: no nested quantifiers. */
  readonly pattern: RegExp;
  readonly severity: ViolationSeverity;
  /** @default severity !== 'fatal' */
  readonly recoverable?: boolean;
  /**
   * The longest text one match covers, and the most its regex reads past a match (a look-ahead):
   * longer matches may be missed. A family of your own whose regex may read past its match is
   * reported once this many characters follow it (or at the end), so its verdict does not depend
   * on the chunks (see customPatternRule). @default 100
   */
  readonly span?: number;
  /** Only look in the first `within` characters of the answer. @default Infinity */
  readonly within?: number;
  /** Replace every match by this text in the released output instead of failing the attempt. */
  readonly redact?: string;
}

/** The fields of a pattern that its findings carry: a wrong one would make them malformed, which the engine reports as the rule's failure (fail-open) instead of the match. */
const PATTERN_CHECKS: readonly FieldCheck[] = [SEVERITY_CHECK, RECOVERABLE_CHECK, ['redact', (v) => typeof v === 'string', 'a string']];

/** A global copy of `re` (sticky removed), so `lastIndex` scanning works whatever flags it had. @internal */
export function globalCopy(re: RegExp): RegExp {
  return new RegExp(re.source, re.flags.replace(/[gy]/g, '') + 'g');
}

/** A rule's patterns, compiled once when the rule is made and shared read-only by all its runs. @internal */
export interface CompiledPatterns {
  readonly specs: readonly PatternSpec[];
  readonly scans: readonly ScanPattern[];
  /** Per spec, whether its matches inside Markdown code are dropped (its regex also finds the code markers). */
  readonly code: readonly boolean[];
}

/**
 * Compiles `specs` for {@link PatternRun}: one global regex per spec, for every run of the rule.
 * `triggers[i]`, when known, lists characters one of which every match of spec `i` contains;
 * `lineEnds[i]` false says a newline after the text cannot complete a match of spec `i` (it is
 * then not run again at completion; unknown patterns are); `settles[i]` holds a match of spec `i`
 * back until that many more characters follow it (see {@link ScanPattern}); `code[i]` drops the
 * matches of spec `i` inside Markdown code (its regex is run with the code markers before it, in
 * multiline mode: for built-in patterns, whose `^` means a line's start and that have no groups);
 * `behinds[i]`, the characters before a match of spec `i` its look-behinds read (see {@link ScanPattern}).
 * A spec without a `settles[i]` (not a built-in family) is the user's: its regex may read up to its
 * whole `span` past a match (a look-ahead, an optional tail, a greedy run that gives back), so its
 * matches wait for that many characters after them, unless its shape shows that the character
 * after a match settles it (see patternReads).
 * Throws a TypeError naming a spec whose `severity`, `recoverable` or `redact` is wrong.
 * @internal
 */
export function compilePatterns(
  specs: readonly PatternSpec[],
  triggers: readonly (string | undefined)[] = [],
  lineEnds: readonly boolean[] = [],
  settles: readonly (number | undefined)[] = [],
  code: readonly boolean[] = [],
  behinds: readonly (number | undefined)[] = [],
): CompiledPatterns {
  const scans = specs.map((spec, i) => {
    const wrong = wrongField(spec, PATTERN_CHECKS);
    if (wrong) throw new TypeError(`pattern ${JSON.stringify(spec.name)}: ${wrong}`);
    const { source, flags } = spec.pattern;
    const inCode = code[i] === true;
    const trigger = inCode ? (triggers[i] ?? '') + CODE_TRIGGERS : triggers[i];
    const span = spec.span ?? 100;
    return Object.freeze({
      re: inCode ? new RegExp(`${CODE_MARKERS}|(?:${source})`, flags.replace(/[gmy]/g, '') + 'gm') : globalCopy(spec.pattern),
      // a fence line the markers find may be longer than the spec's phrases
      span: Math.max(span, inCode ? MARKER_SPAN : 0),
      settle: settles[i] ?? patternReads(spec.pattern, span),
      lineEnd: lineEnds[i] ?? true,
      ...(spec.within === undefined ? {} : { limit: spec.within }),
      ...(trigger === undefined ? {} : { trigger }),
      ...(behinds[i] === undefined ? {} : { behind: behinds[i] }),
    });
  });
  return Object.freeze({ specs, scans: Object.freeze(scans), code: Object.freeze(specs.map((_, i) => code[i] === true)) });
}

/**
 * The per-attempt run of a set of patterns: each scanned on the new text only ({@link TailScanner}),
 * the first match of each family reported (every match when it redacts); a family that reported
 * is not scanned again. At completion a final newline is scanned by the patterns that wait for
 * the end of a line (the engine has given `check` all the text before).
 * @internal
 */
export class PatternRun extends TailScanner implements GuardRuleRun {
  /** The rule's patterns, shared by all its runs. */
  readonly #compiled: CompiledPatterns;
  /**
   * Per code-aware spec, where it is in Markdown code (made at its first fence or backtick: most
   * answers have none, and fan-in pays per open stream). One per spec: each spec's regex finds
   * every marker, and a marker must be read once.
   */
  #code: (CodeSpans<Held> | undefined)[] | undefined = undefined;
  /** Per spec, whether it has reported (a spec's matches held in an inline span that turned out text are replayed: only the first counts). */
  #reported: boolean[] | undefined = undefined;
  /** Where the text decided the match being read (see DECIDED): a match held in an inline span is decided by the marker that shows it was text. */
  #decided = 0;

  constructor(compiled: CompiledPatterns) {
    super(compiled.scans);
    this.#compiled = compiled;
  }

  check(delta: string): DecidedFinding[] | undefined {
    this.scan(delta);
    return this.takeFindings();
  }

  resume(checkpoint: string): void {
    this.skip(checkpoint);
    // where the checkpoint leaves the code-aware specs: in a fence, in an inline span
    const { code, scans } = this.#compiled;
    for (let i = 0; i < code.length; i++) if (code[i]) this.#spans(i).read(checkpoint, scans[i]!.re, scans[i]!.settle!);
  }

  complete(): DecidedFinding[] | undefined {
    this.finish();
    if (this.#code) for (const code of this.#code) code?.end();
    return this.takeFindings();
  }

  protected override matched(m: RegExpExecArray, position: number, i: number): void {
    // reported once its end and its settle are in (see TailScanner.scan)
    this.#decided = position + m[0].length + this.#compiled.scans[i]!.settle! + 1;
    if (this.#compiled.code[i]) {
      // a fence or backticks (groups 1 and 3), or a blank line (4), which ends nothing before any code
      if (m[1] !== undefined || m[3] !== undefined) return void this.#spans(i).marker(m, 1);
      const code = this.#code?.[i];
      if (m[4] !== undefined) return void code?.marker(m, 1);
      if (code !== undefined && code.open && code.code({ text: m[0], position, index: i })) return;
    }
    this.#found(m[0], position, i);
  }

  #spans(i: number): CodeSpans<Held> {
    const codes = (this.#code ??= []);
    return (codes[i] ??= new CodeSpans<Held>((h) => this.#found(h.text, h.position, h.index)));
  }

  #found(text: string, position: number, i: number): void {
    const spec = this.#compiled.specs[i]!;
    let finding: DecidedFinding;
    if (spec.redact === undefined) {
      if (this.#reported?.[i]) return;
      (this.#reported ??= [])[i] = true;
      const quoted = text.length > 60 ? `${text.slice(0, 60)}…` : text;
      // `recoverable: undefined` means the default, as if absent
      finding = { message: `${spec.name}: "${quoted.trim()}"`, severity: spec.severity, position, recoverable: spec.recoverable, [DECIDED]: this.#decided };
      this.stop(i);
    } else finding = { message: `${spec.name}: redacted`, position, redact: { length: text.length, replacement: spec.redact }, [DECIDED]: this.#decided };
    this.report(finding);
  }
}

/** A match of a code-aware spec held while an inline code span is open. */
interface Held {
  readonly text: string;
  readonly position: number;
  readonly index: number;
}
