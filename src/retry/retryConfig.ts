import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { ErrorCategory } from '../errors/L0Error.js';
import { ERROR_CATEGORIES, ERROR_REASONS, type ErrorReason } from '../errors/errorReason.js';
import { BACKOFF_KINDS, type BackoffKind } from './backoff.js';
import { closestName } from '../internal/closestName.js';
import { checkBag, checkKeys, describeOption, isSchedulerLike, optionError, optionKeys, optionLabel, optionPath, type OptionPath } from '../internal/options.js';
import { checkTimerDelay } from '../internal/timerDelay.js';

export type { BackoffKind } from './backoff.js';

/** The named retry configurations of L0: see {@link RETRY_PRESETS}. */
export type RetryPresetName = 'minimal' | 'recommended' | 'strict' | 'exponential';

/** An entry of `retryOn`: an {@link ErrorCategory} (`'network'`) or an {@link ErrorReason} (`'zero_output'`). */
export type RetryOnItem = ErrorCategory | ErrorReason;


/** What `shouldRetry` is told about the retry it may veto. Frozen. */
export interface ShouldRetryContext {
  /** The attempt that failed (1-based), as the events number it (a nested loop continues the run's numbers). */
  readonly attempt: number;
  readonly category: ErrorCategory;
  readonly reason: ErrorReason;
  /** Retries still allowed by `maxRetries`, counting this one. */
  readonly retriesLeft: number;
}

/** What `calculateDelay` is told. Frozen. */
export interface RetryDelayContext {
  /** The attempt that failed (1-based), as the events number it; the retry will be attempt `attempt + 1`. */
  readonly attempt: number;
  /** The most attempts the budget allows: `1 + maxRetries` (a nested loop's `attempt` continues the run's numbers, so it can be larger). */
  readonly totalAttempts: number;
  readonly category: ErrorCategory;
  readonly reason: ErrorReason;
  readonly error: unknown;
  /** The delay the configured `backoff` computed, in ms. */
  readonly defaultDelay: number;
}

/** Options of {@link retryWithBackoff}. All optional; see {@link RETRY_WITH_BACKOFF_DEFAULTS}. */
export interface RetryWithBackoffConfig {
  /** Retries allowed for content failures (zero output, guardrail, drift, schema) and unknown errors. @default 3 */
  readonly attempts?: number;
  /** Absolute cap on retries of any kind, for one subscription. @default 6, or `attempts` when that is larger */
  readonly maxRetries?: number;
  /** How the wait grows. @default 'fixed-jitter' */
  readonly backoff?: BackoffKind;
  /** First/base wait in ms, at most `maxDelay` (the default is lowered to a `maxDelay` below it). @default 1000 */
  readonly baseDelay?: number;
  /**
   * Cap on computed waits in ms (a server's Retry-After may exceed it), at least `baseDelay` and at
   * most 2147483647 (2^31 - 1, about 24.8 days: a timer fires a longer delay at once). @default 10000
   */
  readonly maxDelay?: number;
  /**
   * Categories or reasons that may be retried. Auth, bad-request, abort and non-retryable errors
   * (a fatal guardrail, a TLS failure, any error whose `retryable` is `false`, of category `unknown`
   * too) are never retried even if listed. `unknown` failures (a factory or a stream that threw
   * something unclassified: an UnknownError, retryable) are retried through the `attempts`
   * budget; leave `'unknown'` out to fail on them at once.
   * @default ['network', 'rate-limit', 'server', 'timeout', 'content', 'unknown']
   */
  readonly retryOn?: readonly RetryOnItem[];
  /**
   * A veto, consulted last, only for a retry that would otherwise happen. A falsy result, a throw or a
   * rejected promise vetoes (a throw or rejection is also warned about with its error, once per
   * operator, through `console.warn`). A promise is awaited (and dropped if the subscriber unsubscribes) for
   * `maxRetryAfter` ms, or `maxDelay` when longer (on `scheduler`): one that has not settled by then
   * ends the run with an UnknownError whose cause names `shouldRetry` (a promise that never settles
   * would hang the run).
   * @default undefined (no veto)
   */
  readonly shouldRetry?: (error: unknown, ctx: ShouldRetryContext) => boolean | Promise<boolean>;
  /**
   * Overrides the computed delay: a finite number >= 0 is used as is, up to 2147483647 ms (a
   * longer one waits that long, the longest a timer can); anything else (such as `undefined`)
   * keeps `defaultDelay`, except a promise: it is called synchronously, so an async one ends the run
   * with a TypeError naming it (only `shouldRetry` may be async). Not called when a Retry-After is honoured.
   * @default undefined
   */
  readonly calculateDelay?: (ctx: RetryDelayContext) => number | undefined;
  /** Wait exactly the server's Retry-After (no jitter, may exceed `maxDelay`). @default true */
  readonly respectRetryAfter?: boolean;
  /**
   * A Retry-After longer than this (ms) is not waited for: the error is rethrown (a fallback takes
   * it). At most 2147483647 (about 24.8 days), so an honoured Retry-After always fits a timer. @default 60000
   */
  readonly maxRetryAfter?: number;
  /** Where the waits are scheduled. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /**
   * Uniform random numbers in [0, 1) for jitter; a result outside that range (NaN, 1, a string) ends the
   * run with a TypeError naming `random`, as a throwing `calculateDelay` does. @default crypto.getRandomValues based
   */
  readonly random?: () => number;
}

type Defaults = Required<Omit<RetryWithBackoffConfig, 'scheduler' | 'random' | 'shouldRetry' | 'calculateDelay'>>;

/**
 * The defaults of {@link retryWithBackoff}: L0's documented ones.
 * @example
 * import { RETRY_WITH_BACKOFF_DEFAULTS } from 'l0-rx';
 * console.log(RETRY_WITH_BACKOFF_DEFAULTS.maxRetries); // 6
 */
export const RETRY_WITH_BACKOFF_DEFAULTS: Readonly<Defaults> = /*#__PURE__*/ Object.freeze({
  attempts: 3,
  maxRetries: 6,
  backoff: 'fixed-jitter',
  baseDelay: 1000,
  maxDelay: 10000,
  retryOn: Object.freeze(['network', 'rate-limit', 'server', 'timeout', 'content', 'unknown'] as const),
  respectRetryAfter: true,
  maxRetryAfter: 60000,
});

/**
 * L0's retry presets, by name; every other option keeps its default (base 1000 ms, max 10000 ms):
 *
 * | preset | attempts | maxRetries | backoff |
 * |---|---|---|---|
 * | `minimal` | 2 | 4 | `linear` |
 * | `recommended` | 3 | 6 | `fixed-jitter` (the defaults) |
 * | `strict` | 3 | 6 | `full-jitter` |
 * | `exponential` | 4 | 8 | `exponential` |
 *
 * @example
 * import { retryWithBackoff, RETRY_PRESETS } from 'l0-rx';
 * events$.pipe(retryWithBackoff({ ...RETRY_PRESETS.exponential, maxDelay: 30_000 }));
 */
export const RETRY_PRESETS: Readonly<Record<RetryPresetName, Readonly<RetryWithBackoffConfig>>> = /*#__PURE__*/ Object.freeze({
  minimal: Object.freeze({ attempts: 2, maxRetries: 4, backoff: 'linear' }),
  recommended: Object.freeze({ attempts: 3, maxRetries: 6, backoff: 'fixed-jitter' }),
  strict: Object.freeze({ attempts: 3, maxRetries: 6, backoff: 'full-jitter' }),
  exponential: Object.freeze({ attempts: 4, maxRetries: 8, backoff: 'exponential' }),
});

/** A config with every default applied. Internal. */
export interface ResolvedRetryConfig extends Readonly<Defaults> {
  readonly retryOn: readonly RetryOnItem[];
  readonly shouldRetry: RetryWithBackoffConfig['shouldRetry'];
  readonly calculateDelay: RetryWithBackoffConfig['calculateDelay'];
  readonly scheduler: SchedulerLike;
  readonly random: () => number;
}

/** @internal The library's default uniform draw in [0, 1) (crypto-based); injectFaults reuses it. */
export const defaultRandom = (): number => crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32;
const ROOT = /*#__PURE__*/ optionPath('retryWithBackoff');
const list = (items: readonly string[]): string => items.map((s) => `'${s}'`).join(', ');
/** ` (did you mean 'x'?)` for a string a typo away from one of `names` (see {@link closestName}), else ''. */
const didYouMean = (value: unknown, names: readonly string[]): string => {
  const guess = typeof value === 'string' ? closestName(value, names) : undefined;
  return guess ? ` (did you mean '${guess}'?)` : '';
};

/** Every key of {@link RetryWithBackoffConfig}. @internal */
export const RETRY_WITH_BACKOFF_KEYS = /*#__PURE__*/ optionKeys<RetryWithBackoffConfig>()([
  'attempts', 'maxRetries', 'backoff', 'baseDelay', 'maxDelay', 'retryOn', 'shouldRetry', 'calculateDelay',
  'respectRetryAfter', 'maxRetryAfter', 'scheduler', 'random',
]);

/**
 * Applies the defaults to a count, a preset name or a config, and validates it eagerly. `where`
 * names the config in messages (the l0 preset passes `l0({retry})`).
 * @throws TypeError naming the option, for an unknown key (with the closest valid one), a negative
 * or fractional count, a negative or non-finite delay, a delay above 2147483647 ms (the longest a
 * timer waits), a `baseDelay` above `maxDelay` (naming both values), an unknown preset, backoff or
 * `retryOn` entry (with the closest valid one, when one is close), or a callback that is not a function.
 * @internal
 */
export function resolveRetryConfig(
  config: number | RetryPresetName | RetryWithBackoffConfig | undefined,
  where: OptionPath = ROOT,
  inherited: { readonly scheduler?: SchedulerLike; readonly random?: () => number } = {},
): ResolvedRetryConfig {
  // the defaults, a count or a preset name on the default scheduler resolve to the same frozen config every time (l0() resolves one per call)
  const memo = inherited.scheduler === undefined && inherited.random === undefined && typeof config !== 'object';
  const known = memo ? RESOLVED.get(config) : undefined;
  if (known) return known;
  const resolved = resolveFresh(config, where, inherited);
  if (memo && RESOLVED.size < 64) RESOLVED.set(config, resolved);
  return resolved;
}

/** Resolved configs of `undefined`, counts and preset names with no inherited scheduler or random (at most 64). */
const RESOLVED = /*#__PURE__*/ new Map<number | string | undefined, ResolvedRetryConfig>();

function resolveFresh(
  config: number | RetryPresetName | RetryWithBackoffConfig | undefined,
  where: OptionPath,
  inherited: { readonly scheduler?: SchedulerLike; readonly random?: () => number },
): ResolvedRetryConfig {
  let c: RetryWithBackoffConfig;
  if (config === undefined) c = {};
  else if (typeof config === 'number') c = { attempts: config };
  else if (typeof config === 'string') {
    if (!Object.hasOwn(RETRY_PRESETS, config)) {
      const presets = Object.keys(RETRY_PRESETS);
      throw new TypeError(`${where.self}: unknown preset ${describeOption(config)}${didYouMean(config, presets)}; the presets are ${list(presets)}`);
    }
    c = RETRY_PRESETS[config];
  } else {
    checkBag(where, config, 'a number, a preset name or an object');
    checkKeys(where, config, RETRY_WITH_BACKOFF_KEYS);
    c = config;
  }

  const d: Readonly<Record<string, unknown>> = { ...RETRY_WITH_BACKOFF_DEFAULTS, scheduler: inherited.scheduler ?? asyncScheduler };
  // `undefined` is "not given"; `null` is a value, checked like any other (as l0's own options are)
  const backoff = c.backoff === undefined ? RETRY_WITH_BACKOFF_DEFAULTS.backoff : c.backoff;
  if (!BACKOFF_KINDS.includes(backoff)) {
    throw new TypeError(`${optionLabel(where, 'backoff')}: unknown backoff ${describeOption(backoff)}${didYouMean(backoff, BACKOFF_KINDS)}; expected one of ${list(BACKOFF_KINDS)}`);
  }
  const retryOn = c.retryOn === undefined ? RETRY_WITH_BACKOFF_DEFAULTS.retryOn : c.retryOn;
  if (!Array.isArray(retryOn)) throw optionError(where, 'retryOn', 'an array', retryOn);
  for (const item of retryOn) {
    if (!ERROR_CATEGORIES.has(item) && !ERROR_REASONS.has(item)) {
      const names = [...ERROR_CATEGORIES, ...ERROR_REASONS] as string[];
      throw new TypeError(`${optionLabel(where, 'retryOn')} has unknown entry ${describeOption(item)}${didYouMean(item, names)}; expected categories or reasons such as ${list([...RETRY_WITH_BACKOFF_DEFAULTS.retryOn, 'zero_output'])}`);
    }
  }
  const resolved: Record<string, unknown> = { backoff, retryOn: Object.freeze([...retryOn]) };
  for (const [key, [ok, what, timed]] of Object.entries(CHECKS)) {
    const given = (c as Readonly<Record<string, unknown>>)[key];
    const value = given === undefined ? d[key] : given;
    if (!ok(value)) throw optionError(where, key, what, value);
    if (timed) checkTimerDelay(where, key, value as number);
    resolved[key] = value;
  }
  const [base, max] = [resolved['baseDelay'] as number, resolved['maxDelay'] as number];
  if (base > max) {
    // `maxDelay: 500` alone caps every wait, the default base included; a base given above the cap contradicts it,
    // named as the user wrote it: the option they gave (maxDelay when both), with the other one's value
    if (c.baseDelay === undefined) resolved['baseDelay'] = max;
    else throw c.maxDelay === undefined ? optionError(where, 'baseDelay', `at most maxDelay (${max})`, base) : optionError(where, 'maxDelay', `at least baseDelay (${base})`, max);
  }
  // `attempts: 10` alone asks for 10 content retries: the default cap is raised to it (as a `maxDelay` given alone lowers the
  // default base), where it would have cut them at 6 without a word; a `maxRetries` given below `attempts` is a cap kept as given
  if (c.maxRetries === undefined && (resolved['attempts'] as number) > (resolved['maxRetries'] as number)) resolved['maxRetries'] = resolved['attempts'];
  resolved['random'] ??= inherited.random ?? defaultRandom;
  return Object.freeze(resolved) as unknown as ResolvedRetryConfig;
}

/** A test of an option's value, what the message says it must be, and whether a timer waits it (see {@link checkTimerDelay}). */
type Check = readonly [ok: (value: unknown) => boolean, what: string, timed?: boolean];
const COUNT: Check = [(v) => Number.isInteger(v) && (v as number) >= 0, 'a non-negative integer'];
const DELAY: Check = [(v) => Number.isFinite(v) && (v as number) >= 0, 'a finite number of ms >= 0', true];
const FUNCTION: Check = [(v) => v === undefined || typeof v === 'function', 'a function'];

/** Every option but `backoff` and `retryOn` (checked above with their own messages), in checking order. */
const CHECKS: Readonly<Record<Exclude<keyof RetryWithBackoffConfig, 'backoff' | 'retryOn'>, Check>> = {
  attempts: COUNT,
  maxRetries: COUNT,
  baseDelay: DELAY,
  maxDelay: DELAY,
  respectRetryAfter: [(v) => typeof v === 'boolean', 'a boolean'],
  maxRetryAfter: DELAY,
  shouldRetry: FUNCTION,
  calculateDelay: FUNCTION,
  scheduler: [isSchedulerLike, 'a SchedulerLike'],
  random: FUNCTION,
};
