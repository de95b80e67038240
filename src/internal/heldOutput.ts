import { globalSlot } from './globalSlot.js';

/*
 * Output an attempt's check held back and never passed on, handed with the error that ends the
 * attempt. A hold-back guard keeps the last tokens until its rules have judged them: when the
 * attempt fails (its own violation, or an error from upstream), those tokens are dropped, yet the
 * model wrote them and they were paid for. A `budget()` after the guard (in `l0()`'s
 * `attemptOperators`) never saw them as deltas; it reads them here from the error and counts
 * them, so the next attempt of the run is not sent when they spent the limit. The texts are kept
 * by error in a weak map (no user's error is written to, a frozen one too), on `globalThis` under
 * a registered symbol, so the package's ESM and CJS copies share it.
 */
const HELD: WeakMap<object, string> = /*#__PURE__*/ globalSlot(Symbol.for('l0-rx.heldOutput.v1'), new WeakMap<object, string>());

/** Adds `text` (held back, never passed on) to `error`, the error that ends the attempt; checks nested in one attempt add theirs. @internal */
export function markHeldOutput(error: unknown, text: string): void {
  if (text !== '' && error === Object(error)) HELD.set(error as object, heldOutput(error) + text);
}

/** The text the checks before it held back from the attempt `error` ended ('' for none: a weak map gets nothing for a primitive). @internal */
export function heldOutput(error: unknown): string {
  return HELD.get(error as object) ?? '';
}
