import { builtInRule, SCAN_INTERVAL } from './builtInRule.js';
import type { GuardFinding, GuardRule, GuardRuleRun } from '../guardRule.js';
import { TailScanner } from '../guardRule.js';

const TOKENS = /\\(begin|end)\{([A-Za-z*]{1,40})\}|\\[[\]()]|\$\$|\\(?:frac|sum|int|sqrt|alpha|beta|gamma|mathbb|mathrm|left|right|cdot|times|section|textbf|label)(?![A-Za-z])/g;

/** LaTeX environments and display/inline math delimiters, one match at a time. */
class LatexState {
  readonly envs: { name: string; position: number }[] = [];
  display = 0;
  inline = 0;
  dollars = 0;
  latex = false;
  private readonly scanner = new TailScanner([{ re: new RegExp(TOKENS.source, 'g'), span: 50 }]);
  private found: GuardFinding[] | undefined;
  /** Characters fed so far. */
  offset = 0;

  feed(delta: string): GuardFinding[] | undefined {
    this.offset += delta.length;
    this.found = undefined;
    this.scanner.scan(delta, (m, position) => this.token(m, position));
    return this.found;
  }

  private token(m: RegExpExecArray, position: number): void {
    const [all, kind, name] = m;
    if (kind === 'begin') {
      this.latex = true;
      this.envs.push({ name: name!, position });
    } else if (kind === 'end') {
      const open = this.envs.pop();
      if (open?.name !== name) {
        const message = open ? `\\end{${name!}} closes \\begin{${open.name}}` : `\\end{${name!}} without \\begin{${name!}}`;
        (this.found ??= []).push({ message, position });
      }
    } else if (all === '\\[') this.display++;
    else if (all === '\\]') this.display--;
    else if (all === '\\(') this.inline++;
    else if (all === '\\)') this.inline--;
    else if (all === '$$') this.dollars++;
    else this.latex = true;
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
    create: (): GuardRuleRun => {
      const state = new LatexState();
      return {
        check: (delta) => state.feed(delta),
        resume: (checkpoint) => void state.feed(checkpoint),
        complete: (text) => {
          // what the interval left unchecked, first, as if while streaming
          const late = state.feed(text.slice(state.offset));
          if (late) return late;
          const found: GuardFinding[] = [];
          for (const env of state.envs) found.push({ message: `unclosed environment ${env.name}`, position: env.position });
          if (state.latex) {
            if (state.display !== 0) found.push({ message: 'unbalanced \\[ and \\]' });
            if (state.inline !== 0) found.push({ message: 'unbalanced \\( and \\)' });
            if (state.dollars % 2 !== 0) found.push({ message: 'an odd number of $$' });
          }
          return found;
        },
      };
    },
  } satisfies GuardRule);
}
