import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { isAllStreamsExhaustedError } from '../errors/AllStreamsExhaustedError.js';
import type { ErrorClassification } from '../errors/classifyError.js';
import { checkBag, checkKeys, isSchedulerLike, optionError, optionKeys, optionPath } from '../internal/options.js';
import { checkTimerDelay } from '../internal/timerDelay.js';
import type { BreakerRules } from './breakerState.js';
import { memoryBreakerStore, type BreakerStore } from './breakerStore.js';
import { isCircuitOpenError } from './CircuitOpenError.js';
import { CircuitBreaker, type BreakerStateChange } from './breakerInstance.js';

/** Options of {@link createCircuitBreaker}. */
export interface CircuitBreakerConfig {
  /** The breaker's name in the store: one per model (`'openai:gpt-4o'`). Required. */
  readonly key: string;
  /** Consecutive counted failures that open the breaker; 0 turns this trigger off (only with `failureRatio` set: alone, a TypeError). @default 5 */
  readonly failureThreshold?: number;
  /**
   * Share of counted failures in the window that opens it, in (0, 1]; checked when a counted failure
   * is recorded (a success only lowers the share: it never opens the breaker, not even when it brings
   * the window to `minimumThroughput` with the share already reached). @default undefined (off)
   */
  readonly failureRatio?: number;
  /** Calls in the window before `failureRatio` applies. @default 10 */
  readonly minimumThroughput?: number;
  /** The failure-ratio window (tumbling), in ms. @default 60000 */
  readonly windowMs?: number;
  /** How long it stays open before letting probes through (half-open), in ms. @default 30000 */
  readonly resetTimeout?: number;
  /**
   * Probes at once while half-open. A slot is held for at most `resetTimeout` from the last probe let
   * through: then it is given back, so a probe whose end was never recorded (its server crashed, a
   * store write failed) cannot hold the breaker half-open, failing every call, for good; a slow probe
   * that ends later still counts (and frees no slot: its own was given back, and one taken since is
   * not its to free). The lease is read on each server's clock: one running ahead of the server
   * that let the probe in sees it end that much early (keep clocks in step within `resetTimeout`). @default 1
   */
  readonly halfOpenMaxProbes?: number;
  /** Successful probes that close it again. @default 1 */
  readonly successThreshold?: number;
  /**
   * Which errors count as failures (a throw, or a value that is not a boolean, counts the call as a
   * failure; the call still fails with its own error). May be async: its promise is awaited up to
   * `storeTimeout` (the call's end waits for it), and a rejection, or no answer by then, counts the
   * call as a failure. @default provider health only: network, server, timeout and rate-limit categories
   * (never a 400, context length, auth, content or abort, nor another breaker's `CircuitOpenError`:
   * no request was made; nor an `AllStreamsExhaustedError` that ends with one, as its category is
   * its last error's)
   */
  readonly isFailure?: (error: unknown, classification: ErrorClassification) => boolean | PromiseLike<boolean>;
  /** Where the state lives. @default memoryBreakerStore() (this breaker only) */
  readonly store?: BreakerStore;
  /**
   * How long a store answer is waited for, in ms of `scheduler` time; past it the breaker acts as on
   * a store that fails (a call is let through, a call's end is not held back) and applies the answer
   * when it comes (a probe slot it took is given back). A store that hangs (a Redis client queueing
   * commands while it reconnects) never holds a call. An async `isFailure` is waited for as long:
   * past it the call counts as failed, and its answer, when it comes, is ignored. `state()` errors
   * past it (`BREAKER_STORE_TIMEOUT`), as it does with the error of a store that fails. `Infinity` waits
   * forever; a finite one is at most 2147483647 (about 24.8 days, the longest a timer waits). Each
   * clock starts a microtask after its store call (or `isFailure` call), once the promise had its
   * own reactions, as the event log's `storeTimeout`: a virtual flush (`TestScheduler.run`) never
   * beats a real store's answer, so a test flushes (or awaits) again to see a bound pass. @default 1000
   */
  readonly storeTimeout?: number;
  /**
   * Time source (`resetTimeout`, the window). A `now()` that reads no finite number (NaN) is a
   * TypeError naming it, handled as a store that fails: the call is let through, nothing is
   * written, and `state()` errors with it. @default asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
  /** Called on every state change this process sees. A throw is ignored, and so is the rejection of the promise an async one returns. @default undefined */
  readonly onStateChange?: (change: BreakerStateChange) => void;
}

const HEALTH: ReadonlySet<string> = /*#__PURE__*/ new Set(['network', 'server', 'timeout', 'rate-limit']);
/** The error an AllStreamsExhaustedError ends with (its category is that one's), however nested: a chain whose last stream's breaker was open made no last request. */
const lastOf = (e: unknown): unknown => (isAllStreamsExhaustedError(e) ? lastOf(e.errors[e.errors.length - 1]) : e);
const KEYS = /*#__PURE__*/ optionKeys<CircuitBreakerConfig>()([
  'key', 'failureThreshold', 'failureRatio', 'minimumThroughput', 'windowMs', 'resetTimeout', 'halfOpenMaxProbes', 'successThreshold', 'isFailure', 'store', 'storeTimeout', 'scheduler', 'onStateChange',
]);
const PATH = /*#__PURE__*/ optionPath('createCircuitBreaker');


/**
 * Creates a circuit breaker for one model key. Share it: every call piped through
 * `circuitBreaker(breaker)` counts towards the same state.
 *
 *   closed --(failureThreshold failures, or failureRatio over minimumThroughput)--> open
 *   open --(resetTimeout)--> half-open --(successThreshold probes succeed)--> closed
 *                            half-open --(a probe fails)--> open
 *
 * @example
 * import { createCircuitBreaker } from 'l0-rx';
 * const gpt = createCircuitBreaker({ key: 'gpt-4o', failureThreshold: 3, resetTimeout: 10_000 });
 * gpt.stateChanges.subscribe((c) => console.log(`${c.key}: ${c.from} -> ${c.to}`));
 * @see {@link circuitBreaker}
 * @param config See {@link CircuitBreakerConfig}.
 */
export function createCircuitBreaker(config: CircuitBreakerConfig): CircuitBreaker {
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { key, failureThreshold = 5, failureRatio, minimumThroughput = 10, windowMs = 60_000, resetTimeout = 30_000, halfOpenMaxProbes = 1, successThreshold = 1 } = config;
  const { isFailure = (e: unknown, c: ErrorClassification) => HEALTH.has(c.category) && !isCircuitOpenError(lastOf(e)), store = memoryBreakerStore(), storeTimeout = 1000, scheduler = asyncScheduler, onStateChange } = config;
  if (typeof key !== 'string' || key === '') throw optionError(PATH, 'key', 'a non-empty string', key);
  const ints = { failureThreshold, minimumThroughput, halfOpenMaxProbes, successThreshold } as const;
  for (const [name, v] of Object.entries(ints)) {
    if (!Number.isInteger(v) || v < (name === 'failureThreshold' ? 0 : 1)) throw optionError(PATH, name, `an integer >= ${name === 'failureThreshold' ? 0 : 1}`, v);
  }
  for (const [name, v] of Object.entries({ windowMs, resetTimeout })) {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw optionError(PATH, name, 'a finite number of ms > 0', v);
  }
  if (failureRatio !== undefined && !(typeof failureRatio === 'number' && failureRatio > 0 && failureRatio <= 1)) throw optionError(PATH, 'failureRatio', 'a number in (0, 1]', failureRatio);
  if (failureThreshold === 0 && failureRatio === undefined) throw optionError(PATH, 'failureThreshold', 'above 0 when failureRatio is not set (nothing would open the breaker)', failureThreshold);
  // `update` is optional; one that is not a function would fail every round as a store that is down, and the breaker never open
  if (typeof store?.get !== 'function' || typeof store.set !== 'function' || typeof (store.update ?? store.set) !== 'function') throw optionError(PATH, 'store', 'a BreakerStore ({get, set, update?})', store);
  if (typeof storeTimeout !== 'number' || !(storeTimeout > 0)) throw optionError(PATH, 'storeTimeout', 'a number of ms > 0 (Infinity: wait for the store forever)', storeTimeout);
  checkTimerDelay(PATH, 'storeTimeout', storeTimeout);
  if (!isSchedulerLike(scheduler)) throw optionError(PATH, 'scheduler', 'a SchedulerLike', scheduler);
  for (const [name, fn] of Object.entries({ isFailure, onStateChange })) {
    if (fn !== undefined && typeof fn !== 'function') throw optionError(PATH, name, 'a function', fn);
  }
  const rules: BreakerRules = { failureThreshold, failureRatio, minimumThroughput, windowMs, resetTimeout, halfOpenMaxProbes, successThreshold };
  return new CircuitBreaker(key, rules, { store, scheduler, storeTimeout, isFailure, ...(onStateChange ? { onStateChange } : {}) });
}
