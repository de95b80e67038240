import { isL0Error, L0Error } from '../errors/L0Error.js';

/** Why an event log could not be read or written. */
export type EventLogErrorCode =
  | 'STREAM_NOT_FOUND' | 'STREAM_EMPTY' | 'INVALID_LOG' | 'RECORD_FAILED' | 'RECORD_OVERFLOW' | 'RUN_MISMATCH'
  | 'STORE_UNAVAILABLE' | 'STORE_TIMEOUT' | 'STORE_FAILED';

const NETWORK = { category: 'network', retryable: true, reason: 'network_error' } as const;
const TIMEOUT = { category: 'timeout', retryable: true, reason: 'timeout' } as const;
const FATAL = { category: 'bad-request', retryable: false, reason: 'bad_request' } as const;

/**
 * An event log could not be read, followed or written. `STREAM_NOT_FOUND`: the store does not hold
 * the stream, which is not only a replay's error (`replayEvents` of an unknown id): a follower
 * (`store.follow`, of the memory or Redis store) ends with it when its stream is deleted, or its
 * entries turn out another run's; a Redis store's `read` of a stream replaced under it 3 times in a
 * row; and a Redis store's `append` of a later `seq` without a run tag to a stream not in Redis (deleted,
 * or its `seq` 0 never appended), which `recordEvents` reports as the `cause` of a `RECORD_FAILED`.
 * An event log could not be replayed (`STREAM_EMPTY`, `INVALID_LOG`: a damaged
 * log: an envelope of another schema version or malformed, or a `seq` that does not count up by one
 * from the replay's start: a lost, repeated or reordered envelope) or recorded (`RECORD_FAILED`: the
 * store rejected an append; `RECORD_OVERFLOW`: more envelopes waited than `maxPending`;
 * `RUN_MISMATCH`: the stream's log belongs to another run, so the store refused this run's
 * envelopes: the stream was deleted, and perhaps taken by a new run, while this one recorded, or
 * it already held a run when this one began). Never retried, except `STORE_UNAVAILABLE` (a
 * `network` error, retryable): the store's connection was lost and did not come back (a Redis
 * follower after its reconnects), or the store answered with a transient refusal (a Redis server
 * still loading its dataset, `LOADING`; `BUSY`, `TRYAGAIN`, a failover's `READONLY`...), its error
 * as `cause`; and `STORE_TIMEOUT` (a `timeout` error, retryable): the store did not answer a call
 * within `storeTimeout` (the message names the call and the time), or a store replay's live tail
 * gave no envelope for `idleTimeout` (`createStoreReplaySource`: the message names the last `seq`
 * and the time). `STORE_FAILED` (not retried):
 * the store refused a call for good (a Redis error reply such as `NOPERM` or `WRONGTYPE`), its
 * error as `cause`. `streamId` names the stream (also `info.streamId`, so a deserialised one has it
 * too); it is `undefined` for a call about no one stream (a Redis store's `streams()` listing),
 * whose message says what was called.
 *
 * @example
 * import { isEventLogError } from 'l0-rx';
 * if (isEventLogError(e) && e.code === 'STREAM_NOT_FOUND') console.error(`no log for ${e.streamId}`);
 * @see {@link replayEvents} {@link recordEvents}
 */
export class EventLogError extends L0Error {
  override readonly name = 'EventLogError';
  declare readonly code: EventLogErrorCode;
  /** The stream the failed call was about; `undefined` for a call about no one stream (a listing). */
  readonly streamId: string | undefined;
  /** `streamId` again, as plain data: it is serialised with the error (a recorded or transported one keeps it); absent with it. */
  readonly info: { readonly streamId?: string };

  constructor(code: EventLogErrorCode, streamId: string | undefined, message: string, cause?: unknown) {
    const kind = code === 'STORE_UNAVAILABLE' ? NETWORK : code === 'STORE_TIMEOUT' ? TIMEOUT : FATAL;
    super(message, { code, ...kind, ...(cause === undefined ? {} : { cause }) });
    this.streamId = streamId;
    this.info = Object.freeze(streamId === undefined ? {} : { streamId });
  }
}

/**
 * True for an {@link EventLogError} from any copy of the package.
 * @example import { isEventLogError } from 'l0-rx'; if (isEventLogError(e)) console.error(e.code);
 */
export const isEventLogError = (e: unknown): e is EventLogError => isL0Error(e) && e.name === 'EventLogError';
