import type { Observable } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { optionPath } from '../internal/options.js';
import { checkParallel, PARALLEL_KEYS, planOf, runAll, type ParallelConfig, type ParallelResult } from './runAll.js';

export type { ParallelConfig, ParallelResult, ParallelStatus } from './runAll.js';

/** Default options of {@link parallel}. */
export const PARALLEL_DEFAULTS: Readonly<Required<Pick<ParallelConfig, 'concurrency' | 'failFast'>>> = /*#__PURE__*/ Object.freeze({ concurrency: 5, failFast: false });
const PATH = /*#__PURE__*/ optionPath('parallel', 'sources, ');

/**
 * Runs many streams with at most `concurrency` subscribed at once; emits a {@link ParallelResult}
 * snapshot each time one ends (progress), the last with `done: true`, results in input order.
 *
 *   --a|  ----b|  -c|     three sources (concurrency: 2; the third starts when the first ends)
 *   ---x-(yz|)            parallel(sources, { concurrency: 2 })   (z.done, z.results[i]: each run's L0State)
 *   ---xy(z|)             parallel(sources, { concurrency: 2, timeout: 4 })   (the second run times out at 4: y.errors[1] is a TokenTimeoutError)
 *
 * 1. Runs are subscribed in input order, `concurrency` at a time; the next starts as soon as one
 *    ends. Each run is folded with `accumulate()`: `results[i]` is its final {@link L0State}.
 * 2. A failing run does not stop the others: `errors[i]` holds its error, `results[i]` is `null`.
 * 3. With `failFast`, the first failure unsubscribes the runs in flight (their requests abort)
 *    and starts no more; they end `cancelled`, and one closing snapshot says so.
 * 4. `timeout` bounds each run from its subscription: at the deadline it is unsubscribed (its
 *    request aborts) and fails with a `TOTAL_TIMEOUT` {@link TokenTimeoutError}; a run that ends at
 *    the deadline itself succeeds (as a `pipeline` step does), whichever timer was armed first.
 * 5. Cancellation: aborting `signal` unsubscribes every run in flight and starts no more (they end
 *    `cancelled`, in one closing snapshot; an aborted signal starts none). To cancel one run, give
 *    it its own signal (`l0({stream, signal})`): a run that ends with a {@link StreamAbortedError}
 *    is `cancelled` (the error kept in `errors[i]`), not a failure, and does not trip `failFast`.
 * 6. No sources: one snapshot with `done: true` and zero counts. Unsubscribing aborts every run.
 *
 * @example
 * import { last } from 'rxjs';
 * import { fromStream, parallel, type StreamFactory } from 'l0-rx';
 * declare const prompts: string[];
 * declare function model(prompt: string): StreamFactory;
 * parallel(prompts.map((p) => fromStream(model(p))), { concurrency: 3 })
 *   .pipe(last())
 *   .subscribe((r) => console.log(r.results.map((s) => s?.content), r.errors));
 * @see {@link sequential}
 * @see {@link batched}
 * @param sources Cold `Observable<L0Event>`s (each may carry its own retries, or be a whole `l0()` run).
 * @param config See {@link ParallelConfig}.
 */
export function parallel(sources: readonly Observable<L0Event>[], config: ParallelConfig = {}): Observable<ParallelResult> {
  return runAll(checkParallel(PATH, sources, config, PARALLEL_KEYS), { ...planOf(config), concurrency: config.concurrency ?? PARALLEL_DEFAULTS.concurrency });
}
