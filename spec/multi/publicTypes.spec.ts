/** @test {raceModels} {hedge} {consensus} {parallel} {pipeline}: the public generics, checked by `npm run typecheck` */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { NEVER, type Observable } from 'rxjs';
import { z } from 'zod';
import {
  batched, consensus, hedge, ofType, parallel, pipeline, raceModels, sequential,
  type BreakerEvent, type ConsensusOutput, type ConsensusResult, type L0Event, type L0State, type ParallelResult, type PipelineResult,
  type PipelineUpdate, type StructuredEvent,
} from 'l0-rx';

type Person = { name: string; age: number };
const events = NEVER as Observable<L0Event>;
const people = NEVER as Observable<StructuredEvent<Person>>;

describe('public generics', () => {
  describe('raceModels and hedge keep the event type', () => {
    it('should give L0Event for L0Event sources, as an array or a record', () => {
      expectTypeOf(raceModels([events, events])).toEqualTypeOf<Observable<L0Event>>();
      expectTypeOf(raceModels({ gpt: events, claude: events })).toEqualTypeOf<Observable<L0Event>>();
    });

    it('should keep structured() events, so the winner\'s result is typed', () => {
      expectTypeOf(raceModels([people, people])).toEqualTypeOf<Observable<StructuredEvent<Person>>>();
      raceModels({ a: people, b: people }).pipe(ofType('result')).subscribe((r) => expectTypeOf(r.data).toEqualTypeOf<Person>());
    });

    it('should type a hedge by its primary and its backup', () => {
      expectTypeOf(events.pipe(hedge(events, { delay: 1 }))).toEqualTypeOf<Observable<L0Event>>();
      expectTypeOf(people.pipe(hedge(people, { delay: 1 }))).toEqualTypeOf<Observable<StructuredEvent<Person>>>();
      expectTypeOf(people.pipe(hedge(NEVER, { delay: 1 }))).toEqualTypeOf<Observable<StructuredEvent<Person>>>();
    });

    it('should reject a backup that is not a stream of events', () => {
      // @ts-expect-error a backup must be an Observable of L0 events
      expectTypeOf(hedge(NEVER as Observable<string>, { delay: 1 })).toBeFunction();
    });
  });

  describe('consensus', () => {
    it('should give a text consensus without parse or schema', () => {
      expectTypeOf(consensus([events, events])).toEqualTypeOf<Observable<ConsensusResult<string>>>();
    });

    it('should take T from parse', () => {
      const r = consensus([events, events], { parse: (text) => JSON.parse(text) as Person });
      expectTypeOf(r).toEqualTypeOf<Observable<ConsensusResult<Person>>>();
      r.subscribe((x) => {
        expectTypeOf(x.consensus).toEqualTypeOf<Person>();
        expectTypeOf(x.outputs).toEqualTypeOf<readonly ConsensusOutput<Person>[]>();
        expectTypeOf(x.outputs[0]!.value).toEqualTypeOf<Person | undefined>();
      });
    });

    it('should take T from a schema\'s output', () => {
      const schema = z.object({ name: z.string(), age: z.coerce.number() });
      expectTypeOf(consensus([events, events], { schema })).toEqualTypeOf<Observable<ConsensusResult<{ name: string; age: number }>>>();
    });

    it('should expose the output statuses, earlyExit\'s cancelled and timeout\'s skipped included', () => {
      expectTypeOf<ConsensusOutput['status']>().toEqualTypeOf<'success' | 'error' | 'cancelled' | 'skipped'>();
      expectTypeOf<ConsensusResult['cancelledCount']>().toEqualTypeOf<number>();
      expectTypeOf<ConsensusResult['skippedCount']>().toEqualTypeOf<number>();
    });

    it('should reject options of the wrong type', () => {
      // @ts-expect-error onInvalidMerge is 'best' or 'error'
      expect(() => consensus([events, events], { onInvalidMerge: 'drop' })).toThrow(TypeError);
    });
  });

  describe('parallel, sequential, batched', () => {
    it('should give ParallelResult snapshots whose results are final states, null when not successful', () => {
      expectTypeOf(parallel([events])).toEqualTypeOf<Observable<ParallelResult>>();
      expectTypeOf(sequential([events], { timeout: 5 })).toEqualTypeOf<Observable<ParallelResult>>();
      expectTypeOf(batched([events], 2, { signal: new AbortController().signal })).toEqualTypeOf<Observable<ParallelResult>>();
      expectTypeOf<ParallelResult['results'][number]>().toEqualTypeOf<L0State | null>();
    });

    it('should not take concurrency in sequential', () => {
      // @ts-expect-error sequential runs one at a time
      expect(() => sequential([events], { concurrency: 2 })).toThrow(/unknown option `concurrency`/);
    });
  });

  describe('pipeline', () => {
    it('should emit a union narrowed by type, ending with the PipelineResult', () => {
      const updates = pipeline([{ name: 'a', run: () => events }], 'input');
      expectTypeOf(updates).toEqualTypeOf<Observable<PipelineUpdate>>();
      updates.subscribe((u) => {
        if (u.type === 'result') expectTypeOf(u.result).toEqualTypeOf<PipelineResult>();
        if (u.type === 'event') expectTypeOf(u.event).toEqualTypeOf<L0Event>();
      });
    });
  });

  it('should narrow the breaker event with ofType', () => {
    expectTypeOf(events.pipe(ofType('breaker'))).toEqualTypeOf<Observable<BreakerEvent>>();
  });
});
