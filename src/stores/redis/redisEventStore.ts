import { Observable } from 'rxjs';
import { checkFromSeq, isTerminalEnvelope, type EventEnvelope, type EventStore, type SeqRange } from '../../events/eventStore.js';

/**
 * What {@link createRedisEventStore} needs from a Redis client: `sendCommand`, as the official
 * `redis` client (v4 and later) has it. Typed structurally, so this entry never imports `redis`.
 */
export interface RedisCommandClient {
  sendCommand(args: readonly string[]): Promise<unknown>;
  /** A new client with the same options, for `follow`'s blocking reads (the official client has it). */
  duplicate?(): RedisFollowClient;
}

/** The connection `follow` blocks on: what `client.duplicate()` gives. */
export interface RedisFollowClient {
  connect(): Promise<unknown>;
  sendCommand(args: readonly string[]): Promise<unknown>;
  on?(event: 'error', listener: (error: unknown) => void): unknown;
  /** Closes at once (redis 5 and later); `disconnect` (redis 4) is used when it is missing. */
  destroy?(): unknown;
  disconnect?(): unknown;
}

/** Options of {@link createRedisEventStore}. */
export interface RedisEventStoreOptions {
  /** Prefix of every key: a stream is `<prefix>stream:<id>`, the set of ids `<prefix>streams`. @default 'l0:events:' */
  readonly keyPrefix?: string;
  /** How long one `XREAD BLOCK` of `follow` waits before it is sent again, in ms (> 0). @default 5000 */
  readonly followBlockMs?: number;
}

/** The documented defaults of {@link createRedisEventStore}. */
export const REDIS_EVENT_STORE_DEFAULTS = /*#__PURE__*/ Object.freeze({ keyPrefix: 'l0:events:', followBlockMs: 5000 } as const);

/**
 * An {@link EventStore} on Redis Streams: one Redis stream per recorded stream, so a fleet of
 * servers shares one log and any of them can replay a run another recorded.
 *
 *   append([e0, e1])    XADD <prefix>stream:<id> 0-1 envelope {e0}; XADD ... 0-2 envelope {e1}; SADD <prefix>streams <id>
 *   read(id, {1, 2})    XRANGE <prefix>stream:<id> 0-2 0-3
 *
 * 1. An envelope's entry id is `0-<seq + 1>`: Redis itself rejects a `seq` that is not above the
 *    stream's last one, so two runs writing one stream id cannot interleave silently.
 * 2. A batch's commands go out together in order on the client's connection (pipelined); the
 *    set of stream ids is kept in `<prefix>streams`.
 * 3. `read` ranges by entry id (`XRANGE`), so reading a window of a long run costs only the window.
 * 4. `follow(id, fromSeq)` (the live tail another server resumes a run from) opens its own
 *    connection with `client.duplicate()` and loops `XREAD BLOCK` from entry id `0-<fromSeq>`: the
 *    recorded envelopes and then the new ones come through one command, so none is missed or sent
 *    twice between a read and a tail. It completes after the terminal envelope; unsubscribing closes
 *    that connection, ending a blocked read at once. One connection per follower.
 *
 * Node only; import it from `l0-rx/stores/redis`; `redis` is an optional peer you install.
 *
 * @example
 * import { createClient } from 'redis';
 * import { l0 } from 'l0-rx';
 * import { createRedisEventStore } from 'l0-rx/stores/redis';
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * l0({ stream, record: createRedisEventStore(client) }).subscribe();
 * @param client A connected client of the official `redis` package (or anything with its `sendCommand`).
 * @param options See {@link RedisEventStoreOptions}.
 */
export function createRedisEventStore(client: RedisCommandClient, options: RedisEventStoreOptions = {}): EventStore {
  if (typeof client !== 'object' || client === null || typeof client.sendCommand !== 'function') {
    throw new TypeError(`createRedisEventStore(client) must be a redis client (with sendCommand), got ${client === null ? 'null' : typeof client}`);
  }
  if (typeof options !== 'object' || options === null) throw new TypeError('createRedisEventStore(client, options) must be an object');
  for (const key of Object.keys(options)) {
    if (key !== 'keyPrefix' && key !== 'followBlockMs') throw new TypeError(`createRedisEventStore(client, options): unknown option \`${key}\`; the options are \`keyPrefix\`, \`followBlockMs\``);
  }
  const { keyPrefix = REDIS_EVENT_STORE_DEFAULTS.keyPrefix, followBlockMs = REDIS_EVENT_STORE_DEFAULTS.followBlockMs } = options;
  if (typeof keyPrefix !== 'string') throw new TypeError(`createRedisEventStore(client, {keyPrefix}) must be a string, got ${typeof keyPrefix}`);
  if (!Number.isSafeInteger(followBlockMs) || followBlockMs < 1) throw new TypeError(`createRedisEventStore(client, {followBlockMs}) must be an integer number of ms >= 1, got ${String(followBlockMs)}`);
  const streamKey = (id: string) => `${keyPrefix}stream:${id}`;
  const idsKey = `${keyPrefix}streams`;

  return {
    async append(envelopes) {
      const ids = new Set<string>();
      const writes: Promise<unknown>[] = [];
      for (const e of envelopes) {
        ids.add(e.streamId);
        writes.push(client.sendCommand(['XADD', streamKey(e.streamId), `0-${e.seq + 1}`, 'envelope', JSON.stringify(e)]));
      }
      if (ids.size > 0) writes.push(client.sendCommand(['SADD', idsKey, ...ids]));
      await Promise.all(writes);
    },
    async read(streamId: string, range?: SeqRange) {
      const from = range?.fromSeq === undefined ? '-' : `0-${range.fromSeq + 1}`;
      const to = range?.toSeq === undefined ? '+' : `0-${range.toSeq + 1}`;
      const reply = await client.sendCommand(['XRANGE', streamKey(streamId), from, to]);
      return (reply as [string, string[]][]).map(([, fields]) => JSON.parse(fieldValue(fields, 'envelope')) as EventEnvelope);
    },
    async streams() {
      return ((await client.sendCommand(['SMEMBERS', idsKey])) as string[]).sort();
    },
    async delete(streamId: string) {
      await Promise.all([client.sendCommand(['DEL', streamKey(streamId)]), client.sendCommand(['SREM', idsKey, streamId])]);
    },
    follow(streamId: string, fromSeq?: number) {
      const from = checkFromSeq('createRedisEventStore()', fromSeq);
      if (typeof client.duplicate !== 'function') throw new TypeError('createRedisEventStore(client): follow needs a client with duplicate() (the official redis client has it), for its blocking reads');
      return tail(client.duplicate.bind(client), streamKey(streamId), from, followBlockMs);
    },
  };
}

function tail(duplicate: () => RedisFollowClient, key: string, fromSeq: number, blockMs: number): Observable<EventEnvelope> {
  return new Observable<EventEnvelope>((subscriber) => {
    let closed = false;
    const connection = duplicate();
    connection.on?.('error', () => undefined); // a failed command rejects; the listener keeps the client from throwing
    const close = () => {
      closed = true;
      if (typeof connection.destroy === 'function') connection.destroy();
      else void Promise.resolve(connection.disconnect?.()).catch(() => undefined);
    };
    const loop = async (): Promise<void> => {
      await connection.connect();
      let lastId = `0-${fromSeq}`; // entry ids are 0-<seq + 1>: everything above this one has seq >= fromSeq
      while (!closed) {
        const reply = await connection.sendCommand(['XREAD', 'COUNT', '1000', 'BLOCK', String(blockMs), 'STREAMS', key, lastId]);
        for (const [id, fields] of xreadEntries(reply)) {
          if (closed) return;
          const envelope = JSON.parse(fieldValue(fields, 'envelope')) as EventEnvelope;
          lastId = id;
          subscriber.next(envelope);
          if (isTerminalEnvelope(envelope)) {
            subscriber.complete();
            return;
          }
        }
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

/** The entries of an XREAD reply for one stream: RESP2 `[[key, [[id, fields]...]]]`, RESP3 a map, or null on timeout. */
function xreadEntries(reply: unknown): readonly [string, string[]][] {
  if (reply === null || reply === undefined) return [];
  if (Array.isArray(reply)) return (reply[0] as [string, [string, string[]][]] | undefined)?.[1] ?? [];
  const values = reply instanceof Map ? [...reply.values()] : Object.values(reply as object);
  return (values[0] as [string, string[]][] | undefined) ?? [];
}

function fieldValue(fields: readonly string[], name: string): string {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1]!;
  throw new TypeError(`a Redis stream entry has no \`${name}\` field`);
}
