import { builtInRule, SCAN_INTERVAL } from './builtInRule.js';
import type { GuardRule } from '../guardRule.js';
import { compilePatterns, PatternRun, type PatternSpec } from './patternScan.js';
import { META_BEHIND, META_COMMENTARY, unquotedAfter } from '../../internal/metaCommentary.js';

export type { PatternSpec } from './patternScan.js';

const APOS = "['\u2019]";

/** How far a refusal looks ahead in its sentence for a "but" that makes it a hedge ("I can't give a definitive answer, but here are..."). */
const REFUSAL_LOOK = 60;
/** The characters after a refusal that decide it: its look, then "but" and the character after it (`\\b`). */
const REFUSAL_SETTLE = REFUSAL_LOOK + 3;
/** White space a phrase may hold where a pattern allows some: bounded, so that every match fits its family's `span`. */
const WS = '[ \\t]{0,8}';

/** The built-in phrase families of {@link patternRule}, by name. */
export const BUILT_IN_PATTERNS: Readonly<Record<PatternCategory, PatternSpec>> = /*#__PURE__*/ Object.freeze({
  'meta-commentary': {
    name: 'meta-commentary',
    severity: 'error',
    pattern: new RegExp(META_COMMENTARY, 'i'),
    span: 48,
  },
  refusal: {
    name: 'refusal',
    severity: 'error',
    recoverable: false,
    // a refusal that goes on to answer in the same sentence ("..., but here is an outline") is a
    // hedge; one in quotes ("the API answers "I cannot comply"") is quoted, not said
    pattern: new RegExp(
      `(?:\\bI${unquotedAfter(1)}(?: (?:cannot|can${APOS}t|will not|won${APOS}t) (?:provide|help with|assist with|comply|fulfill|create|write|generate)\\b` +
        `|${APOS}m (?:not able|unable) to (?:provide|help|assist|comply|fulfill|do that|create|write|share|give|answer|discuss)\\b)` +
        `|\\bthat${unquotedAfter(4)} would be inappropriate\\b)(?![^.!?\\n]{0,${REFUSAL_LOOK}}\\bbut\\b)`, 'i'),
    span: 48,
    within: 300,
  },
  'instruction-leak': {
    name: 'instruction-leak',
    severity: 'error',
    // the chat-format tokens anywhere (outside Markdown code: see CODE_AWARE), and a "### System" or
    // "## Instructions" heading only when prompt text follows it ("You are...", "Respond..."): a
    // recipe's "### Instructions" or a "## System Prompt" section of an explanation is a heading
    pattern: new RegExp(
      `\\[(?:system|user|assistant)\\]|<\\|im_(?:start|end)\\|>|^#{2,3} ?(?:system|instructions?)(?: prompt)?:?${WS}\\r?\\n(?:${WS}\\r?\\n)?${WS}` +
        `(?:you(?: are| must| should| will|${APOS}re)|your (?:role|task|job|goal|purpose)|act as|respond|answer|reply|never|always|ignore)\\b`, 'im'),
    span: 64,
  },
  placeholder: {
    name: 'placeholder',
    severity: 'error',
    // "[insert name]", not a bare "[Insert]" (the key, Vim's mode)
    pattern: /\[(?:insert|your)\b[^\]\n]{1,60}\]|\[(?:todo|placeholder|tbd)\]/i,
    span: 72,
  },
  hedging: {
    name: 'hedging',
    severity: 'warning',
    pattern: /^\s{0,8}(?:sure|certainly|of course|absolutely)[!.]?[ \t]{0,8}(?=\r?\n)/i,
    span: 30,
    within: 30,
  },
  'format-collapse': {
    name: 'format-collapse',
    severity: 'warning',
    pattern: new RegExp(
      `^\\s{0,8}(?:here(?: is|${APOS}s) (?:the|my|your) (?:response|answer|output|result)s?\\b|here you go\\b` +
        `|let me \\w{1,20}(?: \\w{1,20}){0,3} for you\\b|I${APOS}ll \\w{1,20}(?: \\w{1,20}){0,3} for you\\b)`, 'i'),
    span: 110,
    within: 100,
  },
});

/** Characters one of which every match of a built-in family contains: without one near the new text, its regex is not run. */
const TRIGGERS: Readonly<Partial<Record<PatternCategory, string>>> = { 'instruction-leak': '[<#', placeholder: '[' };
/**
 * The built-in families a newline after the text can complete (it looks ahead for the line's
 * end): only it is scanned again at completion. Every other family's matches end in a fixed
 * word, a `]`, a `\b` or a lookahead the end of the text satisfies as a newline would.
 */
const LINE_END: readonly PatternCategory[] = ['hedging'];
/**
 * The built-in families whose matches inside Markdown code do not count (`<|im_start|>` in inline
 * code, `[system]` in a fenced chat transcript): a chat format shown is not a prompt leaked, and a
 * `[your API key]` in a shell command or a template in a code block is the user's to fill in.
 */
const CODE_AWARE: readonly PatternCategory[] = ['instruction-leak', 'placeholder'];
/**
 * Characters that must follow a match before it is reported while streaming: at least every
 * character its pattern looks at after it, so the text up to a match's end plus its settle decides
 * it, and the guard reports matches in that order whatever the chunks (see DECIDED). A refusal
 * waits for the rest of its sentence (a "but" there, to its last letter and the character after,
 * makes it a hedge); the families that fail an attempt wait at least as long when refusals are
 * scanned, so a refusal is always decided before a match that follows it (it must win: it falls
 * back instead of retrying). Meta commentary waits 24 more: "I'm sorry, but I" and "As an AI,"
 * often start a refusal ("... I can't help with that"); it also sees the word after "I'm an AI".
 * A leaked heading's prompt text may follow a blank line: the blank line (a code marker) waits
 * for it. A bare first line looks at a CRLF after it.
 */
function settleOf(category: PatternCategory, refusals: boolean): number {
  const behind = refusals ? REFUSAL_SETTLE : 0;
  switch (category) {
    case 'refusal':
      return REFUSAL_SETTLE;
    case 'meta-commentary':
      return behind + 24;
    case 'instruction-leak':
      return Math.max(24, behind);
    case 'placeholder':
      return behind;
    case 'hedging':
      return 1;
    default:
      return 0;
  }
}

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
 * AI language model", "I'm an AI.", "I'm sorry, but I can't": `error`), refusals in the first 300
 * characters ("I cannot provide", not "I cannot provide a definitive answer, but here...": `error`,
 * not recoverable, so the run falls back instead of asking again), instruction leaks (`[system]`,
 * `<|im_start|>` outside Markdown code, a "### System" heading followed by prompt text ("You
 * are..."): `error`), placeholders (`[insert name]`, `[TODO]` outside Markdown code:
 * `error`), a bare "Sure!" first line (hedging, `warning`) and "Here is the response"
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
  const refusals = categories.includes('refusal');
  const settles = categories.map((c) => settleOf(c, refusals));
  // hold-back keeps back what a held match may cover: its span and the characters it waits for
  const span = all.reduce((max, s, i) => Math.max(max, (s.span ?? 100) + (settles[i] ?? 0)), 0);
  const compiled = compilePatterns(all, categories.map((c) => TRIGGERS[c]), categories.map((c) => LINE_END.includes(c)), settles, categories.map((c) => CODE_AWARE.includes(c)),
    categories.map((c) => (c === 'meta-commentary' ? META_BEHIND : undefined)));
  return builtInRule({ name: 'pattern-detection', severity: 'error', span, interval: SCAN_INTERVAL, create: () => new PatternRun(compiled) } satisfies GuardRule);
}
