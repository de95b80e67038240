import type { Observable } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { describeOption, optionPath } from '../internal/options.js';
import { checkParallel, planOf, RUN_KEYS, runAll, type ParallelConfig, type ParallelResult } from './runAll.js';

/** Options of {@link batched}: those of `parallel` without `concurrency` (the batch size is it). */
export type BatchedConfig = Omit<ParallelConfig, 'concurrency'>;
const PATH = /*#__PURE__*/ optionPath('batched', 'sources, batchSize, ');

/**
 * Runs streams in batches of `batchSize`: a batch runs in parallel, the next starts when the whole
 * batch has ended. Emits a {@link ParallelResult} snapshot after each run.
 *
 *   --a|  -b|  -c|        three sources
 *   --yx-(z|)             batched(sources, 2)   (the third starts when both of the first batch ended)
 *
 * With `failFast`, a failure stops the current batch (in-flight runs unsubscribed) and every later one.
 * `timeout` bounds each run and `signal` cancels everything, as in {@link parallel}.
 *
 * @example
 * import { batched, fromStream, type StreamFactory } from 'l0-rx';
 * declare const chunks: string[];
 * declare function summarise(text: string): StreamFactory;
 * batched(chunks.map((c) => fromStream(summarise(c))), 4).subscribe((r) => console.log(r.completed));
 * @see {@link parallel}
 * @param sources Cold `Observable<L0Event>`s.
 * @param batchSize Runs per batch, an integer >= 1.
 * @param config See {@link BatchedConfig}.
 */
export function batched(sources: readonly Observable<L0Event>[], batchSize: number, config: BatchedConfig = {}): Observable<ParallelResult> {
  const list = checkParallel(PATH, sources, config, RUN_KEYS);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new TypeError(`batched(sources, batchSize): batchSize must be an integer >= 1, got ${describeOption(batchSize)}`);
  return runAll(list, { ...planOf(config), concurrency: batchSize, batchSize });
}
