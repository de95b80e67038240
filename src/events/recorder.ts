/* The recorder behind recordEvents: one subscription's log writer and the source's subscriber. @internal */
import type { L0Event } from './eventTypes.js';
import type { EventEnvelope, RecordedEvent } from './eventStore.js';
import { serializeError, serializeList, type SerializedError } from '../errors/serializeError.js';
import { safeGet } from '../errors/inspect.js';
import { StreamAbortedError } from '../errors/StreamAbortedError.js';
import { attemptTextChange, followVersion } from '../attempt/attemptText.js';
import { markIfPrefix } from './checkpointRefs.js';
import { LogWriter } from './logWriter.js';

export type { RecorderConfig } from './logWriter.js';

const COMPLETE = 'complete';

/**
 * One subscription's log writer (a queue drained by one append at a time: {@link LogWriter}), and
 * the source's subscriber: one object per open stream, no closures.
 */
export class Recorder extends LogWriter {
  /** True once the run's `complete` event is logged: the log has its terminal envelope. */
  private completed = false;
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

  /** Stops recording; once nothing is pending (no append in flight, no event on the stack), `onRecorded` is called. */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.busy && !this.emitting) this.drain();
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
}

/**
 * The run's terminal error as the log keeps it: `serializeError`'s, with the run's failed attempts
 * (`attemptErrors`, each serialised, at most 64 as an exhaustion's `errors`: the first 31, a mark, the last 32)
 * when it carries them, so the replay rethrows the error the run ended with, its list of failures included (left out when they are an `AllStreamsExhaustedError`'s
 * `errors`, rebuilt from those; not a retry around a fallback chain's, whose attempts are each an exhaustion).
 */
function recordedError(e: unknown): SerializedError {
  const plain = serializeError(e);
  const attempts = safeGet(e, 'attemptErrors'); // an L0Error's (safeGet: a hostile error must not throw here)
  // (an exhaustion's own attempts start with its first error; those of a retry around its chain with the first chain's exhaustion)
  return Array.isArray(attempts) && attempts.length > 0 && attempts[0] !== safeGet(safeGet(e, 'errors'), 0) ? { ...plain, attemptErrors: serializeList(attempts) } : plain;
}
