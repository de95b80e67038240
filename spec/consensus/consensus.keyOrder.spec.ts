/** @test {consensus} */
import { describe, expect, it } from 'vitest';
import { consensus } from 'l0-rx';
import { runConsensus } from './runConsensus.js';

/* Keys are compared sorted: the order a model wrote them in is no vote, nor a rounding. */
describe('structured consensus and the order of the keys', () => {
  // fields a (3 of 5 agree), b (1 of 5) and c (2 of 5): a mean agreement of exactly 6/15 = 0.4
  const outputs = [{ b: {}, c: [1], a: 'x' }, { a: {} }, { a: 'x' }, { a: 1 }, { c: [1], a: 'x' }];
  const reversed = (o: object) => Object.fromEntries(Object.entries(o).reverse());

  it.each([
    ['as written', outputs],
    ['with every output\'s keys reversed', outputs.map(reversed)],
  ])('should meet a minimumAgreement the mean field agreement equals, keys %s', (_, values) => {
    const { result, error } = runConsensus((answer) => consensus(values.map((v) => answer(JSON.stringify(v))), { parse: (t) => JSON.parse(t) as unknown, minimumAgreement: 0.4 }));
    expect(error).toBeUndefined();
    expect(result!.agreement).toBe(0.4);
    // b and c were written by fewer than half the outputs: a majority's value leaves them out
    expect(result!.consensus).toEqual({ a: 'x' });
  });
});
