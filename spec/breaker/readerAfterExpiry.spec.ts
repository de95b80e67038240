/** @test {circuitBreaker} */
import { describe, expect, it } from 'vitest';
import { asyncScheduler, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { circuitBreaker, createCircuitBreaker, ProviderError, type BreakerRecord, type BreakerStore, type L0Event } from 'l0-rx';
import { redisBreakerStore } from 'l0-rx/breakers/redis';
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
