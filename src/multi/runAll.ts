/*
 * The shared mechanics of `parallel`, `sequential` and `batched`.
 * Internal: never re-exported from an entry point.
 */
import {
  asyncScheduler, catchError, concat, defer, EMPTY, fromEvent, isObservable, last, map, NEVER, Observable, of, takeUntil, takeWhile, tap, throwIfEmpty,
  type SchedulerLike,
} from 'rxjs';
import { subscribeChild } from '../attempt/attemptContext.js';
import { isStreamAbortedError } from '../errors/StreamAbortedError.js';
import { TokenTimeoutError } from '../errors/TokenTimeoutError.js';
import { accumulate } from '../events/accumulate.js';
import type { L0Event } from '../events/eventTypes.js';
import { INITIAL_L0_STATE, type L0State } from '../events/reduceState.js';
import { checkBag, checkKeys, CONCURRENCY, describeOption, isConcurrency, isSchedulerLike, isSignal, optionError, optionKeys, type OptionPath } from '../internal/options.js';
import { checkTimerDelay } from '../internal/timerDelay.js';
import { deadline } from '../internal/deadline.js';

/** Where one run of a {@link ParallelResult} stands. */
export type ParallelStatus = 'pending' | 'running' | 'success' | 'error' | 'cancelled';

/** A snapshot of a batch of runs: one is emitted each time a run ends, the last with `done: true`. */
export interface ParallelResult {
  /** Each run's final state, in input order; `null` for a run that failed or has not ended. */
  readonly results: readonly (L0State | null)[];
  /** Each run's error, aligned with `results`; `null` for a run that did not fail. */
  readonly errors: readonly unknown[];
  readonly statuses: readonly ParallelStatus[];
  /** The run whose end produced this snapshot; undefined for the closing snapshot of a cancelled or empty batch. */
  readonly index: number | undefined;
  readonly completed: number;
  readonly total: number;
  readonly successCount: number;
  readonly failureCount: number;
  /** Runs never started, stopped by `failFast` or `signal`, or ended by their own abort. */
  readonly cancelledCount: number;
  readonly allSucceeded: boolean;
  /** True on the last snapshot. */
  readonly done: boolean;
}

/** Options of `parallel`, `sequential` and `batched`. */
export interface ParallelConfig {
  /** Runs subscribed at once, at most (an integer >= 1, or `Infinity`: no limit). @default 5 (`sequential`: 1; `batched`: the batch size) */
  readonly concurrency?: number;
  /** On the first failure, unsubscribe the runs in flight (their requests abort) and start no more; they end `cancelled`. @default false */
  readonly failFast?: boolean;
  /** Each run's budget in ms (at most 2147483647) from its subscription: at the deadline it is unsubscribed (its request aborts) and fails with a `TOTAL_TIMEOUT` {@link TokenTimeoutError}; one that ends at the deadline itself succeeds. @default undefined (none) */
  readonly timeout?: number;
  /** Aborting it unsubscribes every run in flight and starts no more: they end `cancelled`, in one closing snapshot. Any realm's AbortSignal, or a polyfill's (a boolean `aborted`, `addEventListener` and `removeEventListener`). @default undefined */
  readonly signal?: AbortSignal;
  /** Time source for `timeout`. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

export const PARALLEL_KEYS = /*#__PURE__*/ optionKeys<ParallelConfig>()(['concurrency', 'failFast', 'timeout', 'signal', 'scheduler']);
/** The keys of `sequential` and `batched`. */
export const RUN_KEYS = /*#__PURE__*/ optionKeys<Omit<ParallelConfig, 'concurrency'>>()(['failFast', 'timeout', 'signal', 'scheduler']);

/** How runAll runs: the checked options. */
export interface RunPlan {
  readonly concurrency: number;
  readonly batchSize?: number;
  readonly failFast: boolean;
  readonly timeout?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly scheduler?: SchedulerLike | undefined;
  /** Told each run's state as it streams (`INITIAL_L0_STATE` at its subscription), for a caller that stops the batch from outside (consensus's `timeout`). */
  readonly onState?: ((index: number, state: L0State) => void) | undefined;
}

/** The plan's shared part from a checked config. */
export const planOf = (config: Omit<ParallelConfig, 'concurrency'>): Omit<RunPlan, 'concurrency'> => ({
  failFast: config.failFast ?? false, timeout: config.timeout, signal: config.signal, scheduler: config.scheduler,
});

/** Validates the sources and a config; returns the sources as validated (a copy: the caller's array may change before a subscription). */
export function checkParallel(path: OptionPath, sources: unknown, config: unknown, keys: readonly string[]): Observable<L0Event>[] {
  const fn = path.open.slice(0, path.open.indexOf('('));
  if (!Array.isArray(sources)) throw new TypeError(`${fn}: sources must be an array of Observable<L0Event>, got ${describeOption(sources)}`);
  // a hole is an entry too (forEach skips it): refused, never a run left pending in a done snapshot
  const list = [...(sources as unknown[])];
  list.forEach((s, i) => {
    if (!isObservable(s)) throw new TypeError(`${fn}: sources[${i}] must be an Observable<L0Event>, got ${describeOption(s)}`);
  });
  checkBag(path, config);
  checkKeys(path, config, keys);
  const { concurrency, failFast, timeout, signal, scheduler } = config as ParallelConfig;
  if (concurrency !== undefined && !isConcurrency(concurrency)) throw optionError(path, 'concurrency', CONCURRENCY, concurrency);
  if (failFast !== undefined && typeof failFast !== 'boolean') throw optionError(path, 'failFast', 'a boolean', failFast);
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) throw optionError(path, 'timeout', 'a finite number of ms > 0', timeout);
  if (timeout !== undefined) checkTimerDelay(path, 'timeout', timeout);
  if (signal !== undefined && !isSignal(signal)) throw optionError(path, 'signal', 'an AbortSignal', signal);
  if (scheduler !== undefined && !isSchedulerLike(scheduler)) throw optionError(path, 'scheduler', 'a SchedulerLike', scheduler);
  return list as Observable<L0Event>[];
}

/**
 * Runs `sources` with at most `concurrency` subscribed at once, or batch after batch of `batchSize`.
 * Per subscription: arrays of results, errors and statuses; one snapshot per ended run.
 */
export function runAll(sources: readonly Observable<L0Event>[], plan: RunPlan): Observable<ParallelResult> {
  const { timeout, signal, scheduler = asyncScheduler, onState } = plan;
  return defer(() => {
    const n = sources.length;
    const results: (L0State | null)[] = new Array(n).fill(null);
    const errors: unknown[] = new Array(n).fill(null);
    const statuses: ParallelStatus[] = new Array(n).fill('pending');
    // per run, its place in the order the runs ended (n: not yet): a snapshot shows the runs ended before it
    const at: number[] = new Array(n).fill(n);
    const counts: Record<string, number> = { success: 0, error: 0, cancelled: 0 };
    let started = 0;
    let completed = 0;
    let emittedDone = false;

    const one = (i: number): Observable<number> =>
      defer(() => {
        // runs start in input order: the first `started` are running or ended
        started = i + 1;
        onState?.(i, INITIAL_L0_STATE);
        let tokenCount = 0;
        const run = sources[i]!.pipe(accumulate(), tap((s) => ((tokenCount = s.tokenCount), onState?.(i, s))), last(undefined, INITIAL_L0_STATE));
        if (timeout === undefined) return run;
        // `run` sends one value, its last state, at its end: none by the deadline (which comes after an end at that very instant) is a timeout
        return run.pipe(takeUntil(deadline(timeout, scheduler)), throwIfEmpty(() => new TokenTimeoutError({ kind: 'total', timeoutMs: timeout, elapsedMs: timeout, tokenCount })));
      }).pipe(
        map((state) => ((results[i] = state), (statuses[i] = 'success'), i)),
        catchError((error: unknown) => {
          errors[i] = error;
          statuses[i] = isStreamAbortedError(error) ? 'cancelled' : 'error';
          return of(i);
        }),
      );

    /**
     * O(1): the arrays are the ones above as they stood at this snapshot, each copied at its first read
     * (a copy per snapshot, and a count over the statuses, made a batch of n runs O(n²): 8,000 took over a second).
     */
    const snapshot = (index: number | undefined, closing: boolean): ParallelResult => {
      const shown = completed;
      const begun = started;
      const view = <T>(all: readonly T[], other: (i: number) => T): (() => T[]) => {
        let copy: T[] | undefined;
        return () => (copy ??= all.map((v, i) => (at[i]! < shown ? v : other(i))));
      };
      const r = view(results, () => null);
      const e = view(errors, () => null);
      // a closing snapshot's unfinished runs (running, or never started) are cancelled
      const s = view(statuses, (i) => (closing ? 'cancelled' : i < begun ? 'running' : 'pending'));
      const successCount = counts.success!;
      const done = closing || completed === n;
      emittedDone ||= done;
      return Object.freeze({
        get results() { return r(); }, get errors() { return e(); }, get statuses() { return s(); },
        index, completed, total: n, successCount, failureCount: counts.error!, cancelledCount: counts.cancelled! + (closing ? n - completed : 0),
        allSucceeded: successCount === n, done,
      });
    };

    if (signal?.aborted) return of(snapshot(undefined, true));
    const aborted = signal === undefined ? NEVER : fromEvent(signal, 'abort');
    const runs = inOrder(n, one, plan.concurrency, plan.batchSize);
    return concat(
      runs.pipe(
        takeUntil(aborted),
        map((i) => {
          counts[statuses[i]!]!++;
          at[i] = completed++;
          return snapshot(i, false);
        }),
        // failFast: the failing run's own snapshot goes out, then the others are cancelled (its status read from the array:
        // the snapshot's would be a copy)
        takeWhile((s) => !(plan.failFast && statuses[s.index!] === 'error' && completed < n), true),
      ),
      defer(() => (emittedDone ? EMPTY : of(snapshot(undefined, true)))),
    );
  });
}

/**
 * `project(0)`, `project(1)`, ... subscribed in order and merged, at most `limit` at once (with `batch`, a batch of that
 * many once the whole last one ended); the next starts once one has ended and been torn down (its request closed).
 * A loop, never a recursion: one that ends inside its subscribe has the next subscribed when that returns (concat's
 * and mergeMap's queues subscribe the next from inside the last one's end, so a run of sources failing as they are
 * subscribed behind a slow one overflowed the stack, and the batch stalled unseen). @internal
 */
export function inOrder<T>(n: number, project: (i: number) => Observable<T>, limit: number, batch?: number): Observable<T> {
  return new Observable<T>((out) => {
    let next = 0;
    let active = 0;
    let pumping = false;
    const pump = (): void => {
      if (pumping) return;
      pumping = true;
      // (no batch: `next % undefined` is NaN, never 0)
      while (!out.closed && next < n && active < limit && !(active && next % batch! === 0)) {
        active++;
        // `out`'s child before it is subscribed: a consumer that leaves at a value sent during that subscribe stops it
        // there (no later step's run(), no success after an abort). runAll's runs and pipeline's steps catch their
        // errors; one that does not is `out`'s, as with concat
        subscribeChild(project(next++), { next: (v) => out.next(v), error: (e) => out.error(e) }, out).add(() => (active--, pump()));
      }
      pumping = false;
      if (!active && next === n) out.complete();
    };
    pump();
  });
}
