/** @test {detectDrift} */
import { describe, expect, it } from 'vitest';
import { FenceLines, Fences } from '../../src/drift/fenceLines.js';
import { fenceFlips as referenceFlips } from '../helpers/fenceFlips.js';

/*
 * Drift's one reader of code fences (FenceLines: ``` and ~~~, a block closed only by a run of its
 * character at least as long) is driven two ways: from the backticks and tildes the repetition
 * detector's sentence check meets in its character loop, and by Fences (tone_shift,
 * markdown_collapse) window by window. Both must find the fences a plain line-by-line reading finds,
 * wherever the deltas or windows end: random texts of fence-like pieces, cut at random.
 */

/** The offsets where FenceLines flips, driven as the sentence check drives it: `tick` at each backtick and tilde, `left` at a delta's start. */
function lineFlips(chunks: readonly string[]): number[] {
  const lines = new FenceLines();
  const flips: number[] = [];
  let total = 0;
  let before = '';
  for (const delta of chunks) {
    let end = lines.pending === 0 ? delta.length : lines.left(delta);
    for (let i = 0; ; ) {
      for (; i < end; i++) if (delta.charCodeAt(i) === 96 || delta.charCodeAt(i) === 126) end = lines.tick(delta, i, end, before, total);
      if (end === delta.length) break;
      flips.push(total + end);
      end = delta.length;
    }
    before = (before + delta).slice(-9);
    total += delta.length;
  }
  return flips;
}

/** The offsets where Fences flips, fed `size` characters at a time, and whether each window ended inside a block as the flips say. */
function windowFlips(text: string, size: number): number[] {
  const fences = new Fences();
  const flips: number[] = [];
  for (let at = 0; at < text.length; at += size) {
    fences.next(text.slice(at, at + size));
    for (const f of fences.flips) flips.push(at + f);
    expect(fences.open).toBe(flips.length % 2 === 1);
  }
  return flips;
}

/** A small seeded generator (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const PIECES = ['```', '````', '``', '`', '```js', '~~~', '~~~~', '~', '~~~py `x`', ' ', '   ', '    ', '\t', '\t\t\t', '        ', '\r', '\n', '\n\n', 'text. ', 'x', 'code();', '`inline`', 'More words here. '];

describe('FenceLines: the fences of a line-by-line reading, whatever the deltas or windows', () => {
  it('should flip at the same newlines on 500 random texts cut at random', () => {
    const next = random(7);
    let flipped = 0;
    for (let n = 0; n < 500; n++) {
      const text = Array.from({ length: 10 + Math.floor(next() * 80) }, () => PIECES[Math.floor(next() * PIECES.length)]).join('');
      const chunks: string[] = [];
      for (let at = 0; at < text.length; ) {
        const size = 1 + Math.floor(next() * (next() < 0.5 ? 4 : 40));
        chunks.push(text.slice(at, at + size));
        at += size;
      }
      const expected = referenceFlips(text);
      expect(lineFlips(chunks), JSON.stringify(text)).toEqual(expected);
      expect(lineFlips([...text]), JSON.stringify(text)).toEqual(expected);
      for (const size of [64, 200, 500, 9 + Math.floor(next() * 10)]) expect(windowFlips(text, size), `${size}: ${JSON.stringify(text)}`).toEqual(expected);
      flipped += expected.length;
    }
    expect(flipped).toBeGreaterThan(200);
  });
});
