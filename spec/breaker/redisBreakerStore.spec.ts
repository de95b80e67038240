/** @test {redisBreakerStore} */
import { describe, expect, it } from 'vitest';
import { RESP_TYPES } from 'redis';
import { asyncScheduler, defer, lastValueFrom, of, throwError, type SchedulerLike } from 'rxjs';
import { circuitBreaker, createCircuitBreaker, ProviderError, type BreakerRecord, type BreakerStateChange, type BreakerStore, type L0Event } from 'l0-rx';
import { redisBreakerStore, type RedisBreakerClient } from 'l0-rx/breakers/redis';
import { useRedisClients } from '../helpers/redisServer.js';

const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const answer: L0Event[] = [{ type: 'token', value: 'ok' }, { type: 'complete', finishReason: 'stop' }];

let clock = 0;
/** Time for the breakers, moved by hand (the store's awaits are real, so no TestScheduler here). */
const scheduler = { now: () => clock, schedule: asyncScheduler.schedule.bind(asyncScheduler) } as SchedulerLike;

/** One call through `breaker`; returns 'ok' or the error code, and whether the source was subscribed. */
async function call(breaker: ReturnType<typeof createCircuitBreaker>, fails: boolean): Promise<{ outcome: string; subscribed: boolean }> {
  let subscribed = false;
  const source = defer(() => ((subscribed = true), fails ? throwError(() => serverError) : of(...answer)));
  const outcome = await lastValueFrom(source.pipe(circuitBreaker(breaker))).then(() => 'ok', (e: { code?: string }) => e.code ?? 'error');
  return { outcome, subscribed };
}

describe('redisBreakerStore', () => {
  const { connect } = useRedisClients();

  it('should throw a TypeError for a client without get, set and eval', () => {
    expect(() => redisBreakerStore({ get: async () => null, set: async () => 'OK' } as never)).toThrow(/with get, set and eval/);
  });

  it('should throw a TypeError for maxRounds below 1', async () => {
    const c = await connect();
    expect(() => redisBreakerStore(c, { maxRounds: 0 })).toThrow(/maxRounds/);
  });

  it('should name a ttlMs Redis would refuse, instead of a breaker whose every write fails and so never opens', async () => {
    const c = await connect();
    // PX 1e+21 (or 100000000000000000000) is refused by Redis: every update failed and the breaker let every call through
    expect(() => redisBreakerStore(c, { ttlMs: 1e21 })).toThrow('redisBreakerStore(client, {ttlMs}) must be an integer number of ms from 1 to 2^53 - 1, got 1e+21');
    expect(() => redisBreakerStore(c, { ttlMs: 1e20 })).toThrow('redisBreakerStore(client, {ttlMs}) must be an integer number of ms from 1 to 2^53 - 1, got 100000000000000000000');
    const breaker = createCircuitBreaker({ key: 'long-ttl', failureThreshold: 1, scheduler, store: redisBreakerStore(c, { ttlMs: Number.MAX_SAFE_INTEGER }) });
    await call(breaker, true);
    expect(await call(breaker, false)).toEqual({ outcome: 'CIRCUIT_OPEN', subscribed: false });
  });

  describe('a fleet recording at once', () => {
    const FLEET = 40;
    /** `FLEET` breakers (servers) over 8 connections, each making one failing call at the same moment. */
    async function failTogether(key: string, threshold: number, store: (c: RedisBreakerClient) => BreakerStore) {
      const conns = await Promise.all(Array.from({ length: 8 }, connect));
      const breakers = Array.from({ length: FLEET }, (_, i) => createCircuitBreaker({ key, failureThreshold: threshold, scheduler, store: store(conns[i % 8]!) }));
      clock = 50_000;
      const outcomes = await Promise.all(breakers.map((b) => call(b, true)));
      return { outcomes, record: JSON.parse((await conns[0]!.get(`l0-rx:breaker:${key}`))!) as BreakerRecord };
    }

    it('should count every failure: 40 servers failing at once leave 40 consecutive failures', async () => {
      const { outcomes, record } = await failTogether('fleet-count', 1_000, (c) => redisBreakerStore(c));
      expect([outcomes.every((o) => o.outcome === 'SERVER_ERROR'), record.state, record.failures, record.windowFailures]).toEqual([true, 'closed', FLEET, FLEET]);
    });

    it('should open exactly once when 40 servers cross the threshold together', async () => {
      let opened = 0;
      const spying = (c: RedisBreakerClient): RedisBreakerClient => ({
        get: (k) => c.get(k),
        set: (k, v, o) => c.set(k, v, o),
        eval: async (script, o) => {
          const wrote = Number(await c.eval(script, o)) === 1;
          const was = o.arguments[0] === '1' ? (JSON.parse(o.arguments[1]!) as BreakerRecord).state : 'closed';
          if (wrote && was !== 'open' && (JSON.parse(o.arguments[2]!) as BreakerRecord).state === 'open') opened++;
          return wrote ? 1 : 0;
        },
      });
      const { record } = await failTogether('fleet-open', 10, (c) => redisBreakerStore(spying(c)));
      expect([record.state, opened]).toEqual(['open', 1]);
    });

    it('should show what the script prevents: a plain read-then-write store loses counts under the same load', async () => {
      const readThenWrite = (c: RedisBreakerClient): BreakerStore => {
        const { get, set } = redisBreakerStore(c);
        return { get, set };
      };
      const { record } = await failTogether('fleet-lossy', 1_000, readThenWrite);
      expect(record.failures).toBeLessThan(FLEET);
    });
  });

  it('should share one breaker between two servers: one opens it, the other fails fast without a request', async () => {
    const [a, b] = [await connect(), await connect()];
    const config = { key: 'shared-1', failureThreshold: 2, resetTimeout: 1_000, scheduler } as const;
    const serverA = createCircuitBreaker({ ...config, store: redisBreakerStore(a) });
    const changes: string[] = [];
    const serverB = createCircuitBreaker({ ...config, store: redisBreakerStore(b), onStateChange: (c: BreakerStateChange) => changes.push(`${c.from}>${c.to}`) });
    clock = 0;
    expect((await call(serverA, true)).outcome).toBe('SERVER_ERROR');
    expect((await call(serverA, true)).outcome).toBe('SERVER_ERROR');
    expect(await call(serverB, false)).toEqual({ outcome: 'CIRCUIT_OPEN', subscribed: false });
    expect(changes).toEqual(['closed>open']);
  });

  it('should let a probe through on any server after resetTimeout, and close for all when it succeeds', async () => {
    const [a, b] = [await connect(), await connect()];
    const config = { key: 'shared-2', failureThreshold: 1, resetTimeout: 1_000, scheduler } as const;
    const serverA = createCircuitBreaker({ ...config, store: redisBreakerStore(a) });
    const serverB = createCircuitBreaker({ ...config, store: redisBreakerStore(b) });
    clock = 10_000;
    await call(serverA, true);
    clock = 11_000;
    expect(await call(serverB, false)).toEqual({ outcome: 'ok', subscribed: true });
    expect(await lastValueFrom(serverA.state())).toBe('closed');
  });

  it('should keep records as JSON under the prefix, with a TTL', async () => {
    const c = await connect();
    const breaker = createCircuitBreaker({ key: 'ttl', failureThreshold: 1, scheduler, store: redisBreakerStore(c, { prefix: 'test:', ttlMs: 60_000 }) });
    await call(breaker, true);
    expect(JSON.parse((await c.get('test:ttl'))!)).toMatchObject({ state: 'open' });
    const ttl = await c.pTTL('test:ttl');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('should read a record written without a period counter (an earlier version), and store the counter from its next opening on', async () => {
    const c = await connect();
    const legacy = { state: 'open', failures: 0, openedAt: 20_000, probes: 0, successes: 0, windowStart: 20_000, windowCalls: 0, windowFailures: 0 };
    await c.set('l0-rx:breaker:legacy', JSON.stringify(legacy));
    const breaker = createCircuitBreaker({ key: 'legacy', failureThreshold: 1, resetTimeout: 1_000, scheduler, store: redisBreakerStore(c) });
    clock = 20_500;
    expect(await call(breaker, false)).toEqual({ outcome: 'CIRCUIT_OPEN', subscribed: false });
    clock = 21_000;
    expect((await call(breaker, true)).outcome).toBe('SERVER_ERROR'); // the probe of the stored period fails
    expect(JSON.parse((await c.get('l0-rx:breaker:legacy'))!)).toMatchObject({ state: 'open', openedAt: 21_000, period: 1 });
    clock = 22_000;
    expect((await call(breaker, false)).outcome).toBe('ok');
    expect(JSON.parse((await c.get('l0-rx:breaker:legacy'))!)).toMatchObject({ state: 'closed', period: 1 });
  });

  it('should read an unreadable record as closed', async () => {
    const c = await connect();
    await c.set('l0-rx:breaker:garbled', 'not json');
    const breaker = createCircuitBreaker({ key: 'garbled', scheduler, store: redisBreakerStore(c) });
    expect(await lastValueFrom(breaker.state())).toBe('closed');
  });

  it('should read and compare-and-set through a client whose type mapping returns Buffers, as through one returning strings', async () => {
    const c = await connect();
    // node-redis's RESP type mapping: every bulk string (GET's reply included) comes back as a Buffer
    const buffers = c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    expect(Buffer.isBuffer(await buffers.get('l0-rx:breaker:missing') ?? Buffer.alloc(0))).toBe(true);
    const store = redisBreakerStore(buffers, { maxRounds: 5 });
    const breaker = createCircuitBreaker({ key: 'buffers', failureThreshold: 2, scheduler, store });
    await call(breaker, true); // no record yet: written
    // the record now read back as a Buffer: was read as missing, and the compare-and-set (expecting none) conflicted every round
    await call(breaker, true);
    expect(JSON.parse((await c.get('l0-rx:breaker:buffers'))!)).toMatchObject({ state: 'open', period: 1 });
    expect(await lastValueFrom(breaker.state())).toBe('open');
    expect(await call(breaker, false)).toEqual({ outcome: 'CIRCUIT_OPEN', subscribed: false });
    await expect(store.update!('buffers', (r) => ({ ...r!, failures: 7 }))).resolves.toBeUndefined();
    expect(JSON.parse((await c.get('l0-rx:breaker:buffers'))!)).toMatchObject({ failures: 7 });
  });

  it('should read a value that starts with a BOM through a Buffer client as a string client reads it: kept, so unreadable (closed), and replaced by update', async () => {
    const c = await connect();
    const closed: BreakerRecord = { state: 'closed', failures: 0, openedAt: 0, probes: 0, successes: 0, windowStart: 0, windowCalls: 0, windowFailures: 0 };
    const open: BreakerRecord = { ...closed, state: 'open', failures: 3, openedAt: 1 };
    const bom = '\uFEFF' + JSON.stringify(open); // not what the store writes (JSON.parse refuses it): a value of another writer
    await c.set('l0-rx:breaker:bom', bom);
    const buffers = c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    expect(await redisBreakerStore(c).get('bom')).toBeUndefined();
    // the decoder dropped the BOM: read as an open record (one server's breaker open, a string client's closed), kept by update
    expect(await redisBreakerStore(buffers).get('bom')).toBeUndefined();
    await expect(redisBreakerStore(buffers, { maxRounds: 3 }).update!('bom', (r) => r ?? closed)).resolves.toBeUndefined();
    expect(JSON.parse((await c.get('l0-rx:breaker:bom'))!)).toEqual(closed);
  });

  it('should name a reply that is neither a string nor bytes, and bytes that are not UTF-8, instead of spending every compare-and-set round', async () => {
    const c = await connect();
    const closed: BreakerRecord = { state: 'closed', failures: 0, openedAt: 0, probes: 0, successes: 0, windowStart: 0, windowCalls: 0, windowFailures: 0 };
    const odd: RedisBreakerClient = { get: async () => 42, set: (k, v) => c.set(k, v), eval: (script, o) => c.eval(script, o) };
    await expect(redisBreakerStore(odd).update!('odd', () => closed))
      .rejects.toThrow(new TypeError('redisBreakerStore: GET "l0-rx:breaker:odd" returned 42; it must return a string, bytes (a Buffer) or null'));
    await c.set('l0-rx:breaker:latin1', Buffer.from([0x7b, 0xe9, 0x7d])); // `{é}` in Latin-1: no UTF-8
    const buffers = redisBreakerStore(c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }));
    expect(await buffers.get('latin1')).toBeUndefined(); // read as closed, as an unreadable record is
    await expect(buffers.update!('latin1', () => closed))
      .rejects.toThrow(new TypeError('redisBreakerStore: "l0-rx:breaker:latin1" holds bytes that are not UTF-8 text, so no breaker record: delete the key or choose another prefix'));
  });

  it('should let calls through when Redis is unreachable (fail open)', async () => {
    const c = await connect();
    const breaker = createCircuitBreaker({ key: 'down', failureThreshold: 1, scheduler, store: redisBreakerStore(c) });
    await c.quit();
    expect(await call(breaker, false)).toEqual({ outcome: 'ok', subscribed: true });
  });
});
