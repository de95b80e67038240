/** @test {markdownRule} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guard, latexRule, markdownRule } from 'l0-rx';
import { runSync, text } from './helpers.js';
import { runs } from '../helpers/propertyRuns.js';

/*
 * markdownRule and latexRule on valid documents: false positives are the worst failure, so no finding at all (not even a
 * warning) on any document made of the blocks below, whatever the token split, with LF or CRLF line ends. The blocks are
 * what real answers hold: block quotes, nested lists and lists under headings, fences in and on list items and in quotes,
 * tables with escaped pipes and alignment rows, HTML blocks, LaTeX in fences and inline code, environments in Markdown,
 * `$` as currency and escaped `\$`.
 */

const F = '```';
const BLOCKS = [
  'Plain prose, with `inline code` and a price: it costs $5 and $10, or \\$20 with tax.',
  '# Heading\n\nSome text *emphasis* and **bold** and a [link](https://example.com).',
  '> A quote\n> over two lines, with $3 in it.\n>\n> - a list in it\n> 1. and another',
  `> ${F}js\n> const a = \`x\`;\n> ${F}`,
  `> ${F}latex\n> \\begin{align}\n> ${F}`,
  '> ~~~tex\n> \\end{proof} $$\n> ~~~',
  `> Cut short:\n> ${F}js\n> x\n\nThe quote ended, and its fence.`,
  `- one\n  - nested\n    1. deeper\n    2. again\n  - back\n- two`,
  '## Steps\n1. Install\n2. Run\n## Notes\n- fast\n- small',
  '**Steps:**\n1. Install\n2. Run\n**Notes:**\n- fast',
  `1. Install:\n   ${F}sh\n   npm i\n   ${F}\n2. Run:\n\n   ~~~\n   npm start\n   ~~~`,
  `- ${F}js\n  x = 1\n  ${F}\n- ~~~py\n  y = 2\n  ~~~`,
  `1. ${F}bash\n   echo $$ \\[\n   ${F}\n2. done`,
  '| Op | Meaning |\n|:---|---:|\n| `a \\| b` | or |\n| x \\| y | pipe |',
  '| a | b | c |\n| :-: | --- | --: |\n| 1 | 2 | 3 |',
  '<details>\n<summary>More</summary>\n\nHidden text.\n\n</details>',
  '<table>\n<tr><td>a | b</td></tr>\n</table>',
  `${F}latex\n\\begin{align}\nx &= 1 \\\\\n${F}`,
  `~~~~tex\n\\end{proof}\n${F}\n~~~~`,
  'Write `\\begin{itemize}` and `\\end{itemize}` around `\\item`s.',
  '\\begin{align}\nx &= 1 \\\\\ny &= \\frac{a}{b}\n\\end{align}',
  '$$\n\\sum_{i=1}^n i = \\frac{n(n+1)}{2}\n$$',
  'Inline \\(x^2\\) and display \\[\\alpha + \\beta\\] math, and $\\gamma$.',
  'Between $5 and $10 a month; \\$$x$ is escaped, and so is \\\\[4pt].',
  '\\begin{verbatim}\n\\begin{itemize} $$\n\\end{verbatim}',
  `${F}\nlonger closer\n${F}${F}`,
  `${F}${F}md\n${F}js\nx\n${F}\n${F}${F}`,
];

/** The findings of both rules on `chunks`. */
const findings = (chunks: readonly string[]) => runSync(text(...chunks), guard([markdownRule(), latexRule()])).violations.map((v) => `${v.ruleId}: ${v.message}`);

describe('markdownRule and latexRule on valid documents (property)', () => {
  it('should find nothing in any valid document, whatever the token split and line ends', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...BLOCKS), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 8 }),
        (blocks, crlf, sizes) => {
          const doc = crlf ? blocks.join('\n\n').replace(/\n/g, '\r\n') : blocks.join('\n\n');
          const chunks: string[] = [];
          for (let at = 0, k = 0; at < doc.length; k++) chunks.push(doc.slice(at, (at += sizes[k % sizes.length]!)));
          expect(findings(chunks), JSON.stringify(doc)).toEqual([]);
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it('should still find what is broken in such a document', () => {
    expect(findings([`- one\n  - nested\n\n${F}js\nx = 1\n`])).toEqual(['markdown-structure: the answer ends inside a code fence']);
    expect(findings([`1. ${F}bash\n   echo $$\n   ${F}\n\n\\begin{align}\nx\n`])).toEqual(['latex-environments: unclosed environment align']);
  });
});
