/** @test {textSimilarity} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { consensus, textSimilarity } from 'l0-rx';
import { runs } from '../helpers/propertyRuns.js';
import { runConsensus } from './runConsensus.js';

/** A 16,000-character text of pseudo-random words (seeded, so the same every run). */
function words16k(seed: number): string {
  const vocab = 'the model answer stream token retry river mountain reliable observable operator window cloud paris london'.split(' ');
  let r = seed;
  let text = '';
  while (text.length < 16_000) {
    r = (r * 1103515245 + 12345) % 2147483648;
    text += `${vocab[r % vocab.length]} `;
  }
  return text.slice(0, 16_000);
}

/** The textbook word-level edit distance (full matrix), as a reference. */
function referenceSimilarity(a: string[], b: string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return 1 - d[a.length]![b.length]! / Math.max(a.length, b.length);
}

describe('textSimilarity', () => {
  it('should agree with the textbook edit distance over words, across block boundaries of 32 words', () => {
    const words = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 140 });
    fc.assert(fc.property(words, words, (a, b) => {
      expect(textSimilarity(a.join(' '), b.join(' '))).toBeCloseTo(referenceSimilarity(a, b), 12);
    }), { numRuns: runs(300) });
  });

  it('should be 1 for the same words, whatever the case, punctuation and spacing', () => {
    expect(textSimilarity('Paris.', '  paris ')).toBe(1);
  });

  it('should be 1 - edits / words, counting words', () => {
    expect(textSimilarity('the quick brown fox', 'the quick brown dog')).toBe(0.75);
    expect(textSimilarity('a b c d', 'a c d')).toBe(0.75);
  });

  // 1 - d / n rounded below the exact share: 1 - 8/25 was 0.6799999999999999, under a threshold of 0.68
  it('should be exactly (n - edits) / n, so a similarity at the threshold meets it', () => {
    const text = (n: number, changed: number) => Array.from({ length: n }, (_, i) => (i < changed ? `x${i}` : `w${i}`)).join(' ');
    expect(textSimilarity(text(25, 0), text(25, 8))).toBe(0.68);
    expect(textSimilarity(text(100, 0), text(100, 7))).toBe(0.93);
    expect(textSimilarity(text(20, 0), text(20, 11))).toBe(0.45);
    const { result } = runConsensus((answer) => consensus([answer(text(25, 0)), answer(text(25, 8), 2)], { threshold: 0.68 }));
    expect([result?.agreement, result?.dissent]).toEqual([1, []]);
  });

  it('should be 0 for texts without a word in common', () => {
    expect(textSimilarity('yes', 'no')).toBe(0);
  });

  it('should compare two texts without words symbol by symbol: "..." and "!!!" are different answers', () => {
    expect(textSimilarity('...', '!!!')).toBe(0);
    expect(textSimilarity('👍', '👎')).toBe(0);
    expect(textSimilarity('...', ' . . . ')).toBe(1);
    expect(textSimilarity('...', '....')).toBe(0.75);
    expect(textSimilarity('', '')).toBe(1);
    expect(textSimilarity('', '...')).toBe(0);
    expect(textSimilarity('', 'word')).toBe(0);
    expect(textSimilarity('...', 'word')).toBe(0);
  });

  it('should be symmetric', () => {
    expect(textSimilarity('a b c x', 'a c')).toBe(textSimilarity('a c', 'a b c x'));
  });

  it('should compare two 16,000-character texts in well under a second (L0: 13 s and 3 GB)', () => {
    const a = words16k(1);
    const b = words16k(2);
    const t0 = performance.now();
    const s = textSimilarity(a, b);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(s).toBeGreaterThan(0);
    expect(s).toBeLessThan(1);
  });

  // it failed inside String.prototype.normalize, naming neither the function nor the argument
  it('should throw a TypeError naming a text that is not a string', () => {
    expect(() => textSimilarity(1 as never, 'a')).toThrow(new TypeError('textSimilarity(a) must be a string, got number'));
    expect(() => textSimilarity('a', null as never)).toThrow(new TypeError('textSimilarity(a, b) must be a string, got null'));
  });
});
