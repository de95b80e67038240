/** @test {createStoreReplaySource} its `idleTimeout`: a log that stopped growing before its end never holds a reconnect open. */
import { describe, expect, it } from 'vitest';
import { createMemoryEventStore, createStoreReplaySource, EventLogError, recordEvents, type EventEnvelope, type L0Event, type SequencedEvent } from 'l0-rx';
import { MARBLE_VALUES } from '../helpers/marbleValues.js';
import { testScheduler } from '../helpers/testScheduler.js';

const values = MARBLE_VALUES;
const seqd = (entries: Record<string, [number, string]>): Record<string, SequencedEvent> =>
  Object.fromEntries(Object.entries(entries).map(([k, [seq, v]]) => [k, { seq, event: values[v]!, run: 'r1' }]));
const envelope = (seq: number, event: L0Event): EventEnvelope => ({ v: 1, streamId: 'chat', seq, ts: 0, event, ...(seq === 0 ? { run: 'r1' } : {}) });
const silent = (ms: number, after: number) =>
  new EventLogError('STORE_TIMEOUT', 'chat', `Stream chat: its live tail gave no envelope after seq ${after} within ${ms} ms (idleTimeout): the run's recorder stopped without writing its end`);

describe('createStoreReplaySource(store, {idleTimeout})', () => {
  it('should end the replay of a log that stopped growing before its end with STORE_TIMEOUT, idleTimeout after its last envelope', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      store.append([envelope(0, values.s!), envelope(1, values.a!)]); // its recorder stopped here: no end will come
      cold('--b', { b: [envelope(2, values.b!)] }).subscribe((batch) => store.append(batch));
      // it stayed open on heartbeats until the client left
      expectObservable(createStoreReplaySource(store, { idleTimeout: 50 }).replay('chat', 1)).toBe('2-3 49ms #', seqd({ 2: [2, 'a'], 3: [3, 'b'] }), silent(50, 2));
    });
  });

  it('should leave a run that goes on, and one that ends, alone: the limit counts from the last envelope', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      cold('s 40ms a 40ms b 40ms x|', values).pipe(recordEvents(store, { streamId: 'chat', runTag: () => 'r1' })).subscribe();
      expectObservable(createStoreReplaySource(store, { idleTimeout: 50 }).replay('chat', 0)).toBe('1 40ms 2 40ms 3 40ms (4|)', seqd({ 1: [1, 's'], 2: [2, 'a'], 3: [3, 'b'], 4: [4, 'x'] }));
    });
  });

  it('should wait 300000 ms by default, and forever with Infinity', () => {
    testScheduler().run(({ expectObservable }) => {
      const store = createMemoryEventStore();
      store.append([envelope(0, values.s!)]);
      expectObservable(createStoreReplaySource(store).replay('chat', 0)).toBe('1 299999ms #', seqd({ 1: [1, 's'] }), silent(300_000, 0));
      expectObservable(createStoreReplaySource(store, { idleTimeout: Infinity }).replay('chat', 0), '^ 10000000ms !').toBe('1', seqd({ 1: [1, 's'] }));
    });
  });

  it('should check idleTimeout as storeTimeout is checked', () => {
    const store = createMemoryEventStore();
    expect(() => createStoreReplaySource(store, { idleTimeout: 0 })).toThrow('createStoreReplaySource(store, {idleTimeout}) must be a number of ms > 0 (Infinity: wait for the store forever), got 0');
    expect(() => createStoreReplaySource(store, { idleTimeout: 2 ** 31 })).toThrow(/^createStoreReplaySource\(store, \{idleTimeout\}\) must be at most 2147483647 ms/);
    expect(() => createStoreReplaySource(store, { idleTimout: 5 } as never)).toThrow('unknown option `idleTimout` (did you mean `idleTimeout`?)');
  });
});
