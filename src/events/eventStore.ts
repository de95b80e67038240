/**
 * The event log: envelopes around recorded events, and the store interface every backend
 * (memory, JSONL file, Redis Streams, yours) implements.
 */
import type { Observable } from 'rxjs';
import type { L0Event } from './eventTypes.js';
import type { SerializedError } from '../errors/serializeError.js';

/**
 * The log format version written in every envelope (`v`). Version 1 includes the compact
 * checkpoints of the durable stores (`{type: 'checkpoint', contentLength, tokenCount}`).
 * `replayEvents` and the JSONL and Redis stores' `read` and `follow` reject any other with
 * `INVALID_LOG` naming it: a later format is never read as this one. A `budget()` cut's `complete`
 * is stored with `"limitCut": true` (its mark, which JSON leaves out) and read back marked. The run tag (`run`, on a
 * log's `seq` 0) is part of version 1 too: it changes no event, so a reader that does not know it
 * reads the log the same, and a log without it (written before it) reads as before.
 */
export const EVENT_LOG_VERSION = 1;

/** The run's terminal error, recorded as the last envelope of a failed run. Plain data only. */
export interface RecordedErrorEvent {
  readonly type: 'error';
  readonly error: SerializedError;
}

/** What an envelope holds: an {@link L0Event}, or the run's terminal error. */
export type RecordedEvent = L0Event | RecordedErrorEvent;

/**
 * One recorded event. `seq` starts at 0 and increases by 1 per stream; `ts` is the recorder's
 * `scheduler.now()` when the event passed, in milliseconds.
 */
export interface EventEnvelope {
  readonly v: typeof EVENT_LOG_VERSION;
  readonly streamId: string;
  readonly seq: number;
  readonly ts: number;
  /**
   * The run tag of the recorder subscription that made it: `recordEvents` tags every envelope of a
   * subscription with one. A store keeps the tag of a log's first envelope (`seq` 0), gives it back
   * there (`read`, `follow`; the other envelopes may come without it) and refuses an envelope of
   * another run (see {@link EventStore}). An envelope without one (a log written before run tags,
   * envelopes of your own) is never checked.
   * @default undefined (no run tag)
   */
  readonly run?: string;
  readonly event: RecordedEvent;
}

/** An inclusive range of sequence numbers: integers; a missing bound, or one below 0 or past the last `seq` (`Infinity`), is open. */
export interface SeqRange {
  readonly fromSeq?: number;
  readonly toSeq?: number;
}

/** A value or a promise of it: in-memory stores answer synchronously, so replays work under TestScheduler. */
export type MaybePromise<T> = T | PromiseLike<T>;

/**
 * Where {@link recordEvents} writes and {@link replayEvents} reads. Implementations:
 * `createMemoryEventStore()` (l0-rx), `createJsonlEventStore(path)` (l0-rx/stores/jsonl),
 * `createRedisEventStore(client)` (l0-rx/stores/redis). Any method may answer synchronously or
 * with a promise.
 *
 * Contract: `append` gets the envelopes of one stream in `seq` order, one call at a time per
 * recorder (the next call waits for the previous one to settle); a store keeps them in that order
 * and never rewrites what it holds. `read` gives a stream's envelopes in `seq` order, within the
 * range; an unknown stream reads as `[]`. The JSONL and Redis stores check their input with a
 * TypeError naming the method and the field: `append` writes nothing of a batch holding an
 * envelope without a string `streamId`, an integer `seq` >= 0 and an `event` object; `read`,
 * `delete` and `follow` take a string `streamId`, and `read` integer bounds (see {@link SeqRange}).
 *
 * Runs (the memory, JSONL and Redis stores; a store of your own may do the same): a log belongs to
 * the run whose `seq` 0 made it until the stream is deleted. The store refuses an envelope with a
 * run tag (`run`) that is not its log's, with an `EventLogError`
 * `RUN_MISMATCH` (the envelopes of the batch before it are appended, none after it): a `seq` above
 * 0 whose stream holds no log, or the log of another run (or one without a tag), and a `seq` 0 whose
 * stream has a log already. So a run still recording after its stream id was deleted and taken by
 * a new run writes nothing into the new run's log; `recordEvents` reports the refusal
 * (`onRecordError`) and stops recording that run. An envelope without a tag is not checked.
 *
 * @example
 * import type { EventEnvelope, EventStore } from 'l0-rx';
 * const logs = new Map<string, EventEnvelope[]>();
 * const store: EventStore = {
 *   append: (envelopes) => { for (const e of envelopes) logs.set(e.streamId, [...(logs.get(e.streamId) ?? []), e]); },
 *   read: (streamId, range) => (logs.get(streamId) ?? []).filter((e) => e.seq >= (range?.fromSeq ?? 0) && e.seq <= (range?.toSeq ?? Infinity)),
 *   streams: () => [...logs.keys()],
 *   delete: (streamId) => void logs.delete(streamId),
 * };
 */
export interface EventStore {
  /** Appends envelopes (usually of one stream, in `seq` order). A rejection is reported by the recorder. */
  append(envelopes: readonly EventEnvelope[]): MaybePromise<void>;
  /** A stream's envelopes in `seq` order, within `range` (inclusive); `[]` for an unknown stream. */
  read(streamId: string, range?: SeqRange): MaybePromise<readonly EventEnvelope[]>;
  /** Every stream id the store holds. */
  streams(): MaybePromise<readonly string[]>;
  /**
   * Optional: whether the store holds `streamId`, as `streams().includes(streamId)` would say,
   * without listing every stream. `replayEvents` asks it on an empty read (to tell
   * `STREAM_NOT_FOUND` from `STREAM_EMPTY`), and lists the streams only for a store without it. The
   * memory, JSONL and Redis stores have it (Redis: one key's check, not the whole listing).
   */
  has?(streamId: string): MaybePromise<boolean>;
  /** Removes a stream; removing an unknown stream does nothing. */
  delete(streamId: string): MaybePromise<void>;
  /**
   * Optional live tail, for resuming a run another process is recording: the envelopes of
   * `streamId` from `fromSeq` (inclusive, default 0) in `seq` order, the recorded ones first, then
   * each new one as it is appended; completes after the terminal envelope (a `complete` event or
   * the recorded error), and when the run ends before `fromSeq`, at once or later (nothing more
   * can come). Cold: each subscription tails on its own; unsubscribing stops it. A stream not recorded
   * yet is waited for. The memory and Redis stores have it; the JSONL store does not.
   */
  follow?(streamId: string, fromSeq?: number): Observable<EventEnvelope>;
}

/** True for the last envelope of a run: its `complete` event or its recorded error. @internal Shared by the stores. */
export function isTerminalEnvelope(envelope: EventEnvelope): boolean {
  return envelope.event.type === 'complete' || envelope.event.type === 'error';
}

/** Checks `follow`'s `fromSeq`. @internal Shared by the stores. */
export function checkFromSeq(name: string, fromSeq: unknown): number {
  if (fromSeq === undefined) return 0;
  if (!Number.isSafeInteger(fromSeq) || (fromSeq as number) < 0) throw new TypeError(`${name}.follow(streamId, fromSeq): fromSeq must be an integer >= 0, got ${String(fromSeq)}`);
  return fromSeq as number;
}

/** True when `seq` is inside `range`. @internal Shared by the stores. */
export function inRange(seq: number, range: SeqRange | undefined): boolean {
  return seq >= (range?.fromSeq ?? 0) && seq <= (range?.toSeq ?? Number.POSITIVE_INFINITY);
}
