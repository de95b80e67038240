import { defer, from, map, mergeMap, throwError, type Observable } from 'rxjs';
import type { EventEnvelope, EventStore } from '../events/eventStore.js';
import type { L0Event } from '../events/eventTypes.js';
import { deserializeError } from '../errors/deserializeError.js';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import { resumeError, type SequencedEvent, type SseReplaySource } from './sseReplayBuffer.js';

/**
 * An {@link SseReplaySource} that resumes from an event store's live tail (`store.follow`), so
 * any server of a fleet can serve a reconnect for a run another one is recording with
 * `recordEvents` (Redis store), or one process can serve it without a replay buffer (memory store).
 *
 *   s-a-b-c-x|        the run on server A, recorded as seq 0..4 (its SSE ids 1..5)
 *   ------c-(x|)      source.replay('chat-1', 3) on server B: after SSE id 3 (b), then live
 *
 * 1. `replay(id, afterSeq)` follows the store from envelope `seq = afterSeq` (the SSE `id:` of an
 *    event is its envelope's `seq + 1`, the numbering `toServerSentEvents` gives the recorded run).
 * 2. The recorded terminal error becomes the replay's error (typed, through `deserializeError`), so
 *    the client gets it as an `error` frame; the run's `complete` event ends the replay.
 * 3. A stream the store does not hold errors with an L0Error `STREAM_NOT_FOUND`, as the replay
 *    buffer does (one range read of its first envelope), so a forged id costs no live tail. A run
 *    whose recorder was unsubscribed has no terminal envelope: its replay ends when the client leaves.
 *
 * @example
 * import { createMemoryEventStore, createStoreReplaySource, parseLastEventId, toServerSentEvents } from 'l0-rx';
 * const source = createStoreReplaySource(createMemoryEventStore());
 * const after = parseLastEventId('12');
 * toServerSentEvents(source.replay('chat-1', after), { resumeFrom: after });
 * @param store An event store with `follow` (the memory and Redis stores; the JSONL store has none).
 * @throws TypeError when the store has no `follow`.
 * @see {@link createSseReplayBuffer} {@link toServerSentEvents}
 */
export function createStoreReplaySource(store: EventStore): SseReplaySource {
  if (typeof store !== 'object' || store === null || typeof store.read !== 'function') throw new TypeError(`createStoreReplaySource(store) needs an EventStore, got ${store === null ? 'null' : typeof store}`);
  if (typeof store.follow !== 'function') throw new TypeError('createStoreReplaySource(store): this store has no live tail (`follow`); the memory and Redis stores have one, the JSONL store does not');
  const follow = (streamId: string, fromSeq: number): Observable<EventEnvelope> => store.follow!(streamId, fromSeq);
  const tail = (streamId: string, afterSeq: number, head: readonly EventEnvelope[]): Observable<SequencedEvent> =>
    head.length === 0
      ? throwError(() => resumeError('STREAM_NOT_FOUND', `no stream ${JSON.stringify(streamId)} to resume in the event store`))
      : follow(streamId, afterSeq).pipe(
          map((envelope): SequencedEvent => {
            if (envelope.event.type === 'error') throw deserializeError(envelope.event.error);
            return { seq: envelope.seq + 1, event: envelope.event as L0Event };
          }),
        );
  return {
    replay: (streamId, afterSeq) =>
      defer(() => {
        const head = store.read(streamId, { fromSeq: 0, toSeq: 0 }); // synchronous for the memory store, so marbles hold
        return isPromiseLike(head) ? from(head).pipe(mergeMap((h) => tail(streamId, afterSeq, h))) : tail(streamId, afterSeq, head);
      }),
  };
}
