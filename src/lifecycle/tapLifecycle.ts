import { defer, identity, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { L0Event, ToolCallEvent, Violation } from '../events/eventTypes.js';
import { INITIAL_L0_STATE, reduceL0State, type L0State } from '../events/reduceState.js';
import { categoryOf } from '../errors/classifyL0Error.js';
import { isAllStreamsExhaustedError } from '../errors/AllStreamsExhaustedError.js';
import { isTokenTimeoutError, type TimeoutKind } from '../errors/TokenTimeoutError.js';
import { deserializeError } from '../errors/deserializeError.js';
import type { SerializedError } from '../errors/serializeError.js';
import type { L0Error } from '../errors/L0Error.js';
import { AttemptText } from '../attempt/attemptText.js';
import { quiet } from '../internal/isPromiseLike.js';
import { warn } from '../internal/warn.js';
import { checkBag, checkKeys, optionError, optionKeys, optionPath, type OptionPath } from '../internal/options.js';
import { InvalidStreamError } from '../errors/InvalidStreamError.js';

/**
 * L0's lifecycle callbacks, with L0's argument shapes. Each is optional and called synchronously,
 * in event order, before the event reaches the subscriber. A callback that throws (or, async,
 * whose promise rejects) is reported to `onCallbackError` and never breaks the stream.
 */
export interface LifecycleCallbacks {
  /** Every event, first, before the specific callback below. */
  readonly onEvent?: (event: L0Event) => void;
  /** An attempt begins (`start`): `(1, false, false)`, a retry `(n, true, false)`, a fallback `(1, false, true)`, a fallback's retry `(n, true, true)`. */
  readonly onStart?: (attempt: number, isRetry: boolean, isFallback: boolean) => void;
  /** A retry was decided (`retry`): `attempt` is the attempt that failed, so the first retry is 1; `reason` the classification reason (`rate_limit`...). */
  readonly onRetry?: (attempt: number, reason: string) => void;
  /** Moving to fallback `index` (0-based into the fallbacks: the first fallback is 0); `reason` the classification reason of the error. */
  readonly onFallback?: (index: number, reason: string) => void;
  /** The new attempt continues from `checkpoint`; `tokenCount` is the failed attempt's token count (as in L0). */
  readonly onResume?: (checkpoint: string, tokenCount: number) => void;
  /** A checkpoint was saved (`checkpoint` event): the content and the attempt's token count. */
  readonly onCheckpoint?: (checkpoint: string, tokenCount: number) => void;
  /** A guardrail fired (`violation` event). */
  readonly onViolation?: (violation: Violation) => void;
  /** Drift was detected (`drift` event). */
  readonly onDrift?: (types: readonly string[], confidence: number) => void;
  /**
   * A tool call; `args` is the raw JSON text (L0 passes it parsed). `call` is the whole event: its
   * `approvalId` (the call waits for the user's approval), `suspendPayload` (what it asks them) and `truncated` (the token limit or a content filter cut it: never run it).
   */
  readonly onToolCall?: (name: string, id: string, args: string, call: ToolCallEvent) => void;
  /** An attempt or the run failed with a TokenTimeoutError (read from the event's error, so a replayed log calls it too). */
  readonly onTimeout?: (kind: TimeoutKind, elapsedMs: number) => void;
  /** The run was aborted (an `abort`-category error) or unsubscribed before `complete`: the current attempt's tokens and text length. */
  readonly onAbort?: (tokenCount: number, contentLength: number) => void;
  /**
   * A failure: from a `retry` event `(error, true, false)`, from a `fallback` event
   * `(error, false, true)`, the run's error `(error, false, false)`. For `retry` and `fallback`
   * events `error` is a typed {@link L0Error} rebuilt from the event's plain error
   * ({@link deserializeError}), so a replayed log calls back exactly as the live run did; the run's
   * error is passed as the stream raised it (typed in `l0()`).
   */
  readonly onError?: (error: unknown, willRetry: boolean, willFallback: boolean) => void;
  /** Once per subscription: the folded {@link L0State} at `complete` (or when a source without `complete` ends). */
  readonly onComplete?: (state: L0State) => void;
  /**
   * Called when another callback throws. @default one `console.warn` per callback name and per
   * `tapLifecycle()` call (a reused operator warns once, not once per stream)
   */
  readonly onCallbackError?: (error: unknown, callbackName: string) => void;
}

type Hooks = Required<Omit<LifecycleCallbacks, 'onCallbackError'>>;
type HookName = keyof Hooks;
const HOOKS: readonly HookName[] = [
  'onEvent', 'onStart', 'onRetry', 'onFallback', 'onResume', 'onCheckpoint', 'onViolation',
  'onDrift', 'onToolCall', 'onTimeout', 'onAbort', 'onError', 'onComplete',
];
/** Every key of {@link LifecycleCallbacks}. @internal The l0 preset's options include them. */
export const LIFECYCLE_CALLBACK_KEYS = /*#__PURE__*/ optionKeys<LifecycleCallbacks>()([...HOOKS, 'onCallbackError']);
const ROOT = /*#__PURE__*/ optionPath('tapLifecycle', '', 'callbacks');

/**
 * Throws a TypeError naming the first callback of `callbacks` that is neither a function nor
 * `undefined`. `where` names the bag in messages (the l0 preset passes its own).
 * @internal
 */
export function checkCallbackTypes(where: OptionPath, callbacks: LifecycleCallbacks): void {
  for (const name of LIFECYCLE_CALLBACK_KEYS) {
    const fn = callbacks[name];
    if (fn !== undefined && typeof fn !== 'function') throw optionError(where, name, 'a function', fn);
  }
}

/**
 * Calls L0's lifecycle callbacks (`onStart`, `onError`, `onRetry`, `onFallback`, `onResume`,
 * `onComplete`...) from the event stream, synchronously and in event order; the events pass
 * through untouched.
 *
 *   -s-a-r-S-b-x-|      source (s start, r retry, S start{attempt: 2}, x complete)
 *   -s-a-r-S-b-x-|      tapLifecycle(cb)   (onStart(1,f,f), onError(e,true,false), onRetry(1, reason), onStart(2,t,f), onComplete(state))
 *
 * 1. For each event: `onEvent(event)`, then the callback(s) it maps to. A `retry` event calls
 *    `onTimeout` (if its error is a token timeout), `onError(error, true, false)`, `onRetry`; a
 *    `fallback` event `onTimeout`, `onError(error, false, true)`, `onFallback`. So with a resumed
 *    fallback the order is onError -> onFallback -> onStart -> onResume -> ... -> onComplete.
 * 2. The run's error calls `onTimeout` (a TokenTimeoutError, or AllStreamsExhaustedError whose
 *    last error is one), `onAbort` (an `abort`-category error), then `onError(error, false, false)`.
 *    An event it cannot read (a `retry` without its error, a `token` without a value) ends the run
 *    so too, with an InvalidStreamError naming it, as `accumulate()` does.
 * 3. Unsubscribing before `complete` calls `onAbort(tokenCount, contentLength)` of the current
 *    attempt. After `complete` it calls nothing, not even for an error that follows it. Nothing is called after the run's error or an
 *    unsubscribe, even when a callback caused it: an `onError(e, true)` that aborts the signal is
 *    followed by `onAbort` and `onError(abortError, false, false)`, never by that retry's `onRetry`.
 * 4. Callbacks run before the subscriber receives the event (L0 calls `onComplete` after).
 *    A callback that throws, or returns a promise that rejects (an async callback), is reported to
 *    `onCallbackError` (or warned about once) and never rethrown nor left unhandled: the stream goes
 *    on as if nothing happened. Callbacks are not awaited. `onCallbackError` throwing is ignored, so is
 *    a `console.warn` that throws (a test set-up failing on warnings): the stream's outcome stays its own.
 * 5. State (the folded L0State for `onComplete`, counters) is per subscription; the state is only
 *    folded when `onComplete` is given. With no callbacks the operator is the identity.
 * 6. A key starting with `on` (any case) that is not a callback above (`onRetries`, `OnStart`) is a TypeError suggesting
 *    the closest one; other keys are ignored, as rxjs `tap` ignores them, so an object that holds
 *    state next to its callbacks (or the whole `l0()` options) can be passed.
 *
 * @example
 * import { tapLifecycle } from 'l0-rx';
 * events$.pipe(tapLifecycle({
 *   onRetry: (attempt, reason) => console.warn(`retry ${attempt}: ${reason}`),
 *   onComplete: (state) => console.log(`${state.tokenCount} tokens`),
 * }));
 * @see {@link accumulate}
 * @param callbacks See {@link LifecycleCallbacks}.
 * @throws TypeError naming the callback, for one that is not a function or an unknown `onX` name.
 */
export function tapLifecycle(callbacks: LifecycleCallbacks): MonoTypeOperatorFunction<L0Event> {
  checkBag(ROOT, callbacks);
  checkKeys(ROOT, callbacks, LIFECYCLE_CALLBACK_KEYS, /^on/i);
  checkCallbackTypes(ROOT, callbacks);
  if (!HOOKS.some((name) => callbacks[name])) return identity;
  const warned = new Set<string>(); // per operator instance, see onCallbackError
  const report = (error: unknown, name: string) => {
    try {
      if (callbacks.onCallbackError) {
        quiet(callbacks.onCallbackError(error, name)); // a rejection is ignored, like a throw
        return;
      }
    } catch {
      return;
    }
    if (warned.has(name)) return;
    warned.add(name);
    warn(`l0-rx tapLifecycle: the \`${name}\` callback threw or rejected; the stream goes on.`, error);
  };
  const fold = callbacks.onComplete !== undefined;

  return (source) =>
    defer(() => {
      let state = INITIAL_L0_STATE;
      // the current attempt's tokens and length; its text too when onComplete needs the state (the
      // same string as the trackers upstream, so the fold keeps no copy of its own)
      const text = new AttemptText({ keepText: fold });
      let failedTokens = 0; // tokens of the last attempt that a retry/fallback ended
      let completed = false;
      // The run ended: its error or an unsubscribe, maybe caused by a callback of the event in
      // progress (it aborted the signal, or made the consumer unsubscribe). Nothing is called after
      // that, the event's remaining callbacks included: nothing follows the last onError or onAbort.
      let ended = false;
      const call = <K extends HookName>(name: K, ...args: Parameters<Hooks[K]>): void => {
        const fn = ended ? undefined : (callbacks[name] as ((...a: Parameters<Hooks[K]>) => void) | undefined);
        if (!fn) return;
        try {
          // an async callback: its rejection is reported like a throw, never left unhandled
          quiet(fn.apply(callbacks, args), (e) => report(e, name));
        } catch (e) {
          report(e, name);
        }
      };
      const timeout = (e: unknown) => {
        const t = isAllStreamsExhaustedError(e) ? e.cause : e;
        if (isTokenTimeoutError(t)) call('onTimeout', t.info.kind, t.info.elapsedMs);
      };
      const fail = (plain: SerializedError, tokens: number): L0Error => {
        failedTokens = tokens;
        const error = deserializeError(plain);
        timeout(error);
        return error;
      };
      const complete = () => {
        if (completed) return;
        completed = true;
        call('onComplete', state);
      };
      const end = (err: unknown) => {
        timeout(err);
        if (categoryOf(err) === 'abort') call('onAbort', text.tokenCount, text.length);
        call('onError', err, false, false);
        ended = true;
      };
      const observe = (e: L0Event) => {
        const tokens = text.tokenCount; // the attempt a retry or fallback ends
        const change = text.observe(e);
        // not after `complete`: onComplete has the state, and the fold appends to its lists in place
        if (fold && !completed) state = change === 'token' ? reduceL0State(state, e, text.text) : reduceL0State(state, e);
        if (callbacks.onEvent) call('onEvent', e); // the only per-token call: no argument list when unused
        if (e.type === 'retry' || e.type === 'fallback') {
          const error = fail(e.error, tokens);
          if (e.type === 'retry') {
            call('onError', error, true, false);
            call('onRetry', e.attempt, e.reason);
          } else {
            call('onError', error, false, true);
            call('onFallback', e.toIndex - 1, error.reason);
          }
          return;
        }
        if (change === 'token') return;
        switch (e.type) {
          case 'start': call('onStart', e.attempt, e.isRetry, e.isFallback); break;
          case 'resume': call('onResume', e.checkpoint, failedTokens); break;
          case 'checkpoint': call('onCheckpoint', e.content, e.tokenCount); break;
          case 'violation': call('onViolation', e.violation); break;
          case 'drift': call('onDrift', e.types, e.confidence); break;
          case 'tool-call': call('onToolCall', e.name, e.id, e.arguments, e); break;
          case 'complete': complete(); break;
        }
      };
      return source.pipe(
        tap({
          next(e) {
            try {
              observe(e);
            } catch (thrown) {
              // a malformed event (a retry without its error, a token without a value) ends the run as any error does
              const error = new InvalidStreamError(`tapLifecycle: a malformed ${String((e as { type?: unknown } | null)?.type)} event`, thrown);
              end(error);
              throw error;
            }
          },
          // the run's end was its `complete` event: a source you wrote that errors after it gets no second end (onError after onComplete)
          error: (err: unknown) => completed || end(err),
          complete,
          unsubscribe() {
            if (!completed) call('onAbort', text.tokenCount, text.length);
            ended = true;
          },
        }),
      );
    });
}
