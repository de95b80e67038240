import { inRange, type EventEnvelope, type EventStore, type SeqRange } from '../events/eventStore.js';

/**
 * An {@link EventStore} in memory, answering synchronously: for tests, for replays under a
 * TestScheduler, and for one process that needs no durability. Envelopes are kept as given
 * (events are immutable plain data); `read` returns a fresh array.
 *
 *   --s-a-b-x|     recordEvents(store)      (s start, x complete)
 *   (sabx|)        replayEvents(store, id)
 *
 * @example
 * import { lastValueFrom } from 'rxjs';
 * import { accumulate, createMemoryEventStore, l0, replayEvents } from 'l0-rx';
 * const store = createMemoryEventStore();
 * await lastValueFrom(l0({ stream, record: { store, streamId: 'run-1' } }));
 * replayEvents(store, 'run-1').pipe(accumulate()).subscribe((s) => console.log(s.content));
 * @returns A new, empty store.
 */
export function createMemoryEventStore(): EventStore {
  const logs = new Map<string, EventEnvelope[]>();
  return {
    append(envelopes) {
      for (const envelope of envelopes) {
        let log = logs.get(envelope.streamId);
        if (!log) logs.set(envelope.streamId, (log = []));
        log.push(envelope);
      }
    },
    read(streamId: string, range?: SeqRange) {
      const log = logs.get(streamId) ?? [];
      return range === undefined ? [...log] : log.filter((e) => inRange(e.seq, range));
    },
    streams: () => [...logs.keys()],
    delete(streamId: string) {
      logs.delete(streamId);
    },
  };
}
