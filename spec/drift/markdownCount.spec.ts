/** @test {detectDrift} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countMarkdown } from '../../src/drift/windowChecks.js';
import { runs } from '../helpers/propertyRuns.js';

/** The markdown_collapse detector's element count as one multiline regex (its first form, kept as the reference). */
const REFERENCE = /^#{1,6} |^\s*(?:[-*+]|\d+\.) |```|\*\*[^*\n]+\*\*|\[[^\]\n]+\]\([^)\s]+\)/gm;
const reference = (s: string) => s.match(REFERENCE)?.length ?? 0;

describe('the markdown_collapse element count', () => {
  it('should count what the one-regex form counts, for any text made of markdown characters', () => {
    // single characters, and pieces that make elements (or near misses) when they meet
    const unit = fc.constantFrom('#', ' ', '\n', '\t', '-', '*', '+', '1', '.', '`', '[', ']', '(', ')', 'a', '\u00a0', '## ', '- ', '* ', '12. ', '```', '**b**', '[a](b)', '\n\n', '  ');
    let found = 0;
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 60 }), (s) => {
        const n = reference(s);
        found += n;
        expect(countMarkdown(s)).toBe(n);
      }),
      { numRuns: runs(3000) },
    );
    expect(found).toBeGreaterThan(runs(1000)); // the property compared real elements, not only empty counts
  });

  it('should count headings, list items across blank lines, fences, bold and links', () => {
    const doc = '# Title\n\n- one\n  \n* two\n10. ten\n```js\nx\n```\nSee **this** and [a link](https://x.y).\nplain # not a heading';
    expect(countMarkdown(doc)).toBe(reference(doc));
    expect(countMarkdown(doc)).toBe(8);
  });
});
