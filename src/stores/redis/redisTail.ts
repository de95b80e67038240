/* The live tail of the Redis event store: XREAD BLOCK on a connection of its own, through reconnects and deletes. */
import { Observable } from 'rxjs';
import { isTerminalEnvelope, type EventEnvelope } from '../../events/eventStore.js';
import { EventLogError } from '../../events/EventLogError.js';
import { CheckpointDecoder, checkLogFormat, isCompact } from '../../events/checkpointRefs.js';
import { replyCode, storeError } from './redisErrors.js';

/** The connection `follow` blocks on: what `client.duplicate()` gives. */
export interface RedisFollowClient {
  connect(): Promise<unknown>;
  sendCommand(args: readonly string[]): Promise<unknown>;
  /** `error` (a dropped connection, a failed reconnect) and `ready` (connected again), as the official client emits them. */
  on?(event: 'error' | 'ready', listener: (error?: unknown) => void): unknown;
  /** False while the client reconnects (the official client has it); a client without it is sent the read again at once. */
  readonly isReady?: boolean;
  /** False once the client gave up (its reconnect strategy said so) or was closed. */
  readonly isOpen?: boolean;
  /** Closes at once (redis 5 and later); `disconnect` (redis 4) is used when it is missing. */
  destroy?(): unknown;
  disconnect?(): unknown;
}

/** The field of the entry `delete` appends to a stream just before deleting it, so its blocked followers learn of it. */
export const DELETED_FIELD = 'deleted';

/** What one follower tails. */
export interface TailTarget {
  readonly streamId: string;
  readonly key: string;
  readonly fromSeq: number;
  readonly blockMs: number;
  /** How many failed reconnects in a row end the follower. */
  readonly reconnects: number;
}

/**
 * Loops `XREAD BLOCK` on a connection of its own from entry id `0-<fromSeq>` (see `createRedisEventStore`).
 *
 * 1. A read that fails on the connection (a drop: an idle timeout, a failover) waits for the client
 *    to be ready again (the client reconnects, with its own backoff) and is sent again from the
 *    last entry id it passed on, so no envelope is missed or repeated. After `reconnects` failed
 *    attempts in a row, or when the client gives up, the follower errors with an `EventLogError`
 *    `STORE_UNAVAILABLE` (retryable) whose `cause` is the connection's last error. An error reply is
 *    no drop: it ends the follower as the event log's error, the reply as `cause` (`STORE_UNAVAILABLE`,
 *    retryable, for a passing server state such as `LOADING` after a restart; `STORE_FAILED` for
 *    another, such as `WRONGTYPE`: the key holds no stream).
 * 2. The delete marker (an entry with the {@link DELETED_FIELD} field) errors it with `STREAM_NOT_FOUND`.
 * 3. Once an envelope has been passed on, each read is preceded, pipelined, by an `XRANGE` of that
 *    one entry: a follower that missed the marker (between two reads, or reconnecting) finds the
 *    entry gone or another run's, and errors with `STREAM_NOT_FOUND` instead of splicing two runs.
 * 4. The first connect is one too: a client that keeps retrying it reports each failed attempt as
 *    an `error` event, and after `reconnects` + 1 of them the follower errors with `STORE_UNAVAILABLE`
 *    (it waited forever while Redis was down when it started).
 * 5. A compact checkpoint is rebuilt from the tokens before it: a follower that started past the
 *    run's start reads the entries up to its first compact checkpoint (`XRANGE`, once) there; that
 *    read ends with the checkpoint's entry as the follower read it, or the stream was deleted
 *    (`STREAM_NOT_FOUND`, no text of a later run), and a drop during it is recovered from as in 1.
 * 6. An envelope of another log format version (`v`) errors it with `INVALID_LOG` naming the version.
 * 7. A follower from past the stream's end reads from its last entry (from `0-0` when there is no
 *    stream yet), passing nothing before `fromSeq`: a run that ends before `fromSeq`, already or
 *    later, completes it (nothing more can come) instead of leaving it waiting forever.
 */
export function tail(duplicate: () => RedisFollowClient, target: TailTarget): Observable<EventEnvelope> {
  const { streamId, key, blockMs, reconnects } = target;
  const notFound = (why: string, cause?: unknown) => new EventLogError('STREAM_NOT_FOUND', streamId, `the followed stream ${JSON.stringify(streamId)} ${why}`, cause);
  const lost = (why: string, cause: unknown) => new EventLogError('STORE_UNAVAILABLE', streamId, `the followed stream ${JSON.stringify(streamId)} ${why}`, cause);
  return new Observable<EventEnvelope>((subscriber) => {
    let closed = false;
    /** Wakes the wait for the connection: with the error of a failed attempt, or with nothing when it is ready or closed. */
    let wake: ((error?: unknown) => void) | undefined;
    const connection = duplicate();
    connection.on?.('error', (error) => wake?.(error ?? new Error('the Redis connection failed'))); // the listener also keeps the client from throwing
    connection.on?.('ready', () => wake?.());
    const close = () => {
      closed = true;
      wake?.();
      if (typeof connection.destroy === 'function') connection.destroy();
      else void Promise.resolve(connection.disconnect?.()).catch(() => undefined);
    };
    /** Waits until the connection is ready after a failed read; returns the failed attempts in a row so far. */
    const recover = async (cause: unknown, failures: number): Promise<number> => {
      for (;;) {
        if (closed) return failures;
        if (failures > reconnects) throw lost(`could not be read: its Redis connection dropped and ${failures - 1} reconnects failed in a row (${describe(cause)})`, cause);
        if (connection.isOpen === false) throw lost(`could not be read: the Redis client gave up reconnecting (${describe(cause)})`, cause);
        if (connection.isReady !== false) return failures;
        const error = await new Promise<unknown>((resolve) => (wake = resolve));
        wake = undefined;
        if (error !== undefined) [cause, failures] = [error, failures + 1];
      }
    };
    /**
     * The first connect: a client that keeps reconnecting (the official one) leaves `connect()`
     * pending and reports each failed attempt as an `error` event. Those count against `reconnects`
     * as a dropped connection's do; a `connect()` that rejects (the client gave up) is the end.
     */
    const connect = async (): Promise<void> => {
      let connected = false;
      const attempt = connection.connect().then(
        () => void (connected = true),
        (e: unknown) => {
          throw lost(`could not be reached: its Redis connection failed (${describe(e)})`, e);
        },
      );
      attempt.catch(() => undefined); // settled by the close that follows the last failure

      for (let failures = 0; !connected && !closed; ) {
        const error = await Promise.race([attempt, new Promise<unknown>((resolve) => (wake = resolve))]);
        wake = undefined;
        if (error === undefined) continue; // connected (or ready, or closed)
        if (++failures > reconnects) throw lost(`could not be reached: ${failures} attempts to connect to Redis failed in a row (${describe(error)})`, error);
      }
    };
    const loop = async (): Promise<void> => {
      await connect();
      if (closed) return;
      let lastId: string | undefined; // the entry id read after; undefined until the start is read
      let lastRaw: string | undefined; // the envelope at lastId as stored: another run's differs
      let failures = 0;
      /** Fed every envelope from seq 0 once primed (at once from seq 0, else at the first compact checkpoint). */
      let decoder: CheckpointDecoder | undefined = target.fromSeq === 0 ? new CheckpointDecoder(streamId) : undefined;
      read: while (!closed) {
        let entries: readonly [string, string[]][];
        let call = 'XREVRANGE'; // the command whose error reply ends the follower, named in its error
        try {
          // entry ids are 0-<seq + 1>: everything above 0-<fromSeq> has seq >= fromSeq; a run that ends before it is read from its last entry (see 7)
          lastId ??= target.fromSeq > 0 ? await startOf(connection, key, streamId, target.fromSeq) : '0-0';
          if (lastId === undefined) return subscriber.complete(); // (a drop during that read is recovered from as in 1)
          const held = lastRaw === undefined ? undefined : connection.sendCommand(['XRANGE', key, lastId, lastId]);
          const read = connection.sendCommand(['XREAD', 'COUNT', '1000', 'BLOCK', String(blockMs), 'STREAMS', key, lastId]);
          if (held) {
            call = 'XRANGE';
            read.catch(() => undefined); // settled by the close that follows a failed check
            const entry = (await held as [string, string[]][])[0];
            if (entry === undefined || fieldOf(entry[1], 'envelope') !== lastRaw) throw notFound('was deleted');
          }
          call = 'XREAD';
          entries = xreadEntries(await read);
        } catch (e) {
          if (closed || e instanceof EventLogError) throw e;
          if (isErrorReply(e)) throw storeError(e, streamId, call); // (LOADING after a restart: STORE_UNAVAILABLE, retryable)
          failures = await recover(e, failures + 1);
          continue;
        }
        for (const [id, fields] of entries) {
          if (closed) return;
          const entry = envelopeOf(fields, streamId, id);
          if (entry === undefined) throw notFound('was deleted');
          const { raw } = entry;
          let { envelope } = entry;
          checkLogFormat(envelope, streamId); // another format version is never read as this one (nor primed from)
          if (envelope.seq < target.fromSeq) {
            // read only to see whether the run ends before fromSeq: then nothing more can come (see 7)
            if (isTerminalEnvelope(envelope)) return subscriber.complete();
            [lastId, lastRaw] = [id, raw];
            continue;
          }
          if (decoder === undefined && isCompact(envelope)) {
            // a drop during the priming read is a drop like any other: read again from the last id passed on
            try {
              decoder = await primed(connection, key, streamId, id, raw);
            } catch (e) {
              if (closed || e instanceof EventLogError) throw e;
              if (isErrorReply(e)) throw storeError(e, streamId, 'XRANGE');
              failures = await recover(e, failures + 1);
              continue read;
            }
            if (closed) return;
            if (decoder === undefined) throw notFound('was deleted');
          }
          if (decoder !== undefined) envelope = decoder.decode(envelope);
          [lastId, lastRaw] = [id, raw];
          subscriber.next(envelope);
          if (isTerminalEnvelope(envelope)) {
            subscriber.complete();
            return;
          }
        }
        failures = 0; // (after the batch: a priming read that keeps failing counts towards `reconnects`)
      }
    };
    loop().then(
      () => !closed && close(),
      (e: unknown) => {
        if (closed) return;
        close();
        subscriber.error(e);
      },
    );
    return () => {
      if (!closed) close();
    };
  });
}

/** An error reply of the server (`WRONGTYPE ...`, `ERR ...`: its message starts with an upper-case code), not a connection failure. */
function isErrorReply(e: unknown): boolean {
  return replyCode(e) !== undefined;
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** The entries of an XREAD reply for one stream: RESP2 `[[key, [[id, fields]...]]]`, RESP3 a map, or null on timeout. */
function xreadEntries(reply: unknown): readonly [string, string[]][] {
  if (reply === null || reply === undefined) return [];
  if (Array.isArray(reply)) return (reply[0] as [string, [string, string[]][]] | undefined)?.[1] ?? [];
  const values = reply instanceof Map ? [...reply.values()] : Object.values(reply as object);
  return (values[0] as [string, string[]][] | undefined) ?? [];
}

/** The value of field `name` of a stream entry, or undefined. */
export function fieldOf(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/**
 * A decoder fed the stream's entries before entry `upTo` (the follower's first compact checkpoint,
 * `raw` as it read it): its history. `undefined` when the stream no longer holds that entry as it
 * was (deleted, perhaps recorded again by another run): its text is not this run's.
 */
async function primed(connection: RedisFollowClient, key: string, streamId: string, upTo: string, raw: string): Promise<CheckpointDecoder | undefined> {
  const entries = (await connection.sendCommand(['XRANGE', key, '-', upTo])) as [string, string[]][];
  const last = entries[entries.length - 1];
  if (last === undefined || last[0] !== upTo || fieldOf(last[1], 'envelope') !== raw) return undefined;
  const decoder = new CheckpointDecoder(streamId);
  for (const envelope of envelopesIn(entries.slice(0, -1), streamId)) decoder.decode(envelope);
  return decoder;
}

/** The envelopes of `streamId` in an `XRANGE` reply, in order (a delete marker left out). @internal */
export function envelopesIn(entries: readonly (readonly [string, readonly string[]])[], streamId: string): EventEnvelope[] {
  const envelopes: EventEnvelope[] = [];
  for (const [id, fields] of entries) {
    const entry = envelopeOf(fields, streamId, id);
    if (entry !== undefined) envelopes.push(entry.envelope);
  }
  return envelopes;
}

/**
 * The entry id a follower from `fromSeq` reads after: `0-<fromSeq>`, or the stream's last entry
 * when it is an envelope before that (or `0-0` when there is no stream yet), so the follower sees
 * the run end if it ends before `fromSeq`; `undefined` when it has: a finished run followed from
 * past its end.
 */
async function startOf(connection: RedisFollowClient, key: string, streamId: string, fromSeq: number): Promise<string | undefined> {
  const [last] = (await connection.sendCommand(['XREVRANGE', key, '+', '-', 'COUNT', '1'])) as [string, string[]][];
  if (last === undefined) return '0-0';
  const entry = envelopeOf(last[1], streamId, last[0]); // undefined: a delete marker, which 0-<fromSeq> reads too
  if (entry === undefined || !(entry.envelope.seq < fromSeq)) return `0-${fromSeq}`;
  return isTerminalEnvelope(entry.envelope) ? undefined : last[0];
}

/**
 * The envelope an entry of `streamId`'s Redis stream holds (its JSON text as `raw`), or `undefined`
 * for a delete marker. An entry that is neither, or whose envelope is not JSON, is a damaged log:
 * an `EventLogError` `INVALID_LOG` naming the stream and the entry, not a bare `SyntaxError`. @internal
 */
export function envelopeOf(fields: readonly string[], streamId: string, id: string): { envelope: EventEnvelope; raw: string } | undefined {
  const raw = fieldOf(fields, 'envelope');
  const invalid = (why: string, cause?: unknown) => new EventLogError('INVALID_LOG', streamId, `Stream ${streamId} is not a valid event log: its Redis entry ${id} ${why}`, cause);
  if (raw === undefined) {
    if (fieldOf(fields, DELETED_FIELD) !== undefined) return undefined;
    throw invalid('has no `envelope` field');
  }
  let envelope: unknown;
  try {
    envelope = JSON.parse(raw);
  } catch (e) {
    throw invalid('is not JSON', e);
  }
  if (typeof envelope !== 'object' || envelope === null) throw invalid(`holds ${raw}, not an envelope`);
  return { envelope: envelope as EventEnvelope, raw };
}
