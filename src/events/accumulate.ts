import { catchError, defer, of, scan, tap, type OperatorFunction } from 'rxjs';
import type { L0Event } from './eventTypes.js';
import { INITIAL_L0_STATE, reduceL0State, type L0State } from './reduceState.js';
import { serializeError } from '../errors/serializeError.js';

export type { L0State, L0Status, ToolCall } from './reduceState.js';

export interface AccumulateConfig {
  /**
   * Fold a failure into a last state (`status: 'error'`, `error` set) and complete, instead of
   * erroring. Use it where an error notification is awkward, such as Angular's `toSignal`, which
   * throws the stream's error whenever the signal is read.
   * @default false (the error is re-emitted as an error notification)
   */
  readonly errorsAsState?: boolean;
}

/**
 * Folds an event stream into {@link L0State} snapshots, one per event, applying the retraction rules.
 *
 *   --s-a-b-r--s-c-|         events (s start, a/b/c tokens, r retry)
 *   --x-y-z-w--v-u-|         accumulate()   (z.content 'ab', w.content '', u.content 'c')
 *
 * 1. `token` appends to `content` (O(delta): an append, never a rescan), `reasoning`, `tool-call`,
 *    `data` and `progress` update their fields.
 * 2. `retry` and `fallback` discard everything the current attempt produced (text, reasoning,
 *    tool calls, data, progress, violations) and set `status: 'retrying'`.
 * 3. `resume` sets `content` to exactly the checkpoint.
 * 4. `start` sets `attempt`/`fallbackIndex` and `status: 'streaming'`; `complete` sets
 *    `status: 'complete'`, `finishReason` and `usage`.
 * 5. With `errorsAsState`, an error becomes one last state with `status: 'error'`, then completion.
 *
 * @example
 * import { accumulate, l0 } from 'l0-rx';
 * const state = toSignal(l0({ stream }).pipe(accumulate({ errorsAsState: true })));
 * @param config See {@link AccumulateConfig}.
 */
export function accumulate(config: AccumulateConfig = {}): OperatorFunction<L0Event, L0State> {
  const fold = scan<L0Event, L0State>(reduceL0State, INITIAL_L0_STATE);
  if (!config.errorsAsState) return fold;
  return (source) =>
    defer(() => {
      let last = INITIAL_L0_STATE; // per subscription
      return source.pipe(
        fold,
        tap((s) => (last = s)),
        catchError((error: unknown) => of<L0State>({ ...last, status: 'error', error: serializeError(error) })),
      );
    });
}
