/** @test {createWindow} presets, getContext, findChunks, getChunksInRange, mergeResults with overlap removal */
import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, throwError } from 'rxjs';
import { createWindow, largeWindow, mediumWindow, paragraphWindow, parallel, sentenceWindow, smallWindow, type L0Event } from 'l0-rx';

const words = (t: string) => t.trim().split(/\s+/).filter(Boolean).length;
/** A finished `parallel` result whose runs produced `texts` (null: a failed run). */
const resultOf = (texts: readonly (string | null)[]) =>
  lastValueFrom(parallel(texts.map((t) => (t === null ? throwError(() => new Error('failed')) : from<L0Event[]>([{ type: 'token', value: t }, { type: 'complete', finishReason: 'stop' }])))));

describe('createWindow: lookups and merging', () => {
  it('should offer L0\'s presets, each a valid config', () => {
    const presets = { smallWindow, mediumWindow, largeWindow, paragraphWindow, sentenceWindow };
    expect(Object.fromEntries(Object.entries(presets).map(([k, p]) => [k, [p.size, p.overlap, p.strategy]]))).toEqual({
      smallWindow: [1000, 100, 'token'], mediumWindow: [2000, 200, 'token'], largeWindow: [4000, 400, 'token'],
      paragraphWindow: [2000, 200, 'paragraph'], sentenceWindow: [1500, 150, 'sentence'],
    });
    expect(createWindow('One. Two. Three.', sentenceWindow).totalChunks).toBe(1);
    expect(Object.isFrozen(smallWindow)).toBe(true);
  });

  describe('getContext', () => {
    const doc = 'a1 a2 a3 a4 a5 a6 a7 a8';
    const w = createWindow(doc, { size: 3, overlap: 1, estimateTokens: words });

    it('should give the exact document slice from the chunk before to the chunk after, overlap not repeated', () => {
      const [c0, c1, c2] = [w.get(0)!, w.get(1)!, w.get(2)!];
      expect(w.getContext(1)).toBe(doc.slice(c0.startPos, c2.endPos));
      expect(w.getContext(1, { before: 0, after: 0 })).toBe(c1.content);
    });

    it('should clamp at the ends and give null for an index out of range', () => {
      expect([w.getContext(0, { before: 5, after: 0 }), w.getContext(99)]).toEqual([w.get(0)!.content, null]);
    });

    it('should throw a TypeError naming a negative before, and an unknown option', () => {
      expect(() => w.getContext(0, { before: -1 })).toThrow(/getContext\(index, \{before\}\) must be an integer >= 0/);
      expect(() => w.getContext(0, { befor: 1 } as never)).toThrow(/did you mean `before`/);
    });
  });

  describe('findChunks and getChunksInRange', () => {
    const w = createWindow('Alpha beta. Gamma delta. Epsilon alpha.', { strategy: 'sentence', size: 2, overlap: 0, estimateTokens: words });

    it('should find the chunks containing a text, case-insensitively by default', () => {
      expect(w.findChunks('ALPHA').map((c) => c.index)).toEqual([0, 2]);
      expect(w.findChunks('ALPHA', { caseSensitive: true })).toEqual([]);
    });

    it('should give the chunks overlapping a document range', () => {
      const gamma = w.get(1)!;
      expect(w.getChunksInRange(gamma.startPos, gamma.startPos + 1).map((c) => c.index)).toEqual([1]);
      expect(w.getChunksInRange(0, 1_000).length).toBe(w.totalChunks);
    });

    it('should throw a TypeError for a range that ends before it starts', () => {
      expect(() => w.getChunksInRange(5, 1)).toThrow(/startPos <= endPos/);
    });

    // before: an empty range gave the chunks strictly around p, leaving out the chunk that starts at p
    it('should give the chunks holding position p for an empty range [p, p), the chunk that starts at p included', () => {
      const gamma = w.get(1)!;
      expect(w.getChunksInRange(gamma.startPos, gamma.startPos).map((c) => c.index)).toEqual([1]);
      expect(w.getChunksInRange(gamma.startPos + 1, gamma.startPos + 1).map((c) => c.index)).toEqual([1]);
      expect(w.getChunksInRange(gamma.endPos - 1, gamma.endPos - 1).map((c) => c.index)).toEqual([1]);
      expect(w.getChunksInRange(10_000, 10_000)).toEqual([]);
    });
  });

  describe('mergeResults', () => {
    const w = createWindow('x', {});

    it('should drop the start of a result that repeats the end of the one before', async () => {
      const r = await resultOf(['The treaty was signed in 1648 by both parties.', 'signed in 1648 by both parties. It ended the war.']);
      expect(w.mergeResults(r, { removeOverlap: true })).toBe('The treaty was signed in 1648 by both parties. It ended the war.');
    });

    it('should keep a repetition shorter than minOverlap, and join with the separator', async () => {
      const r = await resultOf(['It was the end', 'the end of it all']);
      expect(w.mergeResults(r, { removeOverlap: true, separator: ' | ' })).toBe('It was the end | the end of it all');
      expect(w.mergeResults(r, { removeOverlap: true, minOverlap: 7 })).toBe('It was the end of it all');
    });

    // before: a raw "Cannot read properties of undefined (reading 'results')" from inside the merge
    it('should throw a TypeError naming result when it is not a parallel result', () => {
      for (const bad of [undefined, null, 'text', {}, { results: [] }]) {
        expect(() => w.mergeResults(bad as never)).toThrow(TypeError);
        expect(() => w.mergeResults(bad as never)).toThrow(/mergeResults\(result\): result must be a ParallelResult/);
      }
    });

    it('should leave results untouched without removeOverlap, and skip failed ones', async () => {
      const r = await resultOf(['aaaa bbbb cccc dddd eeee', null, 'aaaa bbbb cccc dddd eeee again']);
      expect(w.mergeResults(r)).toBe('aaaa bbbb cccc dddd eeee\n\naaaa bbbb cccc dddd eeee again');
      expect(w.mergeResults(r, '|')).toBe('aaaa bbbb cccc dddd eeee|aaaa bbbb cccc dddd eeee again');
    });

    it('should find an overlap of 60,000 characters after a 100,000-character result', async () => {
      const shared = 'lorem ipsum '.repeat(5_000);
      const r = await resultOf([`${'a'.repeat(100_000)} ${shared}`, `${shared} tail`]);
      expect(w.mergeResults(r, { removeOverlap: true, maxOverlap: 100_000 }).endsWith(`${shared} tail`)).toBe(true);
    });

    // the default maxOverlap was 4000 whatever minOverlap: a minOverlap above it alone threw, blaming maxOverlap
    it('should take a minOverlap above 4000 given alone, its default maxOverlap raised to it', async () => {
      const shared = `${Array.from({ length: 2000 }, (_, i) => `w${i}`).join(' ').slice(0, 4999)}x`; // 5,000 characters, no period
      const r = await resultOf([`head ${shared}`, `${shared} tail`]);
      expect(w.mergeResults(r, { removeOverlap: true, minOverlap: 5000 })).toBe(`head ${shared} tail`);
      expect(() => w.mergeResults(r, { minOverlap: 5000, maxOverlap: 4000 })).toThrow(/mergeResults\(result, \{maxOverlap\}\) must be an integer >= minOverlap \(5000\), got 4000/);
    });

    it('should throw a TypeError naming a bad option', async () => {
      const r = await resultOf(['a']);
      expect(() => w.mergeResults(r, { minOverlap: 0 })).toThrow(/mergeResults\(result, \{minOverlap\}\) must be an integer >= 1/);
      expect(() => w.mergeResults(r, { removeOverlaps: true } as never)).toThrow(/did you mean `removeOverlap`/);
    });
  });
});
