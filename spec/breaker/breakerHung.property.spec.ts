/** @test {circuitBreaker} @test {createCircuitBreaker} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Observable, type SchedulerLike } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { circuitBreaker, createCircuitBreaker, ProviderError, type BreakerRecord, type BreakerStore, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { runs } from '../helpers/propertyRuns.js';

const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const done: L0Event = { type: 'complete', finishReason: 'stop' };
const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const STORE_TIMEOUT = 10;

/** A store answer's delay in frames; `undefined`: never. */
type Delay = number | undefined;
interface Call { readonly gap: number; readonly length: number; readonly ending: 'ok' | 'fail' | 'leave' }

/** Runs virtual time frame by frame, letting promise reactions run before the next frame. */
async function stepped(ts: TestScheduler): Promise<void> {
  for (;;) {
    for (let i = 0; i < 4; i++) await new Promise((resolve) => setImmediate(resolve));
    const next = ts.actions[0];
    if (next === undefined) return;
    ts.maxFrames = next.delay;
    ts.flush();
  }
}

/** An in-memory store whose every answer (each read, write or update) takes the next delay drawn; a write is applied when it answers. */
function laggingStore(ts: TestScheduler, delays: Delay[], atomic: boolean): { store: BreakerStore; heal: () => void } {
  const records = new Map<string, BreakerRecord>();
  let i = 0;
  let healthy = false;
  const later = <T>(fn: () => T): Promise<T> => {
    const d = healthy ? 0 : delays[i++ % delays.length];
    return new Promise<T>((resolve) => {
      if (d === undefined) return;
      ts.schedule(() => resolve(fn()), d);
    });
  };
  const store: BreakerStore = {
    get: (key) => later(() => records.get(key)),
    set: (key, record) => later(() => void records.set(key, record)),
    ...(atomic ? { update: (key: string, change: (r: BreakerRecord | undefined) => BreakerRecord) => later(() => void records.set(key, change(records.get(key)))) } : {}),
  };
  return { store, heal: () => void (healthy = true) };
}

const delayArb: fc.Arbitrary<Delay> = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 * STORE_TIMEOUT }), fc.constant(undefined));
const callArb: fc.Arbitrary<Call> = fc.record({
  gap: fc.integer({ min: 0, max: 12 }),
  length: fc.integer({ min: 0, max: 25 }),
  ending: fc.constantFrom<Call['ending']>('ok', 'fail', 'fail', 'leave'),
});

describe('circuitBreaker with a store that answers late or never', () => {
  it.each([false, true])('should let each call through, or fail it fast, within storeTimeout, and pass its end within storeTimeout (atomic update: %s)', async (atomic) => {
    await fc.assert(
      fc.asyncProperty(fc.array(delayArb, { minLength: 1, maxLength: 8 }), fc.array(callArb, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 3 }), async (delays, calls, halfOpenMaxProbes) => {
        const ts = testScheduler();
        const { store, heal } = laggingStore(ts, delays, atomic);
        const breaker = createCircuitBreaker({ key: 'k', failureThreshold: 2, resetTimeout: 15, halfOpenMaxProbes, store, storeTimeout: STORE_TIMEOUT, scheduler: ts as SchedulerLike });
        const late: string[] = [];
        const pending = new Set<number>();
        let at = 0;
        calls.forEach((call, id) => {
          at += call.gap;
          const begin = at;
          ts.schedule(() => {
            pending.add(id);
            let sourceEnd: number | undefined;
            const source = new Observable<L0Event>((sub) => {
              if (ts.now() - begin > STORE_TIMEOUT) late.push(`${id}: let through at ${ts.now()}, asked at ${begin}`);
              sub.next(start);
              return ts.schedule(() => {
                sourceEnd = ts.now();
                if (call.ending === 'ok') {
                  sub.next(done);
                  sub.complete();
                }
                else if (call.ending === 'fail') sub.error(serverError);
              }, call.length);
            });
            const ended = (): void => {
              pending.delete(id);
              const from = sourceEnd ?? begin;
              if (ts.now() - from > STORE_TIMEOUT) late.push(`${id}: ended at ${ts.now()}, ${sourceEnd === undefined ? 'asked' : 'source ended'} at ${from}`);
            };
            const subscription = source.pipe(circuitBreaker(breaker)).subscribe({ complete: ended, error: ended });
            if (call.ending === 'leave') ts.schedule(() => (subscription.unsubscribe(), pending.delete(id)), call.length);
          }, begin);
        });
        await stepped(ts);
        expect(late).toEqual([]);
        expect([...pending]).toEqual([]);
        // once the store answers again, a resetTimeout later a probe goes through and closes the breaker: no slot is lost for good
        heal();
        const after: string[] = [];
        ts.schedule(() => new Observable<L0Event>((sub) => (sub.next(done), sub.complete())).pipe(circuitBreaker(breaker)).subscribe({ complete: () => after.push('ok'), error: (e: { code?: string }) => after.push(String(e.code)) }), 100);
        ts.schedule(() => breaker.state().subscribe((s) => after.push(s)), 101);
        await stepped(ts);
        expect(after).toEqual(['ok', 'closed']);
      }),
      { numRuns: runs(150) },
    );
  });
});
