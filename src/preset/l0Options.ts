/** The options of l0() and their tables (every key, the defaults); resolveL0Options.ts validates and resolves them. */
import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import type { StreamAdapter } from '../sources/adapters/types.js';
import type { StreamContext, StreamInput } from '../sources/fromStream.js';
import { RETRY_WITH_BACKOFF_DEFAULTS, type RetryPresetName, type RetryWithBackoffConfig } from '../retry/retryConfig.js';
import type { WithTimeoutsConfig } from '../timeouts/withTimeouts.js';
import type { DeduplicateContinuationConfig } from '../continuation/deduplicateContinuation.js';
import { LIFECYCLE_CALLBACK_KEYS, type LifecycleCallbacks } from '../lifecycle/tapLifecycle.js';
import type { EventStore } from '../events/eventStore.js';
import type { RecordEventsConfig } from '../events/recordEvents.js';
import type { L0ContentOptions } from './contentOptions.js';
import { optionKeys, optionPath } from '../internal/options.js';

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

/**
 * Options of {@link l0}; names follow L0's. Every field but `stream` is optional, and `undefined`
 * means "not given". An unknown or misspelled key, here or in `timeout`, `retry` and
 * `deduplicateContinuation`, is a TypeError that suggests the closest option; so is a value of
 * the wrong type (`retry: null`, `timeout: 'fast'`).
 */
export interface L0Options extends LifecycleCallbacks, L0ContentOptions {
  /** The primary model: called once per attempt with `{signal, attempt, fallbackIndex, checkpoint?, ...}`. */
  readonly stream: L0StreamFactory;
  /** A name for the primary, reported as `start.model`. @default undefined */
  readonly model?: string;
  /**
   * Tried in order once the primary (with its own retries) fails. Each gets a fresh retry budget
   * of its own, configured by `retry`.
   * An entry may be `{ stream, model }` to name it (`start.model`). @default []
   */
  readonly fallbackStreams?: readonly (L0StreamFactory | L0NamedStream)[];
  /**
   * Operators applied to every attempt of every stream, after timeouts and continuation
   * de-duplication and before zero-output detection, checkpoints and retries: guardrails, drift
   * detection, structured-output validation. An error they raise fails the attempt and is retried
   * or falls back like any other, one raised at the source's completion included: the attempt's
   * `complete` is passed on once their stream has ended (so an operator must end it after `complete`).
   * Each attempt subscribes them anew, so their state is per attempt.
   * @default []
   */
  readonly attemptOperators?: readonly MonoTypeOperatorFunction<L0Event>[];
  /**
   * Operators applied once to the whole run, after fallbacks and the abort signal and before the
   * lifecycle callbacks: recording, monitoring. They see every event of every attempt and the
   * run's final error. @default []
   */
  readonly runOperators?: readonly MonoTypeOperatorFunction<L0Event>[];
  /**
   * Record the run to an event store: a store, or `{ store, ...recordEvents config }` (for a
   * `streamId`, `onRecordError`, `onRecorded`). It is `recordEvents(store, config)` placed first
   * in `runOperators`, so the log holds every attempt's events and the run's final error; `ts`
   * comes from `scheduler`. @default undefined (no recording)
   */
  readonly record?: EventStore | (RecordEventsConfig & { readonly store: EventStore });
  /**
   * Retry policy: a config, a preset name, a number of content retries, or `false`.
   *
   * - `false` disables every retry, of any kind (the same as `{ maxRetries: 0 }`): the first failure
   *   ends the model's run (and moves to the next fallback, if any).
   * - A number is `{ attempts: n }`. `attempts`, as in L0, counts content retries only (zero output,
   *   guardrail, drift, schema, unknown errors), so `retry: 0` and `{ attempts: 0 }` stop content
   *   retries but network, rate-limit, server and timeout failures are still retried up to
   *   `maxRetries` (6 by default). Use `false` or `maxRetries: 0` to turn those off too.
   *
   * @default L0_DEFAULTS.retry
   */
  readonly retry?: number | RetryPresetName | RetryWithBackoffConfig | false;
  /** Timeouts in ms (each at most 2147483647); `false` disables them all, a budget `false` (or `Infinity`) only that one. Missing fields take the defaults. @default {initialToken: 5000, interToken: 10000} */
  readonly timeout?: Omit<WithTimeoutsConfig, 'scheduler'> | false;
  /** Error with ZeroOutputError (retried) when a run completes with no meaningful output. @default true */
  readonly detectZeroTokens?: boolean;
  /**
   * Resume a retry or fallback from the last checkpoint instead of starting over. The checkpoints are
   * the run's own: a stream that relays another run (a nested l0(), a server's run read with
   * fromServerSentEvents) has that run's `checkpoint`s dropped, and in a resumed attempt that run's
   * text follows the checkpoint (its `retry` is followed by `resume{checkpoint}`, its `resume{x}` is
   * `resume{checkpoint + x}`). Off, every attempt starts over (no `resume`, no `ctx.checkpoint`), even
   * after the `resume`s a stream relays, and when a loop around the run (a fallbackTo, a race retried)
   * hands it a checkpoint. @default false
   */
  readonly continueFromLastKnownGoodToken?: boolean;
  /** Tokens between checkpoints when continuation is on. @default 10 */
  readonly checkpointInterval?: number;
  /** Remove the overlap between a checkpoint and the resumed attempt's head. @default true */
  readonly deduplicateContinuation?: boolean | Omit<DeduplicateContinuationConfig, 'enabled'>;
  /** Builds the prompt suffix for a resumed attempt; the result is `ctx.continuationPrompt`. It must return a string (not a promise); one that throws or returns anything else fails the attempt with an InvalidStreamError, never retried. */
  readonly buildContinuationPrompt?: (checkpoint: string) => string;
  /** Aborting it ends the run with StreamAbortedError, without retry or fallback; once the `complete` event has passed, an abort changes nothing. Any realm's AbortSignal, or a polyfill's (a boolean `aborted`, `addEventListener` and `removeEventListener`). */
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

/**
 * Every option {@link l0} accepts; any other key is a TypeError suggesting the closest of these.
 * Checked against {@link L0Options} at compile time: a new option must be added here.
 * @internal
 */
export const L0_OPTION_KEYS = /*#__PURE__*/ optionKeys<L0Options>()([
  'stream', 'model', 'fallbackStreams', 'attemptOperators', 'runOperators', 'record', 'retry', 'timeout', 'detectZeroTokens', 'continueFromLastKnownGoodToken',
  'checkpointInterval', 'deduplicateContinuation', 'buildContinuationPrompt', 'signal', 'context', 'adapters',
  'scheduler', 'random', 'guardrails', 'guardMode', 'detectDrift', ...LIFECYCLE_CALLBACK_KEYS,
]);
/** The keys of a named fallback, a `timeout` and a `deduplicateContinuation` object: any other is a TypeError. @internal */
export const NAMED_STREAM_KEYS = /*#__PURE__*/ optionKeys<L0NamedStream>()(['stream', 'model']);
export const TIMEOUT_KEYS = /*#__PURE__*/ optionKeys<Exclude<L0Options['timeout'], false | undefined>>()(['initialToken', 'interToken', 'total']);
export const DEDUPLICATE_KEYS = /*#__PURE__*/ optionKeys<Exclude<L0Options['deduplicateContinuation'], boolean | undefined>>()([
  'caseSensitive', 'minOverlap', 'maxOverlap', 'wordBoundary',
]);
/** How messages name an option of {@link l0}: `l0({timeout: {initialToken}})`. @internal */
export const L0_PATH = /*#__PURE__*/ optionPath('l0', '', 'options');
/** `retry: false`: no retry of any kind. @internal */
export const RETRY_OFF: RetryWithBackoffConfig = Object.freeze({ attempts: 0, maxRetries: 0 });

/** The documented defaults of {@link l0}. `retry` is {@link RETRY_WITH_BACKOFF_DEFAULTS}, the same object. */
export const L0_DEFAULTS = /*#__PURE__*/ Object.freeze({
  retry: RETRY_WITH_BACKOFF_DEFAULTS,
  timeout: Object.freeze({ initialToken: 5000, interToken: 10_000 }),
  detectZeroTokens: true,
  continueFromLastKnownGoodToken: false,
  checkpointInterval: 10,
  deduplicateContinuation: true,
} as const);
