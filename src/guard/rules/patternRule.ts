import { builtInRule, SCAN_INTERVAL } from './builtInRule.js';
import type { GuardRule } from '../guardRule.js';
import { compilePatterns, PatternRun, type PatternSpec } from './patternScan.js';

export type { PatternSpec } from './patternScan.js';

const APOS = "['\u2019]";

/** The built-in phrase families of {@link patternRule}, by name. */
export const BUILT_IN_PATTERNS: Readonly<Record<PatternCategory, PatternSpec>> = /*#__PURE__*/ Object.freeze({
  'meta-commentary': {
    name: 'meta-commentary',
    severity: 'error',
    pattern: new RegExp(
      `\\bas an ai(?: language model| assistant| model|[,.])|\\bI(?:${APOS}m| am) (?:just )?an ai\\b|\\bI (?:cannot|can${APOS}t) actually\\b` +
        `|\\bI don${APOS}t have personal (?:opinions|feelings|experiences|beliefs)|\\bI apologi[sz]e, but I\\b|\\bI${APOS}m sorry, but I\\b`, 'i'),
    span: 48,
  },
  refusal: {
    name: 'refusal',
    severity: 'error',
    recoverable: false,
    pattern: new RegExp(
      `\\bI (?:cannot|can${APOS}t|will not|won${APOS}t) (?:provide|help with|assist with|comply|fulfill|create|write|generate)\\b` +
        `|\\bI${APOS}m (?:not able|unable) to (?:provide|help|assist|comply|fulfill|do that|create|write|share|give|answer|discuss)\\b|\\bthat would be inappropriate\\b`, 'i'),
    span: 48,
    within: 300,
  },
  'instruction-leak': {
    name: 'instruction-leak',
    severity: 'error',
    pattern: /\[(?:system|user|assistant)\]|<\|im_(?:start|end)\|>|^#{2,3} ?(?:system|instructions?)(?: prompt)?:?[ \t]*(?=\r?\n)/im,
    span: 40,
  },
  placeholder: {
    name: 'placeholder',
    severity: 'error',
    pattern: /\[(?:insert|your)\b[^\]\n]{0,60}\]|\[(?:todo|placeholder|tbd)\]/i,
    span: 72,
  },
  hedging: {
    name: 'hedging',
    severity: 'warning',
    pattern: /^\s*(?:sure|certainly|of course|absolutely)[!.]?[ \t]*(?=\r?\n)/i,
    span: 30,
    within: 30,
  },
  'format-collapse': {
    name: 'format-collapse',
    severity: 'warning',
    pattern: new RegExp(
      `^\\s*(?:here(?: is|${APOS}s) (?:the|my|your) (?:response|answer|output|result)s?\\b|here you go\\b` +
        `|let me \\w+(?: \\w+){0,3} for you\\b|I${APOS}ll \\w+(?: \\w+){0,3} for you\\b)`, 'i'),
    span: 60,
    within: 100,
  },
});

/** Characters one of which every match of a built-in family contains: without one near the new text, its regex is not run. */
const TRIGGERS: Readonly<Partial<Record<PatternCategory, string>>> = { 'instruction-leak': '[<#', placeholder: '[' };
/**
 * The built-in families a newline after the text can complete (both look ahead for the line's
 * end): only they are scanned again at completion. Every other family's matches end in a fixed
 * word, a `]` or a `\b`, which the end of the text satisfies as a newline would.
 */
const LINE_END: readonly PatternCategory[] = ['instruction-leak', 'hedging'];
/**
 * Characters that must follow a meta-commentary match before it is reported while streaming: "I'm
 * sorry, but I" is often the start of a refusal ("... I can't help with that"), which must win
 * (it falls back instead of retrying), so the refusal's text is in before either is reported.
 */
const SETTLE: Readonly<Partial<Record<PatternCategory, number>>> = { 'meta-commentary': 24 };

/** The names of the built-in families. */
export type PatternCategory = 'meta-commentary' | 'refusal' | 'instruction-leak' | 'placeholder' | 'hedging' | 'format-collapse';

/** Options of {@link patternRule}. */
export interface PatternRuleConfig {
  /** The built-in families to use. @default all of {@link BUILT_IN_PATTERNS} */
  readonly categories?: readonly PatternCategory[];
  /** More families of your own, scanned the same way. @default [] */
  readonly patterns?: readonly PatternSpec[];
}

/**
 * Flags known-bad phrases as they stream, each family with its severity: meta commentary ("As an
 * AI language model", "I'm sorry, but I": `error`), refusals in the first 300 characters ("I cannot
 * provide": `error`, not recoverable, so the run falls back instead of asking again), instruction
 * leaks (`[system]`, `<|im_start|>`, a "### System" line: `error`), placeholders (`[insert name]`,
 * `[TODO]`: `error`), a bare "Sure!" first line (hedging, `warning`) and "Here is the response"
 * openers (format collapse, `warning`). Only the new text is scanned (O(delta) per token), and the
 * first match of each family is reported.
 *
 *   -a-b-c|       tokens "As an ", "AI language", " model"
 *   -a-b-(v#)     guard([patternRule()])   (v: meta-commentary)
 *
 * @example
 * import { guard, patternRule } from 'l0-rx';
 * events$.pipe(guard([patternRule({ categories: ['refusal', 'instruction-leak'] })]));
 * @see {@link customPatternRule}
 */
export function patternRule(config: PatternRuleConfig = {}): GuardRule {
  if (typeof config !== 'object' || config === null) throw new TypeError('patternRule(config) must be an object');
  for (const key of Object.keys(config)) {
    if (key !== 'categories' && key !== 'patterns') throw new TypeError(`patternRule(config): unknown option \`${key}\` (the options are \`categories\`, \`patterns\`)`);
  }
  const categories = config.categories ?? (Object.keys(BUILT_IN_PATTERNS) as PatternCategory[]);
  const specs = categories.map((c) => {
    const spec = BUILT_IN_PATTERNS[c];
    if (!spec) throw new TypeError(`patternRule({categories}): unknown category ${JSON.stringify(c)} (known: ${Object.keys(BUILT_IN_PATTERNS).join(', ')})`);
    return spec;
  });
  for (const p of config.patterns ?? []) {
    if (!(p?.pattern instanceof RegExp) || typeof p.name !== 'string') throw new TypeError('patternRule({patterns}): each pattern needs a `name` and a RegExp `pattern`');
  }
  const all = Object.freeze([...specs, ...(config.patterns ?? [])]);
  const settles = categories.map((c) => SETTLE[c] ?? 0);
  // hold-back keeps back what a held match may cover: its span and the characters it waits for
  const span = all.reduce((max, s, i) => Math.max(max, (s.span ?? 100) + (settles[i] ?? 0)), 0);
  const compiled = compilePatterns(all, categories.map((c) => TRIGGERS[c]), categories.map((c) => LINE_END.includes(c)), settles);
  return builtInRule({ name: 'pattern-detection', severity: 'error', span, interval: SCAN_INTERVAL, create: () => new PatternRun(compiled) } satisfies GuardRule);
}
