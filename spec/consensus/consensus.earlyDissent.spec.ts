/** @test {consensus} earlyExit and dissent */
import { describe, expect, it } from 'vitest';
import { consensus } from 'l0-rx';
import { runConsensus } from './runConsensus.js';

describe('consensus: earlyExit never makes a conflict of a source it cancelled, nor misses the agreement it stopped on', () => {
  it('should report no dissent for text when every finished output agrees', () => {
    const { result, error } = runConsensus((answer) => consensus([answer('Paris'), answer('Paris', 2), answer('London', 9)], { earlyExit: true, resolveConflicts: 'fail' }));
    expect([error, result?.consensus, result?.dissent, result?.cancelledCount]).toEqual([undefined, 'Paris', [], 1]);
  });

  it('should report no dissent for structured output when every finished output agrees on every field', () => {
    const parse = (t: string) => JSON.parse(t) as unknown;
    const json = JSON.stringify;
    const { result, error } = runConsensus((answer) => consensus([answer(json({ city: 'Paris', n: 1 })), answer(json({ n: 1, city: 'Paris' }), 2), answer(json({ city: 'Rome', n: 2 }), 9)], { earlyExit: true, parse, resolveConflicts: 'fail' }));
    expect([error, result?.consensus, result?.dissent, result?.cancelledCount, result?.agreement]).toEqual([undefined, { city: 'Paris', n: 1 }, [], 1, 2 / 3]);
  });

  // earlyExit summed the weights in source order (0.1 + 0.6 + 0.1, 0.6 of it is 0.75) and the decision cancelled first
  // (0.1 + 0.1 + 0.6, 0.7499999999999999): it cancelled two models, then failed minimumAgreement 0.75 with "Agreement 0.75"
  describe('at minimumAgreement exactly, with weights that do not add up exactly', () => {
    const options = { earlyExit: true, strategy: 'weighted', weights: [0.1, 0.6, 0.1], minimumAgreement: 0.75 } as const;

    it('should keep the agreement it stopped on (text)', () => {
      const { result, error } = runConsensus((answer) => consensus([answer('Rome', 5), answer('Paris'), answer('Rome', 5)], options));
      expect([error, result?.consensus, result?.cancelledCount, result?.agreement]).toEqual([undefined, 'Paris', 2, 0.75]);
    });

    it('should keep the agreement it stopped on (structured)', () => {
      const parse = (t: string) => JSON.parse(t) as unknown;
      const { result, error } = runConsensus((answer) => consensus([answer('{"a":2}', 5), answer('{"a":1}'), answer('{"a":2}', 5)], { ...options, parse }));
      expect([error, result?.consensus, result?.cancelledCount, result?.agreement]).toEqual([undefined, { a: 1 }, 2, 0.75]);
    });

    // 0.4 of 0.5 is 0.8 for earlyExit, but seven fields summed and divided were 0.7999999999999999
    it('should keep the agreement it stopped on (structured, many fields)', () => {
      const parse = (t: string) => JSON.parse(t) as unknown;
      const text = JSON.stringify({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 });
      const { result, error } = runConsensus((answer) => consensus([answer(text), answer('{"a":0}', 9), answer(text, 2)], { earlyExit: true, strategy: 'weighted', weights: [0.1, 0.1, 0.3], minimumAgreement: 0.8, parse }));
      expect([error, result?.agreement, result?.cancelledCount]).toEqual([undefined, 0.8, 1]);
    });
  });
});
