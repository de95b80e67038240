import {
  asyncScheduler,
  concat,
  defer,
  EMPTY,
  from,
  fromEvent,
  ignoreElements,
  NEVER,
  type Observable,
  type SchedulerLike,
  takeUntil,
  throwError,
  timer,
} from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import type { StreamContext } from '../sources/fromStream.js';
import { describeFakeErrorProblem } from './fakeError.js';
import { compileScript, finishReasonProblem, usageProblem, type FakeScript, type FakeStep } from './fakeScript.js';
import { checkMarbleValues, parseFakeMarbles, type FakeMarbleValues } from './parseFakeMarbles.js';
import { checkKeys, optionKeys, optionPath } from '../internal/options.js';

/** One attempt's script: a marble string (`'ab-c|'`) or an object script. */
export type FakeAttempt = string | FakeScript;

/** Options of {@link fakeModel}. */
export interface FakeModelOptions extends FakeMarbleValues {
  /**
   * The time source for `-` frames and `{delay}` items. Under `TestScheduler.run()` the default is
   * already virtual; pass the TestScheduler itself only in classic (non-run) mode.
   * @default asyncScheduler (one `-` = 1 ms of real time outside a TestScheduler)
   */
  readonly scheduler?: SchedulerLike;
}

/** What a fake model was called with, once per call (that is, per attempt). */
export interface FakeModelCall {
  /** 0-based call number. */
  readonly index: number;
  readonly attempt: number;
  readonly fallbackIndex: number;
  readonly checkpoint: string | undefined;
  readonly signal: AbortSignal;
  /** Whether the call's signal has been aborted (read live: true once the caller unsubscribed). */
  readonly aborted: boolean;
}

/** A scripted {@link StreamFactory}: call it with a `StreamContext`, get a cold `Observable<L0Event>`. */
export interface FakeModel {
  (ctx: StreamContext): Observable<L0Event>;
  /** Every call so far, oldest first (a live view). */
  readonly calls: readonly FakeModelCall[];
  /** How many times the model was called. */
  readonly callCount: number;
}

/**
 * A scripted model for tests: a `StreamFactory` whose n-th call plays the n-th script (the last one
 * repeating), on virtual time under a `TestScheduler`.
 *
 *   fakeModel(['a-b-#', 'ok|'])      call 1 plays 'a-b-#', call 2 and later play 'ok|'
 *   a-b-#                            call 1: token 'a', token 'b', then a retryable ECONNRESET
 *   ok(c|)                           call 2+: tokens 'o', 'k', then c, complete{finishReason: 'stop'}
 *
 * Rules:
 * 1. Marble strings: each letter or digit is a one-character `token` (or its item in `options.values`,
 *    a record or a `Map`), `-` is one frame, `(ab)` emits a group on one frame, `#` errors with
 *    `options.error` (default: a `read ECONNRESET` network error), `|` emits
 *    `complete{finishReason: 'stop'}` and completes. Without `|` or `#` the attempt hangs after its
 *    last item until unsubscribed. Frames follow rxjs marble timing (every character takes one
 *    frame, a frame is 1 ms), so the script lines up with `cold()`; so does rxjs's time progression:
 *    in `'a 10ms b|'` the `10ms` (`s` and `m` too), at the start or between spaces, waits 10
 *    frames and is not four tokens. Only a space is white space, as in rxjs (which reads a tab or a
 *    newline as a value): a tab or a newline is a TypeError.
 * 2. Object scripts (`{items, finishReason?, usage?}`) play `items` in order (see {@link FakeItem}),
 *    then emit `complete` unless an `error`, `hang` or `end` item came first.
 * 3. It emits content events only (token, reasoning, tool-call, data, progress, complete): wrap it in
 *    `fromStream()` to get `start`/`resume` and the attempt context.
 * 4. Each call is recorded in `calls` with its context; `aborted` turns true when the caller aborts
 *    the signal (fromStream does so on unsubscribe). An aborted signal stops the script at once:
 *    the Observable completes with no further events, as the openai SDK ends iteration after an abort.
 * 5. Scripts and options are validated eagerly: a bad marble character (named whole, with its code
 *    point when not ASCII: `'😀' (U+1F600)`), an unknown item kind, an invalid error spec, a `usage`
 *    that is not a record of whole token counts, a `values` key that is not one letter or digit, or an
 *    unknown key of the options, of a script or of a `toolCall` (a typo such as `finishreason`)
 *    throws a `TypeError` naming the attempt and position or the option.
 *
 * @example
 * import { fromStream } from 'l0-rx';
 * import { fakeModel } from 'l0-rx/testing';
 * const model = fakeModel(['Hi-#', { items: ['Hello', { delay: 5 }, ' world'], usage: { outputTokens: 2 } }]);
 * fromStream(model).subscribe(console.log);
 * model.callCount; // 1
 * @example
 * import { fakeModel } from 'l0-rx/testing';
 * // rate limited once, with a server-requested delay, then fine
 * fakeModel([{ items: [{ error: { status: 429, headers: { 'retry-after': '2' } } }] }, 'ok|']);
 * @see {@link fakeError} {@link startFaultServer}
 * @param attempts One script per call, the last one repeating; a single script is allowed.
 * @param options Marble values, the `#` error, finish reason/usage of `|`, and the scheduler.
 */
export function fakeModel(attempts: FakeAttempt | readonly FakeAttempt[], options: FakeModelOptions = {}): FakeModel {
  validateOptions(options);
  const list: readonly FakeAttempt[] = Array.isArray(attempts) ? attempts : [attempts as FakeAttempt];
  if (list.length === 0) throw new TypeError('fakeModel: attempts must hold at least one script');
  const compiled = list.map((a, i) => compileAttempt(a, `fakeModel: attempts[${i}]`, options));
  const scheduler = options.scheduler ?? asyncScheduler;
  const calls: FakeModelCall[] = [];
  const model = (ctx: StreamContext): Observable<L0Event> => {
    const steps = compiled[Math.min(calls.length, compiled.length - 1)]!;
    calls.push(recordCall(calls.length, ctx));
    return play(steps, scheduler, ctx?.signal);
  };
  Object.defineProperties(model, {
    calls: { get: () => calls, enumerable: true },
    callCount: { get: () => calls.length, enumerable: true },
  });
  return model as FakeModel;
}

function compileAttempt(attempt: FakeAttempt, where: string, options: FakeModelOptions): FakeStep[] {
  return typeof attempt === 'string' ? parseFakeMarbles(attempt, where, options) : compileScript(attempt, where);
}

const OPTION_KEYS = /*#__PURE__*/ optionKeys<FakeModelOptions>()(['scheduler', 'values', 'error', 'finishReason', 'usage']);
const OPTIONS_PATH = /*#__PURE__*/ optionPath('fakeModel', 'attempts, ', 'options');

function validateOptions(options: FakeModelOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('fakeModel: options must be an object');
  // a misspelt option (`schedular`, `finishreason`) is named, never silently left at its default
  checkKeys(OPTIONS_PATH, options, OPTION_KEYS);
  const { scheduler, error, finishReason, usage, values } = options;
  if (scheduler !== undefined && (typeof scheduler.schedule !== 'function' || typeof scheduler.now !== 'function')) {
    throw new TypeError('fakeModel: options.scheduler must be a SchedulerLike');
  }
  const errorProblem = error === undefined ? undefined : describeFakeErrorProblem(error);
  if (errorProblem) throw new TypeError(`fakeModel: options.error: ${errorProblem}`);
  const reasonProblem = finishReasonProblem(finishReason);
  if (reasonProblem) throw new TypeError(`fakeModel: options.${reasonProblem}`);
  const badUsage = usageProblem(usage);
  if (badUsage) throw new TypeError(`fakeModel: options.${badUsage}`);
  checkMarbleValues(values, 'fakeModel: options.values');
}

function recordCall(index: number, ctx: StreamContext | undefined): FakeModelCall {
  const signal = ctx?.signal ?? new AbortController().signal;
  return Object.freeze({
    index,
    attempt: ctx?.attempt ?? 1,
    fallbackIndex: ctx?.fallbackIndex ?? 0,
    checkpoint: ctx?.checkpoint,
    signal,
    get aborted() {
      return signal.aborted;
    },
  });
}

function play(steps: readonly FakeStep[], scheduler: SchedulerLike, signal: AbortSignal | undefined): Observable<L0Event> {
  const script = concat(...steps.map((step) => stepObservable(step, scheduler)));
  if (!signal) return script;
  return defer(() => (signal.aborted ? EMPTY : script.pipe(takeUntil(fromEvent(signal, 'abort')))));
}

function stepObservable(step: FakeStep, scheduler: SchedulerLike): Observable<L0Event> {
  switch (step.kind) {
    case 'wait': return timer(step.ms, scheduler).pipe(ignoreElements());
    case 'emit': return from(step.events);
    case 'error': return throwError(step.error);
    case 'end': return EMPTY;
    case 'hang': return NEVER;
  }
}
