import type { ViolationSeverity } from '../../events/eventTypes.js';
import type { GuardFinding, GuardRuleRun } from '../guardRule.js';
import { TailScanner, type ScanPattern } from '../tailScanner.js';

/** One phrase family a pattern rule looks for. */
export interface PatternSpec {
  /** Names the family in the message ("refusal", "instruction-leak"...). */
  readonly name: string;
  /** What to look for; flags are kept, `g` is added. Keep it linear: no nested quantifiers. */
  readonly pattern: RegExp;
  readonly severity: ViolationSeverity;
  /** @default severity !== 'fatal' */
  readonly recoverable?: boolean;
  /** The longest text one match covers; longer matches may be missed. @default 100 */
  readonly span?: number;
  /** Only look in the first `within` characters of the answer. @default Infinity */
  readonly within?: number;
  /** Replace every match by this text in the released output instead of failing the attempt. */
  readonly redact?: string;
}

/** A global copy of `re` (sticky removed), so `lastIndex` scanning works whatever flags it had. @internal */
export function globalCopy(re: RegExp): RegExp {
  return new RegExp(re.source, re.flags.replace(/[gy]/g, '') + 'g');
}

/** A rule's patterns, compiled once when the rule is made and shared read-only by all its runs. @internal */
export interface CompiledPatterns {
  readonly specs: readonly PatternSpec[];
  readonly scans: readonly ScanPattern[];
}

/**
 * Compiles `specs` for {@link PatternRun}: one global regex per spec, for every run of the rule.
 * `triggers[i]`, when known, lists characters one of which every match of spec `i` contains;
 * `lineEnds[i]` false says a newline after the text cannot complete a match of spec `i` (it is
 * then not run again at completion; unknown patterns are); `settles[i]` holds a match of spec `i`
 * back until that many more characters follow it (see {@link ScanPattern}).
 * @internal
 */
export function compilePatterns(
  specs: readonly PatternSpec[],
  triggers: readonly (string | undefined)[] = [],
  lineEnds: readonly boolean[] = [],
  settles: readonly number[] = [],
): CompiledPatterns {
  const scans = specs.map((spec, i) => {
    const trigger = triggers[i];
    return Object.freeze({
      re: globalCopy(spec.pattern),
      span: spec.span ?? 100,
      lineEnd: lineEnds[i] ?? true,
      settle: settles[i] ?? 0,
      ...(spec.within === undefined ? {} : { limit: spec.within }),
      ...(trigger === undefined ? {} : { trigger }),
    });
  });
  return Object.freeze({ specs, scans: Object.freeze(scans) });
}

/**
 * The per-attempt run of a set of patterns: each scanned on the new text only ({@link TailScanner}),
 * the first match of each family reported (every match when it redacts); a family that reported
 * is not scanned again. At completion a final newline is scanned by the patterns that wait for
 * the end of a line (the engine has given `check` all the text before).
 * @internal
 */
export class PatternRun extends TailScanner implements GuardRuleRun {
  readonly #specs: readonly PatternSpec[];

  constructor(compiled: CompiledPatterns) {
    super(compiled.scans);
    this.#specs = compiled.specs;
  }

  check(delta: string): GuardFinding[] | undefined {
    this.scan(delta);
    return this.takeFindings();
  }

  resume(checkpoint: string): void {
    this.skip(checkpoint);
  }

  complete(): GuardFinding[] | undefined {
    this.finish();
    return this.takeFindings();
  }

  protected override matched(m: RegExpExecArray, position: number, i: number): void {
    const spec = this.#specs[i]!;
    let finding: GuardFinding;
    if (spec.redact === undefined) {
      const quoted = m[0].length > 60 ? `${m[0].slice(0, 60)}…` : m[0];
      // `recoverable: undefined` means the default, as if absent
      finding = { message: `${spec.name}: "${quoted.trim()}"`, severity: spec.severity, position, recoverable: spec.recoverable };
      this.stop(i);
    } else finding = { message: `${spec.name}: redacted`, position, redact: { length: m[0].length, replacement: spec.redact } };
    this.report(finding);
  }
}
