/* The log-writing half of recordEvents' recorder: one subscription's envelopes to the store, one append at a time, each bounded by storeTimeout. @internal */
import type { SchedulerLike, Subscriber, Subscription } from 'rxjs';
import type { L0Event } from './eventTypes.js';
import { EVENT_LOG_VERSION, isTerminalEnvelope, type EventEnvelope, type EventStore, type RecordedEvent } from './eventStore.js';
import { EventLogError, isEventLogError } from './EventLogError.js';
import type { RecordedInfo } from './recordEvents.js';
import { serializeError } from '../errors/serializeError.js';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import { Relay } from '../internal/relay.js';
import { noAnswer } from './storeCall.js';

/**
 * The store side of a `Recorder` (recorder.ts): a queue of envelopes drained by one append at a time (a
 * synchronous store is written at once), the `storeTimeout` watch of the append under way, the
 * failure that stops recording, and `onRecorded` once nothing is pending. The recorder, its
 * subclass, is the source's subscriber: it makes the envelopes and decides when the log ends.
 */
export abstract class LogWriter extends Relay<L0Event> {
  protected queue: EventEnvelope[] = [];
  protected seq = 0;
  protected count = 0;
  protected busy = false;
  protected ended = false;
  protected done = false;
  protected failure: EventLogError | undefined = undefined;
  /** True once the store failed: nothing more is written (an overflow still writes what waits, and its end). */
  protected broken = false;
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
  protected readonly scheduler: SchedulerLike;
  private readonly storeTimeout: number;
  protected readonly maxPending: number;
  private readonly onRecorded: ((info: RecordedInfo) => void) | undefined;

  constructor(
    out: Subscriber<L0Event>,
    protected readonly store: EventStore,
    protected readonly streamId: string,
    protected readonly run: string,
    config: RecorderConfig,
    protected readonly report: (error: EventLogError) => void,
  ) {
    super(out);
    ({ scheduler: this.scheduler, storeTimeout: this.storeTimeout, maxPending: this.maxPending, onRecorded: this.onRecorded } = config);
  }

  protected envelope(event: RecordedEvent): EventEnvelope {
    return { v: EVENT_LOG_VERSION, streamId: this.streamId, seq: this.seq++, ts: this.scheduler.now(), run: this.run, event };
  }

  protected drain(): void {
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
  protected write(batch: EventEnvelope[]): void {
    let result: void | PromiseLike<void>;
    try {
      result = this.store.append(batch);
      // (inside the try: a thenable whose `then` getter throws is the store's throw, never the stream's error)
      if (!isPromiseLike(result)) {
        this.count += batch.length;
        return;
      }
    } catch (e) {
      this.fail('RECORD_FAILED', 'the store threw on append', e);
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
    // one answer per append: a store's thenable that calls back again (or both ways) is heard once, so a
    // second call never ends the log twice (endLate's seq again) nor reads an answer in time as a late one
    let answered = false;
    const rejected = (e: unknown): void => {
      const again = answered;
      answered = true;
      if (again || this.inFlight !== batch) return;
      this.busy = false;
      this.inFlight = undefined;
      this.fail('RECORD_FAILED', 'the store rejected an append', e);
      this.drain();
    };
    try {
      result.then(() => {
        if (answered) return;
        answered = true;
        if (this.inFlight !== batch) return this.endLate(batch); // given up at storeTimeout (its only way out before an answer)
        this.busy = false;
        this.inFlight = undefined;
        this.count += batch.length;
        this.drain();
      }, rejected);
    } catch (e) {
      rejected(e); // a thenable whose `then` throws: a rejection, never the stream's error
    }
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
   * The append given up at `storeTimeout` landed after all: the log holds the run up to its last
   * envelope and nothing after it (the recorder stopped there), so it would have no end, and a
   * follower of the run (`store.follow`, a store replay) would wait for one forever. It gets the
   * `STORE_TIMEOUT` error as its terminal envelope, next in `seq`, as an overflow does; the store's
   * answer to that is not waited for (recording has stopped, `onRecorded` may have been called).
   * Nothing to add when the batch held the run's end already; a late rejection wrote nothing.
   */
  private endLate(batch: EventEnvelope[]): void {
    const last = batch[batch.length - 1]!;
    if (isTerminalEnvelope(last)) return;
    this.seq = last.seq + 1;
    const end = this.envelope({ type: 'error', error: serializeError(this.failure) });
    // (its failure was reported: STORE_TIMEOUT; a store that throws is caught the same)
    Promise.resolve([end]).then((envelopes) => this.store.append(envelopes)).then(undefined, () => undefined);
  }

  /**
   * Stops recording new events; a store that failed also gets nothing more written. A store's
   * refusal of this run's envelopes (their stream's log is another run's) is reported as its own
   * `RUN_MISMATCH`, not as a `RECORD_FAILED`.
   */
  protected fail(code: 'RECORD_FAILED' | 'RECORD_OVERFLOW' | 'STORE_TIMEOUT', why: string, cause?: unknown): void {
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
