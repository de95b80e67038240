import { asyncScheduler, defer, Observable, of, throwError, type SchedulerAction, type SchedulerLike, type Subscriber } from 'rxjs';
import { isTerminalEnvelope, type EventEnvelope, type EventStore, type SeqRange } from '../events/eventStore.js';
import { RUN_TAG } from '../events/runTag.js';
import { afterStore, answered, callName, checkStoreCall, checkStoreTimeout, STORE_TIMEOUT } from '../events/storeCall.js';
import { EventLogError } from '../events/EventLogError.js';
import { deserializeError } from '../errors/deserializeError.js';
import { checkBag, checkKeys, optionKeys, optionPath } from '../internal/options.js';
import { Relay } from '../internal/relay.js';
import { BACKLOG } from './replayBacklog.js';
import { checkAfterSeq, resumeError, type SequencedEvent, type SseReplaySource } from './sseReplayBuffer.js';

/** Options of {@link createStoreReplaySource}. Every field is optional. */
export interface StoreReplaySourceConfig {
  /**
   * How long each `read` of the store (the backlog, the log's `seq` 0) is waited for, in ms of
   * `scheduler` time: a store that has not answered by then ends the replay with an
   * `EventLogError` `STORE_TIMEOUT` (retryable) naming the read and the time, sent to the client
   * as the error frame, instead of holding the reconnect open. The live tail (`follow`) is not
   * bounded: it waits for a run that is still recording. A synchronous store is never timed.
   * `Infinity` waits forever; a finite one is at most 2147483647 (about 24.8 days). @default 30000
   */
  readonly storeTimeout?: number;
  /**
   * How long the live tail may go without a new envelope, in ms of `scheduler` time: a run whose
   * log stopped growing before its end (its recorder's process died; its store failed it, as a
   * rejected append or a `STORE_TIMEOUT` whose batch never landed) ends the replay with an
   * `EventLogError` `STORE_TIMEOUT` (retryable) naming the stream, the `seq` it waited for and
   * the time, sent to the client as the error frame, instead of holding the reconnect open on
   * heartbeats. Keep it above the longest silence of a live run (with `l0()`'s default timeouts an
   * attempt silent for 10 s fails and is retried, so its longest silence is a retry's wait: at most
   * 60 s, a server's `Retry-After`). `Infinity` waits forever; a finite one is at
   * most 2147483647 (about 24.8 days). @default 300000
   */
  readonly idleTimeout?: number;
  /** The clock of `storeTimeout` and `idleTimeout`. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

const KEYS = /*#__PURE__*/ optionKeys<StoreReplaySourceConfig>()(['storeTimeout', 'idleTimeout', 'scheduler']);

/** How long the live tail may go without an envelope by default (`idleTimeout`): 5 minutes. */
const IDLE_TIMEOUT = 300_000;
const ROOT = /*#__PURE__*/ optionPath('createStoreReplaySource', 'store, ');

/**
 * An {@link SseReplaySource} that resumes from an event store's live tail (`store.follow`), so
 * any server of a fleet can serve a reconnect for a run another one is recording with
 * `recordEvents` (Redis store), or one process can serve it without a replay buffer (memory store).
 *
 *   s-a-b-c-x|        the run on server A, recorded as seq 0..4 with run tag r (its SSE ids r:1..r:5)
 *   ------c-(x|)      source.replay('chat-1', 3) on server B: after SSE id r:3 (b), then live
 *   50ms #            the same with { storeTimeout: 50 } on a store whose read never answers: STORE_TIMEOUT
 *   ------c 50ms #    the same with { idleTimeout: 50 } when the run's log stops growing after c: STORE_TIMEOUT
 *
 * 1. `replay(id, afterSeq)` gives the envelopes from `seq = afterSeq` on (the SSE `id:` of an event
 *    is its envelope's `seq + 1`, the numbering `toServerSentEvents` gives the recorded run). It
 *    reads the log from the client's last event (`seq = afterSeq - 1`, not sent again), its backlog,
 *    then follows the store from the backlog's last envelope: a client that already has the run's
 *    `complete` (a drop before the `end` frame) ends at once, and a finished run opens no tail.
 * 2. The recorded terminal error becomes the replay's error (typed, through `deserializeError`), so
 *    the client gets it as an `error` frame; the run's `complete` event ends the replay.
 * 3. A stream the store does not hold errors with an L0Error `STREAM_NOT_FOUND`, as the replay
 *    buffer does, so a forged id costs no live tail. The backlog is read from the client's last
 *    event, and from the start when the store does not hold that one: an id beyond what was recorded
 *    (forged, or not written yet) replays from the start, sending nothing up to it, so a finished
 *    run ends at once (with its recorded error, if it failed) and a live one when it does.
 * 4. A run whose recorder was unsubscribed ends its log with a `StreamAbortedError` envelope, so its
 *    replay errors with it; so does a run whose append was given up at its recorder's `storeTimeout` and landed later
 *    (that error ends the log). A log that stops growing without an end (its recorder's process died, or
 *    its store failed an append) ends the replay at `idleTimeout` (rule 8).
 * 5. Every event carries the log's run tag (`run`, kept with its `seq` 0 by `recordEvents`), so its
 *    SSE id is `<run>:<seq>`: a client that read another run of the stream id (its log deleted and
 *    the id taken by a new run meanwhile) fails with `INCOMPLETE_STREAM` at the first event instead
 *    of splicing two answers. A run whose replay buffer has the same tag (`add(id, events$, {run})`)
 *    has the same ids on both paths. The tag is read with one more range read (of `seq` 0), once
 *    the tail has given the backlog's last envelope again: a log replaced in between gives the new
 *    run's tag, so the resume fails rather than splices; a log gone by then is `STREAM_NOT_FOUND`, and
 *    so is one whose seq 0 is no longer the backlog's (a replay from the start has no tag to compare).
 *    A log without a tag (written before run tags), or whose tag cannot be an SSE id's (envelopes of
 *    your own; `recordEvents` refuses such a `runTag`), gives plain ids `<seq>`, compared by number only.
 * 6. Each `read` is waited for at most `storeTimeout` (30 s by default): a store that hangs ends
 *    the replay with an `EventLogError` `STORE_TIMEOUT` naming the read and the time; one that
 *    answers no array (a store of your own answering `undefined`) with a TypeError naming the read.
 * 7. The backlog's events are marked as such for `toServerSentEvents`, which holds them against
 *    `maxQueuedBytes` only once the client has read them (its rule 9), as it does a backlog sent at
 *    once: a store that answers later (Redis) sends it after the subscription, and a reconnect to a
 *    long run is not cut as "too far behind" for a backlog it has not been offered yet.
 * 8. The live tail may go `idleTimeout` (5 minutes by default) without a new envelope: then the
 *    replay ends with an `EventLogError` `STORE_TIMEOUT` (retryable) naming the stream and the last
 *    `seq` it had, sent to the client as the error frame, so no reconnect is held open for a run
 *    whose log will never end. It counts on the replay's `scheduler`, from when the tail opens and
 *    from each new envelope's arrival, never from the envelopes' `ts` (the writer's clock, which may
 *    be skewed or virtual): a reconnect to a log whose writer died minutes ago waits it once; a
 *    finished log, however old, opens no tail.
 *
 * @example
 * import { createMemoryEventStore, createStoreReplaySource, parseLastEventId, toServerSentEvents } from 'l0-rx';
 * const source = createStoreReplaySource(createMemoryEventStore());
 * const after = parseLastEventId('12');
 * toServerSentEvents(source.replay('chat-1', after), { resumeFrom: after });
 * @param store An event store with `follow` (the memory and Redis stores; the JSONL store has none).
 * @param config See {@link StoreReplaySourceConfig}.
 * @throws TypeError when the store has no `follow`, or for a bad option.
 * @see {@link createSseReplayBuffer} {@link toServerSentEvents}
 */
export function createStoreReplaySource(store: EventStore, config: StoreReplaySourceConfig = {}): SseReplaySource {
  if (typeof store !== 'object' || store === null || typeof store.read !== 'function') throw new TypeError(`createStoreReplaySource(store) needs an EventStore, got ${store === null ? 'null' : typeof store}`);
  if (typeof store.follow !== 'function') throw new TypeError('createStoreReplaySource(store): this store has no live tail (`follow`); the memory and Redis stores have one, the JSONL store does not');
  checkBag(ROOT, config);
  checkKeys(ROOT, config, KEYS);
  const { storeTimeout = STORE_TIMEOUT, idleTimeout = IDLE_TIMEOUT, scheduler = asyncScheduler } = config;
  checkStoreCall(ROOT, storeTimeout, scheduler);
  checkStoreTimeout(ROOT, idleTimeout, 'idleTimeout');
  /** The stream's envelopes in `range`, passed on synchronously when the store answers so (memory: marbles hold), within storeTimeout when it answers later. */
  const read = <T>(streamId: string, range: SeqRange, next: (envelopes: readonly EventEnvelope[]) => Observable<T>): Observable<T> => {
    const call = callName('read', streamId, range);
    return afterStore(store.read(streamId, range), storeTimeout, scheduler, streamId, () => call, (envelopes) => next(answered(envelopes, 'createStoreReplaySource', call)));
  };
  /** The log's seq 0 envelope (its run tag); STREAM_NOT_FOUND when it is gone, or not of `read0`'s run (the backlog's seq 0): deleted, or replaced, since the backlog was read. */
  const head = (streamId: string, read0: EventEnvelope | undefined): Observable<EventEnvelope> =>
    // (a fresh replay has no tag to compare: a backlog of the run replaced would be spliced to the new run's tail)
    read(streamId, { fromSeq: 0, toSeq: 0 }, ([envelope]) => (envelope && (!read0 || (read0 as { run?: unknown }).run === (envelope as { run?: unknown }).run) ? of(envelope) : throwError(() => notFound(streamId))));
  /** The backlog read from `fromSeq` (where it must start), those from `afterSeq` (and a recorded error) as SSE events, then the live tail after it (see {@link Tail}); `orElse` when the store does not hold `fromSeq`. */
  const replay = (streamId: string, fromSeq: number, afterSeq: number, orElse: () => Observable<SequencedEvent>): Observable<SequencedEvent> =>
    read(streamId, { fromSeq }, (backlog) => {
      const last = backlog[backlog.length - 1];
      if (backlog[0]?.seq !== fromSeq || last === undefined) return orElse();
      // a finished run's backlog is all there is: no live tail to open (a Redis connection of its own)
      const finished = isTerminalEnvelope(last);
      const tail = finished ? of(last) : store.follow!(streamId, last.seq);
      // (a finished run's backlog has no tail to wait for)
      const idle = finished || idleTimeout === Infinity ? undefined : { ms: idleTimeout, scheduler, streamId };
      return new Observable<SequencedEvent>((subscriber) => tail.subscribe(new Tail(subscriber, afterSeq, backlog, () => head(streamId, fromSeq ? undefined : backlog[0]), idle)));
    });
  const missing = (streamId: string) => () => throwError(() => notFound(streamId));
  return {
    replay: (streamId, afterSeq) =>
      defer(() => {
        checkAfterSeq('createStoreReplaySource', afterSeq);
        // from the client's last event (not sent again); from seq 0 when the store does not hold it (rule 3)
        return afterSeq === 0 ? replay(streamId, 0, 0, missing(streamId)) : replay(streamId, afterSeq - 1, afterSeq, () => replay(streamId, 0, afterSeq, missing(streamId)));
      }),
  };
}

/** What the tail's `idleTimeout` watch needs (rule 8). */
interface Idle {
  readonly ms: number;
  readonly scheduler: SchedulerLike;
  readonly streamId: string;
}

/** The `idleTimeout` timer's work: its tail watches its own silence. */
function silence(this: SchedulerAction<Tail>, tail?: Tail): void {
  tail!.watch(this);
}

const notFound = (streamId: string) => resumeError('STREAM_NOT_FOUND', `no stream ${JSON.stringify(streamId)} to resume in the event store`);

/** The run tag of a log's `seq` 0 envelope, when it has one that fits an SSE id (rule 5). */
function tagOf(envelope: EventEnvelope): string | undefined {
  const { run } = envelope as { run?: unknown };
  return typeof run === 'string' && RUN_TAG.test(run) ? run : undefined;
}

/**
 * The store replay's backlog and tail: its own subscriber of `follow` rather than a `concatMap`, as
 * only the start waits (for the log's run tag, rule 5), so no inner observable per event. The backlog
 * (read apart, so marked as such for `toServerSentEvents`' `maxQueuedBytes`, rule 6) is held until
 * the log's seq 0 is read, which happens once the tail has given its first envelope (the backlog's
 * last again, not sent twice): a log replaced before the tail began gives the new run's tag, so the
 * resume fails rather than splices. Envelopes that come meanwhile (or while the held ones are sent:
 * a consumer that records) wait behind the backlog, in order. A relay, so a consumer that leaves
 * stops the backlog at once, and a throw (a read, a malformed recorded error) ends the replay with it.
 */
class Tail extends Relay<EventEnvelope, SequencedEvent> {
  private run: string | undefined;
  private started = false;
  /** The backlog as the store read it (not copied: a long run's is held once), sent once the log's seq 0 was read; empty once sent. */
  private backlog: readonly EventEnvelope[];
  /** What the tail gave while the backlog waited, in order; undefined once all was sent. */
  private waiting: EventEnvelope[] | undefined = [];
  /** The backlog's last seq: the tail gives it (and nothing before it) again. */
  private readonly last: number;
  private ended = false;
  /** When the tail last gave an envelope (or began), and that envelope's seq, for `idleTimeout`. */
  private heardAt = 0;
  private heardSeq: number;

  constructor(out: Subscriber<SequencedEvent>, private readonly afterSeq: number, backlog: readonly EventEnvelope[], private readonly head: () => Observable<EventEnvelope>, private readonly idle?: Idle) {
    super(out);
    this.backlog = backlog;
    this.heardSeq = this.last = backlog[backlog.length - 1]!.seq;
    if (idle) {
      this.heardAt = idle.scheduler.now();
      this.add(idle.scheduler.schedule(silence, idle.ms, this));
    }
  }

  next(envelope: EventEnvelope): void {
    if (this.isStopped) return;
    if (this.idle) {
      this.heardAt = this.idle.scheduler.now();
      this.heardSeq = envelope.seq;
    }
    try {
      this.start();
      if (envelope.seq <= this.last || this.isStopped) return;
      if (this.waiting !== undefined) return void this.waiting.push(envelope);
      this.pass(envelope, false);
    } catch (e) {
      this.raise(e);
    }
  }

  override complete(): void {
    if (this.isStopped) return;
    this.ended = true;
    this.start(); // (a tail that ended without an envelope: the log was replaced by a shorter, finished run)
    if (this.waiting === undefined) super.complete();
  }

  /** Reads the log's seq 0 for its run tag, once; the held envelopes go out after it. */
  private start(): void {
    if (this.started) return;
    this.started = true;
    this.add(this.head().subscribe({ next: (head) => (this.run = tagOf(head)), error: (e: unknown) => this.error(e), complete: () => this.flush() }));
  }

  /** Sends the backlog on, then what the tail gave meanwhile, in order (one that comes meanwhile joins them), then the end if it came. */
  private flush(): void {
    const { backlog } = this;
    const queued = this.waiting!;
    this.backlog = [];
    try {
      for (let i = 0; i < backlog.length && !this.isStopped; i++) this.pass(backlog[i]!, true);
      for (let i = 0; i < queued.length && !this.isStopped; i++) this.pass(queued[i]!, false);
    } catch (e) {
      return this.raise(e);
    }
    this.waiting = undefined;
    if (this.ended) super.complete();
  }

  /**
   * The `idleTimeout` watch (one timer, rescheduled for what is left since the last envelope, not
   * one per envelope): a tail silent that long ends the replay with `STORE_TIMEOUT`.
   */
  watch(action: SchedulerAction<Tail>): void {
    const idle = this.idle!;
    const left = idle.ms - (idle.scheduler.now() - this.heardAt);
    if (this.ended || this.isStopped) return;
    if (left > 0) return void action.schedule(this, left);
    const { streamId, ms } = idle;
    this.error(new EventLogError('STORE_TIMEOUT', streamId, `Stream ${streamId}: its live tail gave no envelope after seq ${this.heardSeq} within ${ms} ms (idleTimeout): the run's recorder stopped without writing its end`));
  }

  /** Sends one envelope on (marked when it is of the backlog); a recorded error ends the replay (it reaches every replay, as with the buffer). */
  private pass(envelope: EventEnvelope, backlog: boolean): void {
    const { event } = envelope;
    if (event.type === 'error') {
      const error = deserializeError(event.error);
      this.isStopped = true;
      return this.out.error(error);
    }
    if (envelope.seq < this.afterSeq) return;
    const item: SequencedEvent = this.run === undefined ? { seq: envelope.seq + 1, event } : { seq: envelope.seq + 1, event, run: this.run };
    if (backlog) BACKLOG.add(item);
    this.out.next(item);
  }
}
