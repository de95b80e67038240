import type { Observable } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { optionPath } from '../internal/options.js';
import { checkParallel, planOf, RUN_KEYS, runAll, type ParallelConfig, type ParallelResult } from './runAll.js';

/** Options of {@link sequential}: those of `parallel` without `concurrency`. */
export type SequentialConfig = Omit<ParallelConfig, 'concurrency'>;
const PATH = /*#__PURE__*/ optionPath('sequential', 'sources, ');

/**
 * Runs streams one after another, in input order; emits a {@link ParallelResult} snapshot after each.
 *
 *   --a|  ---b|         two sources
 *   ---x---(y|)         sequential(sources)   (the second is subscribed when the first ends)
 *
 * The same as `parallel(sources, { ...config, concurrency: 1 })`: `timeout` bounds each run,
 * `signal` cancels the run in flight and the rest.
 *
 * @example
 * import { fromStream, sequential, type StreamFactory } from 'l0-rx';
 * declare const a: StreamFactory, b: StreamFactory;
 * sequential([fromStream(a), fromStream(b)]).subscribe((r) => console.log(r.completed, r.total));
 * @see {@link parallel}
 * @param sources Cold `Observable<L0Event>`s.
 * @param config See {@link SequentialConfig}.
 */
export function sequential(sources: readonly Observable<L0Event>[], config: SequentialConfig = {}): Observable<ParallelResult> {
  return runAll(checkParallel(PATH, sources, config, RUN_KEYS), { ...planOf(config), concurrency: 1 });
}
