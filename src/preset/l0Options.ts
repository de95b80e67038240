import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import type { StreamAdapter } from '../sources/adapters/types.js';
import type { StreamContext, StreamFactory, StreamInput } from '../sources/fromStream.js';
import {
  resolveRetryConfig,
  RETRY_WITH_BACKOFF_DEFAULTS,
  type ResolvedRetryConfig,
  type RetryPresetName,
  type RetryWithBackoffConfig,
} from '../retry/retryConfig.js';
import type { WithTimeoutsConfig } from '../timeouts/withTimeouts.js';
import type { DeduplicateContinuationConfig } from '../continuation/deduplicateContinuation.js';
import type { LifecycleCallbacks } from '../lifecycle/tapLifecycle.js';

/** What an l0() stream factory receives: the attempt context plus the preset's extras. */
export interface L0StreamContext extends StreamContext {
  /** `options.context`, deep-cloned and frozen once per l0() call. */
  readonly context: Readonly<Record<string, unknown>>;
  /** `buildContinuationPrompt(checkpoint)` when this attempt resumes from a checkpoint. */
  readonly continuationPrompt?: string;
}
export type L0StreamFactory = (ctx: L0StreamContext) => StreamInput | Promise<StreamInput>;

/** A stream with a name: `start.model` of its attempts says which model the events came from. */
export interface L0NamedStream {
  readonly stream: L0StreamFactory;
  readonly model: string;
}

/** Options of {@link l0}; names follow L0's. Every field but `stream` is optional. */
export interface L0Options extends LifecycleCallbacks {
  /** The primary model: called once per attempt with `{signal, attempt, fallbackIndex, checkpoint?, ...}`. */
  readonly stream: L0StreamFactory;
  /** A name for the primary, reported as `start.model`. @default undefined */
  readonly model?: string;
  /**
   * Tried in order once the primary (with its own retries) fails. Each gets the same retry budget.
   * An entry may be `{ stream, model }` to name it (`start.model`). @default []
   */
  readonly fallbackStreams?: readonly (L0StreamFactory | L0NamedStream)[];
  /**
   * Operators applied to every attempt of every stream, after timeouts and continuation
   * de-duplication and before zero-output detection, checkpoints and retries: guardrails, drift
   * detection, structured-output validation. An error they raise fails the attempt and is retried
   * or falls back like any other. Each attempt subscribes them anew, so their state is per attempt.
   * @default []
   */
  readonly attemptOperators?: readonly MonoTypeOperatorFunction<L0Event>[];
  /**
   * Operators applied once to the whole run, after fallbacks and the abort signal and before the
   * lifecycle callbacks: recording, monitoring. They see every event of every attempt and the
   * run's final error. @default []
   */
  readonly runOperators?: readonly MonoTypeOperatorFunction<L0Event>[];
  /** Retry policy, a preset name, or a number of content retries. @default L0_DEFAULTS.retry */
  readonly retry?: number | RetryPresetName | RetryWithBackoffConfig | false;
  /** Timeouts in ms; `false` disables them. Missing fields take the defaults. @default {initialToken: 5000, interToken: 10000} */
  readonly timeout?: Omit<WithTimeoutsConfig, 'scheduler'> | false;
  /** Error with ZeroOutputError (retried) when a run completes with no meaningful output. @default true */
  readonly detectZeroTokens?: boolean;
  /** Resume a retry or fallback from the last checkpoint instead of starting over. @default false */
  readonly continueFromLastKnownGoodToken?: boolean;
  /** Tokens between checkpoints when continuation is on. @default 10 */
  readonly checkpointInterval?: number;
  /** Remove the overlap between a checkpoint and the resumed attempt's head. @default true */
  readonly deduplicateContinuation?: boolean | Omit<DeduplicateContinuationConfig, 'enabled'>;
  /** Builds the prompt suffix for a resumed attempt; the result is `ctx.continuationPrompt`. */
  readonly buildContinuationPrompt?: (checkpoint: string) => string;
  /** Aborting it ends the run with StreamAbortedError, without retry or fallback. */
  readonly signal?: AbortSignal;
  /** Request metadata handed (frozen) to every factory call as `ctx.context`. @default {} */
  readonly context?: Record<string, unknown>;
  /** Custom stream adapters, tried before the built-in ones. */
  readonly adapters?: readonly StreamAdapter[];
  /** Time source for timeouts and backoff (inject a TestScheduler in tests). @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** Random source for jittered backoff. @default crypto-based uniform [0, 1) */
  readonly random?: () => number;
}

/** The documented defaults of {@link l0}. `retry` is {@link RETRY_WITH_BACKOFF_DEFAULTS}, the same object. */
export const L0_DEFAULTS = /*#__PURE__*/ Object.freeze({
  retry: RETRY_WITH_BACKOFF_DEFAULTS,
  timeout: Object.freeze({ initialToken: 5000, interToken: 10_000 }),
  detectZeroTokens: true,
  continueFromLastKnownGoodToken: false,
  checkpointInterval: 10,
  deduplicateContinuation: true,
} as const);

/** Validated, defaulted options. @internal */
export function resolveL0Options(o: L0Options) {
  if (typeof o !== 'object' || o === null) throw new TypeError('l0(options): options must be an object');
  if (typeof o.stream !== 'function') throw new TypeError('l0(options): `stream` must be a factory function');
  checkOptions(o);
  const fallbackStreams = (o.fallbackStreams ?? []).map((f, i) => namedStream(f, i));
  const attemptOperators = operatorList('attemptOperators', o.attemptOperators);
  const runOperators = operatorList('runOperators', o.runOperators);
  const continuation = o.continueFromLastKnownGoodToken ?? L0_DEFAULTS.continueFromLastKnownGoodToken;
  const context = deepFreeze(cloneContext(o.context ?? {}));
  const { buildContinuationPrompt: build, scheduler, random } = o;
  const wrap = (factory: L0StreamFactory): StreamFactory => (ctx) =>
    factory({ ...ctx, context, ...(build && ctx.checkpoint ? { continuationPrompt: build(ctx.checkpoint) } : {}) });
  const retry: ResolvedRetryConfig = resolveRetryConfig(o.retry === false ? { maxRetries: 0 } : o.retry, { scheduler, random });
  const dedupe = o.deduplicateContinuation ?? L0_DEFAULTS.deduplicateContinuation;
  return {
    primary: { factory: wrap(o.stream), model: o.model },
    fallbacks: fallbackStreams.map((f) => ({ factory: wrap(f.stream), model: f.model })),
    attemptOperators,
    runOperators,
    retry,
    timeout: o.timeout === false ? {} : { ...L0_DEFAULTS.timeout, ...o.timeout, scheduler },
    detectZeroTokens: o.detectZeroTokens ?? L0_DEFAULTS.detectZeroTokens,
    checkpointInterval: continuation ? (o.checkpointInterval ?? L0_DEFAULTS.checkpointInterval) : undefined,
    // The fields are passed (and so validated) even when continuation is off.
    dedupe: { ...(typeof dedupe === 'object' ? dedupe : {}), enabled: continuation && dedupe !== false },
    adapters: o.adapters,
    signal: o.signal,
  };
}

/** Eager checks of the options no operator validates (each operator validates its own config). */
function checkOptions(o: L0Options): void {
  const fail = (name: string, what: string, value: unknown): never => {
    throw new TypeError(`l0(options): \`${name}\` must be ${what}, got ${typeof value === 'object' ? typeof value : String(value)}`);
  };
  if (o.fallbackStreams !== undefined && !Array.isArray(o.fallbackStreams)) fail('fallbackStreams', 'an array of factory functions', o.fallbackStreams);
  for (const name of ['detectZeroTokens', 'continueFromLastKnownGoodToken'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'boolean') fail(name, 'a boolean', o[name]);
  }
  const { timeout, checkpointInterval: interval, deduplicateContinuation: dedupe, signal, scheduler } = o;
  if (timeout !== undefined && timeout !== false && (typeof timeout !== 'object' || timeout === null)) fail('timeout', 'an object or false', timeout);
  if (interval !== undefined && !(Number.isInteger(interval) && interval >= 1)) fail('checkpointInterval', 'a positive integer', interval);
  if (dedupe !== undefined && typeof dedupe !== 'boolean' && (typeof dedupe !== 'object' || dedupe === null)) fail('deduplicateContinuation', 'a boolean or an object', dedupe);
  if (o.buildContinuationPrompt !== undefined && typeof o.buildContinuationPrompt !== 'function') fail('buildContinuationPrompt', 'a function', o.buildContinuationPrompt);
  if (signal !== undefined && (typeof signal?.aborted !== 'boolean' || typeof signal.addEventListener !== 'function')) fail('signal', 'an AbortSignal', signal);
  if (scheduler !== undefined && (typeof scheduler?.now !== 'function' || typeof scheduler.schedule !== 'function')) fail('scheduler', 'a SchedulerLike', scheduler);
  if (o.context !== undefined && (typeof o.context !== 'object' || o.context === null)) fail('context', 'an object', o.context);
  if (o.model !== undefined && (typeof o.model !== 'string' || o.model === '')) fail('model', 'a non-empty string', o.model);
}

function cloneContext(context: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(context);
  } catch (e) {
    throw new TypeError('l0(options): `context` must be structured-cloneable (plain data, no functions)', { cause: e });
  }
}

function namedStream(entry: L0StreamFactory | L0NamedStream, i: number): { stream: L0StreamFactory; model: string | undefined } {
  if (typeof entry === 'function') return { stream: entry, model: undefined };
  if (typeof entry === 'object' && entry !== null && typeof entry.stream === 'function' && typeof entry.model === 'string') {
    return { stream: entry.stream, model: entry.model };
  }
  throw new TypeError(`l0(options): \`fallbackStreams[${i}]\` must be a factory function or { stream, model }`);
}

function operatorList(name: string, list: readonly MonoTypeOperatorFunction<L0Event>[] | undefined): readonly MonoTypeOperatorFunction<L0Event>[] {
  if (list === undefined) return [];
  if (!Array.isArray(list) || !list.every((f) => typeof f === 'function')) {
    throw new TypeError(`l0(options): \`${name}\` must be an array of operators (functions from Observable to Observable)`);
  }
  return Object.freeze([...list]);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
