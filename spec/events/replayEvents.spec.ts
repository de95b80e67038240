/** @test {replayEvents} */
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  accumulate,
  createMemoryEventStore,
  replayEvents,
  serializeError,
  TokenTimeoutError,
  type EventEnvelope,
  type EventStore,
  type L0Event,
  type RecordedEvent,
} from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values: Record<string, L0Event> = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  a: { type: 'token', value: 'a' },
  b: { type: 'token', value: 'b' },
  x: { type: 'complete', finishReason: 'stop' },
};

/** A memory store holding one stream `r` of these events, `gap` ms apart. */
function storeWith(events: RecordedEvent[], gap = 10): EventStore {
  const store = createMemoryEventStore();
  store.append(events.map((event, seq): EventEnvelope => ({ v: 1, streamId: 'r', seq, ts: 1000 + seq * gap, event })));
  return store;
}

describe('replayEvents', () => {
  it('should replay every recorded event at once by default', () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(replayEvents(storeWith([values.s!, values.a!, values.b!, values.x!]), 'r')).toBe('(sabx|)', values);
    });
  });

  it('should rethrow a recorded terminal error as the typed error it was', () => {
    const error = new TokenTimeoutError({ kind: 'inter', budgetMs: 20, elapsedMs: 20, tokenCount: 1 } as never);
    testScheduler().run(({ expectObservable }) => {
      expectObservable(replayEvents(storeWith([values.a!, { type: 'error', error: serializeError(error) }]), 'r')).toBe('(a#)', values, error);
    });
  });

  it('should replay a log without its end as far as it goes and complete, the last state saying streaming (rule 4)', async () => {
    // a run still recording, or whose process died: no complete event, no recorded error
    const store = storeWith([values.s!, values.a!, values.b!]);
    testScheduler().run(({ expectObservable }) => {
      expectObservable(replayEvents(store, 'r')).toBe('(sab|)', values);
    });
    const state = await lastValueFrom(replayEvents(store, 'r').pipe(accumulate()));
    expect(state).toMatchObject({ status: 'streaming', content: 'ab' });
  });

  it('should replay the range fromSeq..toSeq, both inclusive', () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(replayEvents(storeWith([values.s!, values.a!, values.b!, values.x!]), 'r', { fromSeq: 1, toSeq: 2 })).toBe('(ab|)', values);
    });
  });

  it('should reproduce the recorded gaps divided by speed on the scheduler', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const store = storeWith([values.s!, values.a!, values.b!, values.x!], 100);
      expectObservable(replayEvents(store, 'r', { speed: 10, scheduler })).toBe('s 9ms a 9ms b 9ms (x|)', values);
    });
  });

  it('should wait at most 2147483647 ms for a longer gap, or a tiny speed, instead of a timer firing it at once', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      expectObservable(replayEvents(storeWith([values.s!, values.a!], 3e9), 'r', { speed: 1, scheduler })).toBe('s 2147483646ms (a|)', values);
      expectObservable(replayEvents(storeWith([values.s!, values.a!], 10), 'r', { speed: 1e-9, scheduler })).toBe('s 2147483646ms (a|)', values);
    });
  });

  it('should time a recorded terminal error like any event', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const error = new Error('boom');
      const store = storeWith([values.a!, { type: 'error', error: serializeError(error) }], 4);
      expectObservable(replayEvents(store, 'r', { speed: 1, scheduler })).toBe('a 3ms #', values, { name: 'Error', message: 'boom', code: 'UNKNOWN_ERROR' });
    });
  });

  it('should stop the timed replay when the consumer leaves', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const store = storeWith([values.s!, values.a!, values.b!, values.x!], 10);
      expectObservable(replayEvents(store, 'r', { speed: 1, scheduler }), '^ 12ms !').toBe('s 9ms a', values);
    });
  });

  it('should read the store again on every subscription', () => {
    const store = storeWith([values.a!]);
    const replay = replayEvents(store, 'r');
    store.append([{ v: 1, streamId: 'r', seq: 1, ts: 0, event: values.b! }]);
    testScheduler().run(({ expectObservable }) => {
      expectObservable(replay).toBe('(ab|)', values);
    });
  });

  it('should read a store that answers with promises', async () => {
    const inner = storeWith([values.a!, values.x!]);
    const store: EventStore = {
      append: async (e) => inner.append(e),
      read: async (id, range) => inner.read(id, range),
      streams: async () => inner.streams(),
      delete: async (id) => inner.delete(id),
    };
    expect(await lastValueFrom(replayEvents(store, 'r').pipe(toArray()))).toEqual([values.a, values.x]);
    await expect(firstValueFrom(replayEvents(store, 'nope'))).rejects.toMatchObject({ code: 'STREAM_NOT_FOUND' });
  });

  describe('bad logs', () => {
    it('should error with STREAM_NOT_FOUND for an unknown stream', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(replayEvents(createMemoryEventStore(), 'nope')).toBe('#', undefined, { name: 'EventLogError', message: 'Stream nope not found', code: 'STREAM_NOT_FOUND' });
      });
    });

    it('should error with STREAM_EMPTY for a known stream with nothing in the range', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(replayEvents(storeWith([values.a!]), 'r', { fromSeq: 5 })).toBe('#', undefined, {
          name: 'EventLogError', message: 'Stream r has no events from seq 5 to the end', code: 'STREAM_EMPTY',
        });
      });
    });

    it('should error with INVALID_LOG for another schema version', () => {
      const store = createMemoryEventStore();
      store.append([{ v: 2, streamId: 'r', seq: 0, ts: 0, event: values.a } as never]);
      testScheduler().run(({ expectObservable }) => {
        expectObservable(replayEvents(store, 'r')).toBe('#', undefined, {
          name: 'EventLogError', message: 'Stream r is not a valid event log: an envelope has schema version 2, expected 1', code: 'INVALID_LOG',
        });
      });
    });

    it('should error with INVALID_LOG for envelopes out of seq order', () => {
      const store = createMemoryEventStore();
      store.append([{ v: 1, streamId: 'r', seq: 0, ts: 0, event: values.a! }, { v: 1, streamId: 'r', seq: 1, ts: 0, event: values.a! }, { v: 1, streamId: 'r', seq: 0, ts: 0, event: values.b! }]);
      testScheduler().run(({ expectObservable }) => {
        expectObservable(replayEvents(store, 'r')).toBe('#', undefined, {
          name: 'EventLogError', message: 'Stream r is not a valid event log: seq 0 follows seq 1', code: 'INVALID_LOG',
        });
      });
    });

    it('should error with a TypeError naming the call for a store of your own whose read or streams answers no array', async () => {
      // `read: (id) => logs.get(id)`: undefined for an unknown stream, where the contract says []
      const logs = new Map<string, EventEnvelope[]>();
      const store: EventStore = { append: () => undefined, read: (id) => logs.get(id) as never, streams: () => [...logs.keys()], delete: () => undefined };
      await expect(lastValueFrom(replayEvents(store, 'nope'))).rejects.toThrow(new TypeError('replayEvents(store): store.read("nope") must answer an array, got undefined'));
      const listing: EventStore = { ...createMemoryEventStore(), has: undefined, streams: () => Promise.resolve(new Set(['r']) as never) };
      await expect(lastValueFrom(replayEvents(listing, 'r'))).rejects.toThrow(new TypeError('replayEvents(store): store.streams() must answer an array, got a Set'));
    });
  });

  describe('validation at creation', () => {
    it('should name a store that is not an EventStore and an empty stream id', () => {
      expect(() => replayEvents(null as never, 'r')).toThrow('replayEvents(store) must be an EventStore (an object with append, read, streams and delete), got null');
      expect(() => replayEvents(createMemoryEventStore(), '')).toThrow('replayEvents(store, streamId) must be a non-empty string, got ""');
    });

    it('should name a bad speed, range or scheduler', () => {
      const store = createMemoryEventStore();
      expect(() => replayEvents(store, 'r', { speed: -1 })).toThrow('replayEvents(store, streamId, {speed}) must be a finite number >= 0, got -1');
      expect(() => replayEvents(store, 'r', { fromSeq: 1.5 })).toThrow('replayEvents(store, streamId, {fromSeq}) must be an integer >= 0, got 1.5');
      expect(() => replayEvents(store, 'r', { fromSeq: 3, toSeq: 2 })).toThrow('replayEvents(store, streamId, {toSeq}) must be at least fromSeq (3), got 2');
      expect(() => replayEvents(store, 'r', { scheduler: 1 as never })).toThrow(/\{scheduler\}\) must be a SchedulerLike/);
    });

    it('should suggest the closest option for a misspelled key', () => {
      expect(() => replayEvents(createMemoryEventStore(), 'r', { sped: 1 } as never)).toThrow(/unknown option `sped` \(did you mean `speed`\?\)/);
    });
  });
});
