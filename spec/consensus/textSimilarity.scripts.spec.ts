/** @test {textSimilarity} */
import { afterEach, describe, expect, it } from 'vitest';
import { textSimilarity } from 'l0-rx';
import { expectLinearTime } from '../helpers/linearTime.js';

const segmenter = Intl.Segmenter;

/* Scripts without spaces between words were one word per run: two Chinese sentences differing in one word scored 0. */
describe('textSimilarity: scripts written without spaces', () => {
  afterEach(() => {
    (Intl as { Segmenter?: unknown }).Segmenter = segmenter;
  });

  it.each([
    ['Chinese', '我喜欢吃苹果', '我喜欢吃香蕉'],
    ['Japanese', '東京は日本の首都です', '京都は日本の古都です'],
    ['Thai', 'ฉันชอบกินแอปเปิ้ล', 'ฉันชอบกินกล้วย'],
  ])('should count %s words, so sentences sharing most of them are alike', (_, a, b) => {
    const s = textSimilarity(a, b);
    expect(s).toBeGreaterThan(0.3);
    expect(s).toBeLessThan(1);
    expect(textSimilarity(a, a)).toBe(1);
  });

  it('should split a mixed text only where such a script is, leaving Latin words as they were', () => {
    expect(textSimilarity('The answer is 我喜欢吃苹果 today', 'the answer is 我喜欢吃香蕉 today')).toBeGreaterThan(0.6);
    expect(textSimilarity("Don't stop", 'don t stop')).toBe(1);
  });

  // Intl.Segmenter's cost grows faster than its input: one 66,000-letter Thai run (a model stuck in a loop) took 35 s, 64,000 letters 0.3 s
  it('should split a long unspaced run in linear time', () => {
    const thai = (size: number) => 'ฉันชอบกินแอปเปิ้ล'.repeat(Math.ceil(size / 17)).slice(0, size);
    expectLinearTime('textSimilarity on one Thai run', (size) => {
      const text = thai(size);
      const started = performance.now();
      textSimilarity(text, ''); // no words in the other text: the time is the splitting alone, no edit distance
      return performance.now() - started;
    }, 17_000);
  });

  it('should still find the words of a run longer than what the segmenter is given at once', () => {
    const a = '我喜欢吃苹果'.repeat(2_000);
    const b = `${'我喜欢吃苹果'.repeat(1_000)}我喜欢吃香蕉${'我喜欢吃苹果'.repeat(999)}`;
    const s = textSimilarity(a, b);
    expect(s).toBeGreaterThan(0.99);
    expect(s).toBeLessThan(1);
  });

  it('should fall back to one word per run where the runtime has no Intl.Segmenter', () => {
    delete (Intl as { Segmenter?: unknown }).Segmenter;
    expect(textSimilarity('我喜欢吃苹果', '我喜欢吃香蕉')).toBe(0);
    expect(textSimilarity('我喜欢吃苹果。', '我喜欢吃苹果')).toBe(1);
  });
});

/* 'İ'.toLowerCase() is 'i' and U+0307 (a combining dot): "İstanbul" and "istanbul" scored 0, as two unrelated words. */
describe('textSimilarity: the dotted capital I', () => {
  it('should compare "İstanbul" and "istanbul" as the same word, as "ISTANBUL" and "istanbul" are', () => {
    expect(textSimilarity('İstanbul', 'istanbul')).toBe(1);
    expect(textSimilarity('İSTANBUL', 'ISTANBUL')).toBe(1);
    expect(textSimilarity('Welcome to İzmir and İstanbul', 'welcome to izmir and istanbul')).toBe(1);
  });

  it('should keep the dotless ı a letter of its own', () => {
    expect(textSimilarity('ılık', 'ilik')).toBe(0);
  });
});
