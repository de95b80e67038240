import { createHash } from 'node:crypto';
import { checkFromSeq, type EventEnvelope, type EventStore, type SeqRange } from '../../events/eventStore.js';
import { checkEnvelopes, checkRange, checkStreamId, rejecting } from '../storeInputs.js';
import { describeOption } from '../../internal/options.js';
import { DELETED_FIELD, tail, type RedisFollowClient } from './redisTail.js';
import { readRange } from './redisRead.js';
import { replyCode, storeError } from './redisErrors.js';
import { ADD_SCRIPT, HAS_SCRIPT, LIST_PAGE, LIST_SCRIPT, refusal, type Part } from './redisScripts.js';
import { CheckpointEncoder } from '../../events/checkpointEncoder.js';
import { asStored, runOf } from '../../events/runTag.js';

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
  /**
   * Prefix of every key: a stream is `<prefix>stream:<id>`, the set of ids `<prefix>streams`. On a
   * Redis Cluster it must hold a hash tag, such as `'{l0}:events:'`, so all the store's keys share a
   * slot (see 12). @default 'l0:events:'
   */
  readonly keyPrefix?: string;
  /** How long one `XREAD BLOCK` of `follow` waits before it is sent again, in ms (> 0). @default 5000 */
  readonly followBlockMs?: number;
  /** How many failed reconnects in a row (after a dropped connection, or of its first connect) end a follower, with an `EventLogError`; the client's own reconnect strategy paces them. @default 20 */
  readonly followReconnects?: number;
}

/** The documented defaults of {@link createRedisEventStore}. */
export const REDIS_EVENT_STORE_DEFAULTS = /*#__PURE__*/ Object.freeze({ keyPrefix: 'l0:events:', followBlockMs: 5000, followReconnects: 20 } as const);

/** How the store names itself in its TypeErrors. */
const NAME = 'createRedisEventStore()';

/** Throws a TypeError naming `what` when `text` holds a lone surrogate, which Redis's UTF-8 keys turn into U+FFFD (see 11). */
function keyable(what: string, text: string): void {
  const lone = /\p{Cs}/u.exec(text);
  if (lone) {
    const unit = `U+${lone[0].charCodeAt(0).toString(16).toUpperCase()}`;
    throw new TypeError(`${what} must be well-formed Unicode, got ${describeOption(text)} with a lone surrogate (${unit}) at index ${lone.index}: Redis keeps keys as UTF-8, where it becomes U+FFFD, so two such ids would share one stream`);
  }
}

/** `streamId` checked for `method`: a string (see checkStreamId) Redis can key (see 11). */
function checkId(method: string, streamId: unknown): asserts streamId is string {
  checkStreamId(NAME, method, streamId);
  keyable(`${NAME}.${method}(streamId): streamId`, streamId);
}

const OPTION_KEYS: readonly string[] = ['keyPrefix', 'followBlockMs', 'followReconnects'];

/**
 * An {@link EventStore} on Redis Streams: one Redis stream per recorded stream, so a fleet of
 * servers shares one log and any of them can replay a run another recorded.
 *
 *   append([e0, e1])    EVALSHA <add> 2 <prefix>stream:<id> <prefix>streams <run> <id> 0-1 {e0} 0-2 {e1} (SADD the id, XADD each, in order)
 *   read(id, {1, 2})    XRANGE <prefix>stream:<id> 0-2 0-3 COUNT 1000 (then from the last entry read, while a page comes full)
 *   delete(id)          XADD <prefix>stream:<id> * deleted 1; SREM <prefix>streams <id>; then DEL <prefix>stream:<id>
 *   streams()           SSCAN <prefix>streams, a page at a time; EVALSHA <list> per page (EXISTS each stream, SREM the gone)
 *   has(id)             EVALSHA <has> <prefix>streams <prefix>stream:<id> <id> (SISMEMBER, EXISTS: O(1))
 *
 * 1. An envelope's entry id is `0-<seq + 1>`: Redis itself rejects a `seq` that is not above the
 *    stream's last one (and a run's envelopes go only into its own log, see 8). Only `seq` 0
 *    creates the stream (`NOMKSTREAM` for the others; Redis 6.2 or newer): a recorder still writing
 *    a deleted (or expired) stream gets a rejected append instead of bringing back the rest of its
 *    run: `RUN_MISMATCH` (see 8), or `STREAM_NOT_FOUND` for an envelope without a run tag.
 * 2. A batch's envelopes of one stream are added by one Lua script (`EVALSHA`, `EVAL` when Redis
 *    does not have it cached), in order, atomically, and none after the first Redis refuses: a
 *    failed append leaves its stream a gap-free prefix of the run, as the recorder promises (it
 *    writes nothing more after one), with no other writer's entry between those of one batch. A
 *    batch of many streams sends one script per stream, pipelined. A stream id is added to the set
 *    `<prefix>streams` by the script that adds its `seq` 0, right before it: a stream in Redis is
 *    listed even when the connection is lost right after its first append (a second call, `SADD`,
 *    then failed, leaving it unlisted for good); a `seq` 0 then refused unlists it again (so a refused
 *    append never lists a key it did not make, see 9). The client's user needs `EVAL` and `EVALSHA` (ACL `+@scripting`).
 * 3. `read` ranges by entry id (`XRANGE`), so reading a window of a long run costs only the window
 *    (a window holding a compact checkpoint, below, is read from the run's start). It reads 1000
 *    entries per `XRANGE` (`COUNT`), so a long run is never one huge reply; a stream deleted
 *    between two of them (the entry the next one starts at is gone, or another run's) starts the
 *    read over, so it gives one run's log (or none), never two runs spliced; a stream replaced under
 *    3 reads in a row fails it with an `EventLogError` `STREAM_NOT_FOUND`.
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
 *    A stream recorded again under the same id is a new run: no follower joins the two. The id
 *    leaves `<prefix>streams` before the stream is deleted (one more round trip): a new run of the
 *    id, whose `seq` 0 is refused until the stream is gone, is listed after that, never unlisted by
 *    a delete that was still under way on another connection.
 * 7. A `checkpoint` that `recordEvents` proved a prefix of the attempt's recorded text is stored as
 *    `{type: 'checkpoint', contentLength, tokenCount}` and rebuilt from the tokens before it when
 *    read or followed: a run with continuation stores its answer about once, not once per checkpoint.
 *    Only when this store stored every envelope of that attempt itself (a store of your own around
 *    it that forwards only some, a failed append, a `delete` meanwhile, another process writing
 *    part of the stream: the checkpoint is stored whole); a compact checkpoint of a batch is never
 *    stored after an envelope of its batch that was refused (see 2). `read` and `follow` fail with
 *    `INVALID_LOG` for an envelope of another log format version (`v`). A `budget()` cut's
 *    `complete` is stored with `"limitCut": true` (its mark, which JSON leaves out) and read and
 *    followed back marked, without it; another `limitCut` is `INVALID_LOG`.
 * 8. A log belongs to the run whose `seq` 0 made it until it is deleted: a run's `seq` 0 entry
 *    holds its run tag (in the envelope, and as a `run` field), and the add script checks a run's
 *    envelopes against it in the same atomic call (one `XRANGE` of that entry per call, O(1) per
 *    envelope), refusing with an `EventLogError` `RUN_MISMATCH` (the entries before it added, none
 *    after) a `seq` above 0 whose stream is gone or holds another run's (or an untagged) `seq` 0, and
 *    a `seq` 0 whose stream exists. So a run still recording after its stream was deleted and
 *    recorded again by a new run, on any server, adds nothing to the new run's log (Redis alone
 *    would take its `seq` above the new run's last). Envelopes without a run tag are not checked.
 * 9. `streams` lists an id only while its stream's key exists: one whose key went outside the store
 *    (`DEL` by another client, an expiry) is dropped from `<prefix>streams` when a listing finds it
 *    gone, by a script that checks the key and removes the id in one atomic step, so an id whose new
 *    run's `seq` 0 went in meanwhile stays listed. The set is read with `SSCAN` and checked
 *    `LIST_PAGE` (1000) ids per script call, so no reply and no script holds every id. `has(id)`
 *    answers for one id the same way (its set membership and its key, one script call, O(1)):
 *    `replayEvents` asks it on an empty read instead of listing every stream. The set has been kept
 *    by every version of this store (an id is added with its run's `seq` 0), so logs written before
 *    `has` are found by it without a migration; a stream written into Redis by hand, without the
 *    set, is neither listed nor found (`replayEvents` says `STREAM_NOT_FOUND` for it only when it
 *    holds nothing in the range).
 * 10. A Redis failure is the event log's error, the client's error as `cause`: a reply that
 *    reports the server's state (`LOADING`: still loading its dataset after a restart; `BUSY`,
 *    `TRYAGAIN`, `CLUSTERDOWN`, `MASTERDOWN`, `READONLY` after a failover, `NOREPLICAS`, `MISCONF`,
 *    `OOM` at `maxmemory`) or a lost connection is an `EventLogError` `STORE_UNAVAILABLE` (retryable),
 *    another error reply (`NOPERM`, `WRONGTYPE`, an out-of-order `seq`...) `STORE_FAILED`, a reply the
 *    add script met too; the message names the command and the stream (`streamId` is `undefined`
 *    for a listing, about no one stream). A
 *    follower ends with them too (a dropped connection is still waited for, see 5). Recording
 *    reports them as the `cause` of its `RECORD_FAILED`.
 * 11. Redis keeps keys as UTF-8, where a lone surrogate becomes U+FFFD: a stream id (or `keyPrefix`)
 *    holding one is a TypeError naming it, as `'a\uD800'` and `'a\uDC00'` would share one stream.
 * 12. A Redis Cluster needs the keys of one script in one slot, and the store's scripts use the set
 *    of ids with a stream (or many: a listing): give a `keyPrefix` with a hash tag (`'{l0}:events:'`)
 *    and the whole store is one slot, on one shard; the default (kept: another key layout would hide
 *    the logs already written) is refused there with `CROSSSLOT`, an `EventLogError` `STORE_FAILED`
 *    naming that fix. The cluster client of `redis` routes by a key of its own: pass
 *    `{ sendCommand: (args) => cluster.sendCommand(keyPrefix, false, [...args]) }`; `follow` also needs
 *    `duplicate()`, a client of the shard that holds the slot.
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
  keyable('createRedisEventStore(client, {keyPrefix})', keyPrefix);
  if (!Number.isSafeInteger(followBlockMs) || followBlockMs < 1) throw new TypeError(`createRedisEventStore(client, {followBlockMs}) must be an integer number of ms >= 1, got ${String(followBlockMs)}`);
  if (!Number.isSafeInteger(followReconnects) || followReconnects < 0) throw new TypeError(`createRedisEventStore(client, {followReconnects}) must be an integer >= 0, got ${String(followReconnects)}`);
  const streamKey = (id: string) => `${keyPrefix}stream:${id}`;
  const idsKey = `${keyPrefix}streams`;
  /** What this store stored of each open stream: a checkpoint is stored compact only over text it stored. */
  const encoder = new CheckpointEncoder();
  /** `args` sent for `streamId`'s log (`undefined`: none), a failure as the event log's error (see 10). */
  const send = (streamId: string | undefined, args: readonly string[]): Promise<unknown> =>
    client.sendCommand(args).catch((e: unknown) => {
      throw storeError(e, streamId, args[0]!);
    });
  /** A Lua script run on `keys` and `args` for `streamId`'s log: `EVALSHA`, and `EVAL` if Redis has not cached it. */
  const script = (source: string) => {
    const sha = createHash('sha1').update(source).digest('hex');
    return (streamId: string | undefined, keys: readonly string[], args: readonly string[]): Promise<unknown> => {
      const rest = [String(keys.length), ...keys, ...args];
      return client.sendCommand(['EVALSHA', sha, ...rest]).catch((e: unknown) => {
        if (replyCode(e) !== 'NOSCRIPT') throw storeError(e, streamId, 'EVALSHA');
        return send(streamId, ['EVAL', source, ...rest]);
      });
    };
  };
  /** Runs the add script on one stream's `entries` of `run` (see 2). */
  const add = script(ADD_SCRIPT);
  const list = script(LIST_SCRIPT);
  const exists = script(HAS_SCRIPT);

  /** Adds `envelopes`, one script per stream (one per run of it, in order, when a batch holds several), pipelined (see 1, 2 and 8). */
  const appendAll = async (envelopes: readonly EventEnvelope[]): Promise<void> => {
    // every envelope is serialized before anything is sent: one that cannot be fails its append alone
    const streams = new Map<string, Part[]>();
    for (const e of envelopes) {
      const run = runOf(e) ?? '';
      let parts = streams.get(e.streamId);
      if (!parts) streams.set(e.streamId, (parts = []));
      let part = parts[parts.length - 1];
      if (part?.run !== run) parts.push((part = { run, envelopes: [], entries: [] }));
      part.envelopes.push(e);
      part.entries.push(`0-${e.seq + 1}`, JSON.stringify(asStored(encoder.envelope(e))));
    }
    // (a stream's seq 0 lists it in the same script: a connection lost after it left a stream in Redis that no listing found)
    const writes = [...streams].map(async ([streamId, parts]) => {
      for (const part of parts) {
        const [count, why, detail, command] = (await add(streamId, [streamKey(streamId), idsKey], [part.run, streamId, ...part.entries])) as [unknown, string?, string?, string?];
        if (why !== undefined) throw refusal(streamId, part, part.envelopes[Number(count)]!.seq, why, detail, command);
      }
    });
    for (const write of await Promise.allSettled(writes)) if (write.status === 'rejected') throw write.reason;
  };

  return {
    append: (envelopes) =>
      rejecting(() => {
        checkEnvelopes(NAME, envelopes);
        let id: string | undefined; // (a batch is mostly one stream's: each id is checked once in a row)
        envelopes.forEach((e, i) => e.streamId !== id && keyable(`${NAME}.append(envelopes): envelopes[${i}].streamId`, (id = e.streamId)));
        return appendAll(envelopes).catch((e: unknown) => {
          encoder.lost(envelopes);
          throw e;
        });
      }),
    async read(streamId: string, range?: SeqRange) {
      checkId('read', streamId);
      checkRange(NAME, range);
      // entry ids are 0-<seq + 1>: a bound below 0 or past any seq is open (or the range empty), never an id Redis refuses
      const fromSeq = Math.max(0, range?.fromSeq ?? 0);
      const toSeq = range?.toSeq ?? Number.POSITIVE_INFINITY;
      if (toSeq < fromSeq || fromSeq > Number.MAX_SAFE_INTEGER) return [];
      const to = toSeq >= Number.MAX_SAFE_INTEGER ? '+' : `0-${toSeq + 1}`;
      // a page of entries per XRANGE; a delete marker (the stream is being deleted) is left out (see 3)
      return readRange((args) => send(streamId, args), streamKey(streamId), streamId, fromSeq, to);
    },
    async streams() {
      // a page of the set at a time; an id whose key went outside the store (DEL, expiry) is dropped, and unlisted (see 9)
      const kept = new Set<string>();
      let cursor = '0';
      do {
        const [next, ids] = (await send(undefined, ['SSCAN', idsKey, cursor, 'COUNT', String(LIST_PAGE)])) as [string, string[]];
        cursor = next;
        // COUNT is a hint: a page may hold more (a whole small set, a rehashing table), checked LIST_PAGE at a time
        for (let at = 0; at < ids.length; at += LIST_PAGE) {
          const part = ids.slice(at, at + LIST_PAGE);
          for (const id of (await list(undefined, [idsKey, ...part.map(streamKey)], part)) as string[]) kept.add(id);
        }
      } while (cursor !== '0');
      return [...kept].sort();
    },
    async has(streamId: string) {
      checkId('has', streamId);
      // the listing's check for one id, in one call: listed in the set, and its key there (see 9)
      return Number(await exists(streamId, [idsKey, streamKey(streamId)], [streamId])) === 1;
    },
    async delete(streamId: string) {
      checkId('delete', streamId);
      encoder.forget(streamId); // a recorder still writing it is refused (NOMKSTREAM); a new run starts at seq 0
      const key = streamKey(streamId);
      const marker = client.sendCommand(['XADD', key, '*', DELETED_FIELD, '1']).catch((e: unknown) => {
        if (replyCode(e) !== 'WRONGTYPE') throw storeError(e, streamId, 'XADD'); // a key that holds no stream has no follower
      });
      // the id leaves the set before the stream goes: a new run's seq 0 (which needs the stream gone) is listed after it (see 6)
      const settled = await Promise.allSettled([marker, send(streamId, ['SREM', idsKey, streamId])]);
      await send(streamId, ['DEL', key]);
      for (const done of settled) if (done.status === 'rejected') throw done.reason;
    },
    follow(streamId: string, fromSeq?: number) {
      checkId('follow', streamId);
      const from = checkFromSeq(NAME, fromSeq);
      if (typeof client.duplicate !== 'function') throw new TypeError('createRedisEventStore(client): follow needs a client with duplicate() (the official redis client has it), for its blocking reads');
      return tail(client.duplicate.bind(client), { streamId, key: streamKey(streamId), fromSeq: from, blockMs: followBlockMs, reconnects: followReconnects });
    },
  };
}
