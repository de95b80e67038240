import type { StandardSchemaV1 } from '@standard-schema/spec';
import { asyncScheduler, concat, concatMap, defer, ignoreElements, isObservable, map, NEVER, takeUntil, takeWhile, tap, throwError, timer, type Observable, type SchedulerLike } from 'rxjs';
import { AllStreamsExhaustedError } from '../errors/AllStreamsExhaustedError.js';
import { TokenTimeoutError } from '../errors/TokenTimeoutError.js';
import { ZeroOutputError } from '../errors/ZeroOutputError.js';
import { checkSchema } from '../structured/validateSchema.js';
import type { L0Event } from '../events/eventTypes.js';
import type { L0State } from '../events/reduceState.js';
import { checkBag, checkKeys, CONCURRENCY, describeOption, isConcurrency, isSchedulerLike, optionError, optionKeys, optionPath } from '../internal/options.js';
import { quiet } from '../internal/isPromiseLike.js';
import { checkTimerDelay } from '../internal/timerDelay.js';
import { deadline } from '../internal/deadline.js';
import { runAll, type ParallelResult } from '../multi/runAll.js';
import { decide, type ConsensusOutput, type ConsensusResult } from './decide.js';
import { decided, hasText, parseOnce, validateMerged, validateOutputs, type Parsed } from './schemaCheck.js';
import { isTextSimilarity, textSimilarity } from './textSimilarity.js';

export type { ConsensusOutput, ConsensusResult } from './decide.js';
export type { FieldConsensus } from './fieldConsensus.js';

/** How the consensus is chosen. */
export type ConsensusStrategy = 'majority' | 'unanimous' | 'weighted' | 'best';
/** What to do when some outputs disagree with the chosen one. */
export type ConflictResolution = 'vote' | 'merge' | 'best' | 'fail';

/** Options of {@link consensus}. */
export interface ConsensusConfig<T = string> {
  /** `majority`: the output most others agree with; `weighted`: the same with `weights`; `unanimous`: all must agree (a dissent is a conflict); `best`: the highest `score` (else weight). @default 'majority' */
  readonly strategy?: ConsensusStrategy;
  /** Similarity (text) or field agreement (structured) at which two outputs agree, in [0, 1]. @default 0.8 */
  readonly threshold?: number;
  /** On dissent: `vote` keeps the chosen output (structured: each field's winner, leaving out a field fewer than half the finished outputs' weight wrote); `merge` (structured) takes every field's winner, such a minority's field too; `best` switches to the best-scored output; `fail` errors with {@link ConsensusError}. @default 'vote' */
  readonly resolveConflicts?: ConflictResolution;
  /** One weight (>= 0, at least one above 0) per source, by source position; required by `weighted`, used by `best` without `score`, refused (TypeError) with `majority` and `unanimous`, which count one vote per source (unless all 1, the default). @default undefined (all 1) */
  readonly weights?: readonly number[];
  /** Below this agreement the run errors with {@link ConsensusError}; 0 turns the check off. @default 0.6 */
  readonly minimumAgreement?: number;
  /** Budget in ms (at most 2147483647) for all sources: at the deadline the unfinished ones are unsubscribed and count as failed (`TOTAL_TIMEOUT`; one that ends at the deadline itself finished, as a `parallel` run does; one `concurrency` never started is `skipped`), and so does a finished one whose async `parse` or `schema` has not settled. @default undefined (none) */
  readonly timeout?: number;
  /** Time source for `timeout`. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** Turns an output's text into a value (JSON.parse, a schema's parse) for structured, per-field consensus; called once per finished output. A promise is awaited (no `earlyExit` on its value; `timeout` bounds it). A throw or rejection fails that output. Values are voted by their JSON: one JSON cannot hold (a BigInt, a cycle) errors the run with a TypeError naming it. @default undefined (text consensus) */
  readonly parse?: (text: string, state: L0State) => T | PromiseLike<T>;
  /** Text similarity in [0, 1] (anything else errors the run with a TypeError naming it). Text consensus only: a custom one is refused (TypeError) with `parse` or `schema` (`textSimilarity`, the default, is accepted, from any copy of the package: ESM and CJS). @default textSimilarity (word-level, linear memory) */
  readonly similarity?: (a: string, b: string) => number;
  /** A quality score for strategy `best` or resolveConflicts `best` (higher wins); refused (TypeError) with neither, which score nothing. @default undefined (the weight decides) */
  readonly score?: (output: ConsensusOutput<T>) => number;
  /** Sources subscribed at once, at most (an integer >= 1, or `Infinity`: no limit). @default all of them */
  readonly concurrency?: number;
  /**
   * Stop as soon as the outcome is decided: one finished output agrees (text: within `threshold`;
   * structured: the same value) with a strict majority of every source's weight, meeting
   * `minimumAgreement`. The unfinished sources are unsubscribed (their requests abort) and are
   * `cancelled` outputs, as are those `concurrency` never started (no request sent). Not with `unanimous` or `best`, which need every output. @default false
   */
  readonly earlyExit?: boolean;
  /**
   * A Standard Schema for structured consensus (implies `parse: JSON.parse` when `parse` is not
   * given): each parsed output is validated (an invalid one is an `error` output), and so is the
   * value merged from the fields' winners, which can be a mix no output had. @default undefined
   */
  readonly schema?: StandardSchemaV1<unknown, T>;
  /** A merged value that fails `schema`: `'best'` returns the valid output agreeing with the most fields instead (the failure in `mergeError`); `'error'` errors with a non-retryable {@link SchemaValidationError}. `'error'` needs `schema` (a TypeError without one: nothing would be validated); `'best'`, the default, is accepted anywhere. @default 'best' */
  readonly onInvalidMerge?: 'best' | 'error';
}

/** Default options of {@link consensus}. */
export const CONSENSUS_DEFAULTS = /*#__PURE__*/ Object.freeze({ strategy: 'majority', threshold: 0.8, resolveConflicts: 'vote', minimumAgreement: 0.6 } as const);
const KEYS = /*#__PURE__*/ optionKeys<ConsensusConfig>()([
  'strategy', 'threshold', 'resolveConflicts', 'weights', 'minimumAgreement', 'timeout', 'scheduler', 'parse', 'similarity', 'score', 'concurrency', 'earlyExit', 'schema', 'onInvalidMerge',
]);
const PATH = /*#__PURE__*/ optionPath('consensus', 'sources, ');

/**
 * Runs every source at once and emits one {@link ConsensusResult}: the answer most outputs agree
 * on (text), or each field's majority value (structured, with `parse`).
 *
 *   --a|  ---a|  -b|       three sources (a: "Paris", b: "London")
 *   ----(r|)               consensus(sources)   (r.consensus "Paris", r.agreement 2/3)
 *
 * 1. Each source is folded with `accumulate()`; a failing source, an empty (or whitespace-only)
 *    answer ({@link ZeroOutputError}: it agrees with nothing) and a `parse` that throws (or rejects) are outputs
 *    with `status: 'error'`, and the result's status is `partial`.
 * 2. Text: pairwise {@link textSimilarity} (linear memory); an output's support is the weight of the
 *    outputs within `threshold` of it (its own included). `majority`/`weighted`/`unanimous` choose
 *    the most supported output (ties: the larger weighted similarity sum, then input order); `best`
 *    the highest `score`, else weight. The consensus is always one of the outputs, never a blend.
 * 3. Structured: every field (dotted path, a dot in a key escaped `\.`; arrays are values) is voted
 *    by weight, values compared with sorted keys; the consensus is each field's winner (`best`: the
 *    best whole output), without the fields fewer than half the finished outputs' weight wrote
 *    (`resolveConflicts: 'merge'` keeps them), though with the objects a majority wrote around them
 *    (`{a: {}}` when each output's `a` held another field). A field that is a value in some outputs
 *    and an object in others takes the heavier side's shape.
 * 4. Outputs below `threshold` (text) or fields below it among the finished outputs (structured;
 *    a source `earlyExit` cancelled is never a conflict) are conflicts, handled by
 *    `resolveConflicts`; `unanimous` with a conflict and `fail` errors. Then an agreement below
 *    `minimumAgreement` errors with {@link ConsensusError}.
 * 5. All failed (all empty included): {@link AllStreamsExhaustedError} with every error in input order. `timeout`
 *    unsubscribes the unfinished sources (their requests abort) and uses the finished ones (one that
 *    ends at the deadline itself finished, as a `parallel` run does): each
 *    unfinished one is an `error` output, a `TOTAL_TIMEOUT` {@link TokenTimeoutError} whose info
 *    has the tokens it streamed and how long it ran (a finished one whose async `parse` is still
 *    pending at the deadline fails the same way); one `concurrency` never let start is `skipped`
 *    (no request, no error), and it makes the result `partial` too.
 * 6. `concurrency` limits the sources subscribed at once. `earlyExit` stops once one output has a
 *    strict majority of all the weight (see the option): the rest are unsubscribed (or, held back
 *    by `concurrency`, never started: no request), `cancelled` (not `skipped`: nothing failed),
 *    and their weight still counts in `agreement` (a lower bound).
 * 7. `schema`: each parsed output is validated, then the merged value; a merge that fails it is
 *    never returned as valid (`onInvalidMerge`: the best valid output, or the error).
 *
 *   --a|  ---a|  -----b|   three sources, earlyExit: true
 *   ----(r|)               consensus(sources, { earlyExit: true })   (2 of 3 agree at frame 4: the third is unsubscribed)
 *
 * @example
 * import { consensus, fromStream, type StreamFactory } from 'l0-rx';
 * declare const a: StreamFactory, b: StreamFactory, c: StreamFactory; // three models, or one asked three times
 * consensus([fromStream(a), fromStream(b), fromStream(c)], { threshold: 0.9 })
 *   .subscribe((r) => console.log(r.consensus, r.agreement));
 * @see {@link textSimilarity}
 * @param sources At least two cold `Observable<L0Event>`s.
 * @param config See {@link ConsensusConfig}.
 */
export function consensus(sources: readonly Observable<L0Event>[], config?: ConsensusConfig<string> & { parse?: undefined }): Observable<ConsensusResult<string>>;
export function consensus<T>(sources: readonly Observable<L0Event>[], config: ConsensusConfig<T> & { parse: (text: string, state: L0State) => T | PromiseLike<T> }): Observable<ConsensusResult<T>>;
export function consensus<T>(sources: readonly Observable<L0Event>[], config: ConsensusConfig<T> & { schema: StandardSchemaV1<unknown, T> }): Observable<ConsensusResult<T>>;
export function consensus<T>(sources: readonly Observable<L0Event>[], config: ConsensusConfig<T> = {}): Observable<ConsensusResult<T | string>> {
  const options = resolveConsensus(sources, config);
  const { list, timeout, scheduler, concurrency, earlyExit } = options;
  return defer(() => {
    const start = scheduler.now();
    const parsed = options.parse && parseOnce(options.parse, options.schema);
    let latest: ParallelResult | undefined;
    let early = false;
    // where each source stands, for the unfinished ones at the timeout: undefined until it is subscribed
    const live: Live = { states: [], since: [], end: 0 };
    const onState = (i: number, state: L0State) => {
      if (live.states[i] === undefined) live.since[i] = scheduler.now();
      live.states[i] = state;
    };
    let all = runAll(list, { concurrency, failFast: false, onState });
    // each pair's similarity, once per run: the early check's, reused by the decision
    const sims = new Map<number, number>();
    if (earlyExit) {
      const isDecided = decided(options, parsed!, sims);
      all = all.pipe(takeWhile((r) => !(early = isDecided(r)), true));
    }
    // a source that ends at the deadline itself finished in time, as a parallel run or pipeline step does
    const run = (timeout === undefined ? all : all.pipe(takeUntil(deadline(timeout, scheduler)))).pipe(
      tap((r: ParallelResult) => {
        latest = r;
      }),
      ignoreElements(),
    );
    const outputs = defer(() => {
      live.end = scheduler.now();
      // an async parse (or schema) still pending when `timeout` is up fails its output as a source still streaming would
      const late = (out: ConsensusOutput<T>): Observable<never> =>
        timeout === undefined
          ? NEVER
          : timer(Math.max(0, start + timeout - live.end), scheduler).pipe(
              map(() => {
                throw timedOut(timeout, scheduler.now() - live.since[out.index]!, out.state!.tokenCount);
              }),
            );
      return validateOutputs(toOutputs(list.length, latest, early, live, options, parsed), late);
    });
    return concat(run, outputs).pipe(
      concatMap((outputs) => {
        // a skipped source sent no request: it has no error to report
        if (outputs.every((o) => o.status === 'error' || o.status === 'skipped')) {
          return throwError(() => new AllStreamsExhaustedError(outputs.filter((o) => o.status === 'error').map((o) => o.error)));
        }
        return validateMerged(decide(outputs, options, sims), options);
      }),
    );
  });
}

/** The checked options. @internal */
export type Resolved<T> = ReturnType<typeof resolveConsensus<T>>;

/** Where each source stood when `timeout` stopped the run: its latest state (undefined: never subscribed), when it was subscribed, and when the run stopped. */
interface Live {
  readonly states: (L0State | undefined)[];
  readonly since: number[];
  end: number;
}

const timedOut = (timeoutMs: number, elapsedMs: number, tokenCount: number) => new TokenTimeoutError({ kind: 'total', timeoutMs, elapsedMs, tokenCount });

function toOutputs<T>(n: number, latest: ParallelResult | undefined, early: boolean, live: Live, o: Resolved<T>, parsed: ((i: number, state: L0State) => Parsed<T>) | undefined): ConsensusOutput<T>[] {
  return Array.from({ length: n }, (_, index): ConsensusOutput<T> => {
    const weight = o.weights?.[index] ?? 1;
    const state = latest?.results[index] ?? null;
    const status = latest?.statuses[index];
    // a run that ended with its own error, an abort included (runAll calls an aborted run cancelled)
    if (status === 'error' || (status === 'cancelled' && latest!.errors[index] !== undefined)) return { index, status: 'error', weight, state, error: latest!.errors[index] };
    if (early && status !== 'success') return { index, status: 'cancelled', weight, state };
    if (status !== 'success' || !state) {
      // `timeout` stopped the run: a source `concurrency` never let start sent no request, so it did not time out
      const seen = live.states[index];
      if (seen === undefined) return { index, status: 'skipped', weight, state };
      return { index, status: 'error', weight, state, error: timedOut(o.timeout ?? 0, live.end - live.since[index]!, seen.tokenCount) };
    }
    // an empty answer agrees with nothing: two of them are not a consensus (nor a vote for one)
    if (!hasText(state.content)) return { index, status: 'error', weight, state, text: state.content, error: new ZeroOutputError({ content: state.content }) };
    if (!parsed) return { index, status: 'success', weight, state, text: state.content };
    const p = parsed(index, state);
    // a promise stays in `value` until validateOutputs settles it
    return 'error' in p ? { index, status: 'error', weight, state, text: state.content, error: p.error } : { index, status: 'success', weight, state, text: state.content, value: p.value as T };
  });
}

function resolveConsensus<T>(sources: readonly Observable<L0Event>[], config: ConsensusConfig<T>) {
  if (!Array.isArray(sources) || sources.length < 2) throw new TypeError(`consensus(sources): needs at least 2 sources, got ${Array.isArray(sources) ? sources.length : describeOption(sources)}`);
  // a copy, run as validated (the caller's array may change before a subscription), and a hole checked too (forEach skips it): never a source silently `skipped`
  const list = [...sources];
  list.forEach((s, i) => {
    // isObservable, as parallel: a bare `{subscribe}` passed here and failed its output with "sources[i].pipe is not a function"
    if (!isObservable(s)) throw new TypeError(`consensus(sources): sources[${i}] must be an Observable<L0Event>, got ${describeOption(s)}`);
  });
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  // an option given as undefined takes its default, as everywhere else (a spread would keep the undefined)
  const D = CONSENSUS_DEFAULTS;
  const { strategy = D.strategy, threshold = D.threshold, resolveConflicts = D.resolveConflicts, minimumAgreement = D.minimumAgreement } = config;
  const { weights, timeout, scheduler = asyncScheduler, similarity = textSimilarity, score, concurrency = sources.length, earlyExit = false, onInvalidMerge = 'best' } = config;
  const schema = config.schema === undefined ? undefined : (checkSchema(PATH, config.schema) as StandardSchemaV1<unknown, T>);
  const parse: ((text: string, state: L0State) => T | PromiseLike<T>) | undefined = config.parse ?? (schema ? (text: string) => JSON.parse(text) as T : undefined);
  if (!['majority', 'unanimous', 'weighted', 'best'].includes(strategy)) throw optionError(PATH, 'strategy', "'majority', 'unanimous', 'weighted' or 'best'", strategy);
  if (!['vote', 'merge', 'best', 'fail'].includes(resolveConflicts)) throw optionError(PATH, 'resolveConflicts', "'vote', 'merge', 'best' or 'fail'", resolveConflicts);
  for (const [key, v] of [['threshold', threshold], ['minimumAgreement', minimumAgreement]] as const) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw optionError(PATH, key, 'a number in [0, 1]', v);
  }
  if (strategy === 'weighted' && weights === undefined) throw optionError(PATH, 'weights', "one weight per source with strategy 'weighted'", weights);
  // spread: a hole is a weight too (every skips it), never the default 1 unseen
  if (weights !== undefined && (!Array.isArray(weights) || weights.length !== sources.length || ![...weights].every((w) => typeof w === 'number' && w >= 0 && Number.isFinite(w)))) {
    throw optionError(PATH, 'weights', `an array of ${sources.length} finite numbers >= 0 (one per source)`, weights);
  }
  // all 0: every agreement is 0/0, so the run would spend every request and then fail minimumAgreement
  if (weights !== undefined && !weights.some((w) => w > 0)) throw optionError(PATH, 'weights', 'weights not all 0', weights);
  // majority and unanimous count one vote per source: weights given with them would be ignored unseen
  // (all 1, the default, is what they count: an explicit default behaves as an omitted one)
  if (weights !== undefined && (strategy === 'majority' || strategy === 'unanimous') && !weights.every((w) => w === 1)) {
    throw new TypeError(`consensus(sources, {weights}) needs strategy 'weighted' (or 'best'): '${strategy}' counts one vote per source`);
  }
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) throw optionError(PATH, 'timeout', 'a finite number of ms > 0', timeout);
  if (timeout !== undefined) checkTimerDelay(PATH, 'timeout', timeout);
  if (!isSchedulerLike(scheduler)) throw optionError(PATH, 'scheduler', 'a SchedulerLike', scheduler);
  for (const [key, fn] of [['parse', config.parse], ['similarity', similarity], ['score', score]] as const) {
    if (fn !== undefined && typeof fn !== 'function') throw optionError(PATH, key, 'a function', fn);
  }
  if (!isConcurrency(concurrency)) throw optionError(PATH, 'concurrency', CONCURRENCY, concurrency);
  if (typeof earlyExit !== 'boolean') throw optionError(PATH, 'earlyExit', 'a boolean', earlyExit);
  if (onInvalidMerge !== 'best' && onInvalidMerge !== 'error') throw optionError(PATH, 'onInvalidMerge', "'best' or 'error'", onInvalidMerge);
  // options the others would ignore unseen, as weights with majority would be
  if (score !== undefined && strategy !== 'best' && resolveConflicts !== 'best') {
    throw new TypeError("consensus(sources, {score}) needs strategy or resolveConflicts 'best' (nothing else scores outputs)");
  }
  // 'best', the default, is refused no more than an omitted one; 'error' would never error without a schema
  if (onInvalidMerge === 'error' && schema === undefined) {
    throw new TypeError("consensus(sources, {onInvalidMerge: 'error'}) needs a schema (nothing is validated without one)");
  }
  // the default from any copy of the package (ESM and CJS side by side) is accepted, as it is from this one
  if (config.similarity !== undefined && !isTextSimilarity(config.similarity) && parse !== undefined) {
    throw new TypeError('consensus(sources, {similarity}) is for text: parse and schema vote fields by value');
  }
  return {
    list, strategy, threshold, resolveConflicts, minimumAgreement, weights: weights && [...weights], timeout, scheduler, parse, concurrency, earlyExit, schema, onInvalidMerge,
    similarity: isTextSimilarity(similarity) ? similarity : checked('similarity', similarity, (v) => v >= 0 && v <= 1, 'a number in [0, 1]'),
    score: score && checked('score', score, (v) => !Number.isNaN(v), 'a number (higher wins)'),
  };
}

/**
 * A user's similarity or score whose result is checked: a similarity of NaN (never at or above a
 * threshold) or 1.5 would skew every vote unseen, a NaN or string score pick the first output.
 */
function checked<A extends unknown[]>(key: string, fn: (...args: A) => number, ok: (v: number) => boolean, what: string): (...args: A) => number {
  return (...args) => {
    const v = fn(...args);
    quiet(v); // an async one's rejection is not unhandled: the TypeError below says what went wrong
    if (typeof v !== 'number' || !ok(v)) throw new TypeError(`consensus({${key}}) returned ${describeOption(v)}; it must return ${what}`);
    return v;
  };
}
