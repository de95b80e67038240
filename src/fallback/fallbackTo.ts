import { identity, isObservable, Observable, type MonoTypeOperatorFunction, type Subscriber } from 'rxjs';
import type { L0Event, StartEvent } from '../events/eventTypes.js';
import { AllStreamsExhaustedError } from '../errors/AllStreamsExhaustedError.js';
import { isL0Error, type L0Error } from '../errors/L0Error.js';
import { asL0Error, categoryOf } from '../errors/classifyL0Error.js';
import { serializeError } from '../errors/serializeError.js';
import { AttemptLoop } from '../attempt/attemptLoop.js';
import { passHeldOutput } from '../internal/heldOutput.js';
import { FIRST_ATTEMPT, takeAttemptContext } from '../attempt/attemptContext.js';
import { describeOption } from '../internal/options.js';

/**
 * When the source fails, switches to the next model: emits `fallback{fromIndex, toIndex, error}`
 * and subscribes the next stream, which starts with `start{isFallback: true}`.
 *
 *   -s-a-#            source (the primary, its own retries already spent)
 *        S---b-x-|    fallback1, subscribed at the error (S start{isFallback: true}, x complete)
 *   -s-a-(fS)b-x-|    fallbackTo(fallback1)   (f fallback{fromIndex: 0, toIndex: 1})
 *
 * 1. Events of the current stream pass through. The latest `checkpoint` content (or `resume`
 *    checkpoint) seen on any stream is remembered.
 * 2. On an error whose {@link classifyError} category is `abort`, no fallback is subscribed (a user
 *    abort never falls back): the error is passed on untouched, or, when earlier streams failed, as a
 *    typed copy whose `attemptErrors` lists their attempts and its own (the run's list of failures
 *    stays complete).
 * 3. On any other error (auth and bad-request included: another provider may accept the request),
 *    the stream's attempts are recorded (the error's `attemptErrors` when retryWithBackoff attached
 *    them, else the error alone; copies carry the `fallbackIndex`, the errors themselves are never
 *    changed). If a fallback is left, `fallback{fromIndex, toIndex,
 *    error}` is emitted and fallback `toIndex` is subscribed with the attempt context `{attempt: 1, fallbackIndex: toIndex, checkpoint?}`: `fromStream`
 *    hands it to the factory and emits `start{isFallback: true}` and, with a checkpoint,
 *    `resume{checkpoint}` (so continuation carries across models; an `l0()` fallback resumes only
 *    with its own `continueFromLastKnownGoodToken`).
 *    Nested in another loop's stream k (a whole `l0()` run with fallbacks raced or retried inside
 *    another run's fallback k), the primary is handed that loop's context and the indices are
 *    k, k + 1, ... instead of 0, 1, ...; a `start` of a later stream passing through (a nested
 *    `fallbackTo`'s fallback) moves the index there, so the next `fallback` goes from it: the
 *    consumer reads one sequence of stream numbers, as from one flat `fallbackTo`. Only a nested
 *    loop's `start`s do: a run relayed by `fromServerSentEvents` numbers its own.
 * 4. When the last stream fails, errors with {@link AllStreamsExhaustedError} holding every
 *    recorded attempt's error, oldest first.
 * 5. A source that completes never subscribes a fallback (one that errors after passing its `complete`
 *    event does: check at the event, see {@link retryWithBackoff}); unsubscribing unsubscribes the current
 *    stream only. State (recorded errors, checkpoint) is per subscription. A stream that fails
 *    while being subscribed (`throwError`, an open circuit breaker, a factory that throws) has the
 *    next one subscribed once its subscribe returned: thousands of them are a loop, not a recursion.
 *
 * Give each fallback its own retry budget by piping its own `retryWithBackoff`, as `l0()` does.
 * Without fallbacks the operator is the identity (the source's own error is passed on).
 *
 * @example
 * import { fromStream, fallbackTo, retryWithBackoff, type StreamFactory } from 'l0-rx';
 * declare const localModel: StreamFactory;
 * const attempt = (model: StreamFactory) => fromStream(model).pipe(retryWithBackoff('recommended'));
 * attempt(gpt4o).pipe(fallbackTo(attempt(claude), attempt(localModel)));
 * @see {@link retryWithBackoff}
 * @see {@link AllStreamsExhaustedError}
 * @param fallbacks The streams to try in order, each a cold `Observable<L0Event>`.
 */
export function fallbackTo(...fallbacks: Observable<L0Event>[]): MonoTypeOperatorFunction<L0Event> {
  fallbacks.forEach((f, i) => {
    if (!isObservable(f)) throw new TypeError(`fallbackTo: \`fallbacks[${i}]\` must be an Observable, got ${describeOption(f)}`);
  });
  if (fallbacks.length === 0) return identity;
  return (primary) => new Observable<L0Event>((subscriber) => new FallbackRun(subscriber, fallbacks).start(primary));
}

/** One subscription of {@link fallbackTo}: the loop is also the teardown. */
class FallbackRun extends AttemptLoop {
  /** The current stream's number, as its `start` and the `fallback` events say (from the context's, when nested). */
  private index = 0;
  /** How many of `fallbacks` were subscribed. */
  private used = 0;
  private readonly errors: unknown[] = [];

  constructor(
    subscriber: Subscriber<L0Event>,
    private readonly fallbacks: readonly Observable<L0Event>[],
  ) {
    super(subscriber, 'fallbackTo');
  }

  start(primary: Observable<L0Event>): this {
    // nested in another loop's stream k (an l0() run raced inside a fallback), its streams are k, k + 1, ...
    const outer = takeAttemptContext(true) ?? FIRST_ATTEMPT;
    this.index = outer.fallbackIndex;
    this.subscribe(primary, outer);
    return this;
  }

  /** A nested loop's fallbacks went through: the next fallback is numbered after the last stream the consumer saw. */
  protected override started(e: StartEvent): void {
    if (e.fallbackIndex > this.index) this.index = e.fallbackIndex;
  }

  protected failed(raw: unknown): void {
    const { subscriber, errors, index } = this;
    const abort = categoryOf(raw) === 'abort';
    if (abort && errors.length === 0) return subscriber.error(raw);
    const failed = asL0Error(raw);
    errors.push(...attemptsOf(failed, index));
    // what ends the run, or announces the next stream, carries the stream's held-back output on (a budget after the loop counts it)
    if (abort) return subscriber.error(passHeldOutput(raw, failed.withRunInfo({ fallbackIndex: failed.fallbackIndex ?? index, attemptErrors: errors })));
    if (this.used === this.fallbacks.length) {
      return subscriber.error(passHeldOutput(raw, new AllStreamsExhaustedError(errors, { fallbackIndex: index })));
    }
    const toIndex = index + 1;
    const error = serializeError(failed.fallbackIndex === undefined ? failed.withRunInfo({ fallbackIndex: index }) : failed);
    subscriber.next(passHeldOutput<L0Event>(raw, { type: 'fallback', fromIndex: index, toIndex, error }));
    this.index = toIndex;
    if (subscriber.closed) return;
    const { checkpoint } = this;
    this.subscribe(this.fallbacks[this.used++]!, checkpoint ? { attempt: 1, fallbackIndex: toIndex, checkpoint } : { attempt: 1, fallbackIndex: toIndex });
  }
}

function attemptsOf(err: L0Error, index: number): unknown[] {
  const attached = err.attemptErrors;
  const list = attached.length > 0 ? attached : [err];
  return list.map((e) => (isL0Error(e) && e.fallbackIndex === undefined ? e.withRunInfo({ fallbackIndex: index }) : e));
}
