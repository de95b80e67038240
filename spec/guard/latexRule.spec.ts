/** @test {latexRule} */
import { describe, expect, it } from 'vitest';
import { guard, latexRule } from 'l0-rx';
import { runSync, text } from './helpers.js';

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
});
