import type { EventEnvelope, EventStore, SeqRange } from '../../events/eventStore.js';

/**
 * What {@link createRedisEventStore} needs from a Redis client: `sendCommand`, as the official
 * `redis` client (v4 and later) has it. Typed structurally, so this entry never imports `redis`.
 */
export interface RedisCommandClient {
  sendCommand(args: readonly string[]): Promise<unknown>;
}

/** Options of {@link createRedisEventStore}. */
export interface RedisEventStoreOptions {
  /** Prefix of every key: a stream is `<prefix>stream:<id>`, the set of ids `<prefix>streams`. @default 'l0:events:' */
  readonly keyPrefix?: string;
}

/** The documented defaults of {@link createRedisEventStore}. */
export const REDIS_EVENT_STORE_DEFAULTS = /*#__PURE__*/ Object.freeze({ keyPrefix: 'l0:events:' } as const);

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
    if (key !== 'keyPrefix') throw new TypeError(`createRedisEventStore(client, options): unknown option \`${key}\`; the options are \`keyPrefix\``);
  }
  const { keyPrefix = REDIS_EVENT_STORE_DEFAULTS.keyPrefix } = options;
  if (typeof keyPrefix !== 'string') throw new TypeError(`createRedisEventStore(client, {keyPrefix}) must be a string, got ${typeof keyPrefix}`);
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
  };
}

function fieldValue(fields: readonly string[], name: string): string {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1]!;
  throw new TypeError(`a Redis stream entry has no \`${name}\` field`);
}
