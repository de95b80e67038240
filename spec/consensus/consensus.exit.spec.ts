/** @test {consensus} concurrency, earlyExit and schema re-validation */
import { describe, expect, it } from 'vitest';
import { NEVER, type Observable } from 'rxjs';
import type { ColdObservable } from 'rxjs/internal/testing/ColdObservable';
import { z } from 'zod';
import { consensus, isSchemaValidationError, type ConsensusResult, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const complete: L0Event = { type: 'complete', finishReason: 'stop' };
type Answer = (text: string, frames?: number) => ColdObservable<L0Event>;

/** Runs `build` under virtual time; gives the result or the error, the frame it came at, and the sources' subscription logs. */
function run<T>(build: (answer: Answer) => Observable<ConsensusResult<T>>) {
  let result: ConsensusResult<T> | undefined;
  let error: unknown;
  const made: ColdObservable<L0Event>[] = [];
  testScheduler().run(({ cold, flush }) => {
    const answer: Answer = (text, frames = 1) => {
      const source = cold(`${'-'.repeat(frames)}(ax|)`, { a: tok(text), x: complete });
      made.push(source);
      return source;
    };
    const ts = build(answer).subscribe({ next: (r) => (result = r), error: (e: unknown) => (error = e) });
    flush();
    ts.unsubscribe();
  });
  return { result: result!, error, subs: made.map((m) => m.subscriptions.map((s) => [s.subscribedFrame, s.unsubscribedFrame])) };
}

const json = (v: unknown) => JSON.stringify(v);
/** Three fields that must add up to 10: each output below is valid, their field-by-field merge {x: 1, y: 2, z: 5} is not. */
const sumsToTen = z.object({ x: z.number(), y: z.number(), z: z.number() }).refine((v) => v.x + v.y + v.z === 10, 'x + y + z must be 10');
const mixed = [{ x: 1, y: 2, z: 7 }, { x: 1, y: 4, z: 5 }, { x: 3, y: 2, z: 5 }];

describe('consensus: concurrency, earlyExit, schema', () => {
  describe('creation', () => {
    it('should throw a TypeError naming a concurrency that is not an integer >= 1 or Infinity', () => {
      for (const bad of [0, -1, NaN, 1.5, -Infinity]) {
        expect(() => consensus([NEVER, NEVER], { concurrency: bad })).toThrow(new TypeError(`consensus(sources, {concurrency}) must be an integer >= 1 or Infinity (no limit), got ${bad}`));
      }
    });

    it('should take concurrency: Infinity as no limit', () => {
      const { result } = run((answer) => consensus([answer('A', 2), answer('A', 2), answer('B', 2)], { concurrency: Infinity }));
      expect([result.consensus, result.successCount]).toEqual(['A', 3]);
    });

    it('should throw a TypeError naming an onInvalidMerge it does not know, and a schema that is not one', () => {
      expect(() => consensus([NEVER, NEVER], { onInvalidMerge: 'drop' } as never)).toThrow(/\{onInvalidMerge\}\) must be 'best' or 'error'/);
      expect(() => consensus([NEVER, NEVER], { schema: { type: 'object' } } as never)).toThrow(/\{schema\}\) must be a Standard Schema/);
    });
  });

  it('should never subscribe more than `concurrency` sources at once', () => {
    const { result, subs } = run((answer) => consensus([answer('a', 3), answer('a', 3), answer('a', 3)], { concurrency: 1 }));
    expect([result.consensus, subs]).toEqual(['a', [[[0, 3]], [[3, 6]], [[6, 9]]]]);
  });

  describe('earlyExit', () => {
    it('should stop once a strict majority agrees, unsubscribing the rest (their requests abort)', () => {
      const { result, subs } = run((answer) => consensus([answer('Paris', 1), answer('Paris', 2), answer('London', 9)], { earlyExit: true }));
      expect(subs[2]).toEqual([[0, 2]]);
      expect([result.consensus, result.outputs.map((o) => o.status), result.cancelledCount, result.status, result.agreement]).toEqual(['Paris', ['success', 'success', 'cancelled'], 1, 'success', 2 / 3]);
    });

    it('should wait while no output has a strict majority of all the weight', () => {
      const { result, subs } = run((answer) => consensus([answer('A', 1), answer('B', 2), answer('A', 5)], { earlyExit: true, minimumAgreement: 0 }));
      expect([result.consensus, result.cancelledCount, subs[2]]).toEqual(['A', 0, [[0, 5]]]);
    });

    it('should weigh the unfinished sources: two light outputs do not decide against a heavy one', () => {
      const { result } = run((answer) => consensus([answer('A', 1), answer('A', 2), answer('B', 5)], { strategy: 'weighted', weights: [1, 1, 3], earlyExit: true, minimumAgreement: 0 }));
      expect([result.consensus, result.cancelledCount]).toEqual(['B', 0]);
    });

    it('should never stop early with unanimous, which needs every output', () => {
      const { result } = run((answer) => consensus([answer('A', 1), answer('A', 2), answer('A', 5)], { strategy: 'unanimous', earlyExit: true }));
      expect(result.cancelledCount).toBe(0);
    });

    it('should stop on a majority of equal structured values', () => {
      const config = { earlyExit: true, parse: (t: string) => JSON.parse(t) as unknown };
      const { result, subs } = run((answer) => consensus([answer(json({ a: 1, b: [2] })), answer(json({ b: [2], a: 1 }), 2), answer(json({ a: 9 }), 7)], config));
      expect([result.consensus, result.cancelledCount, subs[2]]).toEqual([{ a: 1, b: [2] }, 1, [[0, 2]]]);
    });

    it('should not count an output that fails the schema towards the majority', () => {
      const valid = json(mixed[0]);
      const invalid = json({ x: 1, y: 1, z: 1 });
      const { result, subs } = run((answer) => consensus([answer(invalid, 1), answer(invalid, 2), answer(invalid, 3), answer(valid, 4), answer(valid, 5)], { schema: sumsToTen, earlyExit: true }));
      expect([subs[4], result.consensus, result.outputs.map((o) => o.status)]).toEqual([[[0, 5]], mixed[0], ['error', 'error', 'error', 'success', 'success']]);
    });

    it('should count a source concurrency never started as cancelled, not skipped: the answer was decided, nothing failed', () => {
      // documented: `cancelled` is every source earlyExit stopped, started or not; `skipped` is a `timeout`'s, and makes the result partial
      const { result, subs } = run((answer) => consensus([answer('Paris', 1), answer('London', 1), answer('Rome', 1)], { strategy: 'weighted', weights: [3, 1, 1], concurrency: 1, earlyExit: true }));
      expect(subs).toEqual([[[0, 1]], [], []]); // no request sent for the other two
      expect(result.outputs.map((o) => [o.status, o.state])).toEqual([['success', expect.anything()], ['cancelled', null], ['cancelled', null]]);
      expect([result.status, result.cancelledCount, result.skippedCount, result.agreement]).toEqual(['success', 2, 0, 3 / 5]);
    });

    it('should keep its state per subscription', () => {
      const first = run((answer) => {
        const c = consensus([answer('P', 1), answer('P', 2), answer('L', 9)], { earlyExit: true });
        c.subscribe();
        return c;
      });
      expect(first.subs[2]).toEqual([[0, 2], [0, 2]]);
    });
  });

  describe('schema', () => {
    const three = (answer: Answer) => mixed.map((v, i) => answer(json(v), i + 1));

    it('should never return a merged value that fails the schema: the best valid output instead, saying why', () => {
      const { result } = run((answer) => consensus(three(answer), { schema: sumsToTen }));
      expect([result.consensus, result.chosenIndex, isSchemaValidationError(result.mergeError)]).toEqual([mixed[0], 0, true]);
      expect((result.mergeError as Error).message).toMatch(/merged from the fields' winners fails the schema .*x \+ y \+ z must be 10/);
    });

    it('should error with a non-retryable SchemaValidationError with onInvalidMerge: error', () => {
      const { error } = run((answer) => consensus(three(answer), { schema: sumsToTen, onInvalidMerge: 'error' }));
      expect([isSchemaValidationError(error), isSchemaValidationError(error) && error.retryable]).toEqual([true, false]);
    });

    it('should return a valid merge as the schema\'s output', () => {
      const schema = z.object({ n: z.number(), tag: z.string() }).transform((v) => ({ ...v, checked: true }));
      const outs = [{ n: 1, tag: 'a' }, { n: 1, tag: 'b' }, { n: 2, tag: 'a' }];
      const { result } = run((answer) => consensus(outs.map((v) => answer(json(v))), { schema, minimumAgreement: 0 }));
      expect([result.consensus, result.chosenIndex, result.mergeError]).toEqual([{ n: 1, tag: 'a', checked: true }, undefined, undefined]);
    });

    it('should count an output that fails the schema as failed', () => {
      const { result } = run((answer) => consensus([answer(json(mixed[0])), answer(json({ x: 1, y: 1, z: 1 })), answer(json(mixed[0]))], { schema: sumsToTen }));
      expect([result.outputs.map((o) => o.status), result.status, isSchemaValidationError(result.outputs[1]!.error)]).toEqual([['success', 'error', 'success'], 'partial', true]);
    });

    it('should type the result from the schema', () => {
      const { result } = run((answer) => consensus(three(answer), { schema: sumsToTen }));
      expect(result.consensus.x + result.consensus.y + result.consensus.z).toBe(10);
    });
  });
});
