/** @test {circuitBreaker} @test {redisBreakerStore} */
import { describe, expect, it } from 'vitest';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { createCircuitBreaker, ProviderError, type BreakerRecord, type BreakerStore } from 'l0-rx';
import { breakerCall } from '../helpers/breakerCall.js';

/*
 * A record's `version` is one above the record it replaces and at least the writer's clock. After the
 * key expired (a store with a TTL, Redis's `ttlMs`) the count started again from max(1, now): with a
 * clock behind the versions reported before (a virtual clock from 0, a server whose clock lags the
 * one that wrote last, writes faster than one a ms), every later answer read as older than the one
 * reported, so the breaker's changes went unreported (onStateChange, stateChanges, the call's stream).
 * A write now also goes above the version this process reported.
 */

const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const clock = { now: () => 0, schedule: asyncScheduler.schedule.bind(asyncScheduler) } as SchedulerLike;
const flush = () => new Promise((resolve) => setImmediate(resolve));

/** An asynchronous store with an atomic update whose keys the test expires by hand. */
function expiringStore() {
  const data = new Map<string, string>();
  const store: BreakerStore = {
    get: async (key) => (data.has(key) ? (JSON.parse(data.get(key)!) as BreakerRecord) : undefined),
    set: async (key, record) => void data.set(key, JSON.stringify(record)),
    update: async (key, change) => {
      const stored = data.has(key) ? (JSON.parse(data.get(key)!) as BreakerRecord) : undefined;
      const next = change(stored);
      if (next !== stored) data.set(key, JSON.stringify(next));
    },
  };
  return { store, expire: (key: string) => data.delete(key) };
}

async function failingCall(breaker: ReturnType<typeof createCircuitBreaker>): Promise<string[]> {
  const { source, ended } = breakerCall(breaker);
  for (let i = 0; !source.observed && i < 1_000; i++) await flush();
  if (source.observed) source.error(serverError);
  return ended;
}

describe('circuitBreaker: a record written after its key expired, with a clock behind the versions reported', () => {
  it('should report the changes it makes, in onStateChange and in the call stream', async () => {
    const { store, expire } = expiringStore();
    const seen: string[] = [];
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 3, resetTimeout: 1e9, storeTimeout: Number.POSITIVE_INFINITY, scheduler: clock, store, onStateChange: (c) => seen.push(`${c.from}>${c.to}`) });
    for (let i = 0; i < 3; i++) await failingCall(breaker); // versions 1..4 (its first ticket wrote the closed record)
    expect(seen).toEqual(['closed>open']);
    expire('m'); // its ttl passed: the next call reads closed
    expect(await failingCall(breaker)).toEqual(['open>closed', 'SERVER_ERROR']);
    await failingCall(breaker);
    expect(await failingCall(breaker)).toEqual(['closed>open', 'SERVER_ERROR']);
    expect(seen).toEqual(['closed>open', 'open>closed', 'closed>open']);
  });
});
