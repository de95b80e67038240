/** @test {circuitBreaker} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Observable, type SchedulerLike } from 'rxjs';
import { circuitBreaker, createCircuitBreaker, isCircuitOpenError, memoryBreakerStore, ProviderError, type BreakerRecord, type BreakerStore, type L0Event } from 'l0-rx';
import type { TestScheduler } from 'rxjs/testing';
import { redisBreakerStore } from 'l0-rx/breakers/redis';
import { testScheduler } from '../helpers/testScheduler.js';
import { useRedisServer } from '../helpers/redisServer.js';
import { runs, runsTimeout } from '../helpers/propertyRuns.js';

/** How a call ends: its source completes (with or without a `complete` event), errors with an `isFailure` verdict, or the caller leaves. */
type Ending = 'ok' | 'okBare' | 'fail' | 'spared' | 'throws' | 'undefined' | 'leave';
interface Call { readonly gap: number; readonly length: number; readonly ending: Ending }
interface Rules { readonly failureThreshold: number; readonly failureRatio: number | undefined; readonly minimumThroughput: number; readonly windowMs: number; readonly resetTimeout: number; readonly halfOpenMaxProbes: number; readonly successThreshold: number }

const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const done: L0Event = { type: 'complete', finishReason: 'stop' };
const VERDICT: Record<Ending, unknown> = { ok: 0, okBare: 0, fail: true, spared: false, throws: 'throw', undefined: undefined, leave: 0 };

/** The documented breaker, written apart from the implementation: one model per run. */
class Model {
  state: 'closed' | 'open' | 'half-open' = 'closed';
  failures = 0; openedAt = 0; period = 0; successes = 0; probedAt = 0;
  held = new Set<number>();
  /** The window starts at the breaker's first store round (no record before it). */
  windowStart = -1; windowCalls = 0; windowFailures = 0;
  seen: string = 'closed';
  changes: string[] = [];
  constructor(private readonly r: Rules) {}

  private tick(now: number): void {
    if (this.windowStart < 0) this.windowStart = now;
    if (this.state === 'open' && now - this.openedAt >= this.r.resetTimeout) {
      this.state = 'half-open';
      this.successes = 0;
      this.held.clear();
    }
    if (this.state === 'half-open' && this.held.size > 0 && now - this.probedAt >= this.r.resetTimeout) this.held.clear();
  }
  /** Runs one store round: the changes seen before it and made by it. */
  private round(now: number, fn: () => void): string[] {
    this.tick(now);
    const before = this.state;
    const out: string[] = [];
    if (this.seen !== before) out.push(`${now}:${this.seen}>${before}`);
    fn();
    if (before !== this.state) out.push(`${now}:${before}>${this.state}`);
    this.seen = this.state;
    this.changes.push(...out);
    return out;
  }
  private open(now: number): void {
    Object.assign(this, { state: 'open', openedAt: now, period: this.period + 1, failures: 0, windowStart: now, windowCalls: 0, windowFailures: 0, successes: 0 });
    this.held.clear();
  }
  acquire(id: number, now: number): { allowed: boolean; probe?: { period: number }; error?: string; changes: string[] } {
    let res: { allowed: boolean; probe?: { period: number }; error?: string } = { allowed: true };
    const changes = this.round(now, () => {
      if (this.state === 'open') res = { allowed: false, error: `open:${this.openedAt + this.r.resetTimeout - now}` };
      else if (this.state === 'half-open') {
        if (this.held.size >= this.r.halfOpenMaxProbes) res = { allowed: false, error: 'half-open:0' };
        else {
          this.probedAt = now;
          this.held.add(id);
          res = { allowed: true, probe: { period: this.period } };
        }
      }
    });
    return { ...res, changes };
  }
  settle(id: number, probe: { period: number } | undefined, now: number, outcome: 'success' | 'failure' | 'neutral'): string[] {
    return this.round(now, () => {
      if (this.state === 'half-open') {
        if (probe === undefined || probe.period !== this.period) return;
        this.held.delete(id);
        if (outcome === 'failure') this.open(now);
        else if (outcome === 'success' && ++this.successes >= this.r.successThreshold) {
          Object.assign(this, { state: 'closed', failures: 0, successes: 0, windowStart: now, windowCalls: 0, windowFailures: 0 });
          this.held.clear();
        }
        return;
      }
      if (this.state === 'open' || outcome === 'neutral') return;
      if (now - this.windowStart >= this.r.windowMs) Object.assign(this, { windowStart: now, windowCalls: 0, windowFailures: 0 });
      this.windowCalls++;
      this.windowFailures += outcome === 'failure' ? 1 : 0;
      this.failures = outcome === 'failure' ? this.failures + 1 : 0;
      const consecutive = this.r.failureThreshold > 0 && this.failures >= this.r.failureThreshold;
      const ratio = this.r.failureRatio !== undefined && this.windowCalls >= this.r.minimumThroughput && this.windowFailures / this.windowCalls >= this.r.failureRatio;
      if (outcome === 'failure' && (consecutive || ratio)) this.open(now);
    });
  }
  release(id: number, probe: { period: number } | undefined, now: number): void {
    if (probe === undefined) return;
    this.round(now, () => {
      if (this.state === 'half-open' && probe.period === this.period) this.held.delete(id);
    });
  }
  stateAt(now: number): string {
    this.tick(now);
    return this.state;
  }
}

const rulesArb: fc.Arbitrary<Rules> = fc
  .record({
    failureThreshold: fc.integer({ min: 0, max: 4 }),
    failureRatio: fc.option(fc.constantFrom(0.25, 0.5, 1), { nil: undefined }),
    minimumThroughput: fc.integer({ min: 1, max: 4 }),
    windowMs: fc.constantFrom(20, 50, 200),
    resetTimeout: fc.constantFrom(10, 20, 40),
    halfOpenMaxProbes: fc.integer({ min: 1, max: 3 }),
    successThreshold: fc.integer({ min: 1, max: 3 }),
  })
  .map((r) => (r.failureThreshold === 0 && r.failureRatio === undefined ? { ...r, failureThreshold: 1 } : r));
const callArb: fc.Arbitrary<Call> = fc.record({
  gap: fc.integer({ min: 0, max: 15 }).map((n) => 2 * n),
  length: fc.integer({ min: 0, max: 30 }).map((n) => 2 * n + 1),
  ending: fc.constantFrom<Ending>('ok', 'okBare', 'fail', 'fail', 'spared', 'throws', 'undefined', 'leave'),
});

/** Runs the calls through the real breaker under virtual time and through the model, in the scheduler's order. */
function scenario(rules: Rules, calls: readonly Call[], store: BreakerStore, storeTimeout: number, asyncVerdict = false) {
  const ts = testScheduler();
  const model = new Model(rules);
  const changes: string[] = [];
  const got: string[] = [];
  const want: string[] = [];
  const states: [string, string][] = [];
  const isFailure = (e: unknown): boolean | Promise<boolean> => {
    const v = (e as { verdict?: unknown }).verdict;
    if (asyncVerdict) return v === 'throw' ? Promise.reject(new Error('isFailure broke')) : Promise.resolve(v as boolean);
    if (v === 'throw') throw new Error('isFailure broke');
    return v as boolean;
  };
  const breaker = createCircuitBreaker({ key: 'k', ...rules, isFailure, store, storeTimeout, scheduler: ts as SchedulerLike, onStateChange: (c) => changes.push(`${c.at}:${c.from}>${c.to}`) });
  let at = 0;
  calls.forEach((call, id) => {
    at += call.gap + 2;
    const begin = at;
    ts.schedule(() => {
      const m = model.acquire(id, begin);
      const probe = m.probe;
      const seen: string[] = [];
      const source = new Observable<L0Event>((sub) => {
        sub.next(start);
        return ts.schedule(() => {
          const now = ts.now();
          if (call.ending === 'ok' || call.ending === 'okBare') {
            const c = model.settle(id, probe, now, 'success');
            want.push(`${id}:${[...m.changes, ...c].join(',')}|ok@${now}`);
            if (call.ending === 'ok') sub.next(done);
            sub.complete();
          } else if (call.ending !== 'leave') {
            const outcome = call.ending === 'spared' ? 'neutral' : 'failure';
            const settle = () => {
              const c = model.settle(id, probe, now, outcome);
              want.push(`${id}:${[...m.changes, ...c].join(',')}|E@${now}`);
            };
            // an async verdict is read after the frame's synchronous ends (a success ending on the same frame settles first),
            // in the order the errors came: the model settles it a microtask later, still before the breaker reads the verdict
            if (asyncVerdict) queueMicrotask(settle);
            else settle();
            sub.error(Object.assign(new ProviderError('boom', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 }), { verdict: VERDICT[call.ending] }));
          }
        }, call.length);
      });
      if (!m.allowed) want.push(`${id}:|${m.error}@${begin}`);
      const end = (tail: string): void => void got.push(`${id}:${seen.join(',')}|${tail}@${ts.now()}`);
      const subscription = source.pipe(circuitBreaker(breaker)).subscribe({
        next: (e) => e.type === 'breaker' && seen.push(`${ts.now()}:${e.from}>${e.to}`),
        complete: () => end('ok'),
        error: (e: unknown) => end(isCircuitOpenError(e) ? `${e.info.state}:${e.info.retryInMs}` : 'E'),
      });
      if (call.ending === 'leave' && m.allowed) {
        ts.schedule(() => {
          subscription.unsubscribe();
          model.release(id, probe, ts.now());
        }, call.length);
      }
    }, begin);
    ts.schedule(() => breaker.state().subscribe((s) => states.push([`${begin + 1}`, s])), begin + 1);
    ts.schedule(() => states.push([`${begin + 1}`, model.stateAt(begin + 1)]), begin + 1);
  });
  return { ts, verify: () => verify(model, changes, got, want, states) };
}

function verify(model: Model, changes: string[], got: string[], want: string[], states: [string, string][]): void {
  expect(got.sort()).toEqual(want.sort());
  expect(changes).toEqual(model.changes);
  const byTime = new Map<string, string[]>();
  for (const [t, s] of states) byTime.set(t, [...(byTime.get(t) ?? []), s]);
  for (const [t, [real, ref]] of byTime) expect(`${t}:${real}`).toBe(`${t}:${ref}`);
}

const numRuns = runs(300);

/** Runs virtual time frame by frame, letting every store answer (counted by `busy`) arrive before the next frame. */
async function stepped(ts: TestScheduler, busy: () => number): Promise<void> {
  const settle = async () => {
    do await new Promise((resolve) => setImmediate(resolve));
    while (busy() > 0);
  };
  for (;;) {
    await settle();
    const next = ts.actions[0];
    if (next === undefined) return;
    ts.maxFrames = next.delay;
    ts.flush();
  }
}

/** `store` with its answers under way counted (`busy`), so virtual time waits for a real store's round trips. */
function counted(store: BreakerStore): { store: BreakerStore; busy: () => number } {
  let busy = 0;
  const track = <T>(v: T): T => {
    if (!(v instanceof Promise)) return v;
    busy++;
    return v.finally(() => busy--) as T;
  };
  const wrapped: BreakerStore = {
    get: (key) => track(store.get(key)),
    set: (key, record) => track(store.set(key, record)),
    ...(store.update ? { update: (key: string, change: (r: BreakerRecord | undefined) => BreakerRecord) => track(store.update!(key, change)) } : {}),
  };
  return { store: wrapped, busy: () => busy };
}

/** The memory store answering with promises, with or without an atomic `update`; `busy` counts the answers under way. */
function asyncStore(atomic: boolean): { store: BreakerStore; busy: () => number } {
  const records = new Map<string, BreakerRecord>();
  let busy = 0;
  const later = async <T>(fn: () => T): Promise<T> => {
    busy++;
    try {
      await Promise.resolve();
      return fn();
    } finally {
      busy--;
    }
  };
  const store: BreakerStore = {
    get: (key) => later(() => records.get(key)),
    set: (key, record) => later(() => void records.set(key, record)),
    ...(atomic ? { update: (key: string, change: (r: BreakerRecord | undefined) => BreakerRecord) => later(() => void records.set(key, change(records.get(key)))) } : {}),
  };
  return { store, busy: () => busy };
}

const callsArb = fc.array(callArb, { minLength: 1, maxLength: 40 });

describe('circuitBreaker against a reference model', () => {
  const redis = useRedisServer();
  let run = 0;

  it('should let through, reject, count and report changes as the documented model does (memory store, virtual time)', () => {
    fc.assert(fc.property(rulesArb, callsArb, (rules, calls) => {
      const { ts, verify } = scenario(rules, calls, memoryBreakerStore(), 1000);
      ts.maxFrames = Number.POSITIVE_INFINITY;
      ts.flush();
      verify();
    }), { numRuns });
  });

  it.each([false, true])('should do the same with a store answering with promises (atomic update: %s)', async (atomic) => {
    await fc.assert(fc.asyncProperty(rulesArb, callsArb, async (rules, calls) => {
      const { store, busy } = asyncStore(atomic);
      const { ts, verify } = scenario(rules, calls, store, Infinity);
      await stepped(ts, busy);
      verify();
    }), { numRuns: Math.ceil(numRuns / 3) });
  });

  it('should do the same with an async isFailure (its rejection a failure)', async () => {
    await fc.assert(fc.asyncProperty(rulesArb, callsArb, async (rules, calls) => {
      const { ts, verify } = scenario(rules, calls, memoryBreakerStore(), 1000, true);
      await stepped(ts, () => 0);
      verify();
    }), { numRuns: Math.ceil(numRuns / 3) });
  });

  it('should do the same with the Redis store on a real redis-server (compare-and-set rounds)', async () => {
    await fc.assert(fc.asyncProperty(rulesArb, fc.array(callArb, { minLength: 1, maxLength: 20 }), async (rules, calls) => {
      const { store, busy } = counted(redisBreakerStore(redis.client, { prefix: `model:${run++}:` }));
      const { ts, verify } = scenario(rules, calls, store, Infinity);
      await stepped(ts, busy);
      verify();
    }), { numRuns: Math.ceil(numRuns / 10) });
  }, runsTimeout(60_000));
});
