/** @test {detectDrift} */
import { describe, expect, it } from 'vitest';
import { FenceLines } from '../../src/drift/fenceLines.js';
import { Fences } from '../../src/drift/windowChecks.js';

/*
 * The repetition detector's sentence check follows ``` fences from the backticks its character loop
 * meets (FenceLines); its tail check reads them 64 characters at a time (Fences). Both must see the
 * same fences, wherever the deltas end: random texts of fence-like pieces, cut at random, flip at
 * the same newlines.
 */

/** The offsets where FenceLines flips, driven as the sentence check drives it: `tick` at each backtick, `left` at a delta's start. */
function lineFlips(chunks: readonly string[]): number[] {
  const lines = new FenceLines();
  const flips: number[] = [];
  let total = 0;
  let before = '';
  for (const delta of chunks) {
    let end = lines.pending === 0 ? delta.length : lines.left(delta);
    for (let i = 0; ; ) {
      for (; i < end; i++) if (delta.charCodeAt(i) === 96) end = lines.tick(delta, i, end, before, total);
      if (end === delta.length) break;
      flips.push(total + end);
      end = delta.length;
    }
    before = (before + delta).slice(-8);
    total += delta.length;
  }
  return flips;
}

/** The offsets where Fences flips, fed 64 characters at a time. */
function windowFlips(text: string): number[] {
  const fences = new Fences();
  const flips: number[] = [];
  for (let at = 0; at < text.length; at += 64) {
    fences.next(text.slice(at, at + 64));
    for (const f of fences.flips) flips.push(at + f);
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

const PIECES = ['```', '````', '``', '`', '```js', ' ', '   ', '    ', '\n', '\n\n', 'text. ', 'x', 'code();', '`inline`', 'More words here. '];

describe('FenceLines: the same fences as Fences, whatever the deltas', () => {
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
      expect(lineFlips(chunks), JSON.stringify(text)).toEqual(windowFlips(text));
      expect(lineFlips([...text]), JSON.stringify(text)).toEqual(windowFlips(text));
      flipped += windowFlips(text).length;
    }
    expect(flipped).toBeGreaterThan(200);
  });
});
