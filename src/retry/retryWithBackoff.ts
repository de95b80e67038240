import { from, Observable, Subscription, timer, type MonoTypeOperatorFunction, type Subscriber } from 'rxjs';
import { asL0Error, classifyL0Error } from '../errors/classifyL0Error.js';
import { serializeError } from '../errors/serializeError.js';
import type { L0Event, StartEvent } from '../events/eventTypes.js';
import { takeAttemptContext } from '../attempt/attemptContext.js';
import { AttemptLoop } from '../attempt/attemptLoop.js';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import { passHeldOutput } from '../internal/heldOutput.js';
import { refusedAfter } from '../internal/refusedAttempt.js';
import { warnOnce } from '../internal/warn.js';
import { FRESH_BUDGETS, retryDelay, retryVerdict, spendRetry } from './retryDecision.js';
import {
  resolveRetryConfig,
  type ResolvedRetryConfig,
  type RetryPresetName,
  type RetryWithBackoffConfig,
  type ShouldRetryContext,
} from './retryConfig.js';

/**
 * Resubscribes the source after a retryable failure, waiting a backoff, and tells the consumer
 * with a `retry` event (discard the failed attempt's output).
 *
 *   --a--#                  source, attempt 1 (#: a network error)
 *          --b--|           source, attempt 2
 *   --a--r---b--|           retryWithBackoff({ backoff: 'fixed', baseDelay: 2 })   (r: retry{attempt: 1, delayMs: 2})
 *
 * Per subscription:
 * 1. Takes the enclosing {@link AttemptContext} (the `fallbackIndex` and `checkpoint` a fallbackTo
 *    hands down) and subscribes the source as attempt 1 with it; the source (fromStream,
 *    fromAttempt) reads it synchronously (see {@link fromAttempt} for what keeps it). Nested in
 *    another loop's attempt n (a whole `l0()` run raced inside a retried race), its first attempt
 *    is n instead, and a `start` of a later attempt passing through moves its count there: of its
 *    stream (a nested loop's retry), or of a later stream (a nested `fallbackTo`'s fallback, whose
 *    stream it then retries as attempt n + 1): the consumer reads one sequence of attempt and
 *    stream numbers. Only a nested loop's do: a run relayed by `fromServerSentEvents` numbers its own.
 * 2. Remembers the latest checkpoint seen (`checkpoint.content`, `resume.checkpoint`) and hands it
 *    to the next attempt, which is how continuation resumes.
 * 3. On an error: makes it a typed L0Error if it is not one, and classifies it
 *    ({@link classifyError}). The error itself is never changed. Then it decides:
 *    no retry for `auth`, `bad-request` or `abort`; when neither its category nor its reason is in
 *    `retryOn`; when it is not retryable (a fatal guardrail, a TLS failure, an error of any category,
 *    `unknown` too, whose `retryable` is `false`; an UnknownError, what an unclassified throw becomes,
 *    is retryable, so `'unknown'` in `retryOn`, as by default, retries it); when `maxRetries` retries
 *    were made; when it counts toward attempts (content, unknown) and `attempts` such retries were
 *    made; when its Retry-After exceeds `maxRetryAfter` (a fallback takes it instead of waiting).
 * 4. Then `shouldRetry` may veto (a falsy result, a throw or a rejection vetoes, and a throw or rejection
 *    is warned about, once per operator, with its error: a broken veto is not silent; a promise is awaited,
 *    as long as the policy would wait before a retry: `maxRetryAfter`, or `maxDelay` when longer, counted
 *    once the promise's own microtasks ran, so a virtual scheduler's flush does not beat it; one that
 *    has not settled by then ends the run with an UnknownError whose cause names `shouldRetry`).
 * 5. The delay: the Retry-After as given (with `respectRetryAfter`); else what `calculateDelay`
 *    returns, if it is a finite number >= 0; else the `backoff` (0-based retry index over all
 *    retries), which `calculateDelay` receives as `defaultDelay`; never more than 2147483647 ms
 *    (about 24.8 days, the longest a timer holds; the options that set a wait are checked against
 *    it). A throwing `calculateDelay` ends the run with its error, typed; so does a `random` that
 *    returns anything but a number in [0, 1) (a TypeError naming it), rather than wait a NaN delay.
 * 6. Emits `retry{attempt, delayMs, error, reason, countsTowardAttempts}` (`error` serialised, with
 *    its `attempt` and `fallbackIndex`), then waits `timer(delayMs, scheduler)` (a delay of 0
 *    still goes through the scheduler, so a retry is never a synchronous loop), then subscribes
 *    the source again as the next attempt. Unsubscribing during the wait cancels it.
 * 7. When it gives up, it errors with a copy of the last error ({@link L0Error.withRunInfo})
 *    carrying `attempt`, `fallbackIndex` and `attemptErrors` (every attempt's error, oldest
 *    first, the last one included). Counters are never reset, so a flapping source cannot retry forever.
 *
 * An attempt ends at its `complete` event for the consumer: an operator between the source and
 * this one that fails after passing `complete` (at the source's completion) is retried after the
 * consumer received that `complete`. Check at the `complete` event instead (emit it or the error),
 * as detectZeroOutput does; `l0()` holds its `attemptOperators`' `complete` until they end.
 *
 * `maxRetries: 0` or an empty `retryOn` retries nothing but still types the error and attaches
 * `attemptErrors`, so the run's list of failures is always complete. A number is the `attempts` shorthand
 * (network, rate-limit, server and timeout retries stay capped by `maxRetries` only); a string
 * names one of {@link RETRY_PRESETS}.
 *
 * @example
 * import { fromStream, retryWithBackoff } from 'l0-rx';
 * const events$ = fromStream(factory).pipe(retryWithBackoff({ attempts: 2, backoff: 'exponential' }));
 * @example
 * import { retryWithBackoff } from 'l0-rx';
 * events$.pipe(retryWithBackoff('strict'));
 * @see {@link RetryWithBackoffConfig} {@link fallbackTo} {@link classifyError}
 * @param config A count (`attempts`), a preset name or a {@link RetryWithBackoffConfig}.
 * @throws TypeError for an invalid option, when called: among them a delay above 2147483647 ms
 * (`baseDelay`, `maxDelay`, `maxRetryAfter`) and a `baseDelay` above `maxDelay`.
 */
export function retryWithBackoff(): MonoTypeOperatorFunction<L0Event>;
export function retryWithBackoff(attempts: number): MonoTypeOperatorFunction<L0Event>;
export function retryWithBackoff(preset: RetryPresetName): MonoTypeOperatorFunction<L0Event>;
export function retryWithBackoff(config: RetryWithBackoffConfig): MonoTypeOperatorFunction<L0Event>;
export function retryWithBackoff(config?: number | RetryPresetName | RetryWithBackoffConfig): MonoTypeOperatorFunction<L0Event> {
  return retryResolved(resolveRetryConfig(config));
}

/** {@link retryWithBackoff} with an already resolved config. @internal Used by the l0() preset. */
export function retryResolved(cfg: ResolvedRetryConfig): MonoTypeOperatorFunction<L0Event> {
  // a veto that throws or rejects still vetoes, and says why: one warning per operator, as for the library's other callbacks
  const vetoFailed = warnOnce('l0-rx retryWithBackoff: `shouldRetry` threw or rejected (a veto: no retry)');
  return (source) => new Observable<L0Event>((subscriber) => new RetryRun(source, subscriber, cfg, vetoFailed).start());
}

/** The per-subscription state machine of {@link retryWithBackoff}: the loop is also the teardown. */
class RetryRun extends AttemptLoop {
  private attempt = 0;
  private budgets = FRESH_BUDGETS;
  /** Every attempt's error, oldest first (made at the first failure). */
  private errors: unknown[] | undefined = undefined;
  private fallbackIndex: number;

  constructor(
    private readonly source: Observable<L0Event>,
    subscriber: Subscriber<L0Event>,
    private readonly cfg: ResolvedRetryConfig,
    private readonly vetoFailed: (cause: unknown) => void,
  ) {
    super(subscriber, 'retryWithBackoff'); // reads the run of the context handed, still in the slot
    const outer = takeAttemptContext(true);
    this.checkpoint = outer?.checkpoint;
    this.fallbackIndex = outer?.fallbackIndex ?? 0;
    // nested in another loop's attempt n (an l0() run raced inside a retried race), its first attempt is that attempt n
    this.attempt = (outer?.attempt ?? 1) - 1;
  }

  /**
   * A nested loop's retries or fallbacks went through: the next attempt is numbered after the last
   * one the consumer saw (attempt n + 1 of the stream a nested fallback loop moved to).
   */
  protected override started(e: StartEvent): void {
    if (e.fallbackIndex > this.fallbackIndex || (e.fallbackIndex === this.fallbackIndex && e.attempt > this.attempt)) {
      this.fallbackIndex = e.fallbackIndex;
      this.attempt = e.attempt;
    }
  }

  start(): this {
    this.attempt += 1;
    const { checkpoint, attempt, fallbackIndex } = this;
    this.subscribe(this.source, checkpoint === undefined ? { attempt, fallbackIndex } : { attempt, fallbackIndex, checkpoint });
    return this;
  }

  protected failed(raw: unknown): void {
    const { cfg, subscriber, attempt, fallbackIndex } = this;
    const now = cfg.scheduler.now();
    const failed = asL0Error(raw).withRunInfo({ attempt, fallbackIndex });
    const errors = (this.errors ??= []);
    errors.push(failed);
    // what ends the run, or announces the next attempt, carries the attempt's held-back output on (a budget after the loop counts it)
    const giveUp = (): void => subscriber.error(passHeldOutput(raw, failed.withRunInfo({ attemptErrors: errors })));
    const c = classifyL0Error(failed, now);
    const verdict = retryVerdict(c, this.budgets, cfg);
    if (!verdict.retry) return giveUp();
    // a callback's failure (a throwing calculateDelay, a veto that never settles) ends the run, typed
    const fail = (e: unknown): void => subscriber.error(passHeldOutput(raw, asL0Error(e).withRunInfo({ attempt, fallbackIndex, attemptErrors: errors })));
    const retry = (): void => {
      // a budget() in the attempt knows it refuses the next one: the run ends now, not after the wait (with its error, or complete);
      // the error is the next attempt's, as when that attempt was refused, and carries this one's held output on
      const refused = refusedAfter(this.holder);
      if (refused instanceof Error) return this.attempt++, this.failed(passHeldOutput(raw, refused));
      let delayMs = 0;
      try {
        if (!refused) delayMs = retryDelay({ classification: c, attempt, error: failed, retryAfterMs: verdict.retryAfterMs }, this.budgets, cfg);
      } catch (callbackError) {
        return fail(callbackError);
      }
      this.budgets = spendRetry(this.budgets, verdict.countsTowardAttempts, delayMs);
      const error = serializeError(failed);
      subscriber.next(passHeldOutput<L0Event>(raw, { type: 'retry', attempt, delayMs, error, reason: c.reason, countsTowardAttempts: verdict.countsTowardAttempts }));
      if (subscriber.closed) return;
      if (refused) this.start();
      else this.run(() => timer(delayMs, cfg.scheduler).subscribe(() => this.start()));
    };
    if (!cfg.shouldRetry) return retry();
    const ctx: ShouldRetryContext = Object.freeze({
      attempt,
      category: c.category,
      reason: c.reason,
      retriesLeft: cfg.maxRetries - this.budgets.retries,
    });
    let ok: boolean | Promise<boolean>;
    try {
      ok = cfg.shouldRetry(failed, ctx);
    } catch (e) {
      this.vetoFailed(e);
      return giveUp();
    }
    if (!isPromiseLike(ok)) return ok ? retry() : giveUp();
    // awaited as long as this policy waits before a retry at most: a promise that never settles must not hold the run
    const wait = Math.max(cfg.maxRetryAfter, cfg.maxDelay);
    this.run(() => {
      // the clock's end drops a verdict still to come; a verdict stops the clock
      const waiting = new Subscription();
      const verdict = (yes: boolean): void => {
        waiting.unsubscribe();
        if (yes) retry();
        else giveUp();
      };
      waiting.add(from(ok).subscribe({ next: verdict, error: (e: unknown) => (this.vetoFailed(e), verdict(false)) }));
      // the clock starts after the promise's own reactions (queued first): a virtual scheduler's flush runs
      // every action at once, and a clock armed in it would beat a promise that settles on its own
      void Promise.resolve().then(() => waiting.closed || waiting.add(timer(wait, cfg.scheduler).subscribe(() => fail(new Error(`retryWithBackoff({shouldRetry}) did not settle within ${wait} ms`)))));
      return waiting;
    });
  }
}
