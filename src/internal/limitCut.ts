import type { CompleteEvent } from '../events/eventTypes.js';

/*
 * The `complete{finishReason: 'length'}` that `budget({onExceeded: 'complete'})` makes when it cuts a
 * run carries a hidden mark (a non-enumerable registered symbol, shared by the package's ESM and CJS
 * copies; no user sees it), so that `detectZeroOutput` downstream does not read the caller's own limit
 * as an empty answer: a budget inside the retry loop that cut an attempt before its first token would
 * otherwise be retried as zero output until `attempts` ran out, with no request sent, and the run would
 * end with a ZeroOutputError instead of its `length` completion. JSON leaves a symbol out: where the
 * event crosses as JSON (an SSE frame, a JSONL or Redis event store's entry) it carries
 * `"limitCut": true` instead ({@link withCutField}), which the reader turns back into the mark
 * ({@link readCutField}).
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

/** `event` as JSON is to carry it: a marked cut as a copy with `limitCut: true`, any other event itself. @internal */
export function withCutField<E extends object>(event: E): E {
  return isLimitCut(event) ? { ...event, limitCut: true } : event;
}

/**
 * Reads {@link withCutField}'s field back on an event just parsed from JSON (changed in place): a
 * `complete` with `limitCut: true` loses the field and gets the mark. What is wrong with another
 * `limitCut` (any other value, or on another event), or `undefined`. @internal
 */
export function readCutField(event: unknown): string | undefined {
  const cut = (event as { limitCut?: unknown } | null)?.limitCut;
  if (cut === undefined) return undefined;
  if (cut !== true || (event as CompleteEvent).type !== 'complete') return '`limitCut` is not true on a complete event';
  delete (event as { limitCut?: unknown }).limitCut;
  markLimitCut(event as CompleteEvent);
  return undefined;
}
