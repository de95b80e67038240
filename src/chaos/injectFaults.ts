import { asyncScheduler, NEVER, type SchedulerLike } from 'rxjs';
import { fromStream, checkAdapters, type StreamContext, type StreamInput } from '../sources/fromStream.js';
import type { StreamAdapter } from '../sources/adapters/types.js';
import { checkBag, checkKeys, describeOption, optionError, optionKeys, optionPath, isSchedulerLike } from '../internal/options.js';
import { quiet } from '../internal/isPromiseLike.js';
import { warnOnce } from '../internal/warn.js';
import { defaultRandom } from '../retry/retryConfig.js';
import { parseInjectedFault, planFaultAt, TOKENS_BEFORE, type FaultName, type FaultSpec, type InjectFaultName } from './faults.js';
import { afterTokens, connectionError, delayFirst, planEvents, statusError } from './faultEvents.js';

/** What {@link InjectFaultsOptions.onFault} is told for each injected fault. */
export interface InjectedFault {
  /** The fault injected into this call. */
  readonly fault: InjectFaultName;
  /** Its argument as written (`'2'` of `'rate-limit:2'`), if any. */
  readonly arg?: string;
  /** The wrapper's call number, from 1 (every call counts, clean or not). */
  readonly call: number;
  /** The call's attempt and fallback index (its {@link StreamContext}). */
  readonly attempt: number;
  readonly fallbackIndex: number;
}

/** Options of {@link injectFaults}. */
export interface InjectFaultsOptions {
  /**
   * The faults, `name[:arg][*k]` as the fault server's model names without `fault:` (see `FAULT_NAMES` of
   * `l0-rx/testing`), plus `rejects-prefill`. A faulted call draws one of those not used up; `*k`: at most k times
   * (`rejects-prefill`: k rejections; a fresh call it leaves clean uses none).
   */
  readonly faults: readonly string[];
  /** The share of calls that get a fault, in [0, 1]. @default 1 */
  readonly rate?: number;
  /** Seeds the draws (a safe integer; mulberry32): the same seed, the same faults. Not with `random`. @default a crypto-random draw */
  readonly seed?: number;
  /** Draws a number in [0, 1) (checked: another value, or a throw, fails that call); not with `seed`. @default the library's crypto-based uniform */
  readonly random?: () => number;
  /** Runs `slow-first-token`'s delay and dates `rate-limit-date`'s header. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** Off (or a function returning false for this call; a throw, or a value that is not a boolean, fails that call): every call is clean, nothing is drawn. @default true */
  readonly enabled?: boolean | (() => boolean);
  /** Told about each injected fault, before it strikes; a throw (or rejection) is warned about once and ignored. */
  readonly onFault?: (info: InjectedFault) => void;
  /** Custom adapters for the real stream of a mid-stream fault (give the ones `fromStream` / `l0()` get). @default [] */
  readonly adapters?: readonly StreamAdapter[];
}

const KEYS = /*#__PURE__*/ optionKeys<InjectFaultsOptions>()(['faults', 'rate', 'seed', 'random', 'scheduler', 'enabled', 'onFault', 'adapters']);
const ROOT = /*#__PURE__*/ optionPath('injectFaults', 'factory, ', 'options');
const PREFILL_MESSAGE = 'This model does not support assistant message prefill. The conversation must end with a user message.';

/**
 * Wraps a stream factory so that a share of its calls fail as a real provider would (Simmy for token
 * streams): for users' chaos tests of their retry, fallback, timeout and continuation settings.
 *
 *   faults ['rate-limit:2*1'], rate 1, seed 1     options
 *   call 1: ProviderError RATE_LIMITED, retryAfterMs 2000 (no request made)
 *   call 2: factory(ctx) untouched                 (*1: used up)
 *
 * Rules:
 * 1. Each call: when enabled and a fault is left, one draw against `rate`, then one picks among the faults
 *    not used up; no fault returns `factory(ctx)` itself (no wrapping, no cost). `*k` caps a fault's uses.
 *    The draws, `*k` counts and call numbers are the wrapper's: a second run through it continues them.
 * 2. Every fault ends as the fault server's model `fault:<name>` does through `fromStream` and the openai SDK:
 *    HTTP faults (`rate-limit*`, `server-error`, `unavailable`, `overloaded-529`, `auth-401`, `quota-429`,
 *    `context-length-400`, `flapping`'s odd calls) throw the SDK's `APIError` and `reset-before-headers` its
 *    `APIConnectionError`, without calling `factory`; `no-response` stays silent without calling it.
 * 3. Content faults (`truncated-json`, `refusal`, `repetition-loop`, `empty-completion`, `tool-call-fragments`,
 *    `cut-tool-call`) emit the server's fixed reply as events, without calling `factory`.
 * 4. Mid-stream faults read the real stream with `fromStream(factory, {adapters})`: after `count` tokens
 *    (or at its end) it is unsubscribed (its request aborted), then `cut-after-n` fails `INCOMPLETE_STREAM`,
 *    `stall` stays silent, `malformed-chunk` fails `MALFORMED_CHUNK`, `error-in-200` fails with the in-band
 *    error, `content-filter` completes `content-filter`; `no-done` fails `INCOMPLETE_STREAM` at the end.
 *    `slow-first-token:ms` holds the first event back `ms` on `scheduler`, the whole of it (the server caps its real wait at 10 s);
 *    the rest, the stream's end included, follows it; a failure of the real call before any event is not held
 *    (there is no token to slow down).
 * 5. `flapping`: the wrapper's odd-numbered calls get a 503, even ones run clean. `rejects-prefill`: a
 *    400 `invalid_request_error` when `ctx.checkpoint` is set (a continuation or fallback resuming), else clean
 *    (such a clean call does not use up a `rejects-prefill*k`).
 * 6. `onFault` is called for each injected fault (not for `flapping`'s or `rejects-prefill`'s clean calls).
 *
 * @example
 * import { injectFaults, l0 } from 'l0-rx';
 * import { fakeModel } from 'l0-rx/testing';
 *
 * const model = fakeModel('Hello|');
 * const events$ = l0({ stream: injectFaults(model, { faults: ['rate-limit:0*1', 'cut-after-n:1'], rate: 0.5, seed: 42 }) });
 * @param factory The real stream factory (its context type is kept: `l0()`'s or `fromStream`'s).
 * @param options See {@link InjectFaultsOptions}.
 * @returns A factory of the same type.
 * @throws TypeError for a factory that is not a function, an unknown option (with the closest one), a bad
 * value, or a fault the fault server would refuse (the same message).
 */
export function injectFaults<C extends StreamContext>(
  factory: (ctx: C) => StreamInput | Promise<StreamInput>,
  options: InjectFaultsOptions,
): (ctx: C) => StreamInput | Promise<StreamInput> {
  if (typeof factory !== 'function') throw new TypeError(`injectFaults(factory) must be a function, got ${describeOption(factory)}`);
  checkBag(ROOT, options);
  checkKeys(ROOT, options, KEYS);
  const { faults, rate = 1, seed, random, scheduler = asyncScheduler, enabled = true, onFault } = options;
  // a hole is an entry too (every skips it): refused, never a fault silently dropped
  if (!Array.isArray(faults) || faults.length === 0 || ![...faults].every((f) => typeof f === 'string')) {
    throw optionError(ROOT, 'faults', 'a non-empty array of fault names', faults);
  }
  const specs = faults.map(parseInjectedFault);
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw optionError(ROOT, 'rate', 'a number in [0, 1]', rate);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw optionError(ROOT, 'seed', 'a safe integer', seed);
  if (random !== undefined && (typeof random !== 'function' || seed !== undefined)) throw optionError(ROOT, 'random', 'a function, and not given with seed', random);
  if (!isSchedulerLike(scheduler)) throw optionError(ROOT, 'scheduler', 'a SchedulerLike', scheduler);
  if (typeof enabled !== 'boolean' && typeof enabled !== 'function') throw optionError(ROOT, 'enabled', 'a boolean or a function', enabled);
  if (onFault !== undefined && typeof onFault !== 'function') throw optionError(ROOT, 'onFault', 'a function', onFault);
  const adapters = checkAdapters(ROOT, options.adapters);
  const next = seed === undefined ? (random ?? defaultRandom) : mulberry32(seed);
  const draw = (): number => {
    const r = next();
    if (typeof r === 'number' && r >= 0 && r < 1) return r;
    quiet(r);
    throw new TypeError(`injectFaults({random}) must return a number in [0, 1), got ${describeOption(r)}`);
  };
  // a function's answer is checked as the option is: 'no' or a promise is not "on"
  const on = (): boolean => {
    const v = typeof enabled === 'function' ? enabled() : enabled;
    if (typeof v === 'boolean') return v;
    quiet(v);
    throw new TypeError(`injectFaults({enabled}) must return a boolean, got ${describeOption(v)}`);
  };
  const used = specs.map(() => 0);
  let calls = 0;
  const warnFault = warnOnce('l0-rx injectFaults: the `onFault` callback threw or rejected; the fault is injected anyway.');

  return (ctx) => {
    const call = ++calls;
    const left = specs.flatMap((s, i) => (s.limit === undefined || used[i]! < s.limit ? [i] : []));
    if (left.length === 0 || !on() || (rate < 1 && draw() >= rate)) return factory(ctx);
    const picked = left[Math.floor(draw() * left.length)]!;
    const spec = specs[picked]!;
    const { name, arg } = spec;
    // a fresh call runs clean without using rejects-prefill up: its *k counts rejections
    if (name === 'rejects-prefill' && !ctx.checkpoint) return factory(ctx);
    used[picked]!++;
    if (name === 'flapping' && call % 2 === 0) return factory(ctx);
    if (onFault) {
      try {
        quiet(onFault({ fault: name, ...(arg === undefined ? {} : { arg }), call, attempt: ctx.attempt, fallbackIndex: ctx.fallbackIndex }), warnFault);
      } catch (e) {
        warnFault(e);
      }
    }
    if (name === 'rejects-prefill') {
      throw statusError(400, {}, { error: { message: PREFILL_MESSAGE, type: 'invalid_request_error' } });
    }
    const plan = planFaultAt(spec as FaultSpec, '', call, scheduler.now());
    if (plan.kind === 'status') throw statusError(plan.status, plan.headers, plan.body);
    if (plan.kind === 'reset') throw connectionError();
    if (plan.kind === 'hang') return NEVER;
    // mid-stream faults read the real reply up to `count` tokens (no-done: all of it); content faults replace it
    const count = name === 'no-done' ? Infinity : TOKENS_BEFORE[name as FaultName];
    if (count === undefined && plan.firstDelayMs === undefined) return planEvents(plan, name);
    const real$ = fromStream((inner) => factory({ ...ctx, signal: inner.signal }), { adapters });
    if (plan.firstDelayMs !== undefined) return delayFirst(real$, plan.firstDelayMs, scheduler);
    return afterTokens(real$, arg === undefined ? count! : Number(arg), plan, name);
  };
}

/** mulberry32 (Tommy Ettinger, public domain; https://gist.github.com/tommyettinger/46a874533244883189143505d203312c): a 32-bit-state PRNG, uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = (seed ^ Math.floor(seed / 2 ** 32)) | 0;
  return () => {
    let t = (a = (a + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
