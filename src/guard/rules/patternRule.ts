import { builtInRule, SCAN_INTERVAL } from './builtInRule.js';
import { describeOption } from '../../internal/options.js';
import type { GuardRule } from '../guardRule.js';
import { compilePatterns, PatternRun, type PatternSpec } from './patternScan.js';
import { FORMAT_COLLAPSE } from '../../internal/formatCollapse.js';
import { META_BEHIND, META_COMMENTARY, nonLetter, unquotedAfter } from '../../internal/metaCommentary.js';

export type { PatternSpec } from './patternScan.js';

const APOS = "['\u2019]";

/**
 * What makes a refusal a hedge when it follows in the same sentence: the refusal goes on to
 * answer ("I can't give a definitive answer, but here are...", "I cannot generate images, so here
 * is a description", "...; instead, here's", "..., however, here are", "..., so I'll explain",
 * "..., so let me outline", "..., so instead I will"). "So I'll" and "let me" count only before a
 * verb that gives something (describe, explain, outline...): "..., so let me know if", "..., so I
 * will stop here" still decline; so does "so please consult a professional". A reason or an
 * alternative in a new sentence ("I won't write that. Here is why:") leaves it a refusal.
 */
const PARTIAL =
  `but|so instead|(?:so|instead|however),? (?:here(?:${APOS}s| is| are)|(?:I(?:${APOS}ll| will| can)|let me) ` +
  '(?:describe|explain|give|offer|outline|provide|share|show|suggest|summari[sz]e|walk))';
/** The longest text {@link PARTIAL} matches: "however, I will summarize". */
const PARTIAL_LONGEST = 25;
/** How far a refusal looks ahead in its sentence for the start of a {@link PARTIAL} signal. */
const REFUSAL_LOOK = 60;
/** The characters after a refusal that decide it: its look, then the longest signal and the character after it (`\\b`). */
const REFUSAL_SETTLE = REFUSAL_LOOK + PARTIAL_LONGEST;
/**
 * A bare "I can't do that." (cannot, can not, won't, will not; "do that", "do this", "help with
 * that", maybe "for you") opening the answer, maybe after "Sorry,", "I'm sorry,", "No," or
 * "Unfortunately,", and ending its sentence there (`.`, `!`, a line break or the text's end): at
 * the text's start only (a non-multiline `^`), so "If I can't do that, I'll...", "You can't do that
 * in Python" and "I can't do that justice in one paragraph, but..." are not refusals. The longest
 * match, 47 characters, fits the family's span.
 */
const SHORT_REFUSAL =
  `^[ \\t\\r\\n]{0,4}(?:(?:I${APOS}m sorry|sorry|no|unfortunately)[,.!]?[ \\t]{1,3})?` +
  `I (?:cannot|can${APOS}t|can not|won${APOS}t|will not) (?:do (?:that|this)|help with that)(?: for you)?(?=[ \\t]{0,8}(?:[.!\\r\\n]|$))`;
/**
 * Not a condition: "If I can't help with that, I'll point you to someone who can", "When I cannot
 * provide it, ...", "In case I'm unable to answer, ..." say what happens then, they do not decline.
 * A look-behind placed after the refusal's "I " or "I'm" (so it runs only there, not at every word
 * that starts with an i: see unquotedAfter), reading them back, then up to 3 blanks, the
 * conjunction and the non-letter before it (no `\\b`; a letter or digit before the conjunction, beyond
 * ASCII too, "éif I cannot", "𝐱if I cannot", "２if I cannot", makes it part of a word, as the x of "xif" does: see nonLetter):
 * at most {@link REFUSAL_BEHIND} characters before the match.
 */
const NOT_CONDITIONAL = `(?<!(?:^|${nonLetter('')})(?:if|when|whenever|in case|unless)[ \\t]{1,3}I(?: |${APOS}m))`;
/** The most characters before a refusal's "I" {@link NOT_CONDITIONAL} reads: a non-letter (and the first half of a pair before it), "whenever" and 3 blanks. */
const REFUSAL_BEHIND = 13;
/** White space a phrase may hold where a pattern allows some: bounded, so that every match fits its family's `span`. */
const WS = '[ \\t]{0,8}';

/** A leaked heading's end: an optional colon, the line's end, maybe a blank line, and the indent of the prompt text. */
const LEAK_BREAK = `:?${WS}\\r?\\n(?:${WS}\\r?\\n)?${WS}`;
/** Prompt text after a leaked heading. */
const LEAK_PROMPT = `you(?: are| must| should| will|${APOS}re)|your (?:role|task|job|goal|purpose)|act as|respond|answer|reply|ignore`;
/** What the assistant is told to always or never do in its replies, after an "Instructions" heading. */
const LEAK_REPLY = 'respond|reply|answer|refuse|reveal|disclose|mention|say|apologi[sz]e|pretend';

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
    // a refusal that goes on to answer in the same sentence ("..., but here is an outline", "...,
    // so here is a description": see PARTIAL) is a hedge; one in quotes ("the API answers "I
    // cannot comply"") is quoted, not said
    pattern: new RegExp(
      `(?:\\bI${unquotedAfter(1)}(?: ${NOT_CONDITIONAL}(?:cannot|can${APOS}t|will not|won${APOS}t) (?:provide|help with|assist with|comply|fulfill|create|write|generate)\\b` +
        `|${APOS}m${NOT_CONDITIONAL} (?:not able|unable) to (?:provide|help|assist|comply|fulfill|do that|create|write|share|give|answer|discuss)\\b)` +
        `|${SHORT_REFUSAL}|\\bthat${unquotedAfter(4)} would be inappropriate\\b)(?![^.!?\\n]{0,${REFUSAL_LOOK}}\\b(?:${PARTIAL})\\b)`, 'i'),
    span: 48,
    within: 300,
  },
  'instruction-leak': {
    name: 'instruction-leak',
    severity: 'error',
    // the chat-format tokens anywhere (outside Markdown code: see CODE_AWARE), and a "### System" or
    // "## Instructions" heading only when prompt text follows it ("You are...", "Respond..."): a
    // recipe's "### Instructions" or a "## System Prompt" section of an explanation is a heading.
    // "Always"/"Never" is prompt text after a System heading, but after an Instructions heading only
    // before a verb of the assistant's replies (LEAK_REPLY: "Always respond in JSON", "Never
    // reveal"): recipes, manuals and how-tos say "Always preheat the oven", "Never use it indoors"
    pattern: new RegExp(
      `\\[(?:system|user|assistant)\\]|<\\|im_(?:start|end)\\|>|^#{2,3} ?(?:system(?: prompt)?${LEAK_BREAK}(?:${LEAK_PROMPT}|never|always)` +
        `|instructions?(?: prompt)?${LEAK_BREAK}(?:${LEAK_PROMPT}|(?:never|always) (?:${LEAK_REPLY})))\\b`, 'im'),
    // the longest match: "### instructions prompt:", three runs of 8 blanks around two CRLFs, "always apologize"
    span: 68,
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
    // an opener about the response itself ("Here is the response:"), not one that names what
    // follows ("Here is the output of the command:"): one phrase list with drift's format_collapse
    pattern: new RegExp(FORMAT_COLLAPSE, 'i'),
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
 * waits for the rest of its sentence (a "but" or a "so here is" there, to its last letter and the
 * character after, makes it a hedge: see PARTIAL); the families that fail an attempt wait at
 * least as long when refusals are scanned, so a refusal is always decided before a match that follows it (it must win: it falls
 * back instead of retrying). Meta commentary waits 24 more: "I'm sorry, but I" and "As an AI,"
 * often start a refusal ("... I can't help with that"); it also sees the word after "I'm an AI".
 * A leaked heading's prompt text may follow a blank line: the blank line (a code marker) waits
 * for it (up to 8 blanks, "always apologize" and the character after it: 25). The code-aware
 * families wait for what their code markers read too: a quoted line's break looks at the next
 * line's 20 `>` marks and spaces and the character after them (without it a resume whose
 * checkpoint ends in those marks missed the quote's end). A bare first line looks at a CRLF after it.
 */
function settleOf(category: PatternCategory, refusals: boolean): number {
  const behind = refusals ? REFUSAL_SETTLE : 0;
  switch (category) {
    case 'refusal':
      return REFUSAL_SETTLE;
    case 'meta-commentary':
      return behind + 24;
    case 'instruction-leak':
    case 'placeholder':
      return Math.max(24, behind);
    case 'hedging':
      return 1;
    default:
      return 0;
  }
}

/**
 * The built-in family whose regex `spec` has (one listed in `patterns`, as it is or a copy with
 * its own severity): its scan comes with it, the characters its look-behinds read before a match
 * and those it waits for after one (without them a condition cut from its conjunction, or a refusal
 * whose "but here is" had not arrived, would be judged a refusal).
 */
function familyOf(spec: PatternSpec): PatternCategory | undefined {
  return (Object.keys(BUILT_IN_PATTERNS) as PatternCategory[]).find((c) => BUILT_IN_PATTERNS[c].pattern === spec.pattern);
}

/** The names of the built-in families. */
export type PatternCategory = 'meta-commentary' | 'refusal' | 'instruction-leak' | 'placeholder' | 'hedging' | 'format-collapse';

/** Options of {@link patternRule}. */
export interface PatternRuleConfig {
  /** The built-in families to use. @default all of {@link BUILT_IN_PATTERNS} */
  readonly categories?: readonly PatternCategory[];
  /**
   * More families of your own, scanned the same way. A family of {@link BUILT_IN_PATTERNS} listed
   * here (or a copy with its own severity, `{ ...BUILT_IN_PATTERNS.refusal, severity: 'warning' }`)
   * is scanned as its category is. @default []
   */
  readonly patterns?: readonly PatternSpec[];
}

/**
 * Flags known-bad phrases as they stream, each family with its severity: meta commentary ("As an
 * AI language model", "I'm an AI.", "I'm sorry, but I can't": `error`), refusals in the first 300
 * characters ("I cannot provide", not "I cannot provide a definitive answer, but here..." nor
 * "I cannot generate images, so here is a description", nor a condition, "If I can't help with
 * that, I'll point you to someone who can": `error`, not recoverable, so the run falls
 * back instead of asking again), instruction leaks (`[system]`, `<|im_start|>` outside Markdown
 * code, a "### System" heading followed by prompt text ("You are..."): `error`), placeholders
 * (`[insert name]`, `[TODO]` outside Markdown code: `error`), a bare "Sure!" first line
 * (hedging, `warning`) and "Here is the response:" openers, not "Here is the output of the
 * command:" (format collapse, `warning`). Only the new text is scanned (O(delta) per token), and the
 * first match of each family is reported.
 *
 *   -a-b-c|       tokens "As an ", "AI language", " model" (it checks every 10 tokens, and at the end)
 *   -a-b-c(v#)    guard([patternRule()])   (v: meta-commentary)
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
    // (a string or a number was read as a list: "categories.map is not a function")
    const list: unknown = config[key];
    if (list !== undefined && !Array.isArray(list)) throw new TypeError(`patternRule({${key}}) must be an array, got ${describeOption(list)}`);
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
  // a built-in family listed in `patterns` (a copy with a severity of its own) is scanned as its category is
  const families = all.map((s, i) => (i < categories.length ? categories[i] : familyOf(s)));
  const refusals = families.includes('refusal');
  // a family of your own: what its regex reads past a match (see compilePatterns)
  const settles = families.map((c) => c && settleOf(c, refusals));
  const compiled = compilePatterns(all, families.map((c) => c && TRIGGERS[c]), families.map((c) => c === undefined || LINE_END.includes(c)), settles,
    families.map((c) => c !== undefined && CODE_AWARE.includes(c)), families.map((c) => (c === 'meta-commentary' ? META_BEHIND : c === 'refusal' ? REFUSAL_BEHIND : undefined)));
  // hold-back keeps back what a held match may cover: its span and the characters it waits for
  const span = all.reduce((max, s, i) => Math.max(max, (s.span ?? 100) + compiled.scans[i]!.settle!), 0);
  return builtInRule({ name: 'pattern-detection', severity: 'error', span, interval: SCAN_INTERVAL, create: () => new PatternRun(compiled) } satisfies GuardRule);
}
