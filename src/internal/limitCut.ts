import type { CompleteEvent } from '../events/eventTypes.js';

/*
 * The `complete{finishReason: 'length'}` that `budget({onExceeded: 'complete'})` makes when it cuts a
 * run carries a hidden mark (a non-enumerable registered symbol, shared by the package's ESM and CJS
 * copies; no user and no serialisation sees it, but for the SSE frame, which carries it as `"limitCut": true`
 * and `fromServerSentEvents` turns back into the mark), so that `detectZeroOutput` downstream does not read
 * the caller's own limit as an empty answer: a budget inside the retry loop that cut an attempt before
 * its first token would otherwise be retried as zero output until `attempts` ran out, with no request
 * sent, and the run would end with a ZeroOutputError instead of its `length` completion.
 */
const CUT = /*#__PURE__*/ Symbol.for('l0-rx.limitCut.v1');

/** Marks `event` as a cut the caller's limit made. @internal */
export function markLimitCut(event: CompleteEvent): CompleteEvent {
  return Object.defineProperty(event, CUT, { value: true });
}

/** True for a `complete` event {@link markLimitCut} marked. @internal */
export function isLimitCut(event: object): boolean {
  return (event as Record<symbol, unknown>)[CUT] === true;
}
