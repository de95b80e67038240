/* The recorder behind recordEvents: one subscription's log writer and the source's subscriber. @internal */
import type { SchedulerLike, Subscriber, Subscription } from 'rxjs';
import type { L0Event } from './eventTypes.js';
import { EVENT_LOG_VERSION, type EventEnvelope, type EventStore, type RecordedEvent } from './eventStore.js';
import { EventLogError, isEventLogError } from './EventLogError.js';
import type { RecordedInfo } from './recordEvents.js';
import { serializeError, type SerializedError } from '../errors/serializeError.js';
import { safeGet } from '../errors/inspect.js';
import { StreamAbortedError } from '../errors/StreamAbortedError.js';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import { Relay } from '../internal/relay.js';
import { attemptTextChange, followVersion } from '../attempt/attemptText.js';
import { markIfPrefix } from './checkpointRefs.js';
import { noAnswer } from './storeCall.js';

const COMPLETE = 'complete';

/**
 * One subscription's log writer (a queue drained by one append at a time), and the source's
 * subscriber: one object per open stream, no closures.
 */
export class Recorder extends Relay<L0Event> {
  private queue: EventEnvelope[] = [];
  private seq = 0;
  private count = 0;
  private busy = false;
  private ended = false;
  private done = false;
  /** True once the run's `complete` event is logged: the log has its terminal envelope. */
  private completed = false;
  private failure: EventLogError | undefined = undefined;
  /** True once the store failed: nothing more is written (an overflow still writes what waits, and its end). */
  private broken = false;
  /** True while an event is being logged and passed on; nested notifications wait in `later` and `held`. */
  private emitting = false;
  private later: L0Event[] | undefined = undefined;
  private held: { readonly error: unknown } | typeof COMPLETE | undefined = undefined;
  /**
   * The version of the attempt text of the recorded events, followed without building it (-1 once
   * it is not the text an upstream AttemptText built): a checkpoint proved a prefix of it is written
   * compact by durable stores (see checkpointRefs).
   */
  private textVersion = 0;
  /** The batch of the append under way (an async store's), until it settles or is given up at `storeTimeout`. */
  private inFlight: EventEnvelope[] | undefined = undefined;
  /** When that append was sent (`scheduler.now()`). */
  private sentAt = 0;
  /**
   * The `storeTimeout` watch: one timer for the appends that follow each other, rescheduled for
   * what the append under way has left (a timer per append would cost one per token); `null`
   * while it waits to be armed.
   */
  private watch: Subscription | null | undefined = undefined;
  private readonly scheduler: SchedulerLike;
  private readonly storeTimeout: number;
  private readonly maxPending: number;
  private readonly onRecorded: ((info: RecordedInfo) => void) | undefined;

  constructor(
    out: Subscriber<L0Event>,
    private readonly store: EventStore,
    private readonly streamId: string,
    private readonly run: string,
    config: RecorderConfig,
    private readonly report: (error: EventLogError) => void,
  ) {
    super(out);
    ({ scheduler: this.scheduler, storeTimeout: this.storeTimeout, maxPending: this.maxPending, onRecorded: this.onRecorded } = config);
  }

  /**
   * Logs the event, then passes it on. An event, error or completion that arrives while that is
   * on the stack (a synchronous store's follower, or the consumer, feeding the source) waits in
   * `later` / `held` and is handled after it, in arrival order: the consumer sees the events in
   * the log's order. Nothing is allocated per event unless one arrives nested.
   */
  next(event: L0Event): void {
    try {
      this.handle(event);
    } catch (thrown) {
      this.raise(thrown);
    }
  }

  private handle(event: L0Event): void {
    if (this.isStopped) return;
    if (this.emitting) {
      (this.later ??= []).push(event);
      return;
    }
    this.emitting = true;
    try {
      this.pass(event);
      if (this.later !== undefined && this.later.length > 0) this.passLater(this.later);
    } finally {
      this.emitting = false;
      // events still waiting here were left by a consumer that threw: dropped, neither logged nor passed on
      if (this.later !== undefined && this.later.length > 0) this.later.length = 0;
      if (this.held !== undefined) this.settle(this.held);
      // (also when the consumer left before the held end was passed on: that end() came first)
      if (this.ended && !this.busy) this.drain();
    }
  }

  override error(error: unknown): void {
    if (this.isStopped) return;
    this.isStopped = true;
    if (this.emitting) this.held = { error };
    else this.settle({ error });
  }

  override complete(): void {
    if (this.isStopped) return;
    this.isStopped = true;
    if (this.emitting) this.held = COMPLETE;
    else this.settle(COMPLETE);
  }

  /**
   * Unsubscribing stops recording new events (a nested one still waiting is dropped: never logged,
   * never passed on); what was queued for the store is still written. A run left before its end
   * gets a terminal envelope, a `StreamAbortedError`, so a replay or a follower of it ends instead of
   * waiting for an end that will never be written. A run left after its `complete` event (a
   * `first()`) has its end already; one whose error arrived while an event was on the stack, and
   * was left before that error was passed on, ends the log with that error.
   */
  override unsubscribe(): void {
    const held = this.held;
    const failed = held !== undefined && held !== COMPLETE;
    const cut = !this.ended && !this.completed && (!this.isStopped || failed);
    super.unsubscribe();
    if (cut) this.push({ type: 'error', error: recordedError(failed ? held.error : new StreamAbortedError('The run was unsubscribed before its end (recorded by recordEvents)')) });
    this.end();
  }

  private pass(event: L0Event): void {
    if (event.type === COMPLETE) this.completed = true;
    this.push(event);
    this.out.next(event);
  }

  /** The nested events, in order (more may join while they pass); dropped once the consumer has left. */
  private passLater(later: L0Event[]): void {
    for (let i = 0; i < later.length && !this.closed; i++) this.pass(later[i]!);
    later.length = 0;
  }

  /** The source's end: a recorded error is appended (after every event), then the end goes on. */
  private settle(how: { readonly error: unknown } | typeof COMPLETE): void {
    this.held = undefined;
    if (how === COMPLETE) {
      this.end();
      this.out.complete();
    } else {
      this.push({ type: 'error', error: recordedError(how.error) });
      this.end();
      this.out.error(how.error);
    }
  }

  private push(event: RecordedEvent): void {
    if (this.ended || this.failure) return;
    if (this.queue.length >= this.maxPending) {
      // the store works, only slowly (the queue fills only while an append is pending): what waits is
      // written, then the overflow as the log's end, so a follower or replay of the run ends with it
      this.fail('RECORD_OVERFLOW', `more than ${this.maxPending} envelopes waited for the store (maxPending)`);
      this.queue.push(this.envelope({ type: 'error', error: serializeError(this.failure) }));
      return;
    }
    const envelope = this.envelope(event);
    if (event.type !== 'error') this.follow(event, envelope);
    // the queue holds envelopes only while an async append is pending; otherwise each goes at once, in an array of its own size
    if (this.busy) this.queue.push(envelope);
    else this.write([envelope]);
  }

  /** Follows the attempt text's version through `event`; marks a checkpoint proved a prefix of it. */
  private follow(event: L0Event, envelope: EventEnvelope): void {
    switch (attemptTextChange(event)) {
      case 'token':
        if (this.textVersion >= 0) this.textVersion = followVersion(event, this.textVersion);
        return;
      case 'reset':
        this.textVersion = 0;
        return;
      case 'resume':
        this.textVersion = followVersion(event, -1);
        return;
      default:
        if (event.type === 'checkpoint' && this.textVersion > 0) markIfPrefix(envelope, event, this.textVersion);
    }
  }

  private envelope(event: RecordedEvent): EventEnvelope {
    return { v: EVENT_LOG_VERSION, streamId: this.streamId, seq: this.seq++, ts: this.scheduler.now(), run: this.run, event };
  }

  /** Stops recording; once nothing is pending (no append in flight, no event on the stack), `onRecorded` is called. */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.busy && !this.emitting) this.drain();
  }

  private drain(): void {
    while (this.queue.length > 0 && !this.broken && !this.busy) {
      const batch = this.queue;
      this.queue = [];
      this.write(batch);
    }
    if (this.ended && !this.busy && !this.done) {
      this.done = true;
      this.watch?.unsubscribe();
      try {
        this.onRecorded?.(Object.freeze({ streamId: this.streamId, run: this.run, count: this.count, error: this.failure }));
      } catch {
        // a throwing listener must not break the stream
      }
    }
  }

  /** Appends `batch`; a store that returns a promise makes the recorder busy until it settles, and then the queue drains. */
  private write(batch: EventEnvelope[]): void {
    let result: void | PromiseLike<void>;
    try {
      result = this.store.append(batch);
    } catch (e) {
      this.fail('RECORD_FAILED', 'the store threw on append', e);
      return;
    }
    if (!isPromiseLike(result)) {
      this.count += batch.length;
      return;
    }
    this.busy = true;
    this.inFlight = batch;
    if (this.storeTimeout !== Infinity) {
      this.sentAt = this.scheduler.now();
      if (this.watch === undefined) {
        this.watch = null;
        // armed once the promise had its own reactions (as retryWithBackoff's shouldRetry bound): a virtual
        // scheduler's flush runs every action at once, and a watch armed in it would beat a real store's answer
        void Promise.resolve().then(() => this.arm());
      }
    }
    result.then(
      () => {
        if (this.inFlight !== batch) return; // given up at storeTimeout: a late answer changes nothing
        this.busy = false;
        this.inFlight = undefined;
        this.count += batch.length;
        this.drain();
      },
      (e: unknown) => {
        if (this.inFlight !== batch) return;
        this.busy = false;
        this.inFlight = undefined;
        this.fail('RECORD_FAILED', 'the store rejected an append', e);
        this.drain();
      },
    );
  }

  /** Arms the watch for the append under way (a microtask after it was sent). */
  private arm(): void {
    this.watch = undefined;
    if (this.inFlight === undefined || this.done) return;
    // counted from here at the latest: the append may have been sent in a virtual flush, on another clock
    this.sentAt = Math.max(this.sentAt, this.scheduler.now());
    this.watch = this.scheduler.schedule(() => this.check(), this.storeTimeout);
  }

  /**
   * The watch's timer: an append pending for `storeTimeout` is given up (recording stops with
   * `STORE_TIMEOUT`, and `onRecorded` is called once nothing else is pending); one sent later is
   * watched for what it has left; with none pending, the watch ends until the next append.
   */
  private check(): void {
    this.watch = undefined;
    const batch = this.inFlight;
    if (batch === undefined || this.done) return;
    const waited = this.scheduler.now() - this.sentAt;
    if (waited < this.storeTimeout) {
      this.watch = this.scheduler.schedule(() => this.check(), this.storeTimeout - waited);
      return;
    }
    this.busy = false;
    this.inFlight = undefined;
    const seqs = batch.length === 1 ? `seq ${batch[0]!.seq}` : `seq ${batch[0]!.seq} to ${batch[batch.length - 1]!.seq}`;
    this.fail('STORE_TIMEOUT', noAnswer(`append([${batch.length} envelope${batch.length === 1 ? '' : 's'}: ${seqs}])`, this.storeTimeout));
    this.drain();
  }

  /**
   * Stops recording new events; a store that failed also gets nothing more written. A store's
   * refusal of this run's envelopes (their stream's log is another run's) is reported as its own
   * `RUN_MISMATCH`, not as a `RECORD_FAILED`.
   */
  private fail(code: 'RECORD_FAILED' | 'RECORD_OVERFLOW' | 'STORE_TIMEOUT', why: string, cause?: unknown): void {
    // (also after an overflow, whose queue must not be written past a rejected append: a hole in the log)
    if (code !== 'RECORD_OVERFLOW') {
      this.broken = true;
      this.queue = [];
    }
    if (this.failure) return;
    const other = isEventLogError(cause) && cause.code === 'RUN_MISMATCH';
    this.failure = new EventLogError(other ? 'RUN_MISMATCH' : code, this.streamId, `recording stream ${this.streamId}: ${why}`, cause);
    this.report(this.failure);
  }
}

/** What a recorder takes of `recordEvents`' resolved options. */
export interface RecorderConfig {
  readonly scheduler: SchedulerLike;
  readonly storeTimeout: number;
  readonly maxPending: number;
  readonly onRecorded: ((info: RecordedInfo) => void) | undefined;
}

/**
 * The run's terminal error as the log keeps it: `serializeError`'s, with the run's failed attempts
 * (`attemptErrors`, each serialised) when it carries them, so the replay rethrows the error the run
 * ended with, its list of failures included (an `AllStreamsExhaustedError` has them as `errors`).
 */
function recordedError(e: unknown): SerializedError {
  const plain = serializeError(e);
  const attempts = safeGet(e, 'attemptErrors'); // an L0Error's (safeGet: a hostile error must not throw here)
  return Array.isArray(attempts) && attempts.length > 0 && !plain.errors ? { ...plain, attemptErrors: attempts.map(serializeError) } : plain;
}
