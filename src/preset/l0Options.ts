import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import type { StreamAdapter } from '../sources/adapters/types.js';
import { checkAdapters, type StreamContext, type StreamFactory, type StreamInput } from '../sources/fromStream.js';
import { extendStreamContext } from '../sources/attemptSignal.js';
import { describeValue, InvalidStreamError } from '../errors/InvalidStreamError.js';
import {
  RETRY_WITH_BACKOFF_DEFAULTS,
  resolveRetryConfig,
  type ResolvedRetryConfig,
  type RetryPresetName,
  type RetryWithBackoffConfig,
} from '../retry/retryConfig.js';
import { resolveWithTimeouts, type WithTimeoutsConfig } from '../timeouts/withTimeouts.js';
import { resolveDeduplicateContinuation, type DeduplicateContinuationConfig } from '../continuation/deduplicateContinuation.js';
import { checkCallbackTypes, LIFECYCLE_CALLBACK_KEYS, type LifecycleCallbacks } from '../lifecycle/tapLifecycle.js';
import type { EventStore } from '../events/eventStore.js';
import { RECORD_EVENTS_KEYS, recordEvents, resolveRecordEvents, type RecordEventsConfig } from '../events/recordEvents.js';
import { contentOperators, type L0ContentOptions } from './contentOptions.js';
import { holdComplete } from '../attempt/holdComplete.js';
import {
  checkBag,
  checkKeys,
  childPath,
  isSchedulerLike,
  optionError,
  optionKeys,
  optionLabel,
  optionPath,
} from '../internal/options.js';

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
  /** Timeouts in ms (each at most 2147483647); `false` disables them. Missing fields take the defaults. @default {initialToken: 5000, interToken: 10000} */
  readonly timeout?: Omit<WithTimeoutsConfig, 'scheduler'> | false;
  /** Error with ZeroOutputError (retried) when a run completes with no meaningful output. @default true */
  readonly detectZeroTokens?: boolean;
  /** Resume a retry or fallback from the last checkpoint instead of starting over. @default false */
  readonly continueFromLastKnownGoodToken?: boolean;
  /** Tokens between checkpoints when continuation is on. @default 10 */
  readonly checkpointInterval?: number;
  /** Remove the overlap between a checkpoint and the resumed attempt's head. @default true */
  readonly deduplicateContinuation?: boolean | Omit<DeduplicateContinuationConfig, 'enabled'>;
  /** Builds the prompt suffix for a resumed attempt; the result is `ctx.continuationPrompt`. It must return a string (not a promise); one that throws or returns anything else fails the attempt with an InvalidStreamError, never retried. */
  readonly buildContinuationPrompt?: (checkpoint: string) => string;
  /** Aborting it ends the run with StreamAbortedError, without retry or fallback; once the `complete` event has passed, an abort changes nothing. */
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
const NAMED_STREAM_KEYS = /*#__PURE__*/ optionKeys<L0NamedStream>()(['stream', 'model']);
const TIMEOUT_KEYS = /*#__PURE__*/ optionKeys<Exclude<L0Options['timeout'], false | undefined>>()(['initialToken', 'interToken', 'total']);
const DEDUPLICATE_KEYS = /*#__PURE__*/ optionKeys<Exclude<L0Options['deduplicateContinuation'], boolean | undefined>>()([
  'caseSensitive', 'minOverlap', 'maxOverlap', 'wordBoundary',
]);
const L0 = /*#__PURE__*/ optionPath('l0', '', 'options');
const RETRY_OFF: RetryWithBackoffConfig = Object.freeze({ attempts: 0, maxRetries: 0 });
/** The `complete` hold after the user's attempt operators: one stateless operator for every call. */
let heldComplete: MonoTypeOperatorFunction<L0Event> | undefined;

/** The documented defaults of {@link l0}. `retry` is {@link RETRY_WITH_BACKOFF_DEFAULTS}, the same object. */
export const L0_DEFAULTS = /*#__PURE__*/ Object.freeze({
  retry: RETRY_WITH_BACKOFF_DEFAULTS,
  timeout: Object.freeze({ initialToken: 5000, interToken: 10_000 }),
  detectZeroTokens: true,
  continueFromLastKnownGoodToken: false,
  checkpointInterval: 10,
  deduplicateContinuation: true,
} as const);

/** Validated, defaulted options. Every message names the option as written: `l0({timeout: {initialToken}})`. @internal */
export function resolveL0Options(o: L0Options) {
  checkBag(L0, o);
  checkKeys(L0, o, L0_OPTION_KEYS);
  if (typeof o.stream !== 'function') throw optionError(L0, 'stream', 'a factory function', o.stream);
  checkOptions(o);
  checkCallbackTypes(L0, o);
  const fallbackStreams = Array.from(o.fallbackStreams ?? [], namedStream); // a hole is an entry too (map skips it)
  // guardrails, then drift, then the user's own: each sees the text the previous ones passed
  const continuation = o.continueFromLastKnownGoodToken ?? L0_DEFAULTS.continueFromLastKnownGoodToken;
  const checkpointInterval = continuation ? (o.checkpointInterval ?? L0_DEFAULTS.checkpointInterval) : undefined;
  const own = operatorList('attemptOperators', o.attemptOperators);
  // an attempt ends when its stream does: an operator of the user's that fails at its source's
  // completion fails the attempt before its `complete` is passed on (the built-in checks fail at the event)
  const attemptOperators = [...contentOperators(o, L0, o.scheduler, checkpointInterval), ...own, ...(own.length > 0 ? [(heldComplete ??= holdComplete())] : [])];
  const record = recordOperator(o.record, o.scheduler);
  const runOperators = record ? Object.freeze([record, ...operatorList('runOperators', o.runOperators)]) : operatorList('runOperators', o.runOperators);
  const context = o.context === undefined ? NO_CONTEXT : deepFreeze(cloneContext(o.context));
  const { buildContinuationPrompt: build, scheduler, random } = o;
  const wrap = (factory: L0StreamFactory): StreamFactory => (ctx) =>
    factory(extendStreamContext(ctx, build && ctx.checkpoint ? { context, continuationPrompt: continuationPrompt(build, ctx.checkpoint) } : { context }));
  const retry: ResolvedRetryConfig = resolveRetryConfig(retryConfigOf(o.retry), childPath(L0, 'retry'), { scheduler, random });
  const dedupe = o.deduplicateContinuation ?? L0_DEFAULTS.deduplicateContinuation;
  // The fields are passed (and so validated) even when continuation is off.
  const dedupeConfig = { ...(typeof dedupe === 'object' ? dedupe : {}), enabled: continuation && dedupe !== false };
  if (typeof dedupe === 'object') checkKeys(childPath(L0, 'deduplicateContinuation'), dedupe, DEDUPLICATE_KEYS);
  resolveDeduplicateContinuation(dedupeConfig, childPath(L0, 'deduplicateContinuation'));
  return {
    primary: { factory: wrap(o.stream), model: o.model },
    fallbacks: fallbackStreams.map((f) => ({ factory: wrap(f.stream), model: f.model })),
    attemptOperators,
    runOperators,
    retry,
    timeout: timeoutOf(o.timeout, scheduler),
    detectZeroTokens: o.detectZeroTokens ?? L0_DEFAULTS.detectZeroTokens,
    checkpointInterval,
    dedupe: dedupeConfig,
    adapters: checkAdapters(L0, o.adapters),
    signal: o.signal,
    callbacks: pickCallbacks(o),
  };
}

/** Eager checks of the top-level options; each nested config is checked by its operator's resolver. */
function checkOptions(o: L0Options): void {
  const fail = (name: string, what: string, value: unknown): never => {
    throw optionError(L0, name, what, value);
  };
  if (o.fallbackStreams !== undefined && !Array.isArray(o.fallbackStreams)) fail('fallbackStreams', 'an array of factory functions or { stream, model }', o.fallbackStreams);
  for (const name of ['detectZeroTokens', 'continueFromLastKnownGoodToken'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'boolean') fail(name, 'a boolean', o[name]);
  }
  const { timeout, checkpointInterval: interval, deduplicateContinuation: dedupe, signal, scheduler, random } = o;
  if (timeout !== undefined && timeout !== false && (typeof timeout !== 'object' || timeout === null || Array.isArray(timeout))) fail('timeout', 'an object or false', timeout);
  if (interval !== undefined && !(Number.isInteger(interval) && interval >= 1)) fail('checkpointInterval', 'a positive integer', interval);
  if (dedupe !== undefined && typeof dedupe !== 'boolean' && (typeof dedupe !== 'object' || dedupe === null || Array.isArray(dedupe))) fail('deduplicateContinuation', 'a boolean or an object', dedupe);
  if (o.buildContinuationPrompt !== undefined && typeof o.buildContinuationPrompt !== 'function') fail('buildContinuationPrompt', 'a function', o.buildContinuationPrompt);
  if (signal !== undefined && (typeof signal?.aborted !== 'boolean' || typeof signal.addEventListener !== 'function')) fail('signal', 'an AbortSignal', signal);
  if (scheduler !== undefined && !isSchedulerLike(scheduler)) fail('scheduler', 'a SchedulerLike', scheduler);
  if (random !== undefined && typeof random !== 'function') fail('random', 'a function', random);
  if (o.context !== undefined && (typeof o.context !== 'object' || o.context === null || Array.isArray(o.context))) fail('context', 'an object', o.context);
  if (o.model !== undefined && (typeof o.model !== 'string' || o.model === '')) fail('model', 'a non-empty string', o.model);
}

function namedStream(entry: L0StreamFactory | L0NamedStream, i: number): { stream: L0StreamFactory; model: string | undefined } {
  if (typeof entry === 'function') return { stream: entry, model: undefined };
  // a per-fallback `retry` or `timeout` is not taken: say so rather than ignore it
  if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) checkKeys(childPath(L0, `fallbackStreams[${i}]`), entry, NAMED_STREAM_KEYS);
  if (typeof entry === 'object' && entry !== null && typeof entry.stream === 'function' && typeof entry.model === 'string' && entry.model !== '') {
    return { stream: entry.stream, model: entry.model };
  }
  throw optionError(L0, `fallbackStreams[${i}]`, 'a factory function or { stream, model }', entry);
}

function operatorList(name: 'attemptOperators' | 'runOperators', list: unknown): readonly MonoTypeOperatorFunction<L0Event>[] {
  if (list === undefined) return [];
  if (!Array.isArray(list) || !list.every((f) => typeof f === 'function')) {
    throw optionError(L0, name, 'an array of operators (functions from Observable to Observable)', list);
  }
  return Object.freeze([...(list as MonoTypeOperatorFunction<L0Event>[])]);
}

/** `l0({record})` as recordEvents, validated as `l0({record: {...}})`, its `ts` on the run's scheduler. */
function recordOperator(record: L0Options['record'], scheduler: SchedulerLike | undefined): MonoTypeOperatorFunction<L0Event> | undefined {
  if (record === undefined) return undefined;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw optionError(L0, 'record', 'an EventStore or { store, ...recordEvents options }', record);
  const where = childPath(L0, 'record');
  if (!('append' in record)) checkKeys(where, record, [...RECORD_EVENTS_KEYS, 'store']);
  const { store, ...config } = 'append' in record ? { store: record } : record;
  const withScheduler = { ...config, ...(config.scheduler === undefined && scheduler !== undefined ? { scheduler } : {}) };
  resolveRecordEvents(store, withScheduler, where, optionLabel(L0, 'record'), ['store']);
  return recordEvents(store, withScheduler);
}

/** The timeout config withTimeouts gets: the defaults under the user's fields, validated as `l0({timeout: {...}})`. */
function timeoutOf(timeout: L0Options['timeout'], scheduler: SchedulerLike | undefined): WithTimeoutsConfig {
  if (timeout === false) return NO_TIMEOUT;
  if (timeout === undefined && scheduler === undefined) return (DEFAULT_TIMEOUT ??= Object.freeze(resolvedTimeout(undefined, undefined)));
  return resolvedTimeout(timeout, scheduler);
}

/** l0's timeouts off, and its default ones on the default scheduler: one frozen config each, so l0() calls share their operator. */
const NO_TIMEOUT: WithTimeoutsConfig = Object.freeze({});
let DEFAULT_TIMEOUT: WithTimeoutsConfig | undefined;

function resolvedTimeout(timeout: Exclude<L0Options['timeout'], false>, scheduler: SchedulerLike | undefined): WithTimeoutsConfig {
  const where = childPath(L0, 'timeout');
  if (timeout) checkKeys(where, timeout, TIMEOUT_KEYS);
  const given = timeout ? Object.fromEntries(Object.entries(timeout).filter(([, v]) => v !== undefined)) : {}; // undefined: not given
  const config = { ...L0_DEFAULTS.timeout, ...given, scheduler };
  resolveWithTimeouts(config, where);
  return config;
}

/** What resolveRetryConfig gets (it looks presets up, once): `false` is l0's own switch. */
function retryConfigOf(retry: L0Options['retry']): number | RetryPresetName | RetryWithBackoffConfig | undefined {
  if (retry === false) return RETRY_OFF;
  if (retry === undefined || typeof retry === 'string') return retry;
  if (typeof retry === 'number') {
    if (!Number.isInteger(retry) || retry < 0) throw optionError(L0, 'retry', 'a non-negative integer (content retries), a preset name, an object or false', retry);
    return retry;
  }
  if (typeof retry !== 'object' || retry === null || Array.isArray(retry)) {
    throw optionError(L0, 'retry', 'an object, a preset name, a number of content retries or false', retry);
  }
  return retry;
}

/** The lifecycle callbacks among the options, for tapLifecycle (which must not see `stream` & co.). */
function pickCallbacks(o: L0Options): LifecycleCallbacks {
  const callbacks: Record<string, unknown> = {};
  for (const key of LIFECYCLE_CALLBACK_KEYS) if (o[key] !== undefined) callbacks[key] = o[key];
  return callbacks;
}

/** The context of a run given none: one frozen empty object (no structured clone per l0() call). */
const NO_CONTEXT: Readonly<Record<string, unknown>> = /*#__PURE__*/ Object.freeze({});

function cloneContext(context: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(context);
  } catch (e) {
    throw new TypeError(`${optionLabel(L0, 'context')} must be structured-cloneable (plain data, no functions)`, { cause: e });
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * `build(checkpoint)`, checked: a prompt that is not a string (an `async` builder's promise would
 * reach the model as "[object Promise]") or a throw is a programming error that no retry can fix
 * (the next attempt resumes from the same checkpoint): the attempt fails with an InvalidStreamError,
 * never retried, whose cause is what was thrown (or a TypeError naming the value returned).
 */
function continuationPrompt(build: (checkpoint: string) => string, checkpoint: string): string {
  try {
    const prompt: unknown = build(checkpoint);
    if (typeof prompt === 'string') return prompt;
    throw new TypeError(`got ${describeValue(prompt)}`);
  } catch (e) {
    throw new InvalidStreamError('l0({buildContinuationPrompt}) must return a string', e);
  }
}
