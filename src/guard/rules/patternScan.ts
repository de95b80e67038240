import type { ViolationSeverity } from '../../events/eventTypes.js';
import { TailScanner, type GuardFinding, type GuardRuleRun } from '../guardRule.js';

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

/**
 * The per-attempt run of a set of patterns: each scanned on the new text only ({@link TailScanner}),
 * the first match of each family reported (every match when it redacts). At completion a final
 * newline is scanned, for patterns that wait for the end of a line.
 * @internal
 */
export function patternRun(specs: readonly PatternSpec[]): GuardRuleRun {
  const scanner = new TailScanner(specs.map((spec) => ({ re: globalCopy(spec.pattern), span: spec.span ?? 100, limit: spec.within })));
  const done = specs.map(() => false);
  /** Text length scanned: at completion, what the rule's `interval` left unscanned is scanned first. */
  let seen = 0;
  const scanAll = (delta: string): GuardFinding[] | undefined => {
    seen += delta.length;
    let found: GuardFinding[] | undefined;
    scanner.scan(delta, (m, position, i) => {
      const spec = specs[i]!;
      if (done[i]) return;
      const quoted = m[0].length > 60 ? `${m[0].slice(0, 60)}…` : m[0];
      const base = { message: `${spec.name}: "${quoted.trim()}"`, severity: spec.severity, position };
      const finding: GuardFinding =
        spec.redact === undefined
          ? { ...base, ...(spec.recoverable === undefined ? {} : { recoverable: spec.recoverable }) }
          : { message: `${spec.name}: redacted`, position, redact: { length: m[0].length, replacement: spec.redact } };
      (found ??= []).push(finding);
      if (spec.redact === undefined) done[i] = true;
    });
    return found;
  };
  return {
    check: (delta) => scanAll(delta),
    resume: (checkpoint) => {
      seen = checkpoint.length;
      scanner.skip(checkpoint);
    },
    // the rest of the text, and a final newline for the patterns that wait for the end of a line
    complete: (text) => scanAll(`${text.slice(seen)}\n`),
  };
}
