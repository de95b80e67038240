import { builtInRule, SCAN_INTERVAL } from './builtInRule.js';
import type { GuardFinding, GuardRule, GuardRuleRun } from '../guardRule.js';
import { TailScanner } from '../tailScanner.js';

/** Escapes (`\\\\` a line break, `\\$` a dollar sign) come first, so `\\\\[4pt]` and `\\$$x$` hold no delimiter. */
const TOKENS = /\\[\\$]|\\(begin|end)\{([A-Za-z*]{1,40})\}|\\[[\]()]|\$\$|\\(?:frac|sum|int|sqrt|alpha|beta|gamma|mathbb|mathrm|left|right|cdot|times|section|textbf|label)(?![A-Za-z])/g;

/** The scanner's one pattern, shared read-only by every run (see TailScanner); every match has a `\` or a `$`. */
const SCANS = /*#__PURE__*/ Object.freeze([{ re: TOKENS, span: 50, trigger: '\\$', lineEnd: false }] as const);

/** LaTeX environments and display/inline math delimiters, one match at a time. */
class LatexRun extends TailScanner implements GuardRuleRun {
  /** The open environments (allocated at the first `\begin`). */
  #envs: { name: string; position: number }[] | undefined = undefined;
  #display = 0;
  #inline = 0;
  #dollars = 0;
  #latex = false;

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

  complete(): GuardFinding[] {
    // the tokens held back at the end of the text (`$$`, `\frac` waiting for the next character)
    this.finish();
    const found = this.takeFindings() ?? [];
    for (const env of this.#envs ?? []) found.push({ message: `unclosed environment ${env.name}`, position: env.position });
    if (this.#latex) {
      if (this.#display !== 0) found.push({ message: 'unbalanced \\[ and \\]' });
      if (this.#inline !== 0) found.push({ message: 'unbalanced \\( and \\)' });
      if (this.#dollars % 2 !== 0) found.push({ message: 'an odd number of $$' });
    }
    return found;
  }

  protected override matched(m: RegExpExecArray, position: number): void {
    const [all, kind, name] = m;
    if (all === '\\\\' || all === '\\$') return; // an escape: consumed so that it starts no delimiter
    if (kind === 'begin') {
      this.#latex = true;
      (this.#envs ??= []).push({ name: name!, position });
    } else if (kind === 'end') {
      const open = this.#envs?.pop();
      if (open?.name !== name) {
        const message = open ? `\\end{${name!}} closes \\begin{${open.name}}` : `\\end{${name!}} without \\begin{${name!}}`;
        this.report({ message, position });
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
 * `$$` are `error`s, the delimiters only when the text has LaTeX commands (so shell's `$$` or a
 * regex's `\[` in code are text). A single `$` is never checked: prices are prose.
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
    span: 50,
    interval: SCAN_INTERVAL,
    create: (): GuardRuleRun => new LatexRun(),
  } satisfies GuardRule);
}
