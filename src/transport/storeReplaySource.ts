import { defer, from, mergeMap, Observable, of, throwError, type Subscriber } from 'rxjs';
import type { EventEnvelope, EventStore } from '../events/eventStore.js';
import { RUN_TAG } from '../events/runTag.js';
import { deserializeError } from '../errors/deserializeError.js';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import { Relay } from '../internal/relay.js';
import { checkAfterSeq, resumeError, type SequencedEvent, type SseReplaySource } from './sseReplayBuffer.js';

/**
 * An {@link SseReplaySource} that resumes from an event store's live tail (`store.follow`), so
 * any server of a fleet can serve a reconnect for a run another one is recording with
 * `recordEvents` (Redis store), or one process can serve it without a replay buffer (memory store).
 *
 *   s-a-b-c-x|        the run on server A, recorded as seq 0..4 with run tag r (its SSE ids r:1..r:5)
 *   ------c-(x|)      source.replay('chat-1', 3) on server B: after SSE id r:3 (b), then live
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
 * 5. Every event carries the log's run tag (`run`, kept with its `seq` 0 by `recordEvents`), so its
 *    SSE id is `<run>:<seq>`: a client that read another run of the stream id (its log deleted and
 *    the id taken by a new run meanwhile) fails with `INCOMPLETE_STREAM` at the first event instead
 *    of splicing two answers. A run whose replay buffer has the same tag (`add(id, events$, {run})`)
 *    has the same ids on both paths. A tail that starts past `seq` 0 reads the tag with one more
 *    range read (of `seq` 0), once the tail has given the client's last event: a log replaced in
 *    between gives the new run's tag, so the resume fails rather than splices; a log gone by then
 *    is `STREAM_NOT_FOUND`. A log without a tag (written before run tags), or whose tag cannot be
 *    an SSE id's (envelopes of your own; `recordEvents` refuses such a `runTag`), gives plain ids
 *    `<seq>`, compared by number only.
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
  /** Envelope `seq` of the stream, if the store holds it, passed on synchronously when the store answers so (memory: marbles hold). */
  const at = <T>(streamId: string, seq: number, next: (envelope: EventEnvelope | undefined) => Observable<T>): Observable<T> => {
    const read = store.read(streamId, { fromSeq: seq, toSeq: seq });
    return isPromiseLike(read) ? from(read).pipe(mergeMap((envelopes) => next(envelopes[0]))) : next(read[0]);
  };
  /** The log's envelopes from `fromSeq` on, those from `afterSeq` (and a recorded error) as SSE events (see {@link Tail}). */
  const tail = (streamId: string, fromSeq: number, afterSeq: number): Observable<SequencedEvent> =>
    new Observable<SequencedEvent>((subscriber) => store.follow!(streamId, fromSeq).subscribe(new Tail(subscriber, afterSeq, () => at(streamId, 0, (head) => {
      if (head === undefined) throw notFound(streamId); // deleted since the tail's first envelope
      return of(head);
    }))));
  const fromStart = (streamId: string, afterSeq: number): Observable<SequencedEvent> =>
    at(streamId, 0, (head) => (head ? tail(streamId, 0, afterSeq) : throwError(() => notFound(streamId))));
  return {
    replay: (streamId, afterSeq) =>
      defer(() => (checkAfterSeq('createStoreReplaySource', afterSeq), afterSeq === 0 ? fromStart(streamId, 0) : at(streamId, afterSeq - 1, (last) => (last ? tail(streamId, afterSeq - 1, afterSeq) : fromStart(streamId, afterSeq))))),
  };
}

const notFound = (streamId: string) => resumeError('STREAM_NOT_FOUND', `no stream ${JSON.stringify(streamId)} to resume in the event store`);

/** The run tag of a log's `seq` 0 envelope, when it has one that fits an SSE id (rule 5). */
function tagOf(envelope: EventEnvelope): string | undefined {
  const { run } = envelope as { run?: unknown };
  return typeof run === 'string' && RUN_TAG.test(run) ? run : undefined;
}

/**
 * The store replay's tail: its own subscriber of `follow` rather than a `concatMap`, as only the first
 * envelope may wait (for the log's run tag, rule 5), so no inner observable per event. A relay, so a
 * consumer that leaves stops the store's synchronous backlog at once, and a throw (a read, a malformed
 * recorded error) ends the replay with it. Envelopes that come while seq 0 is read (or while the held
 * ones are sent: a consumer that records) wait in order.
 */
class Tail extends Relay<EventEnvelope, SequencedEvent> {
  private run: string | undefined;
  private first = true;
  /** Envelopes the tail gave while the log's seq 0 was being read (the tail started past it), in order. */
  private waiting: EventEnvelope[] | undefined;
  private ended = false;

  constructor(out: Subscriber<SequencedEvent>, private readonly afterSeq: number, private readonly head: () => Observable<EventEnvelope>) {
    super(out);
  }

  next(envelope: EventEnvelope): void {
    if (this.isStopped) return;
    try {
      if (this.waiting !== undefined) return void this.waiting.push(envelope);
      if (this.first) {
        this.first = false;
        if (envelope.seq !== 0) {
          this.waiting = [envelope];
          return void this.add(this.head().subscribe({ next: (head) => (this.run = tagOf(head)), error: (e: unknown) => this.error(e), complete: () => this.flush() }));
        }
        this.run = tagOf(envelope);
      }
      this.pass(envelope);
    } catch (e) {
      this.raise(e);
    }
  }

  override complete(): void {
    if (this.waiting === undefined) super.complete();
    else this.ended = true;
  }

  /** Sends the held envelopes on, in order (one that comes meanwhile joins them), then the end if it came. */
  private flush(): void {
    const queued = this.waiting!;
    try {
      for (let i = 0; i < queued.length && !this.isStopped; i++) this.pass(queued[i]!);
    } catch (e) {
      return this.raise(e);
    }
    this.waiting = undefined;
    if (this.ended) super.complete();
  }

  /** Sends one envelope on; a recorded error ends the replay (it reaches every replay, as with the buffer). */
  private pass(envelope: EventEnvelope): void {
    const { event } = envelope;
    if (event.type === 'error') {
      const error = deserializeError(event.error);
      this.isStopped = true;
      return this.out.error(error);
    }
    if (envelope.seq >= this.afterSeq) this.out.next(this.run === undefined ? { seq: envelope.seq + 1, event } : { seq: envelope.seq + 1, event, run: this.run });
  }
}
