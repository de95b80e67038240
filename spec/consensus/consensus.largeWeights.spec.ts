/** @test {consensus} */
import { describe, expect, it } from 'vitest';
import { consensus, isConsensusError } from 'l0-rx';
import { runConsensus } from './runConsensus.js';

/*
 * Weights are any finite numbers >= 0. The structured agreement is the winners' weight over every
 * field's total, summed whole: with weights near Number.MAX_VALUE that sum (and the total times the
 * field count) overflowed to Infinity, and the agreement was NaN, which no minimumAgreement refuses.
 */
describe('structured consensus with weights near Number.MAX_VALUE', () => {
  const parse = (t: string) => JSON.parse(t) as unknown;
  const big = Number.MAX_VALUE;

  it('should give the mean field agreement (1 when the outputs agree), never NaN', () => {
    const { result, error } = runConsensus((answer) => consensus([answer('{"a":1,"b":2}'), answer('{"a":1,"b":2}')], { strategy: 'weighted', weights: [big, 1], parse }));
    expect(error).toBeUndefined();
    expect(result!.agreement).toBe(1);
  });

  it('should fail minimumAgreement when the winners hold less of the weight than it asks', () => {
    // every field won by the first output, 0.55 of the weight: below the default 0.6
    const sources = (answer: (t: string) => never) => [answer('{"a":1,"b":2,"c":3}'), answer('{"a":0,"b":0,"c":0}')];
    const { result, error } = runConsensus((answer) => consensus(sources(answer as never), { strategy: 'weighted', weights: [big * 0.55, big * 0.45], parse }));
    expect(result).toBeUndefined();
    expect(isConsensusError(error)).toBe(true);
    expect((error as { info: { agreement: number } }).info.agreement).toBeCloseTo(0.55, 12);
  });
});

/*
 * Text consensus summed its weights whole too: two outputs weighing Number.MAX_VALUE each made a
 * total of Infinity, and the agreement of two identical answers was MAX_VALUE / Infinity = 0 (a
 * ConsensusError below minimumAgreement); the supports also overflowed alike, so the larger one no
 * longer won.
 */
/*
 * Which fields a majority wrote, and which share each winner has, summed the weights whole too: with
 * three outputs of Number.MAX_VALUE, 2 * MAX_VALUE (one output) reached the total (Infinity), so one
 * output's field was a majority's; and 2 of 3 agreeing was Infinity / Infinity (NaN), never a dissent.
 */
describe('structured consensus with weights near Number.MAX_VALUE: majorities and dissent', () => {
  const parse = (t: string) => JSON.parse(t) as unknown;
  const big = Number.MAX_VALUE;

  it('should leave out a field only one of three equal outputs wrote', () => {
    const { result, error } = runConsensus((answer) => consensus([answer('{"a":1,"x":9}'), answer('{"a":1}'), answer('{"a":1}')], { strategy: 'weighted', weights: [big, big, big], parse, minimumAgreement: 0 }));
    expect(error).toBeUndefined();
    expect(result!.consensus).toEqual({ a: 1 });
  });

  it('should report a field two of three equal outputs agree on as a dissent below threshold 0.8', () => {
    const { result } = runConsensus((answer) => consensus([answer('{"a":1}'), answer('{"a":1}'), answer('{"a":2}')], { strategy: 'weighted', weights: [big, big, big], parse, minimumAgreement: 0 }));
    expect(result!.dissent).toEqual(['a']);
    const failing = runConsensus((answer) => consensus([answer('{"a":1}'), answer('{"a":1}'), answer('{"a":2}')], { strategy: 'weighted', weights: [big, big, big], parse, minimumAgreement: 0, resolveConflicts: 'fail' }));
    expect(isConsensusError(failing.error)).toBe(true);
  });
});

describe('text consensus with weights near Number.MAX_VALUE', () => {
  const big = Number.MAX_VALUE;

  it('should give agreement 1 when the outputs agree, never 0', () => {
    const { result, error } = runConsensus((answer) => consensus([answer('Paris is the capital.'), answer('Paris is the capital.')], { strategy: 'weighted', weights: [big, big] }));
    expect(error).toBeUndefined();
    expect(result!.agreement).toBe(1);
  });

  it('should choose the output with the larger support and give its share of the weight', () => {
    // both supports overflowed to Infinity: a tie, which the first output won with the smaller one
    const [lyon, paris] = ['Lyon is the capital of a country far away', 'Paris'];
    const sources = (answer: (t: string) => never) => [answer(lyon), answer(lyon), answer(paris), answer(paris)];
    const { result, error } = runConsensus((answer) => consensus(sources(answer as never), { strategy: 'weighted', weights: [big * 0.9, big * 0.9, big, big], minimumAgreement: 0 }));
    expect(error).toBeUndefined();
    expect(result!.chosenIndex).toBe(2);
    expect(result!.agreement).toBeCloseTo(2 / 3.8, 12);
  });
});

describe('structured consensus with fractional weights', () => {
  // the mean summed 0.4 six times (2.4) against 0.4 * 6 (2.4000000000000004): 0.9999999999999998, below minimumAgreement 1
  it('should give every output agreeing on every field an agreement of 1 (minimumAgreement 1)', () => {
    const parse = (t: string) => JSON.parse(t) as unknown;
    const text = JSON.stringify({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 });
    const { result, error } = runConsensus((answer) => consensus([answer(text), answer(text, 2), answer(text, 3)], { strategy: 'weighted', weights: [0.1, 0.1, 0.2], minimumAgreement: 1, parse }));
    expect([error, result?.agreement]).toEqual([undefined, 1]);
  });
});
