/*
 * Run tags: which recorder subscription wrote an envelope, so a store can keep one run per log.
 *
 * recordEvents tags every envelope of a subscription with one tag (`run`). A store keeps the tag of
 * a log's first envelope (`seq` 0) and refuses an envelope of another run with an `EventLogError`
 * `RUN_MISMATCH`: an old run still recording after its stream id was deleted and taken by a new run
 * writes nothing into the new run's log. Stores write the tag with `seq` 0 only (one per log, not
 * one per envelope). An envelope without a tag (a log written before tags, envelopes of your own)
 * is never checked. A tag is also the `<run>` of the SSE ids `<run>:<seq>` a store replay gives
 * (`createStoreReplaySource`), so `recordEvents` takes only tags that fit there ({@link RUN_TAG}).
 * @internal
 */
import type { EventEnvelope } from './eventStore.js';
import { EventLogError } from './EventLogError.js';
import { describeOption } from '../internal/options.js';
import { withCutField } from '../internal/limitCut.js';

/**
 * A run tag that fits an SSE id (the `<run>` of `<run>:<seq>`): 1 to 40 letters, digits, `.`, `_`
 * or `-`. `recordEvents` refuses another (its `runTag`), `createSseReplayBuffer`'s `add` too, and
 * `toServerSentEvents` ends a stream carrying one with an error frame.
 */
export const RUN_TAG = /^[\w.-]{1,40}$/;

/** A TypeError `<what> a run tag matching /^[\w.-]{1,40}$/ (...), got <value>` unless `value` is one ({@link RUN_TAG}); `what` ends with "must be" or "must return". */
export function checkRunTag(what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !RUN_TAG.test(value)) throw new TypeError(`${what} a run tag matching ${RUN_TAG} (the <run> of an SSE id <run>:<seq>), got ${describeOption(value)}`);
}

/**
 * A new run tag: 64 random bits from `crypto.getRandomValues`, as two decimal numbers joined by a
 * `.`. Not from the clock: runs of a fleet, or under a virtual scheduler, start in the same millisecond.
 */
export const newRunTag = (): string => crypto.getRandomValues(new Uint32Array(2)).join('.');

/**
 * The run tag of `envelope`, or `undefined` when it has none.
 * @throws TypeError for a `run` that is not a non-empty string (a store must not guess whose it is).
 */
export function runOf(envelope: EventEnvelope): string | undefined {
  const { run } = envelope as { run?: unknown };
  if (run === undefined) return undefined;
  if (typeof run === 'string' && run !== '') return run;
  throw new TypeError(`run must be a non-empty string, got ${typeof run === 'string' ? '""' : typeof run} (seq ${String(envelope.seq)} of stream ${JSON.stringify(envelope.streamId)})`);
}

/**
 * The refusal of envelope `seq` of run `run`: `owner` is the run of the stream's log (`''` for a
 * log without a tag), `undefined` when the store holds no log of the stream (deleted, or that run's
 * `seq` 0 was never appended).
 */
export function runMismatch(streamId: string, seq: number, run: string, owner: string | undefined): EventLogError {
  const log = owner === undefined ? 'no log' : `the log of ${owner ? `run ${owner}` : 'an untagged run'}`;
  return new EventLogError('RUN_MISMATCH', streamId, `stream ${JSON.stringify(streamId)} holds ${log}: seq ${seq} of run ${run} refused`);
}

/**
 * The one-run-per-log rule for envelope `seq` of run `run`, given `owner`, the run of the stream's
 * log (`''` for a log without a tag, `undefined` for no log): a `seq` 0 needs no log, a later one
 * its own run's. Its refusal, or `undefined` when the envelope may be appended.
 */
export function runRefusal(streamId: string, seq: number, run: string, owner: string | undefined): EventLogError | undefined {
  return (seq === 0 ? owner !== undefined : owner !== run) ? runMismatch(streamId, seq, run, owner) : undefined;
}

/**
 * What a durable store writes for `envelope`: the run tag with `seq` 0 only, and a budget's cut
 * with `"limitCut": true` on its `complete` (the mark JSON leaves out; checkLogFormat reads it back).
 */
export function asStored<E extends { readonly seq: number; readonly run?: string; readonly event: object }>(envelope: E): E {
  const event = withCutField(envelope.event);
  return event === envelope.event && (envelope.run === undefined || envelope.seq === 0) ? envelope : { ...envelope, event, run: envelope.seq === 0 ? envelope.run : undefined };
}
