/** @test {createCircuitBreaker} @test {circuitBreaker} */
import { concat, defer, EMPTY, from, lastValueFrom, map, NEVER, throwError, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, createCircuitBreaker, L0Error, ProviderError, type BreakerRecord, type BreakerStore, type L0Event } from 'l0-rx';
import { runArmed, testScheduler } from '../helpers/testScheduler.js';

/* A store that does not answer (a Redis client queueing commands while it reconnects) never holds a
   call: past storeTimeout the breaker acts as on a failing store, and applies a late answer. Every
   clock is armed a microtask after its store call (see storeTimeoutVirtual.spec.ts), so these specs
   drive a TestScheduler by hand (runArmed), not with marbles: a marble run() is one flush. */

const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const token: L0Event = { type: 'token', value: 'ok' };
const done: L0Event = { type: 'complete', finishReason: 'stop' };
const never = <T>() => new Promise<T>(() => undefined);

describe('createCircuitBreaker({storeTimeout})', () => {
  it('should let a call through, and its end pass, once the store has not answered for storeTimeout', async () => {
    const ts = new TestScheduler(() => undefined);
    const hung: BreakerStore = { get: () => never(), set: () => never() };
    const breaker = createCircuitBreaker({ key: 'm', store: hung, storeTimeout: 100, scheduler: ts });
    const log: string[] = [];
    const at = (what: string) => log.push(`${ts.now()}:${what}`);
    const source = defer(() => (at('subscribed'), concat(timer(1, ts).pipe(map(() => token)), timer(2, ts).pipe(map(() => done)))));
    source.pipe(circuitBreaker(breaker)).subscribe({ next: (e) => at(e.type), complete: () => at('end') });
    await runArmed(ts);
    // the ticket waits 100 ms, the end (the success to record, at 103) another 100
    expect(log).toEqual(['100:subscribed', '101:token', '203:complete', '203:end']);
  });

  /** Two calls 10 ms apart on a read-then-write store (`update` left out, or null) whose first read hangs: when each went through. */
  async function behindHungRead(update: undefined | null): Promise<string[]> {
    const ts = new TestScheduler(() => undefined);
    const records = new Map<string, BreakerRecord>();
    let reads = 0;
    // the first read hangs, the others answer at once
    const store = { get: (key: string) => (reads++ === 0 ? never<BreakerRecord>() : records.get(key)), set: (key: string, r: BreakerRecord) => void records.set(key, r), ...(update === null ? { update } : {}) };
    const breaker = createCircuitBreaker({ key: 'm', store: store as unknown as BreakerStore, storeTimeout: 100, scheduler: ts });
    const subscribed: string[] = [];
    const call = (name: string) => defer(() => (subscribed.push(`${name}@${ts.now()}`), EMPTY)).pipe(circuitBreaker(breaker)).subscribe();
    call('first');
    ts.schedule(() => void call('second'), 10);
    await runArmed(ts);
    return subscribed.sort();
  }

  it('should drop a hung read-then-write round at the timeout, so the rounds queued behind it run', async () => {
    // at 100, when the first round is dropped: not later, at the second's own timeout behind a round that never ends
    expect(await behindHungRead(undefined)).toEqual(['first@100', 'second@100']);
  });

  // `update: null` passes the store check (`update ?? set`) and is read then written, but was not abandoned as such a
  // round: the second call waited behind the hung round for its own timeout (second@200)
  it('should drop a hung round of a store whose update is null as of one without update', async () => {
    expect(await behindHungRead(null)).toEqual(['first@100', 'second@100']);
  });


  it('should give back the half-open probe slot a late answer took for a call that went on without it', async () => {
    const scheduler = new TestScheduler(() => undefined);
    const records = new Map<string, BreakerRecord>();
    let paused = false;
    const held: (() => void)[] = [];
    const apply = (key: string, change: (stored: BreakerRecord | undefined) => BreakerRecord) => {
      const stored = records.get(key);
      const next = change(stored);
      if (next !== stored) records.set(key, next);
    };
    const store: BreakerStore = {
      get: (key) => records.get(key),
      set: (key, r) => void records.set(key, r),
      update: (key, change) => (paused ? new Promise<void>((resolve) => held.push(() => (apply(key, change), resolve()))) : apply(key, change)),
    };
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, resetTimeout: 50, storeTimeout: 100, halfOpenMaxProbes: 1, scheduler, store });
    throwError(() => serverError).pipe(circuitBreaker(breaker)).subscribe({ error: () => undefined });
    expect(records.get('m')?.state).toBe('open');
    scheduler.schedule(() => undefined, 60);
    scheduler.flush(); // half-open from now: one probe at a time

    paused = true;
    let ran = false;
    defer(() => ((ran = true), NEVER)).pipe(circuitBreaker(breaker)).subscribe();
    await runArmed(scheduler); // the store has not answered for 100 ms: the call goes on, as on a failing store
    expect(ran).toBe(true);
    paused = false;
    for (const answer of held.splice(0)) answer(); // the late answer: it took the probe slot
    await new Promise((resolve) => setImmediate(resolve));

    // the slot was given back: the next call is the probe, not refused with CircuitOpenError for good
    const outcome = await lastValueFrom(from([token, done]).pipe(circuitBreaker(breaker))).then(() => 'ok', (e: { code?: string }) => e.code ?? 'error');
    expect([outcome, records.get('m')?.state]).toEqual(['ok', 'closed']);
  });

  it('should error state() with BREAKER_STORE_TIMEOUT once the store has not answered for storeTimeout', async () => {
    // the bound is armed a microtask after the read (see the next spec): subscribe, let it arm, then flush
    const ts = testScheduler();
    const seen: unknown[] = [];
    const hung = createCircuitBreaker({ key: 'm', store: { get: () => never(), set: () => never() }, storeTimeout: 100, scheduler: ts });
    hung.state().subscribe({ next: (v) => seen.push(v), error: (e: unknown) => seen.push([ts.now(), e]) });
    await Promise.resolve();
    ts.flush();
    expect(seen).toEqual([[100, new L0Error('createCircuitBreaker: no store answer for the state of "m" within storeTimeout (100 ms)', {
      code: 'BREAKER_STORE_TIMEOUT',
      category: 'timeout',
      retryable: true,
      reason: 'timeout',
    })]]);
    testScheduler().run(({ expectObservable }) => {
      // a store that answers at once schedules nothing; Infinity still waits forever
      expectObservable(createCircuitBreaker({ key: 's', storeTimeout: 100 }).state()).toBe('(c|)', { c: 'closed' });
      expectObservable(createCircuitBreaker({ key: 'i', store: { get: () => never(), set: () => never() }, storeTimeout: Infinity }).state()).toBe('');
    });
  });

  it('should not fail state() read in a virtual flush (TestScheduler.run) before a real async store answers', async () => {
    // the store answers in real time, a macrotask later; the flush runs virtual time past storeTimeout at once
    const store: BreakerStore = { get: () => new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined))), set: () => undefined };
    let state: Promise<unknown> | undefined;
    testScheduler().run(() => {
      state = lastValueFrom(createCircuitBreaker({ key: 'k', store, storeTimeout: 100 }).state()).catch((e: { code?: string }) => e.code);
    });
    // (was BREAKER_STORE_TIMEOUT: the 100 ms timer fired in the flush)
    expect(await state).toBe('closed');
  });

  it('should give state() the answer of a store that answers within storeTimeout, or its error', async () => {
    const failing = createCircuitBreaker({ key: 'f', store: { get: () => Promise.reject(new Error('down')), set: () => undefined }, storeTimeout: 100 });
    await expect(lastValueFrom(failing.state())).rejects.toThrow('down');
    const records = new Map<string, BreakerRecord>([['a', { state: 'open', failures: 0, openedAt: 0, probes: 0, successes: 0, windowStart: 0, windowCalls: 0, windowFailures: 0 }]]);
    const slow = createCircuitBreaker({ key: 'a', store: { get: async (k) => records.get(k), set: () => undefined }, storeTimeout: 100, resetTimeout: 1e15 });
    expect(await lastValueFrom(slow.state())).toBe('open');
  });

  it('should schedule nothing for a store that answers at once, and wait forever with Infinity', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const sync = createCircuitBreaker({ key: 'a', storeTimeout: 100 });
      expectObservable(cold('-a|', { a: token }).pipe(circuitBreaker(sync))).toBe('-a|', { a: token });
      const hung = createCircuitBreaker({ key: 'b', store: { get: () => never(), set: () => never() }, storeTimeout: Infinity });
      expectObservable(cold('-a|', { a: token }).pipe(circuitBreaker(hung))).toBe('');
    });
  });

  it('should name a finite storeTimeout longer than a timer waits (2147483647 ms), and keep Infinity', () => {
    expect(() => createCircuitBreaker({ key: 'm', storeTimeout: 3e9 })).toThrow(new TypeError('createCircuitBreaker({storeTimeout}) must be at most 2147483647 ms (about 24.8 days), got 3000000000'));
    expect(createCircuitBreaker({ key: 'm', storeTimeout: 2_147_483_647 }).key).toBe('m');
    expect(createCircuitBreaker({ key: 'm', storeTimeout: Infinity }).key).toBe('m');
  });

  it('should name a storeTimeout that is not a number of ms > 0', () => {
    for (const bad of [0, -1, Number.NaN, '100'] as unknown[]) {
      expect(() => createCircuitBreaker({ key: 'm', storeTimeout: bad as number })).toThrow(/storeTimeout.*a number of ms > 0/);
    }
  });
});
