/** @test {consensus} */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, of, type Observable } from 'rxjs';
import { consensus, isConsensusError, type L0Event } from 'l0-rx';
import { runConsensus } from './runConsensus.js';
import { unhandledDuring } from '../helpers/unhandled.js';

/** A source that answers `text` synchronously (an async `parse` settles after the scheduler's flush, so these run on promises). */
const now = (text: string): Observable<L0Event> => of<L0Event[]>({ type: 'token', value: text }, { type: 'complete', finishReason: 'stop' });
const asyncParse = (text: string): Promise<{ a: number }> => Promise.resolve(JSON.parse(text) as { a: number });

describe('consensus callbacks (rxjs checklist: a callback that misbehaves)', () => {
  describe('an async parse', () => {
    it('should vote the values its promises give, not the promises (three different answers never agree)', async () => {
      const error = await lastValueFrom(consensus([now('{"a":1}'), now('{"a":2}'), now('{"a":3}')], { parse: asyncParse })).catch((e: unknown) => e);
      expect(isConsensusError(error) && error.info.kind).toBe('below-minimum-agreement');
      const r = await lastValueFrom(consensus([now('{"a":1}'), now('{"a":2}'), now('{"a":1}')], { parse: asyncParse }));
      expect([r.consensus, r.agreement, r.outputs.map((o) => o.value)]).toEqual([{ a: 1 }, 2 / 3, [{ a: 1 }, { a: 2 }, { a: 1 }]]);
      expect(r.consensus.a).toBe(1); // typed as the promise's value
    });

    it('should count an output whose parse rejects as failed, the rejection its error', async () => {
      const bad = new Error('rejected');
      const parse = (text: string) => (text === 'x' ? Promise.reject(bad) : asyncParse(text));
      const r = await lastValueFrom(consensus([now('{"a":1}'), now('x'), now('{"a":1}')], { parse }));
      expect([r.status, r.outputs[1]!.status, r.outputs[1]!.error, r.consensus]).toEqual(['partial', 'error', bad, { a: 1 }]);
    });

    it('should not exit early on values not known yet, and leave no rejection unhandled', async () => {
      const parse = (text: string) => (text === 'x' ? Promise.reject(new Error('no')) : asyncParse(text));
      const r = await lastValueFrom(consensus([now('{"a":1}'), now('x'), now('{"a":1}')], { parse, earlyExit: true }));
      expect([r.consensus, r.cancelledCount, r.successCount]).toEqual([{ a: 1 }, 0, 2]);
    });
  });

  describe('a score that is no number', () => {
    it.each([['NaN', NaN], ['"5"', '5'], ['undefined', undefined]])('should error with a TypeError naming it when score returns %s', (shown, bad) => {
      const { error } = runConsensus((answer) => consensus([answer('short'), answer('a much longer answer')], { strategy: 'best', score: () => bad as number, minimumAgreement: 0 }));
      expect(error).toEqual(new TypeError(`consensus({score}) returned ${shown}; it must return a number (higher wins)`));
    });

    it.each(['similarity', 'score'] as const)('should error with a TypeError naming an async %s, and leave its rejection handled', async (key) => {
      const unhandled = await unhandledDuring(async () => {
        const bad = (() => Promise.reject(new Error('no'))) as never;
        const run = consensus([now('a'), now('b')], { strategy: 'best', minimumAgreement: 0, [key]: bad });
        const error = await lastValueFrom(run).catch((e: unknown) => e);
        expect(error).toEqual(new TypeError(`consensus({${key}}) returned a Promise; it must return ${key === 'score' ? 'a number (higher wins)' : 'a number in [0, 1]'}`));
      });
      expect(unhandled).toEqual([]);
    });

    it('should still rank by a score of Infinity or a negative one', () => {
      const { result } = runConsensus((answer) => consensus([answer('short'), answer('long answer')], { strategy: 'best', score: (o) => (o.index === 0 ? -Infinity : -1), minimumAgreement: 0 }));
      expect(result!.chosenIndex).toBe(1);
    });
  });
});
