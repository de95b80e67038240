import { Observable } from 'rxjs';
import { checkFromSeq, inRange, isTerminalEnvelope, type EventEnvelope, type EventStore, type SeqRange } from '../events/eventStore.js';
import { EventLogError } from '../events/EventLogError.js';

/**
 * An {@link EventStore} in memory, answering synchronously: for tests, for replays under a
 * TestScheduler, and for one process that needs no durability. Envelopes are kept as given
 * (events are immutable plain data); `read` returns a fresh array.
 *
 *   --s-a-b-x|     recordEvents(store)      (s start, x complete)
 *   (sabx|)        replayEvents(store, id)
 *   ----(sa)b-x|   store.follow(id), subscribed at frame 4: what was recorded, then live to the end
 *
 * `follow` delivers synchronously inside `append`; deleting a followed stream errors its
 * followers with an `EventLogError` `STREAM_NOT_FOUND`.
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
  const followers = new Map<string, Set<Follower>>();
  return {
    append(envelopes) {
      for (const envelope of envelopes) {
        let log = logs.get(envelope.streamId);
        if (!log) logs.set(envelope.streamId, (log = []));
        log.push(envelope);
        const live = followers.get(envelope.streamId);
        if (live) for (const follower of [...live]) follower.next(envelope);
      }
    },
    follow(streamId: string, fromSeq?: number) {
      const from = checkFromSeq('createMemoryEventStore()', fromSeq);
      return new Observable<EventEnvelope>((subscriber) => {
        let next = from;
        const follower: Follower = {
          next(envelope) {
            if (envelope.seq < next || subscriber.closed) return;
            next = envelope.seq + 1;
            subscriber.next(envelope);
            if (isTerminalEnvelope(envelope)) subscriber.complete();
          },
          deleted: () => subscriber.error(new EventLogError('STREAM_NOT_FOUND', streamId, `the followed stream ${JSON.stringify(streamId)} was deleted`)),
        };
        for (const envelope of logs.get(streamId) ?? []) follower.next(envelope);
        if (subscriber.closed) return undefined;
        let live = followers.get(streamId);
        if (!live) followers.set(streamId, (live = new Set()));
        live.add(follower);
        return () => {
          live.delete(follower);
          if (live.size === 0 && followers.get(streamId) === live) followers.delete(streamId);
        };
      });
    },
    read(streamId: string, range?: SeqRange) {
      const log = logs.get(streamId) ?? [];
      return range === undefined ? [...log] : log.filter((e) => inRange(e.seq, range));
    },
    streams: () => [...logs.keys()],
    delete(streamId: string) {
      logs.delete(streamId);
      const live = followers.get(streamId);
      followers.delete(streamId);
      if (live) for (const follower of [...live]) follower.deleted();
    },
  };
}

interface Follower {
  next(envelope: EventEnvelope): void;
  deleted(): void;
}
