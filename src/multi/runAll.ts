/*
 * The shared mechanics of `parallel`, `sequential` and `batched`.
 * Internal: never re-exported from an entry point.
 */
import { catchError, concat, concatMap, defer, EMPTY, from, isObservable, last, map, mergeMap, of, Subject, takeUntil, type Observable } from 'rxjs';
import { accumulate } from '../events/accumulate.js';
import type { L0Event } from '../events/eventTypes.js';
import { INITIAL_L0_STATE, type L0State } from '../events/reduceState.js';
import { checkBag, checkKeys, describeOption, optionError, optionKeys, type OptionPath } from '../internal/options.js';

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
  /** Runs never started or stopped by `failFast`. */
  readonly cancelledCount: number;
  readonly allSucceeded: boolean;
  /** True on the last snapshot. */
  readonly done: boolean;
}

/** Options of `parallel`, `sequential` and `batched`. */
export interface ParallelConfig {
  /** Runs subscribed at once, at most. @default 5 (`sequential`: 1; `batched`: the batch size) */
  readonly concurrency?: number;
  /** On the first failure, unsubscribe the runs in flight (their requests abort) and start no more; they end `cancelled`. @default false */
  readonly failFast?: boolean;
}

export const PARALLEL_KEYS = /*#__PURE__*/ optionKeys<ParallelConfig>()(['concurrency', 'failFast']);

/** Validates the sources and a config. */
export function checkParallel(path: OptionPath, sources: unknown, config: unknown, keys: readonly string[]): void {
  const fn = path.open.slice(0, path.open.indexOf('('));
  if (!Array.isArray(sources)) throw new TypeError(`${fn}: sources must be an array of Observable<L0Event>, got ${describeOption(sources)}`);
  sources.forEach((s, i) => {
    if (!isObservable(s)) throw new TypeError(`${fn}: sources[${i}] must be an Observable<L0Event>, got ${describeOption(s)}`);
  });
  checkBag(path, config);
  checkKeys(path, config, keys);
  const { concurrency, failFast } = config as ParallelConfig;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) throw optionError(path, 'concurrency', 'an integer >= 1', concurrency);
  if (failFast !== undefined && typeof failFast !== 'boolean') throw optionError(path, 'failFast', 'a boolean', failFast);
}

/**
 * Runs `sources` with at most `concurrency` subscribed at once, or batch after batch of `batchSize`.
 * Per subscription: arrays of results, errors and statuses; one snapshot per ended run.
 */
export function runAll(sources: readonly Observable<L0Event>[], plan: { concurrency: number; batchSize?: number; failFast: boolean }): Observable<ParallelResult> {
  return defer(() => {
    const n = sources.length;
    const results: (L0State | null)[] = new Array(n).fill(null);
    const errors: unknown[] = new Array(n).fill(null);
    const statuses: ParallelStatus[] = new Array(n).fill('pending');
    const stop = new Subject<void>();
    let completed = 0;
    let emittedDone = false;

    const one = (i: number): Observable<number> =>
      defer(() => {
        statuses[i] = 'running';
        return sources[i]!.pipe(accumulate(), last(undefined, INITIAL_L0_STATE));
      }).pipe(
        map((state) => ((results[i] = state), (statuses[i] = 'success'), i)),
        catchError((error: unknown) => {
          errors[i] = error;
          statuses[i] = 'error';
          return of(i);
        }),
      );

    const snapshot = (index: number | undefined, closing: boolean): ParallelResult => {
      if (closing) statuses.forEach((s, i) => (s === 'pending' || s === 'running') && (statuses[i] = 'cancelled'));
      const count = (s: ParallelStatus) => statuses.filter((x) => x === s).length;
      const successCount = count('success');
      const failureCount = count('error');
      const cancelledCount = count('cancelled');
      const done = closing || completed === n;
      emittedDone ||= done;
      return Object.freeze({
        results: [...results], errors: [...errors], statuses: [...statuses], index, completed, total: n,
        successCount, failureCount, cancelledCount, allSucceeded: successCount === n, done,
      });
    };

    const indices = from(sources.map((_, i) => i));
    const runs = plan.batchSize
      ? from(batches(n, plan.batchSize)).pipe(concatMap((batch) => from(batch).pipe(mergeMap(one))))
      : indices.pipe(mergeMap(one, plan.concurrency));
    return concat(
      runs.pipe(
        takeUntil(stop),
        map((i) => {
          completed++;
          const s = snapshot(i, false);
          if (plan.failFast && statuses[i] === 'error' && completed < n) stop.next();
          return s;
        }),
      ),
      defer(() => (emittedDone ? EMPTY : of(snapshot(undefined, true)))),
    );
  });
}

function batches(n: number, size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i += size) out.push(Array.from({ length: Math.min(size, n - i) }, (_, k) => i + k));
  return out;
}
