import type { BreakerRecord, BreakerStore } from '../breakerStore.js';
import { checkBag, checkKeys, describeOption, optionError, optionKeys, optionPath } from '../../internal/options.js';

/**
 * The part of a Redis client the store uses: what `createClient()` of the official `redis`
 * package (v4 and later) returns, once connected. Structural, so this entry imports nothing.
 */
export interface RedisBreakerClient {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, options?: { PX?: number }): Promise<unknown>;
  /** Runs the compare-and-set script (every `redis` client from v4 on has it). */
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Options of {@link redisBreakerStore}. */
export interface RedisBreakerStoreConfig {
  /** Prepended to every breaker key. @default 'l0-rx:breaker:' */
  readonly prefix?: string;
  /**
   * Each record expires this long after its last write, so unused breakers leave nothing behind, in
   * ms (1 to 2^53 - 1). An expired record reads as closed: keep it above the breakers' `resetTimeout`
   * and `windowMs`, or an open breaker closes early. @default 86400000 (a day)
   */
  readonly ttlMs?: number;
  /** Compare-and-set rounds per update before giving up (the breaker then lets the call through and records nothing). Each round lets at least one writer through. @default 1000 */
  readonly maxRounds?: number;
}

/**
 * Writes ARGV[3] (with PX ARGV[4]) only if the key still holds what was read: nothing when ARGV[1]
 * is '0', the string ARGV[2] when it is '1'. Returns 1 when it wrote, 0 on a conflict.
 */
const CAS = `local cur = redis.call('GET', KEYS[1])
if (ARGV[1] == '0' and cur == false) or (ARGV[1] == '1' and cur == ARGV[2]) then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
  return 1
end
return 0`;

const KEYS = /*#__PURE__*/ optionKeys<RedisBreakerStoreConfig>()(['prefix', 'ttlMs', 'maxRounds']);
const PATH = /*#__PURE__*/ optionPath('redisBreakerStore', 'client, ');

/**
 * A {@link BreakerStore} in Redis: every server that uses the same Redis and key shares one
 * breaker per model. Records are JSON under `prefix + key`, written with a TTL.
 *
 *   server A: 503 503 503 -> open      server B: next call -> CircuitOpenError, no request
 *
 * 1. `get` reads and parses the record (a missing or unreadable one reads as closed, and so does one
 *    without a finite number in each field the store writes, such as another writer's `{"state":"open"}`; one written
 *    by an earlier version, without the `period` counter, reads as period 0, and without the write
 *    counter `version` is ordered by when it was read). A client whose type
 *    mapping returns bulk strings as Buffers works as one returning strings (the bytes are decoded
 *    as UTF-8); a reply that is neither (nor null), or bytes that are not UTF-8, is a TypeError naming it.
 * 2. `update` (what the breaker uses) is atomic across servers: it reads the raw record, computes
 *    the next one with the breaker's pure state function, and writes it with a compare-and-set
 *    Lua script (`EVAL`) that succeeds only if the record is still the one read; on a conflict it
 *    reads and computes again. No count is lost and no breaker opens twice, however many servers
 *    record at once. Writes carry `PX: ttlMs`.
 * 3. A Redis that fails makes the breaker let calls through (fail open).
 * 4. Each breaker is one key, and the script uses only it: on a Redis Cluster any `prefix` works,
 *    and the cluster client of `redis` (`createCluster()`) can be passed as it is.
 *
 * @example
 * import { createClient } from 'redis';
 * import { createCircuitBreaker } from 'l0-rx';
 * import { redisBreakerStore } from 'l0-rx/breakers/redis';
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const gpt = createCircuitBreaker({ key: 'gpt-4o', store: redisBreakerStore(client) });
 * @param client A connected client of the official `redis` package (or anything with its `get`, `set` and `eval`).
 * @param config See {@link RedisBreakerStoreConfig}.
 */
export function redisBreakerStore(client: RedisBreakerClient, config: RedisBreakerStoreConfig = {}): BreakerStore {
  if (typeof client?.get !== 'function' || typeof client.set !== 'function' || typeof client.eval !== 'function') {
    throw new TypeError('redisBreakerStore(client): client must be a connected redis client (with get, set and eval)');
  }
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { prefix = 'l0-rx:breaker:', ttlMs = 86_400_000, maxRounds = 1_000 } = config;
  if (typeof prefix !== 'string') throw optionError(PATH, 'prefix', 'a string', prefix);
  // a ttl Redis refuses (`PX 1e+21`) would fail every write, and a breaker whose store fails lets every call through
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) throw optionError(PATH, 'ttlMs', 'an integer number of ms from 1 to 2^53 - 1', ttlMs);
  if (!Number.isInteger(maxRounds) || maxRounds < 1) throw optionError(PATH, 'maxRounds', 'an integer >= 1', maxRounds);
  const ttl = String(ttlMs);
  /**
   * The key's value as text: a client whose type mapping returns bulk strings as Buffers gives
   * bytes, decoded here. Bytes that are not UTF-8 are no record (the store writes JSON text): read
   * as closed, as an unreadable record is, and refused by `update` (`strict`), whose compare-and-set
   * could never match them as text.
   */
  const read = async (key: string, strict: boolean): Promise<string | undefined> => {
    const raw = await client.get(key);
    if (raw === null || raw === undefined || typeof raw === 'string') return raw ?? undefined;
    if (!(raw instanceof Uint8Array)) throw new TypeError(`redisBreakerStore: GET ${JSON.stringify(key)} returned ${describeOption(raw)}; it must return a string, bytes (a Buffer) or null`);
    try {
      return UTF8.decode(raw);
    } catch (e) {
      if (!strict) return undefined;
      throw new TypeError(`redisBreakerStore: ${JSON.stringify(key)} holds bytes that are not UTF-8 text, so no breaker record: delete the key or choose another prefix`, { cause: e });
    }
  };
  return {
    get: async (key) => parse(await read(prefix + key, false)),
    set: async (key, record) => {
      await client.set(prefix + key, JSON.stringify(record), { PX: ttlMs });
    },
    update: async (key, change) => {
      for (let round = 0; round < maxRounds; round++) {
        const raw = await read(prefix + key, true);
        const stored = parse(raw);
        const next = change(stored);
        if (next === stored) return;
        const was = raw === undefined ? ['0', ''] : ['1', raw];
        if (Number(await client.eval(CAS, { keys: [prefix + key], arguments: [...was, JSON.stringify(next), ttl] })) === 1) return;
      }
      throw new Error(`redisBreakerStore: ${maxRounds} compare-and-set rounds on ${JSON.stringify(prefix + key)} all conflicted`);
    },
  };
}

/**
 * UTF-8, as the client sends what the store writes; `fatal`: bytes that are not UTF-8 throw, never
 * decode to another text; `ignoreBOM`: a leading BOM is kept, as a client that returns strings keeps
 * it (dropped, the text would be another than Redis holds, and the compare-and-set never matches it).
 */
const UTF8 = /*#__PURE__*/ new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The numbers every record the store writes has (`period`, `probedAt`, `leasesSince` and `version` may be missing). */
const FIELDS = ['failures', 'openedAt', 'probes', 'successes', 'windowStart', 'windowCalls', 'windowFailures'] as const;

function parse(raw: string | undefined): BreakerRecord | undefined {
  if (raw === undefined) return undefined;
  try {
    const rec = JSON.parse(raw) as BreakerRecord;
    // every field the breaker's writer writes: a foreign `{"state":"open"}` (no openedAt) stayed open until its TTL
    const whole = typeof rec === 'object' && rec !== null && FIELDS.every((k) => Number.isFinite(rec[k]));
    return whole && ['closed', 'open', 'half-open'].includes(rec.state) ? rec : undefined;
  } catch {
    return undefined;
  }
}
