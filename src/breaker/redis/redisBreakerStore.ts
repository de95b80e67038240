import type { BreakerRecord, BreakerStore } from '../breakerStore.js';
import { checkBag, checkKeys, optionError, optionKeys, optionPath } from '../../internal/options.js';

/**
 * The part of a Redis client the store uses: what `createClient()` of the official `redis`
 * package (v4 and later) returns, once connected. Structural, so this entry imports nothing.
 */
export interface RedisBreakerClient {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, options?: { PX?: number }): Promise<unknown>;
}

/** Options of {@link redisBreakerStore}. */
export interface RedisBreakerStoreConfig {
  /** Prepended to every breaker key. @default 'l0-rx:breaker:' */
  readonly prefix?: string;
  /** Each record expires this long after its last write, so unused breakers leave nothing behind, in ms. @default 86400000 (a day) */
  readonly ttlMs?: number;
}

const KEYS = /*#__PURE__*/ optionKeys<RedisBreakerStoreConfig>()(['prefix', 'ttlMs']);
const PATH = /*#__PURE__*/ optionPath('redisBreakerStore', 'client, ');

/**
 * A {@link BreakerStore} in Redis: every server that uses the same Redis and key shares one
 * breaker per model. Records are JSON under `prefix + key`, written with a TTL.
 *
 *   server A: 503 503 503 -> open      server B: next call -> CircuitOpenError, no request
 *
 * 1. `get` reads and parses the record (a missing or unreadable one reads as closed).
 * 2. `set` writes it with `PX: ttlMs` (the option every `redis` client from v4 on accepts).
 * 3. Updates are read-then-write: two servers settling the same key at the same instant may
 *    lose one count. A Redis that fails makes the breaker let calls through (fail open).
 *
 * @example
 * import { createClient } from 'redis';
 * import { createCircuitBreaker } from 'l0-rx';
 * import { redisBreakerStore } from 'l0-rx/breakers/redis';
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const gpt = createCircuitBreaker({ key: 'gpt-4o', store: redisBreakerStore(client) });
 * @param client A connected client of the official `redis` package (or anything with its `get`/`set`).
 * @param config See {@link RedisBreakerStoreConfig}.
 */
export function redisBreakerStore(client: RedisBreakerClient, config: RedisBreakerStoreConfig = {}): BreakerStore {
  if (typeof client?.get !== 'function' || typeof client.set !== 'function') {
    throw new TypeError('redisBreakerStore(client): client must be a connected redis client (with get and set)');
  }
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { prefix = 'l0-rx:breaker:', ttlMs = 86_400_000 } = config;
  if (typeof prefix !== 'string') throw optionError(PATH, 'prefix', 'a string', prefix);
  if (!Number.isInteger(ttlMs) || ttlMs < 1) throw optionError(PATH, 'ttlMs', 'an integer number of ms >= 1', ttlMs);
  return {
    get: async (key) => parse(await client.get(prefix + key)),
    set: async (key, record) => {
      await client.set(prefix + key, JSON.stringify(record), { PX: ttlMs });
    },
  };
}

function parse(raw: unknown): BreakerRecord | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const rec = JSON.parse(raw) as BreakerRecord;
    return typeof rec === 'object' && rec !== null && ['closed', 'open', 'half-open'].includes(rec.state) ? rec : undefined;
  } catch {
    return undefined;
  }
}
