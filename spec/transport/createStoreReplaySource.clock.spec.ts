/**
 * @test {createStoreReplaySource} its `idleTimeout` clock: counted on the replay's scheduler, from when the tail
 * opens and from each new envelope's arrival; the writer's clock (the envelopes' `ts`) is never compared.
 */
import { describe, it } from 'vitest';
import { asyncScheduler, map, mergeMap, timer } from 'rxjs';
import { createMemoryEventStore, createStoreReplaySource, EventLogError, type EventEnvelope, type L0Event } from 'l0-rx';
import { MARBLE_VALUES } from '../helpers/marbleValues.js';
import { testScheduler } from '../helpers/testScheduler.js';

const values = MARBLE_VALUES;
const envelope = (seq: number, event: L0Event, ts: number): EventEnvelope => ({ v: 1, streamId: 'chat', seq, ts, event, ...(seq === 0 ? { run: 'r1' } : {}) });
const silent = (ms: number, after: number) =>
  new EventLogError('STORE_TIMEOUT', 'chat', `Stream chat: its live tail gave no envelope after seq ${after} within ${ms} ms (idleTimeout): the run's recorder stopped without writing its end`);
describe('createStoreReplaySource(store, {idleTimeout}): its clock', () => {
  it('should count on the replay\'s clock whatever the writer\'s: ahead, behind, or set back', () => {
    for (const writer of [(t: number) => 1e12 + t, (t: number) => t - 1e9, (t: number) => (t < 5 ? 1000 + t : t)]) {
      testScheduler().run(({ cold, expectObservable }) => {
        const store = createMemoryEventStore();
        store.append([envelope(0, values.s!, writer(0))]);
        cold('--a--b 20ms c', { a: 1, b: 2, c: 3 }).subscribe((seq) => store.append([envelope(seq, values.a!, writer(asyncScheduler.now()))]));
        // seq 3 came at frame 26: the tail ends 50 ms after it, neither at once nor 1e12 ms later
        expectObservable(createStoreReplaySource(store, { idleTimeout: 50 }).replay('chat', 0).pipe(map(() => 'e'))).toBe('e-e--e 20ms e 49ms #', undefined, silent(50, 3));
      });
    }
  });

  it('should give a reconnect to a log whose writer died before it the whole idleTimeout, from when its tail opens (the writer\'s clock is not the replay\'s)', () => {
    testScheduler().run(({ expectObservable }) => {
      const store = createMemoryEventStore();
      // written at frame 0 on the same clock, then the writer died: a reconnect 40 ms later still waits 50 ms, as
      // its `ts` could as well be of a writer whose clock is 40 ms behind, whose run is live
      store.append([envelope(0, values.s!, 0), envelope(1, values.a!, 0)]);
      const reconnect = timer(40).pipe(mergeMap(() => createStoreReplaySource(store, { idleTimeout: 50 }).replay('chat', 0)), map(() => 'e'));
      expectObservable(reconnect).toBe('40ms (ee) 46ms #', undefined, silent(50, 1));
    });
  });
});
