import { builtInRule, SCAN_INTERVAL } from './builtInRule.js';
import type { ViolationSeverity } from '../../events/eventTypes.js';
import type { GuardRule } from '../guardRule.js';
import { compilePatterns, PatternRun } from './patternScan.js';
import { checkBag, checkKeys, optionError, optionKeys, optionPath } from '../../internal/options.js';

/** Options of {@link customPatternRule}. */
export interface CustomPatternRuleConfig {
  /** Replace each match by this text in the released output (a `warning` with `redacted`), instead of failing. */
  readonly redact?: string;
  /**
   * The longest text one match covers, and the most its regex reads past a match (a look-ahead);
   * the scan looks this far back. A regex that may read past its match (a look-ahead, a group, `|`,
   * a varying count before another atom) is reported once this many characters follow the match
   * (or at the end), so the verdict does not depend on the chunks: a smaller span reports sooner.
   * A run of single characters whose last one alone varies (`sk-\d+`) needs one character after it. @default 200
   */
  readonly span?: number;
  /** The rule's `name`, the `ruleId` of its violations. @default 'pattern-custom' */
  readonly name?: string;
}

const PATH = /*#__PURE__*/ optionPath('customPatternRule', 'patterns, message, severity, ');
const KEYS = /*#__PURE__*/ optionKeys<CustomPatternRuleConfig>()(['redact', 'span', 'name']);

/**
 * Flags (or redacts) any match of your patterns as the text streams, scanning only the new text.
 * The verdict is the whole text's, however it was cut into tokens (see `span`).
 *
 *   -a-b-c|        tokens "my key is ", "sk-123", "." (it checks every 10 tokens, and at the end)
 *   -a-b-c(v#)     guard([customPatternRule(/sk-\d+/, 'API key')])
 *   ------(vt|)    guard([customPatternRule(/sk-\d+/, 'API key', 'error', { redact: '[key]' })], { mode: 'hold-back', holdBack: 0 })   (t: "my key is [key].")
 *
 * @example
 * import { guard, customPatternRule } from 'l0-rx';
 * events$.pipe(guard([customPatternRule([/\bsk-[A-Za-z0-9]{20,}\b/], 'API key', 'fatal')]));
 * @param patterns One regex or several (keep them linear: no nested quantifiers).
 * @param message The violation's message. @default 'custom pattern matched'
 * @param severity @default 'error'
 * @throws TypeError naming the argument or option: a pattern that is no RegExp, an unknown severity,
 * a config that is no object or has an unknown key, a `span` that is no positive integer.
 */
export function customPatternRule(
  patterns: RegExp | readonly RegExp[],
  message = 'custom pattern matched',
  severity: ViolationSeverity = 'error',
  config: CustomPatternRuleConfig = {},
): GuardRule {
  const list = Array.isArray(patterns) ? patterns : [patterns];
  if (list.length === 0 || !list.every((p) => p instanceof RegExp)) throw new TypeError('customPatternRule(patterns): `patterns` must be a RegExp or a non-empty array of them');
  if (!['warning', 'error', 'fatal'].includes(severity)) throw new TypeError(`customPatternRule(patterns, message, severity): \`severity\` must be 'warning', 'error' or 'fatal', got ${String(severity)}`);
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { redact, span = 200, name = 'pattern-custom' } = config;
  if (!(Number.isInteger(span) && span > 0)) throw optionError(PATH, 'span', 'a positive integer', span);
  const compiled = compilePatterns(Object.freeze(list.map((pattern) => ({ name: message, pattern, severity, span, ...(redact === undefined ? {} : { redact }) }))));
  return builtInRule({ name, severity, span, interval: SCAN_INTERVAL, create: () => new PatternRun(compiled) } satisfies GuardRule);
}
