import { defer, filter, from, map, mergeMap, throwError, type Observable } from 'rxjs';
import type { EventStore } from '../events/eventStore.js';
import type { L0Event } from '../events/eventTypes.js';
import { deserializeError } from '../errors/deserializeError.js';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import { checkAfterSeq, resumeError, type SequencedEvent, type SseReplaySource } from './sseReplayBuffer.js';

/**
 * An {@link SseReplaySource} that resumes from an event store's live tail (`store.follow`), so
 * any server of a fleet can serve a reconnect for a run another one is recording with
 * `recordEvents` (Redis store), or one process can serve it without a replay buffer (memory store).
 *
 *   s-a-b-c-x|        the run on server A, recorded as seq 0..4 (its SSE ids 1..5)
 *   ------c-(x|)      source.replay('chat-1', 3) on server B: after SSE id 3 (b), then live
 *
 * 1. `replay(id, afterSeq)` gives the envelopes from `seq = afterSeq` on (the SSE `id:` of an event
 *    is its envelope's `seq + 1`, the numbering `toServerSentEvents` gives the recorded run). It
 *    follows the store from the client's last event (`seq = afterSeq - 1`), not sent again, so a
 *    client that already has the run's `complete` (a drop before the `end` frame) ends at once.
 * 2. The recorded terminal error becomes the replay's error (typed, through `deserializeError`), so
 *    the client gets it as an `error` frame; the run's `complete` event ends the replay.
 * 3. A stream the store does not hold errors with an L0Error `STREAM_NOT_FOUND`, as the replay
 *    buffer does, so a forged id costs no live tail. It takes one range read of one envelope (the
 *    client's last), two when the store does not hold that one: an id beyond what was recorded
 *    (forged, or not written yet) follows from the start, sending nothing up to it, so a finished
 *    run ends at once (with its recorded error, if it failed) and a live one when it does.
 * 4. A run whose recorder was unsubscribed ends its log with a `StreamAbortedError` envelope, so its
 *    replay errors with it; a recorder that never ends (its process died) leaves the replay open until the client leaves.
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
  /** Whether the store holds envelope `seq` of the stream, passed on synchronously when the store answers so (memory: marbles hold). */
  const holds = (streamId: string, seq: number, next: (held: boolean) => Observable<SequencedEvent>): Observable<SequencedEvent> => {
    const read = store.read(streamId, { fromSeq: seq, toSeq: seq });
    return isPromiseLike(read) ? from(read).pipe(mergeMap((envelopes) => next(envelopes.length > 0))) : next(read.length > 0);
  };
  const tail = (streamId: string, fromSeq: number, afterSeq: number): Observable<SequencedEvent> =>
    store.follow!(streamId, fromSeq).pipe(
      filter((envelope) => envelope.seq >= afterSeq || envelope.event.type === 'error'), // the recorded error reaches every replay, as with the buffer
      map((envelope): SequencedEvent => {
        if (envelope.event.type === 'error') throw deserializeError(envelope.event.error);
        return { seq: envelope.seq + 1, event: envelope.event as L0Event };
      }),
    );
  const fromStart = (streamId: string, afterSeq: number): Observable<SequencedEvent> =>
    holds(streamId, 0, (held) => (held ? tail(streamId, 0, afterSeq) : throwError(() => resumeError('STREAM_NOT_FOUND', `no stream ${JSON.stringify(streamId)} to resume in the event store`))));
  return {
    replay: (streamId, afterSeq) =>
      defer(() => (checkAfterSeq('createStoreReplaySource', afterSeq), afterSeq === 0 ? fromStart(streamId, 0) : holds(streamId, afterSeq - 1, (held) => (held ? tail(streamId, afterSeq - 1, afterSeq) : fromStart(streamId, afterSeq))))),
  };
}
