/* Input checks of the stores (memory: its envelopes; JSONL, Redis): a TypeError naming the store, the method and the field. @internal */
import type { EventEnvelope, SeqRange } from '../events/eventStore.js';
import { describeOption } from '../internal/options.js';

/**
 * Checks an `append`'s envelopes before anything is written: an array of objects, each with a
 * string `streamId`, a `seq` that is an integer >= 0 and an `event` object. A TypeError naming the
 * store, the envelope's index and the field, so a bad batch writes nothing.
 */
export function checkEnvelopes(name: string, envelopes: unknown): asserts envelopes is readonly EventEnvelope[] {
  if (!Array.isArray(envelopes)) throw new TypeError(`${name}.append(envelopes): envelopes must be an array of envelopes, got ${describeOption(envelopes)}`);
  for (let i = 0; i < envelopes.length; i++) {
    const e: unknown = envelopes[i];
    const at = `${name}.append(envelopes): envelopes[${i}]`;
    if (typeof e !== 'object' || e === null) throw new TypeError(`${at} must be an envelope {v, streamId, seq, ts, event}, got ${describeOption(e)}`);
    const { streamId, seq, event } = e as { streamId?: unknown; seq?: unknown; event?: unknown };
    if (typeof streamId !== 'string') throw new TypeError(`${at}.streamId must be a string, got ${describeOption(streamId)}`);
    if (!Number.isSafeInteger(seq) || (seq as number) < 0) throw new TypeError(`${at}.seq must be an integer >= 0, got ${describeOption(seq)}`);
    if (typeof event !== 'object' || event === null) throw new TypeError(`${at}.event must be an event object, got ${describeOption(event)}`);
  }
}

/** Checks the `streamId` argument of a store's `method`: a string.  */
export function checkStreamId(name: string, method: string, streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string') throw new TypeError(`${name}.${method}(streamId): streamId must be a string, got ${describeOption(streamId)}`);
}

/**
 * Checks `read`'s range: missing, or an object whose `fromSeq` and `toSeq` are each missing, an
 * integer, or `Infinity`/`-Infinity` (an open bound).
 */
export function checkRange(name: string, range: unknown): asserts range is SeqRange | undefined {
  if (range === undefined) return;
  if (typeof range !== 'object' || range === null) throw new TypeError(`${name}.read(streamId, range): range must be an object {fromSeq?, toSeq?}, got ${describeOption(range)}`);
  for (const key of ['fromSeq', 'toSeq'] as const) {
    const value: unknown = (range as SeqRange)[key];
    if (value !== undefined && !(Number.isInteger(value) || value === Infinity || value === -Infinity)) {
      throw new TypeError(`${name}.read(streamId, {${key}}): ${key} must be an integer, got ${describeOption(value)}`);
    }
  }
}

/**
 * `run()`'s promise, or what it threw synchronously (an input check's TypeError, a batch that cannot
 * be serialized) as a rejected promise: a durable store's methods reject, never throw.
 */
export function rejecting<T>(run: () => Promise<T>): Promise<T> {
  try {
    return run();
  } catch (e) {
    return Promise.reject(e);
  }
}
