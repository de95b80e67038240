/* The retry decision as pure functions of the classification, the budgets used so far and the config. */
import type { ErrorClassification } from '../errors/classifyError.js';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import { clampTimerDelay } from '../internal/timerDelay.js';
import { computeDelay } from './backoff.js';
import type { ResolvedRetryConfig } from './retryConfig.js';

/** What one subscription of retryWithBackoff has used so far. */
export interface RetryBudgets {
  /** Retries of any kind so far, against `maxRetries`. */
  readonly retries: number;
  /** Retries that counted toward `attempts` (content and unknown failures). */
  readonly countedRetries: number;
  /** The last delay waited, for `decorrelated-jitter`. */
  readonly previousDelay: number | undefined;
}

/** Why a failure is not retried. */
export type GiveUpReason =
  | 'never-retried' // auth, bad-request, abort: retrying cannot help
  | 'not-in-retry-on' // neither the category nor the reason is listed in `retryOn`
  | 'not-retryable' // the error says a retry cannot succeed (a fatal guardrail, TLS, quota, an error of any category marked so)
  | 'max-retries' // `maxRetries` retries were made
  | 'attempts' // a content/unknown failure and `attempts` such retries were made
  | 'retry-after-too-long'; // the server asks for a wait longer than `maxRetryAfter`

/** The verdict before the veto: give up (and why), or retry (with the server's delay if honoured). */
export type RetryVerdict =
  | { readonly retry: false; readonly why: GiveUpReason }
  | { readonly retry: true; readonly countsTowardAttempts: boolean; readonly retryAfterMs: number | undefined };

/**
 * Whether a failure may be retried, in this order: never-retried categories; `retryOn` (category
 * or reason); `retryable`, whatever the category (an UnknownError is retryable; an error marked
 * `false` is not); `maxRetries`; `attempts` for failures that count toward it; a Retry-After above
 * `maxRetryAfter`. Pure.
 */
export function retryVerdict(
  c: ErrorClassification,
  budgets: RetryBudgets,
  cfg: Pick<ResolvedRetryConfig, 'retryOn' | 'maxRetries' | 'attempts' | 'respectRetryAfter' | 'maxRetryAfter'>,
): RetryVerdict {
  const { category, reason, countsTowardAttempts } = c;
  const retryAfterMs = cfg.respectRetryAfter ? c.retryAfterMs : undefined;
  const why: GiveUpReason | undefined =
    category === 'auth' || category === 'bad-request' || category === 'abort' ? 'never-retried'
    : !cfg.retryOn.includes(category) && !cfg.retryOn.includes(reason) ? 'not-in-retry-on'
    : !c.retryable ? 'not-retryable'
    : budgets.retries >= cfg.maxRetries ? 'max-retries'
    : countsTowardAttempts && budgets.countedRetries >= cfg.attempts ? 'attempts'
    : retryAfterMs !== undefined && retryAfterMs > cfg.maxRetryAfter ? 'retry-after-too-long'
    : undefined;
  return why ? { retry: false, why } : { retry: true, countsTowardAttempts, retryAfterMs };
}

/** What {@link retryDelay} needs to know about the failure. */
export interface RetryDelayInput {
  readonly classification: ErrorClassification;
  /** The attempt that failed (1-based). */
  readonly attempt: number;
  readonly error: unknown;
  /** The server's delay, when honoured ({@link RetryVerdict}'s `retryAfterMs`). */
  readonly retryAfterMs: number | undefined;
}

/**
 * The wait before the retry, in ms: the server's Retry-After as given when honoured; else the
 * `backoff` for the retry's 0-based index over all retries; then `calculateDelay` may override it
 * with a finite number >= 0 (anything else keeps the computed one, but a promise, which would never
 * be awaited, is a TypeError). Whatever its source, the wait is at most 2147483647 ms, the longest a
 * timer holds (a longer one would fire at once). Pure, apart from calling the user's `calculateDelay`,
 * whose throw propagates.
 */
export function retryDelay(
  input: RetryDelayInput,
  budgets: RetryBudgets,
  cfg: Pick<ResolvedRetryConfig, 'backoff' | 'baseDelay' | 'maxDelay' | 'random' | 'calculateDelay' | 'maxRetries'>,
): number {
  if (input.retryAfterMs !== undefined) return clampTimerDelay(input.retryAfterMs);
  const defaultDelay = computeDelay(cfg.backoff, budgets.retries, { ...cfg, previousDelay: budgets.previousDelay });
  if (!cfg.calculateDelay) return defaultDelay;
  const custom = cfg.calculateDelay(
    Object.freeze({
      attempt: input.attempt,
      totalAttempts: 1 + cfg.maxRetries,
      category: input.classification.category,
      reason: input.classification.reason,
      error: input.error,
      defaultDelay,
    }),
  );
  if (isPromiseLike(custom)) {
    custom.then(undefined, () => {}); // its rejection is not unhandled: the TypeError below says what went wrong
    throw new TypeError('retryWithBackoff({calculateDelay}) must return a number, got a promise (only shouldRetry may be async)');
  }
  return typeof custom === 'number' && Number.isFinite(custom) && custom >= 0 ? clampTimerDelay(custom) : defaultDelay;
}

/** The budgets after a retry was made. */
export function spendRetry(budgets: RetryBudgets, countsTowardAttempts: boolean, delayMs: number): RetryBudgets {
  return {
    retries: budgets.retries + 1,
    countedRetries: budgets.countedRetries + (countsTowardAttempts ? 1 : 0),
    previousDelay: delayMs,
  };
}

/** Nothing used yet. */
export const FRESH_BUDGETS: RetryBudgets = /*#__PURE__*/ Object.freeze({ retries: 0, countedRetries: 0, previousDelay: undefined });
