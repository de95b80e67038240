import { asyncScheduler, catchError, concat, concatMap, defer, EMPTY, from, fromEvent, isObservable, map, merge, NEVER, of, takeUntil, tap, type Observable, type SchedulerLike } from 'rxjs';
import { describeValue, InvalidStreamError } from '../errors/InvalidStreamError.js';
import { StreamAbortedError } from '../errors/StreamAbortedError.js';
import { TokenTimeoutError } from '../errors/TokenTimeoutError.js';
import type { L0Event } from '../events/eventTypes.js';
import { INITIAL_L0_STATE, reduceL0State, type L0State } from '../events/reduceState.js';
import { checkBag, checkKeys, describeOption, isSchedulerLike, isSignal, optionError, optionKeys, optionPath } from '../internal/options.js';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import { checkTimerDelay } from '../internal/timerDelay.js';
import { deadline } from '../internal/deadline.js';
import { inOrder } from './runAll.js';

/** What a step's callbacks are given. */
export interface StepContext {
  readonly stepIndex: number;
  readonly totalSteps: number;
  /** The results of the steps before this one, in order. */
  readonly previous: readonly StepResult[];
}

/** One step: a stream built from the previous step's output. */
export interface PipelineStep {
  readonly name: string;
  /** Builds the step's stream from its input (the pipeline's input, or the previous output). */
  readonly run: (input: any, ctx: StepContext) => Observable<L0Event>;
  /** Return false (or a promise of false) to skip the step: it is `skipped` and passes its input on. A throw, a rejection or a value that is not a boolean (a missing `return`) fails the step. @default undefined (always run) */
  readonly condition?: (input: any, ctx: StepContext) => boolean | PromiseLike<boolean>;
  /** The step's output from its final state; a promise is awaited. A throw or rejection fails the step. @default (state) => state.content */
  readonly transform?: (state: L0State, ctx: StepContext) => unknown;
}

export interface StepResult {
  readonly name: string;
  readonly stepIndex: number;
  readonly input: unknown;
  /** `transform(state)` (default: the text); the input for a skipped step; undefined for a failed one. */
  readonly output: unknown;
  /** The step's final state (its last state when it failed); null for a skipped step. */
  readonly state: L0State | null;
  readonly status: 'success' | 'error' | 'skipped';
  readonly error?: unknown;
}

export interface PipelineResult {
  /** The last successful step's output, or the pipeline's input when none succeeded. */
  readonly output: unknown;
  readonly steps: readonly StepResult[];
  /** `error`: a step failed with `stopOnError`, or timeout/abort; `partial`: a step failed without it. */
  readonly status: 'success' | 'error' | 'partial';
  readonly error?: unknown;
}

/** What a pipeline emits: each step's start, its events as they stream, its end, then the result. */
export type PipelineUpdate =
  | { readonly type: 'step-start'; readonly stepIndex: number; readonly totalSteps: number; readonly name: string }
  | { readonly type: 'event'; readonly stepIndex: number; readonly name: string; readonly event: L0Event }
  | { readonly type: 'step-end'; readonly step: StepResult }
  | { readonly type: 'result'; readonly result: PipelineResult };

/** Options of {@link pipeline}. */
export interface PipelineConfig {
  /** Stop at the first failing step (status `error`); false runs on with the last good output (status `partial`). @default true */
  readonly stopOnError?: boolean;
  /** The whole pipeline's budget in ms (at most 2147483647): at the deadline the current step is unsubscribed (aborted); one that ends at the deadline itself succeeds. @default undefined (none) */
  readonly timeout?: number;
  /** Aborting it unsubscribes the current step; an already aborted signal runs no step. Any realm's AbortSignal, or a polyfill's (a boolean `aborted`, `addEventListener` and `removeEventListener`). @default undefined */
  readonly signal?: AbortSignal;
  /** Time source for `timeout`. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

const KEYS = /*#__PURE__*/ optionKeys<PipelineConfig>()(['stopOnError', 'timeout', 'signal', 'scheduler']);
const PATH = /*#__PURE__*/ optionPath('pipeline', 'steps, input, ');

/**
 * Runs steps one after another, each built from the previous step's output, streaming every
 * step's events as they come and ending with a {@link PipelineResult}.
 *
 *   --a-b|  ----c|               step 1 ('ab'), then step 2 built from 'ab'
 *   S-a-b(ES)c(ER|)              pipeline([s1, s2], input)   (S step-start, a/b/c their events, E step-end, R result)
 *
 * 1. For each step: `condition(input)` false records it `skipped` (output = input); else
 *    `step-start`, then `run(input)` is subscribed and each event is emitted as `event`; at its
 *    completion `transform(finalState)` (default: the text) is the output and input of the next.
 *    `condition` and `transform` may return a promise: it is awaited, and a rejection fails the step.
 * 2. A failing step (its stream, `condition` or `transform` throwing, or a `run` that returns no
 *    Observable: an `InvalidStreamError` naming the step) is recorded with its error;
 *    with `stopOnError` (default) no later step runs and the status is `error`; without it the next
 *    step gets the last good output and the status is `partial`.
 * 3. `timeout` and `signal` unsubscribe the current step at once (so its request aborts) and end
 *    with status `error` ({@link TokenTimeoutError} `TOTAL_TIMEOUT` or {@link StreamAbortedError});
 *    the stopped step's `step-end` (status `error`) comes before the result, as every started
 *    step's does, and so does that of a step whose async `condition` was pending (in `steps`,
 *    state null, as one whose condition rejects). The timer is released on completion or unsubscribe.
 *    A step that ends at the deadline itself ended in time (as a `parallel` run does): the cut comes
 *    after everything else due at that instant, whichever was scheduled first.
 * 4. The Observable itself never errors: failures are in the result. Unsubscribing aborts the step.
 * 5. The steps are taken as checked at the call (the array, and each step's name and functions, still
 *    called as its methods): changing either afterwards changes no run.
 *
 * @example
 * import { filter, last } from 'rxjs';
 * import { fromStream, pipeline, type StreamFactory } from 'l0-rx';
 * declare function write(topic: string): StreamFactory;
 * declare function edit(draft: string): StreamFactory;
 * pipeline([
 *   { name: 'draft', run: (topic) => fromStream(write(topic)) },
 *   { name: 'edit', run: (draft) => fromStream(edit(draft)) },
 * ], 'rxjs').pipe(filter((u) => u.type === 'result'), last()).subscribe((u) => console.log(u));
 * @param steps The steps, in order.
 * @param input The first step's input.
 * @param config See {@link PipelineConfig}.
 */
export function pipeline(steps: readonly PipelineStep[], input: unknown, config: PipelineConfig = {}): Observable<PipelineUpdate> {
  const list = checkSteps(steps);
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { stopOnError = true, timeout, signal, scheduler = asyncScheduler } = config;
  if (typeof stopOnError !== 'boolean') throw optionError(PATH, 'stopOnError', 'a boolean', stopOnError);
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) throw optionError(PATH, 'timeout', 'a finite number of ms > 0', timeout);
  if (timeout !== undefined) checkTimerDelay(PATH, 'timeout', timeout);
  if (signal !== undefined && !isSignal(signal)) throw optionError(PATH, 'signal', 'an AbortSignal', signal);
  if (!isSchedulerLike(scheduler)) throw optionError(PATH, 'scheduler', 'a SchedulerLike', scheduler);
  const total = list.length;

  return defer(() => {
    const done: StepResult[] = [];
    let current = input;
    let lastGood = input;
    /** The first failure, boxed: a step may fail with `undefined` (`throw undefined`), which is still a failure. */
    let failure: { readonly error: unknown } | undefined;
    /** The step being evaluated, from its `condition` on (null state until its stream is subscribed): a cut ends it. */
    let running: { base: { name: string; stepIndex: number; input: unknown }; state: L0State | null } | undefined;

    const record = (r: StepResult): PipelineUpdate => (done.push(r), { type: 'step-end', step: Object.freeze(r) });
    const runStep = (i: number): Observable<PipelineUpdate> =>
      defer(() => {
        if (failure !== undefined && stopOnError) return EMPTY;
        const step = list[i]!;
        const { name } = step;
        const ctx: StepContext = Object.freeze({ stepIndex: i, totalSteps: total, previous: Object.freeze([...done]) });
        const stepInput = current;
        const base = { name, stepIndex: i, input: stepInput };
        // `condition` and `transform` may be async (as L0's were): awaited, so a rejection fails the step
        // (never an unhandled rejection) and a timeout or abort while one is pending ends the step there, in error
        const run: { base: typeof base; state: L0State | null } = (running = { base, state: null });
        const body = defer(() => settle(step.condition ? step.condition(stepInput, ctx) : true)).pipe(concatMap((go: unknown) => {
          // undefined (a condition without `return`) would skip the step unseen
          if (typeof go !== 'boolean') throw new TypeError(`pipeline: step ${i} (${name}) condition returned ${describeOption(go)}; it must return a boolean (or a promise of one)`);
          if (!go) return (running = undefined), of(record({ ...base, output: stepInput, state: null, status: 'skipped' }));
          run.state = INITIAL_L0_STATE;
          const start: PipelineUpdate = { type: 'step-start', stepIndex: i, totalSteps: total, name };
          // called after `step-start` is out, so a run() that throws ends a step that started
          const events = defer(() => {
            const out: unknown = step.run(stepInput, ctx);
            // defer() would read a promise, an array or a string as events
            if (!isObservable(out)) throw new InvalidStreamError(`pipeline: step ${i} (${name}) run() returned ${describeValue(out)}, not an Observable<L0Event> (wrap a stream in fromStream)`);
            return out as Observable<L0Event>;
          }).pipe(
            tap((event) => (run.state = reduceL0State(run.state!, event))),
            map((event): PipelineUpdate => ({ type: 'event', stepIndex: i, name, event })),
          );
          const end = defer(() => settle(step.transform ? step.transform(run.state!, ctx) : run.state!.content)).pipe(
            map((output) => {
              running = undefined;
              current = lastGood = output;
              return record({ ...base, output, state: run.state, status: 'success' });
            }),
          );
          return concat(of(start), events, end);
        }));
        return body.pipe(
          catchError((error: unknown) => {
            failure ??= { error };
            const state = running?.state ?? null;
            running = undefined;
            return of(record({ ...base, output: undefined, state, status: 'error', error }));
          }),
        );
      });

    /** The result, after the `step-end` of a step the cut stopped (every `step-start` has its `step-end`, and a pending `condition`'s step one too). */
    const finish = (cut: unknown): PipelineUpdate[] => {
      const updates: PipelineUpdate[] = [];
      if (cut !== undefined) {
        failure = { error: cut };
        if (running) updates.push(record({ ...running.base, output: undefined, state: running.state, status: 'error', error: cut }));
      }
      const status = failure === undefined ? 'success' : cut !== undefined || stopOnError ? 'error' : 'partial';
      const result: PipelineResult = Object.freeze({ output: lastGood, steps: Object.freeze([...done]), status, ...(failure === undefined ? {} : { error: failure.error }) });
      updates.push({ type: 'result', result });
      return updates;
    };

    if (signal?.aborted) return of(...finish(new StreamAbortedError('The pipeline was aborted before it started', signal.reason)));
    let cut: unknown;
    const cuts = merge(
      timeout === undefined ? NEVER : deadline(timeout, scheduler).pipe(map(() => new TokenTimeoutError({ kind: 'total', timeoutMs: timeout, elapsedMs: timeout, tokenCount: running?.state?.tokenCount ?? 0 }))),
      signal === undefined ? NEVER : fromEvent(signal, 'abort').pipe(map(() => new StreamAbortedError('The pipeline was aborted', signal.reason))),
    ).pipe(tap((e) => (cut = e)));
    return concat(inOrder(total, runStep, 1).pipe(takeUntil(cuts)), defer(() => of(...finish(cut))));
  });
}

/** A value, or a promise's value once it settles (its rejection an error notification, never unhandled). */
const settle = <X>(v: X | PromiseLike<X>): Observable<X> => (isPromiseLike(v) ? from(Promise.resolve(v)) : of(v));

/**
 * The steps as validated: copies of the array and of each step's name and functions (each still called on its step,
 * as a method), so a change to the caller's array or step objects after the call runs nothing unchecked. Each field is
 * read once: a getter may answer anew at each read, and what was checked is what runs.
 */
function checkSteps(steps: unknown): readonly PipelineStep[] {
  if (!Array.isArray(steps)) throw new TypeError(`pipeline(steps, input): steps must be an array, got ${describeOption(steps)}`);
  // a hole is a step too (the copy makes it undefined, which `map` visits): refused here, never an error of the pipeline itself
  return [...(steps as (Partial<PipelineStep> | null)[])].map((s, i) => {
    if (typeof s !== 'object' || s === null) throw new TypeError(`pipeline(steps, input): steps[${i}] must be an object, got ${describeOption(s)}`);
    const { name, run, condition, transform } = s;
    if (typeof name !== 'string') throw new TypeError(`pipeline(steps, input): steps[${i}].name must be a string, got ${describeOption(name)}`);
    const fns = { run, condition, transform };
    for (const fn of ['run', 'condition', 'transform'] as const) {
      if ((fn === 'run' || fns[fn] !== undefined) && typeof fns[fn] !== 'function') {
        throw new TypeError(`pipeline(steps, input): steps[${i}].${fn} must be a function, got ${describeOption(fns[fn])}`);
      }
    }
    return { name, run: run!.bind(s), condition: condition?.bind(s), transform: transform?.bind(s) };
  });
}
