import { isL0Error, L0Error } from '../errors/L0Error.js';

/** Why an event log could not be read or written. */
export type EventLogErrorCode = 'STREAM_NOT_FOUND' | 'STREAM_EMPTY' | 'INVALID_LOG' | 'RECORD_FAILED' | 'RECORD_OVERFLOW' | 'RUN_MISMATCH' | 'STORE_UNAVAILABLE';

/**
 * An event log could not be replayed (`STREAM_NOT_FOUND`, `STREAM_EMPTY`, `INVALID_LOG`: a damaged
 * log: an envelope of another schema version or malformed, or a `seq` that does not count up by one
 * from the replay's start: a lost, repeated or reordered envelope) or recorded (`RECORD_FAILED`: the
 * store rejected an append; `RECORD_OVERFLOW`: more envelopes waited than `maxPending`;
 * `RUN_MISMATCH`: the stream's log belongs to another run, so the store refused this run's
 * envelopes: the stream was deleted, and perhaps taken by a new run, while this one recorded, or
 * it already held a run when this one began). Never retried,
 * except `STORE_UNAVAILABLE` (a `network` error, retryable): the store's connection was lost and
 * did not come back (a Redis follower after its reconnects), the connection's error as `cause`.
 * `streamId` names the stream (also `info.streamId`, so a deserialised one has it too).
 *
 * @example
 * import { isEventLogError } from 'l0-rx';
 * if (isEventLogError(e) && e.code === 'STREAM_NOT_FOUND') console.error(`no log for ${e.streamId}`);
 * @see {@link replayEvents} {@link recordEvents}
 */
export class EventLogError extends L0Error {
  override readonly name = 'EventLogError';
  declare readonly code: EventLogErrorCode;
  readonly streamId: string;
  /** `streamId` again, as plain data: it is serialised with the error (a recorded or transported one keeps it). */
  readonly info: { readonly streamId: string };

  constructor(code: EventLogErrorCode, streamId: string, message: string, cause?: unknown) {
    const lost = code === 'STORE_UNAVAILABLE';
    super(message, { code, category: lost ? 'network' : 'bad-request', retryable: lost, reason: lost ? 'network_error' : 'bad_request', ...(cause === undefined ? {} : { cause }) });
    this.streamId = streamId;
    this.info = Object.freeze({ streamId });
  }
}

/**
 * True for an {@link EventLogError} from any copy of the package.
 * @example import { isEventLogError } from 'l0-rx'; if (isEventLogError(e)) console.error(e.code);
 */
export const isEventLogError = (e: unknown): e is EventLogError => isL0Error(e) && e.name === 'EventLogError';
