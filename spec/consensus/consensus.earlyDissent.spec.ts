/** @test {consensus} earlyExit and dissent */
import { describe, expect, it } from 'vitest';
import { consensus } from 'l0-rx';
import { runConsensus } from './runConsensus.js';

describe('consensus: earlyExit never makes a conflict of a source it cancelled', () => {
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
});
