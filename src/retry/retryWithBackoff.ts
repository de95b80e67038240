import { from, identity, Observable, timer, type MonoTypeOperatorFunction, type Subscriber, type Subscription } from 'rxjs';
import { classifyError, type ErrorClassification } from '../errors/classifyError.js';
import { isL0Error } from '../errors/L0Error.js';
import { serializeError, type SerializedError } from '../errors/serializeError.js';
import type { L0Event } from '../events/eventTypes.js';
import { subscribeWithContext, takeAttemptContext } from '../internal/attemptContext.js';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import { computeDelay } from './backoff.js';
import {
  resolveRetryConfig,
  type ResolvedRetryConfig,
  type RetryPresetName,
  type RetryWithBackoffConfig,
  type ShouldRetryContext,
} from './retryConfig.js';

/** Never retried, whatever `retryOn` says. */
const NEVER_RETRIED: ReadonlySet<string> = new Set(['auth', 'bad-request', 'abort']);

/**
 * Resubscribes the source after a retryable failure, waiting a backoff, and tells the consumer
 * with a `retry` event (discard the failed attempt's output).
 *
 *   --a--#                  source, attempt 1 (#: a network error)
 *          --b--|           source, attempt 2
 *   --a--r---b--|           retryWithBackoff({ backoff: 'fixed', baseDelay: 2 })   (r: retry{attempt: 1, delayMs: 2})
 *
 * Per subscription:
 * 1. Takes the enclosing attempt context (the `fallbackIndex` and `checkpoint` a fallbackTo hands
 *    down) and subscribes the source as attempt 1 with it; the source (fromStream) reads it.
 * 2. Remembers the latest checkpoint seen (`checkpoint.content`, `resume.checkpoint`) and hands it
 *    to the next attempt, which is how continuation resumes.
 * 3. On an error: classifies it ({@link classifyError}) and stamps `attempt`/`fallbackIndex` on an
 *    L0Error. It is rethrown when its category is `auth`, `bad-request` or `abort`; when neither its
 *    category nor its reason is in `retryOn`; when it is not retryable (a fatal guardrail, a TLS
 *    failure), except `unknown` errors when `retryOn` lists `'unknown'`; when `maxRetries` retries
 *    were made; when it counts toward attempts (content, unknown) and `attempts` such retries were
 *    made; when its Retry-After exceeds `maxRetryAfter` (a fallback takes it instead of waiting).
 * 4. Then `shouldRetry` may veto (a falsy result, a throw or a rejection vetoes; a promise is awaited).
 * 5. The delay is the Retry-After as given (with `respectRetryAfter`), else the `backoff` (0-based
 *    retry index over all retries), else what `calculateDelay` returns if it is a finite number >= 0.
 *    A throwing `calculateDelay` errors the stream with its error, as rxjs `retry({delay})` does.
 * 6. Emits `retry{attempt, delayMs, error, reason}`, then waits `timer(delayMs, scheduler)` (a delay
 *    of 0 still goes through the scheduler, so a retry is never a synchronous loop), then subscribes
 *    the source again as the next attempt. Unsubscribing during the wait cancels it.
 * 7. When it gives up, the last error itself is rethrown; an L0Error gets `attemptErrors` (every
 *    attempt's error, oldest first). Counters are never reset, so a flapping source cannot retry forever.
 *
 * `maxRetries: 0` or an empty `retryOn` returns `identity`. A number is the `attempts` shorthand
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
 * @throws TypeError for an invalid option, when called.
 */
export function retryWithBackoff(): MonoTypeOperatorFunction<L0Event>;
export function retryWithBackoff(attempts: number): MonoTypeOperatorFunction<L0Event>;
export function retryWithBackoff(preset: RetryPresetName): MonoTypeOperatorFunction<L0Event>;
export function retryWithBackoff(config: RetryWithBackoffConfig): MonoTypeOperatorFunction<L0Event>;
export function retryWithBackoff(config?: number | RetryPresetName | RetryWithBackoffConfig): MonoTypeOperatorFunction<L0Event> {
  const cfg = resolveRetryConfig(config);
  if (cfg.maxRetries === 0 || cfg.retryOn.length === 0) return identity;
  return (source) => new Observable<L0Event>((subscriber) => runAttempts(source, subscriber, cfg));
}

/** The per-subscription state machine of {@link retryWithBackoff}. Returns the teardown. */
function runAttempts(source: Observable<L0Event>, subscriber: Subscriber<L0Event>, cfg: ResolvedRetryConfig): () => void {
  const outer = takeAttemptContext();
  const fallbackIndex = outer?.fallbackIndex ?? 0;
  let checkpoint = outer?.checkpoint;
  let attempt = 0;
  let retries = 0; // every retry, against maxRetries
  let countedRetries = 0; // content / unknown retries, against attempts
  let previousDelay: number | undefined;
  const errors: unknown[] = [];
  let active: Subscription | undefined; // the running attempt, veto or wait
  let step = 0; // bumped by every new attempt, veto or wait

  /**
   * Starts a step and keeps its subscription for teardown. A synchronous error inside may already
   * have started a later step (which then owns `active`), and the consumer may have left during the
   * synchronous subscribe (teardown found nothing to cancel yet): then the step is cancelled here.
   */
  function startStep(begin: () => Subscription): void {
    const mine = ++step;
    const sub = begin();
    if (subscriber.closed) sub.unsubscribe();
    else if (step === mine) active = sub;
  }

  const observer = {
    next: (event: L0Event) => {
      if (event.type === 'checkpoint') checkpoint = event.content;
      else if (event.type === 'resume') checkpoint = event.checkpoint;
      subscriber.next(event);
    },
    error: (err: unknown) => onError(err),
    complete: () => subscriber.complete(),
  };

  function subscribeAttempt(): void {
    attempt += 1;
    const ctx = checkpoint === undefined ? { attempt, fallbackIndex } : { attempt, fallbackIndex, checkpoint };
    startStep(() => subscribeWithContext(source, observer, ctx));
  }

  function giveUp(err: unknown): void {
    if (isL0Error(err)) err.attemptErrors = Object.freeze([...errors]);
    subscriber.error(err);
  }

  function onError(err: unknown): void {
    const c = classifyError(err, { now: cfg.scheduler.now() });
    errors.push(err);
    if (isL0Error(err)) {
      err.attempt = attempt;
      err.fallbackIndex = fallbackIndex;
    }
    const retryAfter = cfg.respectRetryAfter ? c.retryAfterMs : undefined;
    if (!eligible(c) || (retryAfter !== undefined && retryAfter > cfg.maxRetryAfter)) return giveUp(err);
    if (!cfg.shouldRetry) return retry(err, c, retryAfter);
    const ctx: ShouldRetryContext = Object.freeze({
      attempt,
      category: c.category,
      reason: c.reason,
      retriesLeft: cfg.maxRetries - retries,
    });
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = cfg.shouldRetry(err, ctx);
    } catch {
      return giveUp(err);
    }
    if (!isPromiseLike(verdict)) return verdict ? retry(err, c, retryAfter) : giveUp(err);
    startStep(() =>
      from(verdict).subscribe({
        next: (ok) => (ok ? retry(err, c, retryAfter) : giveUp(err)),
        error: () => giveUp(err),
      }),
    );
  }

  function eligible(c: ErrorClassification): boolean {
    if (NEVER_RETRIED.has(c.category)) return false;
    if (!cfg.retryOn.includes(c.category as never) && !cfg.retryOn.includes(c.reason as never)) return false;
    if (!c.retryable && c.category !== 'unknown') return false;
    if (retries >= cfg.maxRetries) return false;
    return !c.countsTowardAttempts || countedRetries < cfg.attempts;
  }

  function retry(err: unknown, c: ErrorClassification, retryAfter: number | undefined): void {
    let delayMs: number;
    try {
      delayMs = retryAfter ?? backoffDelay(err, c);
    } catch (callbackError) {
      return subscriber.error(callbackError);
    }
    retries += 1;
    if (c.countsTowardAttempts) countedRetries += 1;
    previousDelay = delayMs;
    subscriber.next({ type: 'retry', attempt, delayMs, error: eventError(err, c), reason: c.reason });
    if (subscriber.closed) return;
    startStep(() => timer(delayMs, cfg.scheduler).subscribe(subscribeAttempt));
  }

  function backoffDelay(err: unknown, c: ErrorClassification): number {
    const params = { baseDelay: cfg.baseDelay, maxDelay: cfg.maxDelay, random: cfg.random, previousDelay };
    const defaultDelay = computeDelay(cfg.backoff, retries, params);
    if (!cfg.calculateDelay) return defaultDelay;
    const custom = cfg.calculateDelay(
      Object.freeze({
        attempt,
        totalAttempts: 1 + cfg.maxRetries,
        category: c.category,
        reason: c.reason,
        error: err,
        defaultDelay,
      }),
    );
    return typeof custom === 'number' && Number.isFinite(custom) && custom >= 0 ? custom : defaultDelay;
  }

  subscribeAttempt();
  return () => active?.unsubscribe();
}

/** The error as the `retry` event carries it: serialised, with its classification when it had none. */
function eventError(err: unknown, c: ErrorClassification): SerializedError {
  const plain = serializeError(err);
  if (plain.category !== undefined) return plain;
  const withCategory: SerializedError = { ...plain, category: c.category, reason: c.reason };
  if (plain.live !== undefined) Object.defineProperty(withCategory, 'live', { value: plain.live, enumerable: false });
  return withCategory;
}
