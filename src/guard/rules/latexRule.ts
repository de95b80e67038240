import type { FinishReason } from '../../events/eventTypes.js';
import { builtInRule, openAtEnd, SCAN_INTERVAL } from './builtInRule.js';
import { DECIDED, type GuardFinding, type GuardRule, type GuardRuleRun } from '../guardRule.js';
import { TailScanner } from '../tailScanner.js';
import { CODE_MARKERS, CODE_TRIGGERS, CodeSpans, MARKER_SPAN } from './codeSpans.js';

/**
 * Markdown code markers first (groups 1-4, see CODE_MARKERS: LaTeX in `code` or a fenced block is
 * an example, not the answer's LaTeX), then the LaTeX tokens (groups 5-6). Escapes (`\\\\` a line
 * break, `\\$` a dollar sign) come before the delimiters, so `\\\\[4pt]` and `\\$$x$` hold no delimiter.
 */
const TOKENS = new RegExp(
  `${CODE_MARKERS}|\\\\[\\\\$]|\\\\(begin|end)\\{([A-Za-z*]{1,40})\\}|\\\\[[\\]()]|\\$\\$` +
    '|\\\\(?:frac|sum|int|sqrt|alpha|beta|gamma|mathbb|mathrm|left|right|cdot|times|section|textbf|label)(?![A-Za-z])',
  'gm',
);
/** Environments whose text is literal, as verbatim's: LaTeX shown in them is not the answer's. */
const VERBATIM = /^(?:[vV]erbatim|lstlisting|minted|comment)\*?$/;
/** At least the longest match: a code marker (MARKER_SPAN, a fence line), longer than `\\begin{` a 40-letter name `}`. */
const SPAN = MARKER_SPAN;

/** The scanner's one pattern, shared read-only by every run (see TailScanner); every match has a `\\`, a `$` or a code marker's character. */
const SCANS = /*#__PURE__*/ Object.freeze([{ re: TOKENS, span: SPAN, trigger: `\\$${CODE_TRIGGERS}`, lineEnd: false }] as const);

/** A LaTeX token held while an inline code span is open: the match's text, groups 5 and 6, its offset. */
type Token = readonly [all: string, kind: string | undefined, name: string | undefined, position: number];

/** LaTeX environments and display/inline math delimiters, one match at a time. */
class LatexRun extends TailScanner implements GuardRuleRun {
  /** The open environments (allocated at the first `\begin`). */
  #envs: { name: string; position: number }[] | undefined = undefined;
  #display = 0;
  #inline = 0;
  #dollars = 0;
  #latex = false;
  /** Where Markdown code is (made at the first fence or backtick: most answers have none, and fan-in pays per open stream). */
  #code: CodeSpans<Token> | undefined = undefined;
  /** Where the text decided the token being read, its end plus one (see DECIDED): a token held in an inline span is decided by the marker that shows it was text. */
  #decided = 0;

  constructor() {
    super(SCANS);
  }

  check(delta: string): GuardFinding[] | undefined {
    this.scan(delta);
    return this.takeFindings();
  }

  resume(checkpoint: string): void {
    this.check(checkpoint);
  }

  /**
   * What is left open at the end (an environment, more `\\[` or `\\(` than closers, an odd `$$`):
   * an `error` when the model ended the answer there, a `warning` when the token limit cut it
   * (`length`, as markdownRule's open fence); more closers than openers are an `error` whatever the reason.
   */
  complete(_text: string, finishReason?: FinishReason): GuardFinding[] {
    // the tokens held back at the end of the text (`$$`, `\frac` waiting for the next character)
    this.finish();
    this.#code?.end();
    const found = this.takeFindings() ?? [];
    for (const env of this.#envs ?? []) found.push(openAtEnd(`unclosed environment ${env.name}`, finishReason, env.position));
    if (this.#latex) {
      if (this.#display !== 0) found.push(this.#display > 0 ? openAtEnd('unbalanced \\[ and \\]', finishReason) : { message: 'unbalanced \\[ and \\]' });
      if (this.#inline !== 0) found.push(this.#inline > 0 ? openAtEnd('unbalanced \\( and \\)', finishReason) : { message: 'unbalanced \\( and \\)' });
      if (this.#dollars % 2 !== 0) found.push(openAtEnd('an odd number of $$', finishReason));
    }
    return found;
  }

  protected override matched(m: RegExpExecArray, position: number): void {
    this.#decided = position + m[0].length + 1;
    // a fence or backticks (groups 1 and 3), or a blank line (4), which ends nothing before any code
    if (m[1] !== undefined || m[3] !== undefined) return void (this.#code ??= new CodeSpans<Token>((t) => this.#token(t[0], t[1], t[2], t[3]))).marker(m, 1);
    if (m[4] !== undefined) return void this.#code?.marker(m, 1);
    const all = m[0];
    const kind = m[5];
    const name = m[6];
    const code = this.#code;
    if (code === undefined || !code.open || !code.code([all, kind, name, position])) this.#token(all, kind, name, position);
  }

  #token(all: string, kind: string | undefined, name: string | undefined, position: number): void {
    if (all === '\\\\' || all === '\\$') return; // an escape: consumed so that it starts no delimiter
    const open = this.#envs?.[this.#envs.length - 1]?.name;
    // a verbatim environment's text is literal (LaTeX shown, not LaTeX) up to its own \end
    if (open !== undefined && VERBATIM.test(open) && !(kind === 'end' && name === open)) return;
    if (kind === 'begin') {
      this.#latex = true;
      (this.#envs ??= []).push({ name: name!, position });
    } else if (kind === 'end') {
      const open = this.#envs?.pop();
      if (open?.name !== name) {
        const message = open ? `\\end{${name!}} closes \\begin{${open.name}}` : `\\end{${name!}} without \\begin{${name!}}`;
        this.report({ message, position, [DECIDED]: this.#decided });
      }
    } else if (all === '\\[') this.#display++;
    else if (all === '\\]') this.#display--;
    else if (all === '\\(') this.#inline++;
    else if (all === '\\)') this.#inline--;
    else if (all === '$$') this.#dollars++;
    else this.#latex = true;
  }
}

/**
 * Checks LaTeX as it streams: `\end{x}` that does not close the open `\begin{x}` is an `error` at
 * once; at completion, unclosed environments, unbalanced `\[ \]` and `\( \)` and an odd number of
 * `$$` are `error`s (what is left open only a `warning` when the answer ends with
 * `finishReason: 'length'`: the token limit cut it), the delimiters only when the text has LaTeX commands (so shell's `$$` or a
 * regex's `\[` in code are text). A single `$` is never checked: prices are prose. LaTeX inside
 * Markdown code (an inline span, a fenced block) does not count: it shows LaTeX, it is not the answer's; nor
 * does the text of a `verbatim`, `lstlisting`, `minted` or `comment` environment, up to its own `\end`.
 *
 *   -a-b-x|       tokens "\begin{align}", "x=1", x complete
 *   -a-b-(v#)     guard([latexRule()])   (v: unclosed environment align)
 *
 * @example
 * import { guard, latexRule } from 'l0-rx';
 * events$.pipe(guard([latexRule()]));
 */
export function latexRule(): GuardRule {
  return builtInRule({
    name: 'latex-environments',
    severity: 'error',
    span: SPAN,
    interval: SCAN_INTERVAL,
    create: (): GuardRuleRun => new LatexRun(),
  } satisfies GuardRule);
}
