/** @test {circuitBreaker} */
import { describe, expect, it } from 'vitest';
import { asyncScheduler, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { circuitBreaker, createCircuitBreaker, ProviderError, type BreakerRecord, type BreakerStore, type L0Event } from 'l0-rx';
import { redisBreakerStore, type RedisBreakerClient } from 'l0-rx/breakers/redis';
import { breakerCall } from '../helpers/breakerCall.js';
import { useRedisServer } from '../helpers/redisServer.js';
import { testScheduler } from '../helpers/testScheduler.js';

/*
 * Two servers share a store whose key expires. Server B, whose clock runs ahead of A's (or which wrote
 * faster than one record a ms), reported records of versions above the ones A writes after the key
 * expired. B's calls that only read (a closed record let through, an open one refusing) read A's records
 * as older than the one B reported, so B reported nothing (onStateChange, stateChanges, its call's
 * stream) until its clock or a write of its own passed the old versions. A round sent after the round
 * B reported last was answered reads what the store held after it: never stale, whatever its version.
 */

const values = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false } as L0Event,
  x: { type: 'complete', finishReason: 'stop' } as L0Event,
};
const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const badRequest = new ProviderError('bad request', { code: 'BAD_REQUEST', category: 'bad-request', retryable: false, status: 400 });

/** A synchronous store over JSON text (as Redis keeps it) whose keys the test expires. */
function expiringStore() {
  const data = new Map<string, string>();
  const store: BreakerStore = {
    get: (key) => (data.has(key) ? (JSON.parse(data.get(key)!) as BreakerRecord) : undefined),
    set: (key, record) => void data.set(key, JSON.stringify(record)),
  };
  return { store, expire: (key: string) => void data.delete(key) };
}

/** Servers A (the test clock) and B (`ahead` ms ahead of it) sharing one store; each one's changes as `at:from>to`. */
function twoServers(ts: TestScheduler, ahead: number) {
  const { store, expire } = expiringStore();
  const seen = { a: [] as string[], b: [] as string[] };
  const make = (name: 'a' | 'b', scheduler: SchedulerLike) =>
    createCircuitBreaker({ key: 'm', failureThreshold: 1, resetTimeout: 10_000, store, scheduler, onStateChange: (c) => seen[name].push(`${c.at}:${c.from}>${c.to}`) });
  const a = make('a', ts as SchedulerLike);
  const b = make('b', { now: () => ts.now() + ahead, schedule: ts.schedule.bind(ts) });
  return { a, b, seen, expire };
}

/** One call through `breaker` at `frame`: its breaker events and its end, as `from>to` and `ok` or the error code. */
function callAt(ts: TestScheduler, breaker: ReturnType<typeof createCircuitBreaker>, frame: number, source: Observable<L0Event>): string[] {
  const log: string[] = [];
  timer(frame, ts).subscribe(() =>
    source.pipe(circuitBreaker(breaker)).subscribe({
      next: (e) => e.type === 'breaker' && log.push(`${e.from}>${e.to}`),
      complete: () => log.push('ok'),
      error: (e: { code?: string }) => log.push(e.code ?? 'error'),
    }),
  );
  return log;
}

describe('circuitBreaker: a server that only reads a record written after the key expired', () => {
  it('should report the closed record another server wrote (clock ahead of the writer)', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const { a, b, seen, expire } = twoServers(ts, 1_000);
      callAt(ts, b, 0, cold('s#', values, serverError)); // B opens it: versions 1000 and 1001
      timer(10, ts).subscribe(() => expire('m')); // its ttl passed
      callAt(ts, a, 20, cold('sx|', values)); // A writes closed records: versions 20 and 21
      const spared = callAt(ts, b, 30, cold('s#', values, badRequest)); // counts for nothing: B writes nothing
      flush();
      expect(seen.b).toEqual(['1001:closed>open', '1030:open>closed']);
      expect(spared).toEqual(['open>closed', 'BAD_REQUEST']);
    });
  });

  it('should report the opening another server made after the expiry, on a call it refuses', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const { a, b, seen, expire } = twoServers(ts, 1_000);
      callAt(ts, b, 0, cold('s#', values, serverError)); // versions 1000 and 1001
      timer(10, ts).subscribe(() => expire('m'));
      callAt(ts, a, 20, cold('sx|', values)); // closed again: versions 20 and 21...
      const letThrough = callAt(ts, b, 30, cold('s#', values, badRequest)); // ...which B reads
      callAt(ts, a, 40, cold('s#', values, serverError)); // A opens it: version 41
      const refused = callAt(ts, b, 50, cold('sx|', values));
      flush();
      expect(seen.a).toEqual(['41:closed>open']);
      expect(seen.b).toEqual(['1001:closed>open', '1030:open>closed', '1050:closed>open']);
      expect(letThrough).toEqual(['open>closed', 'BAD_REQUEST']);
      expect(refused).toEqual(['CIRCUIT_OPEN']);
    });
  });
});

describe('circuitBreaker with the Redis store: a server that only reads a record written after the key expired', () => {
  const redis = useRedisServer();

  it('should report the closed record another server wrote, with a real redis-server', async () => {
    let t = 0;
    const clock = (ahead: number) => ({ now: () => t + ahead, schedule: asyncScheduler.schedule.bind(asyncScheduler) }) as SchedulerLike;
    const config = { key: 'm', failureThreshold: 1, resetTimeout: 1e9, storeTimeout: Number.POSITIVE_INFINITY, store: redisBreakerStore(redis.client) };
    const seen: string[] = [];
    const a = createCircuitBreaker({ ...config, scheduler: clock(0) });
    const b = createCircuitBreaker({ ...config, scheduler: clock(1_000), onStateChange: (c) => seen.push(`${c.at}:${c.from}>${c.to}`) });
    const end = async (call: ReturnType<typeof breakerCall>, error: ProviderError) => {
      while (!call.source.observed) await new Promise((resolve) => setImmediate(resolve));
      call.source.error(error);
      return call.ended;
    };
    expect(await end(breakerCall(b), serverError)).toEqual(['closed>open', 'SERVER_ERROR']); // versions 1000 and 1001
    await redis.client.del('l0-rx:breaker:m'); // its ttlMs passed
    t = 20;
    expect(await end(breakerCall(a), badRequest)).toEqual(['BAD_REQUEST']); // A writes a closed record: version 20
    t = 30;
    expect(await end(breakerCall(b), badRequest)).toEqual(['open>closed', 'BAD_REQUEST']); // B only reads it
    expect(seen).toEqual(['1000:closed>open', '1030:open>closed']);
  });
});

/** The open record another server wrote before the key expired, versioned by its clock. */
const OPEN_BEFORE_EXPIRY: BreakerRecord = { state: 'open', failures: 0, openedAt: 0, period: 1, probes: 0, successes: 0, windowStart: 0, windowCalls: 0, windowFailures: 0, version: 1_000 };

describe('circuitBreaker: a late answer from before the key expired, once a read after it was reported', () => {
  it('should not report the state going backwards when the older answer has the higher version', async () => {
    // a pooled client: the read sent first ran before the key expired (the open record, version 1000) and
    // answers last; the one sent after it read the closed record another server wrote since (version 20)
    let stored: BreakerRecord | undefined = OPEN_BEFORE_EXPIRY;
    const held: (() => void)[] = [];
    const store: BreakerStore = {
      get: () => stored,
      set: (_key, rec) => void (stored = rec),
      update: (_key, change) => ((stored = change(stored)), new Promise<void>((resolve) => held.push(resolve))),
    };
    const flush = () => new Promise((resolve) => setImmediate(resolve));
    const seen: string[] = [];
    const scheduler = { now: () => 0, schedule: asyncScheduler.schedule.bind(asyncScheduler) } as SchedulerLike;
    const b = createCircuitBreaker({ key: 'm', failureThreshold: 1, resetTimeout: 1e9, storeTimeout: Number.POSITIVE_INFINITY, scheduler, store, onStateChange: (c) => seen.push(`${c.from}>${c.to}`) });
    const first = breakerCall(b);
    held[0]!();
    expect(await first.ended).toEqual(['CIRCUIT_OPEN']); // reported: the open record, version 1000
    const older = breakerCall(b); // reads the open record (version 1000): its answer comes last
    stored = { ...stored!, state: 'closed', openedAt: 0, version: 20 }; // the key expired; another server wrote a closed record
    const newer = breakerCall(b); // reads the closed one (version 20)
    held[2]!();
    await flush();
    expect(newer.source.observed).toBe(true);
    held[1]!();
    expect(await older.ended).toEqual(['CIRCUIT_OPEN']); // its own ticket, computed on what it read
    expect(seen).toEqual(['closed>open', 'open>closed']); // never back to open: that read is older than the closed one
    newer.source.error(badRequest);
    held[3]?.();
    expect(await newer.ended).toEqual(['open>closed', 'BAD_REQUEST']);
  });
});

describe('circuitBreaker with the Redis store: a late reply from before the key expired, once a read after it was reported', () => {
  const redis = useRedisServer();

  it('should not report the state going backwards, with a real redis-server whose replies come back out of order', async () => {
    // a pool of connections behind one client: each GET runs at once, its reply held until the test releases it
    const held: (() => void)[] = [];
    const client: RedisBreakerClient = {
      get: (key) => redis.client.get(key).then((v) => new Promise((resolve) => held.push(() => resolve(v)))),
      set: (key, value, options) => redis.client.set(key, value, options),
      eval: (script, options) => redis.client.eval(script, options),
    };
    const flush = () => new Promise((resolve) => setImmediate(resolve));
    const reply = async (n: number) => {
      for (let i = 0; held.length <= n; i++) if (i > 1_000) throw new Error(`expected ${n + 1} GETs`); else await flush();
      held[n]!();
    };
    const put = (rec: Partial<BreakerRecord>) => redis.client.set('l0-rx:breaker:m', JSON.stringify({ failures: 0, openedAt: 0, period: 1, probes: 0, successes: 0, windowStart: 0, windowCalls: 0, windowFailures: 0, ...rec }));
    const seen: string[] = [];
    const scheduler = { now: () => 0, schedule: asyncScheduler.schedule.bind(asyncScheduler) } as SchedulerLike;
    const b = createCircuitBreaker({ key: 'm', failureThreshold: 1, resetTimeout: 1e9, storeTimeout: Number.POSITIVE_INFINITY, scheduler, store: redisBreakerStore(client), onStateChange: (c) => seen.push(`${c.from}>${c.to}`) });
    await put({ state: 'open', version: 1_000 });
    const first = breakerCall(b);
    await reply(0);
    expect(await first.ended).toEqual(['CIRCUIT_OPEN']); // reported: the open record, version 1000
    const older = breakerCall(b);
    for (let i = 0; held.length < 2; i++) await flush(); // its GET ran: the open record
    await put({ state: 'closed', version: 20 }); // the key expired; another server wrote a closed record
    const newer = breakerCall(b); // its GET reads that
    await reply(2);
    await flush();
    expect(newer.source.observed).toBe(true);
    await reply(1);
    expect(await older.ended).toEqual(['CIRCUIT_OPEN']);
    expect(seen).toEqual(['closed>open', 'open>closed']);
  });
});

describe('circuitBreaker without an atomic update: a round queued behind a read after the key expired', () => {
  it('should report what it reads: it ran after that read', async () => {
    let stored: BreakerRecord | undefined = OPEN_BEFORE_EXPIRY;
    const gets: (() => void)[] = [];
    const store: BreakerStore = {
      get: () => new Promise<BreakerRecord | undefined>((resolve) => gets.push(() => resolve(stored))), // answers what the store holds when released
      set: (_key, rec) => void (stored = rec),
    };
    const flush = () => new Promise((resolve) => setImmediate(resolve));
    const seen: string[] = [];
    const scheduler = { now: () => 0, schedule: asyncScheduler.schedule.bind(asyncScheduler) } as SchedulerLike;
    const b = createCircuitBreaker({ key: 'm', failureThreshold: 1, resetTimeout: 1e9, storeTimeout: Number.POSITIVE_INFINITY, scheduler, store, onStateChange: (c) => seen.push(`${c.from}>${c.to}`) });
    const first = breakerCall(b);
    gets.shift()!();
    expect(await first.ended).toEqual(['CIRCUIT_OPEN']); // reported: the open record, version 1000
    stored = { ...stored!, state: 'closed', version: 20 }; // the key expired; another server wrote a closed record
    const reader = breakerCall(b); // reads it (version 20)
    const queued = breakerCall(b); // waits for that round
    gets.shift()!();
    await flush();
    expect(reader.source.observed).toBe(true);
    stored = { ...stored, state: 'open', openedAt: 0, period: 2, version: 30 }; // the other server opened it again
    gets.shift()!();
    expect(await queued.ended).toEqual(['CIRCUIT_OPEN']);
    expect(seen).toEqual(['closed>open', 'open>closed', 'closed>open']);
  });
});
