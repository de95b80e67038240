/**
 * Resolving the options of l0(): validated (every message names the option as written), defaulted
 * and turned into what the run needs. The options themselves and their tables are l0Options.ts's.
 */
import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { checkAdapters, type StreamFactory } from '../sources/fromStream.js';
import { extendStreamContext } from '../sources/attemptSignal.js';
import { describeValue, InvalidStreamError } from '../errors/InvalidStreamError.js';
import { resolveRetryConfig, type ResolvedRetryConfig, type RetryPresetName, type RetryWithBackoffConfig } from '../retry/retryConfig.js';
import { resolveWithTimeouts, type WithTimeoutsConfig } from '../timeouts/withTimeouts.js';
import { resolveDeduplicateContinuation } from '../continuation/deduplicateContinuation.js';
import { checkCallbackTypes, LIFECYCLE_CALLBACK_KEYS, type LifecycleCallbacks } from '../lifecycle/tapLifecycle.js';
import { RECORD_EVENTS_KEYS, recordEvents, resolveRecordEvents } from '../events/recordEvents.js';
import { contentOperators } from './contentOptions.js';
import { holdComplete } from '../attempt/holdComplete.js';
import { checkBag, checkKeys, childPath, isSchedulerLike, isSignal, optionError, optionLabel } from '../internal/options.js';
import { quiet } from '../internal/isPromiseLike.js';
import {
  DEDUPLICATE_KEYS,
  L0_DEFAULTS,
  L0_OPTION_KEYS,
  L0_PATH,
  NAMED_STREAM_KEYS,
  RETRY_OFF,
  TIMEOUT_KEYS,
  type L0NamedStream,
  type L0Options,
  type L0StreamFactory,
} from './l0Options.js';

/** The `complete` hold after the user's attempt operators: one stateless operator for every call. */
let heldComplete: MonoTypeOperatorFunction<L0Event> | undefined;

/** Validated, defaulted options. Every message names the option as written: `l0({timeout: {initialToken}})`. @internal */
export function resolveL0Options(o: L0Options) {
  checkBag(L0_PATH, o);
  checkKeys(L0_PATH, o, L0_OPTION_KEYS);
  if (typeof o.stream !== 'function') throw optionError(L0_PATH, 'stream', 'a factory function', o.stream);
  checkOptions(o);
  checkCallbackTypes(L0_PATH, o);
  const fallbackStreams = Array.from(o.fallbackStreams ?? [], namedStream); // a hole is an entry too (map skips it)
  // guardrails, then drift, then the user's own: each sees the text the previous ones passed
  const continuation = o.continueFromLastKnownGoodToken ?? L0_DEFAULTS.continueFromLastKnownGoodToken;
  const checkpointInterval = continuation ? (o.checkpointInterval ?? L0_DEFAULTS.checkpointInterval) : undefined;
  const own = operatorList('attemptOperators', o.attemptOperators);
  // an attempt ends when its stream does: an operator of the user's that fails at its source's
  // completion fails the attempt before its `complete` is passed on (the built-in checks fail at the event)
  const attemptOperators = [...contentOperators(o, L0_PATH, o.scheduler, checkpointInterval), ...own, ...(own.length > 0 ? [(heldComplete ??= holdComplete())] : [])];
  const record = recordOperator(o.record, o.scheduler);
  const runOperators = record ? Object.freeze([record, ...operatorList('runOperators', o.runOperators)]) : operatorList('runOperators', o.runOperators);
  const context = o.context === undefined ? NO_CONTEXT : deepFreeze(cloneContext(o.context));
  const { buildContinuationPrompt: build, scheduler, random } = o;
  const wrap = (factory: L0StreamFactory): StreamFactory => (ctx) =>
    factory(extendStreamContext(ctx, build && ctx.checkpoint ? { context, continuationPrompt: continuationPrompt(build, ctx.checkpoint) } : { context }));
  const retry: ResolvedRetryConfig = resolveRetryConfig(retryConfigOf(o.retry), childPath(L0_PATH, 'retry'), { scheduler, random });
  const dedupe = o.deduplicateContinuation ?? L0_DEFAULTS.deduplicateContinuation;
  // The fields are passed (and so validated) even when continuation is off.
  const dedupeConfig = { ...(typeof dedupe === 'object' ? dedupe : {}), enabled: continuation && dedupe !== false };
  if (typeof dedupe === 'object') checkKeys(childPath(L0_PATH, 'deduplicateContinuation'), dedupe, DEDUPLICATE_KEYS);
  resolveDeduplicateContinuation(dedupeConfig, childPath(L0_PATH, 'deduplicateContinuation'));
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
    adapters: checkAdapters(L0_PATH, o.adapters),
    signal: o.signal,
    callbacks: pickCallbacks(o),
  };
}

/** Eager checks of the top-level options; each nested config is checked by its operator's resolver. */
function checkOptions(o: L0Options): void {
  const fail = (name: string, what: string, value: unknown): never => {
    throw optionError(L0_PATH, name, what, value);
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
  if (signal !== undefined && !isSignal(signal)) fail('signal', 'an AbortSignal', signal);
  if (scheduler !== undefined && !isSchedulerLike(scheduler)) fail('scheduler', 'a SchedulerLike', scheduler);
  if (random !== undefined && typeof random !== 'function') fail('random', 'a function', random);
  if (o.context !== undefined && (typeof o.context !== 'object' || o.context === null || Array.isArray(o.context))) fail('context', 'an object', o.context);
  if (o.model !== undefined && (typeof o.model !== 'string' || o.model === '')) fail('model', 'a non-empty string', o.model);
}

function namedStream(entry: L0StreamFactory | L0NamedStream, i: number): { stream: L0StreamFactory; model: string | undefined } {
  if (typeof entry === 'function') return { stream: entry, model: undefined };
  // a per-fallback `retry` or `timeout` is not taken: say so rather than ignore it
  if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) checkKeys(childPath(L0_PATH, `fallbackStreams[${i}]`), entry, NAMED_STREAM_KEYS);
  if (typeof entry === 'object' && entry !== null && typeof entry.stream === 'function' && typeof entry.model === 'string' && entry.model !== '') {
    return { stream: entry.stream, model: entry.model };
  }
  throw optionError(L0_PATH, `fallbackStreams[${i}]`, 'a factory function or { stream, model }', entry);
}

function operatorList(name: 'attemptOperators' | 'runOperators', list: unknown): readonly MonoTypeOperatorFunction<L0Event>[] {
  if (list === undefined) return [];
  if (!Array.isArray(list) || !list.every((f) => typeof f === 'function')) {
    throw optionError(L0_PATH, name, 'an array of operators (functions from Observable to Observable)', list);
  }
  return Object.freeze([...(list as MonoTypeOperatorFunction<L0Event>[])]);
}

/** `l0({record})` as recordEvents, validated as `l0({record: {...}})`, its `ts` on the run's scheduler. */
function recordOperator(record: L0Options['record'], scheduler: SchedulerLike | undefined): MonoTypeOperatorFunction<L0Event> | undefined {
  if (record === undefined) return undefined;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw optionError(L0_PATH, 'record', 'an EventStore or { store, ...recordEvents options }', record);
  const where = childPath(L0_PATH, 'record');
  if (!('append' in record)) checkKeys(where, record, [...RECORD_EVENTS_KEYS, 'store']);
  const { store, ...config } = 'append' in record ? { store: record } : record;
  const withScheduler = { ...config, ...(config.scheduler === undefined && scheduler !== undefined ? { scheduler } : {}) };
  resolveRecordEvents(store, withScheduler, where, optionLabel(L0_PATH, 'record'), ['store']);
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
  const where = childPath(L0_PATH, 'timeout');
  if (timeout) checkKeys(where, timeout, TIMEOUT_KEYS);
  const given = timeout ? Object.fromEntries(Object.entries(timeout).filter(([, v]) => v !== undefined)) : {}; // undefined: not given
  const config = { ...L0_DEFAULTS.timeout, ...given, scheduler };
  resolveWithTimeouts(config, where, 'false or Infinity: no limit; timeout: false turns them all off');
  return config;
}

/** What resolveRetryConfig gets (it looks presets up, once): `false` is l0's own switch. */
function retryConfigOf(retry: L0Options['retry']): number | RetryPresetName | RetryWithBackoffConfig | undefined {
  if (retry === false) return RETRY_OFF;
  if (retry === undefined || typeof retry === 'string') return retry;
  if (typeof retry === 'number') {
    if (!Number.isInteger(retry) || retry < 0) throw optionError(L0_PATH, 'retry', 'a non-negative integer (content retries), a preset name, an object or false', retry);
    return retry;
  }
  if (typeof retry !== 'object' || retry === null || Array.isArray(retry)) {
    throw optionError(L0_PATH, 'retry', 'an object, a preset name, a number of content retries or false', retry);
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
    throw new TypeError(`${optionLabel(L0_PATH, 'context')} must be structured-cloneable (plain data, no functions)`, { cause: e });
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
    quiet(prompt); // an async builder's rejection is not unhandled: the error says what went wrong
    throw new TypeError(`got ${describeValue(prompt)}`);
  } catch (e) {
    throw new InvalidStreamError('l0({buildContinuationPrompt}) must return a string', e);
  }
}
