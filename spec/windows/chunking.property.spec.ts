/** @test {createWindow} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createWindow, type WindowStrategy } from 'l0-rx';
import { runs } from '../helpers/propertyRuns.js';
import { expectLinearTime } from '../helpers/linearTime.js';

/** A lone surrogate: half of a character such as an emoji. */
const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unit = fc.constantFrom('a', 'b', ' ', '\n', '.', '😀', '𝄞', '東');
const strategies: readonly WindowStrategy[] = ['char', 'token', 'paragraph', 'sentence'];
const config = fc.integer({ min: 1, max: 12 }).chain((size) =>
  fc.record({ size: fc.constant(size), overlap: fc.integer({ min: 0, max: size - 1 }), strategy: fc.constantFrom(...strategies) }));

describe('createWindow chunking (properties)', () => {
  it('should cover the document with exact slices, each window reaching further than the one before', () => {
    fc.assert(fc.property(fc.string({ unit, maxLength: 80 }), config, (doc, { size, overlap, strategy }) => {
      const { chunks } = createWindow(doc, { size, overlap, strategy, estimateTokens: (t) => t.length });
      if (doc === '') {
        expect(chunks).toEqual([]);
        return;
      }
      expect(chunks[0]!.startPos).toBe(0);
      expect(chunks.at(-1)!.endPos).toBe(doc.length);
      chunks.forEach((c, i) => {
        expect(c.content).toBe(doc.slice(c.startPos, c.endPos));
        if (i === 0) return;
        const before = chunks[i - 1]!;
        expect(c.startPos).toBeLessThanOrEqual(before.endPos); // no text lost
        expect(c.startPos).toBeGreaterThan(before.startPos);
        expect(c.endPos).toBeGreaterThan(before.endPos); // no window wholly inside the previous one
      });
      if (overlap === 0) expect(chunks.map((c) => c.content).join('')).toBe(doc);
    }), { numRuns: runs(500) });
  });

  it('should never cut a character in two (surrogate pairs stay together)', () => {
    fc.assert(fc.property(fc.string({ unit, maxLength: 80 }), config, (doc, { size, overlap, strategy }) => {
      for (const c of createWindow(doc, { size, overlap, strategy, estimateTokens: (t) => t.length }).chunks) {
        expect(LONE.test(c.content), JSON.stringify(c.content)).toBe(false);
      }
    }), { numRuns: runs(500) });
  });

  // a char window (or a word cut by length) ended between a CRLF's \r and \n, or between a letter and its combining
  // accent ('e\u0301' is é): createWindow('a\r\nb', { strategy: 'char', size: 2, overlap: 0 }) gave 'a\r' and '\nb'
  it('should never cut a CRLF, a letter from its combining marks, or emoji joined by a zero-width joiner', () => {
    const joined = fc.constantFrom('a', ' ', '.', '\n', '\r\n', 'e\u0301', 'a\u0308\u0301', '\u2764\ufe0f', '\u{1F468}\u200d\u{1F469}', '\u0915\u093f', 'x');
    /** Whether position p of doc falls inside one of those characters. */
    const inside = (doc: string, p: number) => /^(?:\n|\p{M}|\u200d)/u.test(doc.slice(p)) && (doc[p] !== '\n' || doc[p - 1] === '\r') || doc[p - 1] === '\u200d';
    fc.assert(fc.property(fc.string({ unit: joined, maxLength: 60 }), config, (doc, { size, overlap, strategy }) => {
      for (const c of createWindow(doc, { size, overlap, strategy, estimateTokens: (t) => t.length }).chunks) {
        for (const p of [c.startPos, c.endPos]) expect(inside(doc, p), `${JSON.stringify(doc)} cut at ${p} (${strategy})`).toBe(false);
      }
    }), { numRuns: runs(500) });
    expect(createWindow('a\r\nb\r\nc', { strategy: 'char', size: 2, overlap: 0 }).chunks.map((c) => c.content)).toEqual(['a', '\r\n', 'b', '\r\n', 'c']);
    expect(createWindow('e\u0301e\u0301e\u0301', { strategy: 'char', size: 3, overlap: 1 }).chunks.map((c) => c.content)).toEqual(['e\u0301', 'e\u0301', 'e\u0301']);
  });

  // the README promises "an emoji stays whole", but a skin tone (an emoji modifier, not a combining mark) and a flag's
  // second letter were cut off: createWindow('👍🏽👍🏽', { strategy: 'char', size: 2, overlap: 0 }) gave '👍', '🏽', '👍', '🏽'
  it('should keep an emoji with its skin tone, and a flag\'s two letters, together: every cut falls between two characters', () => {
    const emoji = ['\u{1F44D}\u{1F3FD}', '\u{1F44B}\u{1F3FB}\u200d\u{1F4BB}', '\u{1F1FA}\u{1F1F8}', '\u{1F1EB}\u{1F1F7}', '\u{1F600}', 'a', ' ', '\n'];
    fc.assert(fc.property(fc.array(fc.constantFrom(...emoji), { maxLength: 30 }), config, (characters, { size, overlap, strategy }) => {
      const doc = characters.join('');
      const between = new Set([0]);
      characters.reduce((at, c) => (between.add(at + c.length), at + c.length), 0);
      for (const c of createWindow(doc, { size, overlap, strategy, estimateTokens: (t) => t.length }).chunks) {
        for (const p of [c.startPos, c.endPos]) expect(between.has(p), `${JSON.stringify(doc)} cut at ${p} (${strategy})`).toBe(true);
      }
    }), { numRuns: runs(500) });
    expect(createWindow('\u{1F44D}\u{1F3FD}\u{1F44D}\u{1F3FD}', { strategy: 'char', size: 2, overlap: 0 }).chunks.map((c) => c.content)).toEqual(['\u{1F44D}\u{1F3FD}', '\u{1F44D}\u{1F3FD}']);
    expect(createWindow('\u{1F1FA}\u{1F1F8}\u{1F1EB}\u{1F1F7}\u{1F1FA}\u{1F1F8}', { strategy: 'char', size: 6, overlap: 0 }).chunks.map((c) => c.content))
      .toEqual(['\u{1F1FA}\u{1F1F8}', '\u{1F1EB}\u{1F1F7}', '\u{1F1FA}\u{1F1F8}']);
  });

  it('should still cut a run of thousands of combining marks ("zalgo" text) into windows near the size, in linear time', () => {
    const doc = `a e${'\u0301'.repeat(10_000)} b`;
    const { chunks } = createWindow(doc, { strategy: 'char', size: 100, overlap: 10 });
    expect(chunks.length).toBeGreaterThan(70);
    for (const c of chunks) expect(c.charCount).toBeLessThanOrEqual(100 + 32);
    chunks.slice(1).forEach((c, i) => expect(c.startPos).toBeLessThanOrEqual(chunks[i]!.endPos)); // no text lost
    expectLinearTime('zalgo char windows', (n) => {
      const text = `e${'\u0301'.repeat(n)}`;
      const t0 = performance.now();
      createWindow(text, { strategy: 'char', size: 100, overlap: 10 });
      return performance.now() - t0;
    }, 100_000);
  });

  it('should overlap windows over a text without spaces, cut by length, as over words', () => {
    const solid = fc.string({ unit: fc.constantFrom('a', 'b', '東'), minLength: 1, maxLength: 80 });
    fc.assert(fc.property(solid, config.filter((c) => c.overlap > 0 && c.strategy !== 'char'), (doc, { size, overlap, strategy }) => {
      const { chunks } = createWindow(doc, { size, overlap, strategy, estimateTokens: (t) => t.length });
      // one word of doc.length tokens, cut into pieces of min(overlap, size - overlap): every window repeats one at least
      chunks.slice(1).forEach((c, i) => expect(c.startPos).toBeLessThan(chunks[i]!.endPos));
    }), { numRuns: runs(300) });
  });

  it('should repeat the asked overlap between token windows of Japanese text (no spaces to cut at)', () => {
    const doc = '東京は日本の首都であり人口が多い都市です'.repeat(50);
    const byChar = createWindow(doc, { size: 50, overlap: 10, estimateTokens: (t) => t.length });
    expect(byChar.chunks.slice(0, 3).map((c) => [c.startPos, c.endPos])).toEqual([[0, 50], [40, 90], [80, 130]]);
    const byDefault = createWindow(doc, { size: 50, overlap: 10 }); // 4 characters a token: 10 tokens are 40 characters
    expect(byDefault.chunks.slice(0, 3).map((c) => [c.startPos, c.endPos])).toEqual([[0, 200], [160, 360], [320, 520]]);
  });

  it.each([[100, 34], [1000, 150], [100, 49], [100, 60]])('should fill windows over a text without spaces to the size %i, an overlap of %i or not', (size, overlap) => {
    // pieces of the overlap itself fill a window only to a multiple of it: 68 tokens of 100 (34), 900 of 1000 (150)
    const { chunks } = createWindow('東'.repeat(20 * size), { size, overlap, estimateTokens: (t) => t.length });
    chunks.slice(0, -1).forEach((c) => expect(c.endPos - c.startPos).toBeGreaterThanOrEqual(0.95 * size));
    chunks.slice(1).forEach((c, i) => expect(c.startPos).toBeLessThan(chunks[i]!.endPos)); // and still overlapping
  });

  it('should keep emoji whole in char windows', () => {
    const w = createWindow('😀😀😀', { strategy: 'char', size: 3, overlap: 0 });
    expect(w.chunks.map((c) => c.content)).toEqual(['😀', '😀', '😀']);
  });

  it('should keep emoji whole when a giant word is cut by length', () => {
    const doc = `a${'😀'.repeat(20)}`;
    const w = createWindow(doc, { size: 3, overlap: 0 });
    expect(w.chunks.map((c) => c.content).join('')).toBe(doc);
    for (const c of w.chunks) expect(LONE.test(c.content), JSON.stringify(c.content)).toBe(false);
  });

  it('should not repeat small paragraphs as windows of their own before a large one', () => {
    const doc = ['a'.repeat(200), 'b'.repeat(200), 'c'.repeat(200), 'x'.repeat(1990 * 4)].join('\n\n');
    const w = createWindow(doc, { strategy: 'paragraph', size: 2000, overlap: 200 });
    // the big paragraph cannot share a window with any overlap: it starts its own, right after the first
    expect(w.chunks.map((c) => [c.startPos, c.endPos])).toEqual([[0, 606], [606, doc.length]]);
  });
});

describe('createWindow paragraphs', () => {
  it('should find paragraph breaks in CRLF documents too', () => {
    const words = (t: string) => t.trim().split(/\s+/).filter(Boolean).length;
    const doc = 'one two three\r\n\r\nfour five six\r\n\r\nseven eight nine';
    const w = createWindow(doc, { strategy: 'paragraph', size: 4, overlap: 0, estimateTokens: words });
    expect(w.chunks.map((c) => c.content.trim())).toEqual(['one two three', 'four five six', 'seven eight nine']);
  });
});
