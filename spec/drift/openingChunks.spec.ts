/** @test {detectDrift} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectDrift, type DriftType, type L0Event } from 'l0-rx';
import { FORMAT_COLLAPSE } from '../../src/internal/formatCollapse.js';
import { runSync, text } from '../guard/helpers.js';
import { runs } from '../helpers/propertyRuns.js';

/*
 * The opening detectors (hedging, format_collapse) give the verdict of their plain rule over the whole
 * text, and meta_commentary that of the text in one token, however the text is cut into tokens (the
 * other detectors' properties are in their own specs).
 */

/** `s` cut into tokens of the given sizes, in turn. */
function cut(s: string, sizes: readonly number[]): string[] {
  const tokens: string[] = [];
  for (let at = 0, k = 0; at < s.length; k++) tokens.push(s.slice(at, (at += sizes[k % sizes.length]!)));
  return tokens;
}
const found = (type: DriftType, tokens: readonly string[]) =>
  runSync(text(...tokens), detectDrift({ types: [type] })).out.some((e: L0Event) => e.type === 'drift');
const sizes = fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 6 });

/** hedging written plainly: the first line after any blank ones is only the hedge (a `\r` may end it). */
const hedging = (s: string) => /^(?:sure|certainly|of course|absolutely)[!.]?[ \t]*\r?$/i.test(s.trimStart().split('\n')[0]!);
/** format_collapse written plainly: the opener matches in the first 101 characters and ends by the 100th. */
function formatCollapse(s: string): boolean {
  const m = new RegExp(FORMAT_COLLAPSE, 'i').exec(s.slice(0, 101));
  return m !== null && m.index + m[0].length <= 100;
}

/**
 * `type`'s verdict on any cut of up to `maxLength` pieces joined is `plain`'s on the whole text, and
 * `plain` held often enough that drift was compared, not only its absence.
 */
function asPlainRule(type: DriftType, piece: fc.Arbitrary<string>, maxLength: number, plain: (s: string) => boolean): void {
  let hits = 0;
  fc.assert(
    fc.property(fc.array(piece, { minLength: 1, maxLength }), sizes, (pieces, sizes) => {
      const s = pieces.join('');
      const expected = plain(s);
      if (expected) hits++;
      expect(found(type, cut(s, sizes))).toBe(expected);
    }),
    { numRuns: runs(1000) },
  );
  expect(hits).toBeGreaterThan(runs(20));
}

describe('detectDrift: the opening and phrase detectors, whatever the tokens', () => {
  it('should find a hedging first line as the plain rule does, for any chunking (blanks after "Sure!" past 40 characters too)', () => {
    const piece = fc.constantFrom('Sure!', 'sure', 'Certainly.', 'Of course', 'Absolutely!', '!', ' ', '\t', ' '.repeat(30), ' \t'.repeat(30), '\n', '\r\n', '\r', 'x', 'Here it is.', 'The capital is Paris. ');
    asPlainRule('hedging', piece, 12, hedging);
  });

  it('should keep "Sure!" and 60 blanks on an open line undecided until the line ends: the same verdict in tokens of 1 and in one', () => {
    const opening = 'Sure!' + ' '.repeat(60);
    for (const [rest, expected] of [['here it is.\nParis.', false], ['\nParis is the capital.', true]] as const) {
      expect(found('hedging', [...opening + rest]), JSON.stringify(rest)).toBe(expected);
      expect(found('hedging', [opening + rest]), JSON.stringify(rest)).toBe(expected);
    }
  });

  it('should find format collapse as the plain rule does, for any chunking', () => {
    const piece = fc.constantFrom('Here is the response', "Here's my answer", 'Here you go', 'Let me check that', ' for you', ' for your', ':', '.', ' ', '\n', '\r', ' of the command', ' you asked for', 'x', 'a'.repeat(20), ' '.repeat(9));
    asPlainRule('format_collapse', piece, 10, formatCollapse);
  });

  it('should find meta commentary as in one token, for any chunking (phrases cut anywhere, quoted, after a connective, near the end)', () => {
    const piece = fc.constantFrom(
      'As an AI language model', 'as an AI', ', I ', 'I\'m an AI', ' enthusiast', ' developed by', "I'm sorry, but I", ' can\'t', ' made an error', 'but ', 'Speaking ',
      '"', '`', '. ', ', ', ' ', '\n', 'x', 'assistant', ' '.repeat(20), 'plain words of an ordinary answer here ',
    );
    let metas = 0;
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 14 }), sizes, (pieces, sizes) => {
        const s = pieces.join('');
        const expected = found('meta_commentary', [s]);
        if (expected) metas++;
        expect(found('meta_commentary', cut(s, sizes))).toBe(expected);
      }),
      { numRuns: runs(1000) },
    );
    expect(metas).toBeGreaterThan(runs(50));
  });
});
