/** @test {latexRule} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guard, latexRule } from 'l0-rx';
import { runSync, text } from './helpers.js';
import { runs } from '../helpers/propertyRuns.js';

const messages = (...chunks: string[]) => runSync(text(...chunks), guard([latexRule()])).violations.map((v) => v.message);
/** `s` as a `first`-character token, then one token a character: the rule's checks (every 10 tokens) end at first + 9, first + 19... */
const streamed = (s: string, first: number) => [s.slice(0, first), ...s.slice(first)];

describe('latexRule', () => {
  it('should flag a mismatched \\end at once, while streaming', () => {
    const r = runSync([{ type: 'token', value: '\\begin{align} x \\end{equ' }, { type: 'token', value: 'ation} more' }], guard([latexRule()]));
    expect(r.violations[0]).toMatchObject({ message: '\\end{equation} closes \\begin{align}', severity: 'error' });
  });

  it('should flag unclosed environments and unbalanced delimiters at completion', () => {
    expect(messages('\\begin{itemize}\\item a')).toEqual(['unclosed environment itemize']);
    expect(messages('\\frac{1}{2} and \\[ x')).toEqual(['unbalanced \\[ and \\]']);
    expect(messages('$$\\sum_i x_i')).toEqual(['an odd number of $$']);
  });

  it('should accept balanced LaTeX split anywhere', () => {
    const tex = '\\begin{equation}\\frac{a}{b}\\end{equation} and \\(x\\) and $$y$$ and \\[z\\]';
    for (let i = 1; i < tex.length; i++) expect(messages(tex.slice(0, i), tex.slice(i))).toEqual([]);
  });

  it('should not read an escaped \\\\ or \\$ as the start of a delimiter, whatever the check boundaries', () => {
    for (const tex of ['\\begin{align} a &= b \\\\[4pt] c &= d \\end{align}', '\\textbf{Price}: \\$$p$ per unit.']) {
      expect(messages(tex)).toEqual([]);
      for (let first = 1; first <= 10; first++) expect(messages(...streamed(tex, first))).toEqual([]);
    }
  });

  it('should leave prices, shell $$ and regex brackets in text without LaTeX alone', () => {
    expect(messages('It costs $5, or $10 with tax.')).toEqual([]);
    expect(messages('echo $$ prints the PID; the regex \\[a-z\\( matches')).toEqual([]);
  });

  it('should not count LaTeX inside inline code or a fenced block, split anywhere and streamed a character at a time', () => {
    for (const tex of [
      'To end the list, write `\\end{itemize}` after the last `\\item`.',
      'Close it with ``\\end{align}`` (double backticks) and \\frac{1}{2} is fine.',
      'A document:\n\n```latex\n\\begin{document}\nHi $$x\n```\n\nThen add `\\end{document}`; \\frac{a}{b}.',
      '~~~tex\n\\end{proof}\n~~~\n\\sum_i x_i',
      'In Bash `$$` is the PID, and \\frac{a}{b} is a fraction.',
    ]) {
      expect(messages(tex)).toEqual([]);
      for (let i = 1; i < tex.length; i++) expect(messages(tex.slice(0, i), tex.slice(i))).toEqual([]);
      for (let first = 1; first <= 10; first++) expect(messages(...streamed(tex, first))).toEqual([]);
    }
  });

  // a fence that starts a list item ("- ```latex") was read as inline backticks, which its closing fence line then ended
  // by opening a fence: the LaTeX it showed counted ("unclosed environment align"), and the text after it did not
  it('should not count LaTeX in a fence that starts a list item, and count it after that fence, split anywhere', () => {
    const tex = '1. Write:\n- ```latex\n  \\begin{align}\n  ```\n2. Then \\frac{a}{b}.\n';
    expect(messages(tex)).toEqual([]);
    for (let i = 1; i < tex.length; i++) expect(messages(tex.slice(0, i), tex.slice(i))).toEqual([]);
    for (let first = 1; first <= 10; first++) expect(messages(...streamed(tex, first))).toEqual([]);
    expect(messages(`${tex}\\end{x}`)).toEqual(['\\end{x} without \\begin{x}']);
  });

  // a quoted tilde fence ("> ~~~tex") was no fence: the LaTeX it showed counted ("unclosed environment proof")
  it('should not count LaTeX in a quoted fence, and count it again once a blank line ended the quote, split anywhere', () => {
    const tex = '> ~~~tex\n> \\begin{proof}\n> ~~~\n\n> > ```\n> > \\end{x}\n> > ```\n\nThen \\frac12.';
    for (let i = 1; i < tex.length; i++) expect(messages(tex.slice(0, i), tex.slice(i))).toEqual([]);
    for (let first = 1; first <= 10; first++) expect(messages(...streamed(tex, first))).toEqual([]);
    expect(messages('> ~~~tex\n> \\begin{proof}\n\n\\begin{x}')).toEqual(['unclosed environment x']);
  });

  // LaTeX shown in a verbatim environment is literal: "\end{verbatim} closes \begin{itemize}" failed a valid document
  it('should read a verbatim environment\'s text as literal, up to its own \\end', () => {
    expect(messages('\\begin{verbatim}\n\\begin{itemize} $$ \\[\n\\end{verbatim}\n\\begin{lstlisting}\n\\end{x}\n\\end{lstlisting} \\frac12')).toEqual([]);
    expect(messages('\\begin{verbatim}\n\\end{itemize}\n')).toEqual(['unclosed environment verbatim']);
  });

  it('should count LaTeX after backticks that no run closes (literal backticks), and after a closed span', () => {
    expect(messages('The ` key, then \\end{proof} here.')).toEqual(['\\end{proof} without \\begin{proof}']);
    expect(messages('a `b\n\n\\end{x} c`')).toEqual(['\\end{x} without \\begin{x}']);
    expect(messages("A ``quote'' and \\begin{align} x")).toEqual(['unclosed environment align']);
    expect(messages('Use `x` then \\end{x}.')).toEqual(['\\end{x} without \\begin{x}']);
    expect(messages('```npm install``` then \\end{x}')).toEqual(['\\end{x} without \\begin{x}']);
    expect(messages('```\ncode\n```\n\\begin{align}')).toEqual(['unclosed environment align']);
  });

  it('should judge a text the same however it is cut into tokens (its first finding: a streamed one ends the attempt)', () => {
    const piece = fc.constantFrom('`', '``', '```', '~~~', '\n', '\n\n', ' ', 'a', 'tex', '\\begin{x}', '\\end{x}', '\\end{y}', '\\[', '\\]', '$$', '\\frac', '\\\\');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }), (pieces, sizes) => {
        const all = pieces.join('');
        const chunks: string[] = [];
        for (let at = 0, k = 0; at < all.length; k++) chunks.push(all.slice(at, (at += sizes[k % sizes.length]!)));
        expect(messages(...chunks)[0]).toEqual(messages(all)[0]);
      }),
      { numRuns: runs(1500) },
    );
  });
});
