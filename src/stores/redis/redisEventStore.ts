import { createHash } from 'node:crypto';
import { checkFromSeq, type EventEnvelope, type EventStore, type SeqRange } from '../../events/eventStore.js';
import { DELETED_FIELD, envelopesIn, tail, type RedisFollowClient } from './redisTail.js';
import { CheckpointDecoder, isCompact } from '../../events/checkpointRefs.js';
import { CheckpointEncoder } from '../../events/checkpointEncoder.js';

export type { RedisFollowClient } from './redisTail.js';

/**
 * What {@link createRedisEventStore} needs from a Redis client: `sendCommand`, as the official
 * `redis` client (v4 and later) has it. Typed structurally, so this entry never imports `redis`.
 */
export interface RedisCommandClient {
  sendCommand(args: readonly string[]): Promise<unknown>;
  /** A new client with the same options, for `follow`'s blocking reads (the official client has it). */
  duplicate?(): RedisFollowClient;
}

/** Options of {@link createRedisEventStore}. */
export interface RedisEventStoreOptions {
  /** Prefix of every key: a stream is `<prefix>stream:<id>`, the set of ids `<prefix>streams`. @default 'l0:events:' */
  readonly keyPrefix?: string;
  /** How long one `XREAD BLOCK` of `follow` waits before it is sent again, in ms (> 0). @default 5000 */
  readonly followBlockMs?: number;
  /** How many failed reconnects in a row (after a dropped connection, or of its first connect) end a follower, with an `EventLogError`; the client's own reconnect strategy paces them. @default 20 */
  readonly followReconnects?: number;
}

/** The documented defaults of {@link createRedisEventStore}. */
export const REDIS_EVENT_STORE_DEFAULTS = /*#__PURE__*/ Object.freeze({ keyPrefix: 'l0:events:', followBlockMs: 5000, followReconnects: 20 } as const);

const OPTION_KEYS: readonly string[] = ['keyPrefix', 'followBlockMs', 'followReconnects'];

/**
 * Adds one stream's entries of a batch (ARGV: entry id, envelope JSON, ...) in order and stops at the
 * first one Redis refuses: returns `{added}`, or `{added, why}` (`''`: the stream is not in Redis).
 * Only `seq` 0 (entry id `0-1`) may create the stream.
 */
const ADD_SCRIPT = `local added = 0
for i = 1, #ARGV, 2 do
  local r
  if ARGV[i] == '0-1' then r = redis.pcall('XADD', KEYS[1], ARGV[i], 'envelope', ARGV[i + 1])
  else r = redis.pcall('XADD', KEYS[1], 'NOMKSTREAM', ARGV[i], 'envelope', ARGV[i + 1]) end
  if type(r) == 'table' and r.err then return {added, r.err} end
  if not r then return {added, ''} end
  added = added + 1
end
return {added}`;

/**
 * An {@link EventStore} on Redis Streams: one Redis stream per recorded stream, so a fleet of
 * servers shares one log and any of them can replay a run another recorded.
 *
 *   append([e0, e1])    EVALSHA <add> 1 <prefix>stream:<id> 0-1 {e0} 0-2 {e1} (XADD each, in order); then SADD <prefix>streams <id>
 *   read(id, {1, 2})    XRANGE <prefix>stream:<id> 0-2 0-3
 *   delete(id)          XADD <prefix>stream:<id> * deleted 1; DEL <prefix>stream:<id>; SREM <prefix>streams <id>
 *
 * 1. An envelope's entry id is `0-<seq + 1>`: Redis itself rejects a `seq` that is not above the
 *    stream's last one, so two runs writing one stream id cannot interleave silently. Only `seq` 0
 *    creates the stream (`NOMKSTREAM` for the others; Redis 6.2 or newer): a recorder still writing
 *    a deleted stream gets a rejected append instead of bringing back the rest of its run.
 * 2. A batch's envelopes of one stream are added by one Lua script (`EVALSHA`, `EVAL` when Redis
 *    does not have it cached), in order, atomically, and none after the first Redis refuses: a
 *    failed append leaves its stream a gap-free prefix of the run, as the recorder promises (it
 *    writes nothing more after one), with no other writer's entry between those of one batch. A
 *    batch of many streams sends one script per stream, pipelined. A stream id is added to the set
 *    `<prefix>streams` once its `seq` 0 is stored (one more round trip, for a run's first batch
 *    only), so a stream whose first append failed is not listed. The client's user needs `EVAL`
 *    and `EVALSHA` (ACL `+@scripting`).
 * 3. `read` ranges by entry id (`XRANGE`), so reading a window of a long run costs only the window
 *    (a window holding a compact checkpoint, below, is read from the run's start).
 * 4. `follow(id, fromSeq)` (the live tail another server resumes a run from) opens its own
 *    connection with `client.duplicate()` and loops `XREAD BLOCK` from entry id `0-<fromSeq>`: the
 *    recorded envelopes and then the new ones come through one command, so none is missed or sent
 *    twice between a read and a tail. It completes after the terminal envelope; unsubscribing closes
 *    that connection, ending a blocked read at once. One connection per follower.
 * 5. A dropped follower connection (an idle timeout, a failover) is not the follower's end: it waits
 *    for the client to reconnect and reads on from the last entry id it passed on. After
 *    `followReconnects` failed reconnects in a row, or when the client gives up, it errors with an
 *    `EventLogError` `STORE_UNAVAILABLE` (retryable) whose `cause` is the connection's error.
 * 6. `delete` first appends a marker entry (`deleted 1`) that wakes the stream's followers, which
 *    error with an `EventLogError` `STREAM_NOT_FOUND`, as the memory store's do; a follower that
 *    was between two reads finds the last entry it passed on gone (each read checks it, pipelined).
 *    A stream recorded again under the same id is a new run: no follower joins the two.
 * 7. A `checkpoint` that `recordEvents` proved a prefix of the attempt's recorded text is stored as
 *    `{type: 'checkpoint', contentLength, tokenCount}` and rebuilt from the tokens before it when
 *    read or followed: a run with continuation stores its answer about once, not once per checkpoint.
 *    Only when this store stored every envelope of that attempt itself (a store of your own around
 *    it that forwards only some, a failed append, a `delete` meanwhile, another process writing
 *    part of the stream: the checkpoint is stored whole); a compact checkpoint of a batch is never
 *    stored after an envelope of its batch that was refused (see 2). `read` and `follow` fail with
 *    `INVALID_LOG` for an envelope of another log format version (`v`).
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
 * @throws TypeError for a client without `sendCommand` or a bad option.
 */
export function createRedisEventStore(client: RedisCommandClient, options: RedisEventStoreOptions = {}): EventStore {
  if (typeof client !== 'object' || client === null || typeof client.sendCommand !== 'function') {
    throw new TypeError(`createRedisEventStore(client) must be a redis client (with sendCommand), got ${client === null ? 'null' : typeof client}`);
  }
  if (typeof options !== 'object' || options === null) throw new TypeError('createRedisEventStore(client, options) must be an object');
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new TypeError(`createRedisEventStore(client, options): unknown option \`${key}\`; the options are ${OPTION_KEYS.map((k) => `\`${k}\``).join(', ')}`);
  }
  const { keyPrefix = REDIS_EVENT_STORE_DEFAULTS.keyPrefix, followBlockMs = REDIS_EVENT_STORE_DEFAULTS.followBlockMs, followReconnects = REDIS_EVENT_STORE_DEFAULTS.followReconnects } = options;
  if (typeof keyPrefix !== 'string') throw new TypeError(`createRedisEventStore(client, {keyPrefix}) must be a string, got ${typeof keyPrefix}`);
  if (!Number.isSafeInteger(followBlockMs) || followBlockMs < 1) throw new TypeError(`createRedisEventStore(client, {followBlockMs}) must be an integer number of ms >= 1, got ${String(followBlockMs)}`);
  if (!Number.isSafeInteger(followReconnects) || followReconnects < 0) throw new TypeError(`createRedisEventStore(client, {followReconnects}) must be an integer >= 0, got ${String(followReconnects)}`);
  const streamKey = (id: string) => `${keyPrefix}stream:${id}`;
  const idsKey = `${keyPrefix}streams`;
  /** What this store stored of each open stream: a checkpoint is stored compact only over text it stored. */
  const encoder = new CheckpointEncoder();
  const addSha = createHash('sha1').update(ADD_SCRIPT).digest('hex');

  /** Runs the add script on one stream's `entries` (see 2): `EVALSHA`, and `EVAL` if Redis has not cached it. */
  const add = (key: string, entries: readonly string[]): Promise<unknown> =>
    client.sendCommand(['EVALSHA', addSha, '1', key, ...entries]).catch((e: unknown) => {
      if (!(e instanceof Error && e.message.startsWith('NOSCRIPT'))) throw e;
      return client.sendCommand(['EVAL', ADD_SCRIPT, '1', key, ...entries]);
    });

  /** Adds `envelopes`, one script per stream, pipelined (see 1 and 2). */
  const appendAll = async (envelopes: readonly EventEnvelope[]): Promise<void> => {
    // every envelope is serialized before anything is sent: one that cannot be fails its append alone
    const streams = new Map<string, { envelopes: EventEnvelope[]; entries: string[] }>();
    for (const e of envelopes) {
      let stream = streams.get(e.streamId);
      if (!stream) streams.set(e.streamId, (stream = { envelopes: [], entries: [] }));
      stream.envelopes.push(e);
      stream.entries.push(`0-${e.seq + 1}`, JSON.stringify(encoder.envelope(e)));
    }
    const started: string[] = []; // streams whose seq 0 was added: listed once Redis took it
    const writes = [...streams].map(async ([streamId, stream]) => {
      const [count, why] = (await add(streamKey(streamId), stream.entries)) as [unknown, string?];
      const added = Number(count);
      if (stream.envelopes.some((e, i) => i < added && e.seq === 0)) started.push(streamId);
      if (why === undefined) return;
      const { seq } = stream.envelopes[added]!;
      if (why === '') throw new Error(`createRedisEventStore: stream ${JSON.stringify(streamId)} is not in Redis (deleted, or its seq 0 was never appended), so seq ${seq} is not appended`);
      throw new Error(`createRedisEventStore: Redis refused seq ${seq} of stream ${JSON.stringify(streamId)}, so it and the rest of its batch are not appended: ${why}`);
    });
    const settled = await Promise.allSettled(writes);
    if (started.length > 0) await client.sendCommand(['SADD', idsKey, ...started]);
    for (const write of settled) if (write.status === 'rejected') throw write.reason;
  };

  return {
    append(envelopes) {
      return appendAll(envelopes).catch((e: unknown) => {
        encoder.lost(envelopes);
        throw e;
      });
    },
    async read(streamId: string, range?: SeqRange) {
      const fromSeq = range?.fromSeq ?? 0;
      const to = range?.toSeq === undefined ? '+' : `0-${range.toSeq + 1}`;
      // a delete marker (the stream is being deleted) is left out
      const entries = async (from: string) => envelopesIn((await client.sendCommand(['XRANGE', streamKey(streamId), from, to])) as [string, string[]][], streamId);
      let envelopes = await entries(fromSeq === 0 ? '-' : `0-${fromSeq + 1}`);
      // a compact checkpoint is rebuilt from the tokens before it: a window that holds one is read from the run's start
      if (fromSeq > 0 && envelopes.some(isCompact)) envelopes = await entries('-');
      const decoder = new CheckpointDecoder(streamId);
      return envelopes.map((e) => decoder.decode(e)).filter((e) => e.seq >= fromSeq);
    },
    async streams() {
      return ((await client.sendCommand(['SMEMBERS', idsKey])) as string[]).sort();
    },
    async delete(streamId: string) {
      encoder.forget(streamId); // a recorder still writing it is refused (NOMKSTREAM); a new run starts at seq 0
      const key = streamKey(streamId);
      const marker = client.sendCommand(['XADD', key, '*', DELETED_FIELD, '1']).catch((e: unknown) => {
        if (!(e instanceof Error && e.message.startsWith('WRONGTYPE '))) throw e; // a key that holds no stream has no follower
      });
      await Promise.all([marker, client.sendCommand(['DEL', key]), client.sendCommand(['SREM', idsKey, streamId])]);
    },
    follow(streamId: string, fromSeq?: number) {
      const from = checkFromSeq('createRedisEventStore()', fromSeq);
      if (typeof client.duplicate !== 'function') throw new TypeError('createRedisEventStore(client): follow needs a client with duplicate() (the official redis client has it), for its blocking reads');
      return tail(client.duplicate.bind(client), { streamId, key: streamKey(streamId), fromSeq: from, blockMs: followBlockMs, reconnects: followReconnects });
    },
  };
}
