/** @test {circuitBreaker} */
import { describe, expect, it } from 'vitest';
import { asyncScheduler, Subject, throwError, type SchedulerLike } from 'rxjs';
import { circuitBreaker, createCircuitBreaker, ProviderError, type BreakerRecord, type BreakerStore, type L0Event } from 'l0-rx';

const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const done: L0Event = { type: 'complete', finishReason: 'stop' };

/** A clock the test moves by hand (the breaker only reads `now()`). */
function clock() {
  const c = { t: 0, scheduler: undefined as unknown as SchedulerLike };
  c.scheduler = { now: () => c.t, schedule: asyncScheduler.schedule.bind(asyncScheduler) } as SchedulerLike;
  return c;
}

/** One call through the breaker whose source the test ends by hand; `outcome` is 'running', 'ok', an error code or 'refused'. */
function call(breaker: ReturnType<typeof createCircuitBreaker>) {
  const source = new Subject<L0Event>();
  const c = { source, outcome: 'running', unsubscribe: () => undefined as void };
  const subscription = source.pipe(circuitBreaker(breaker)).subscribe({
    complete: () => (c.outcome = 'ok'),
    error: (e: { code?: string }) => (c.outcome = e.code === 'CIRCUIT_OPEN' ? 'refused' : (e.code ?? 'error')),
  });
  c.unsubscribe = () => subscription.unsubscribe();
  return c;
}

/** A store whose every answer the test releases by hand: `answer()` resolves the oldest pending one, `answerLast()` the newest. */
function manualStore(atomic: boolean) {
  const records = new Map<string, BreakerRecord>();
  const pending: (() => void)[] = [];
  const later = <T>(work: () => T) => new Promise<T>((resolve) => pending.push(() => resolve(work())));
  const store: BreakerStore = {
    get: (key) => {
      const snapshot = records.get(key); // read now, answered later
      return later(() => snapshot);
    },
    set: (key, record) => later(() => void records.set(key, record)),
    ...(atomic
      ? {
          // applied at once (atomic), acknowledged later: acknowledgements may come in any order
          update: (key: string, change: (stored: BreakerRecord | undefined) => BreakerRecord) => {
            const stored = records.get(key);
            const next = change(stored);
            if (next !== stored) records.set(key, next);
            return later(() => undefined);
          },
        }
      : {}),
  };
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  return {
    records, store, pending,
    answer: async () => (pending.shift()?.(), flush()),
    answerLast: async () => (pending.pop()?.(), flush()),
    drain: async () => {
      while (pending.length > 0) await (pending.shift()!(), flush());
    },
  };
}

describe('circuitBreaker and the order of store answers', () => {
  it('should not let a probe of an earlier half-open period free a slot of the current one', () => {
    const time = clock();
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, resetTimeout: 1_000, halfOpenMaxProbes: 2, scheduler: time.scheduler });
    throwError(() => serverError).pipe(circuitBreaker(breaker)).subscribe({ error: () => undefined }); // open at 0
    time.t = 1_000; // half-open: two probes
    const a = call(breaker);
    const b = call(breaker);
    a.source.error(serverError); // open again at 1000
    time.t = 2_000; // half-open again: a new period with two fresh probes
    const c = call(breaker);
    const d = call(breaker);
    expect([a.outcome, b.outcome, c.outcome, d.outcome]).toEqual(['SERVER_ERROR', 'running', 'running', 'running']);
    b.unsubscribe(); // b probed the earlier period: its slot is not one of this period's
    const e = call(breaker);
    expect(e.outcome).toBe('refused');
  });

  it('should not count the success of an earlier period\'s probe towards closing the current one', () => {
    const time = clock();
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, resetTimeout: 1_000, halfOpenMaxProbes: 2, successThreshold: 2, scheduler: time.scheduler });
    throwError(() => serverError).pipe(circuitBreaker(breaker)).subscribe({ error: () => undefined });
    time.t = 1_000;
    const a = call(breaker);
    const b = call(breaker);
    a.source.error(serverError); // open again at 1000
    time.t = 2_000;
    const c = call(breaker);
    b.source.next(done); // the old probe succeeds late
    c.source.next(done); // one success of this period, of the two needed
    let state: string | undefined;
    breaker.state().subscribe((s) => (state = s));
    expect(state).toBe('half-open');
  });

  it('should let only halfOpenMaxProbes probes through with an asynchronous store that has no update', async () => {
    const time = clock();
    const m = manualStore(false);
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, resetTimeout: 1_000, scheduler: time.scheduler, store: m.store });
    throwError(() => serverError).pipe(circuitBreaker(breaker)).subscribe({ error: () => undefined });
    await m.drain();
    expect(m.records.get('m')?.state).toBe('open');
    time.t = 1_000;
    const a = call(breaker);
    const b = call(breaker); // asks while a's read-then-write is still under way
    await m.drain();
    expect([a.outcome, b.outcome]).toEqual(['running', 'refused']);
    expect(m.records.get('m')).toMatchObject({ state: 'half-open', probes: 1 });
  });

  it('should never report a state going backwards when an atomic store acknowledges out of order', async () => {
    const time = clock();
    const m = manualStore(true);
    const seen: string[] = [];
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, resetTimeout: 1_000, scheduler: time.scheduler, store: m.store, onStateChange: (c) => seen.push(`${c.from}>${c.to}`) });
    const x = call(breaker);
    await m.drain(); // x's ticket
    x.source.error(serverError); // its settle opens the breaker (applied now, acknowledged later)
    const y = call(breaker); // refused: the store already says open (acknowledged first)
    await m.answerLast();
    await m.answer();
    await m.drain();
    expect([x.outcome, y.outcome]).toEqual(['SERVER_ERROR', 'refused']);
    expect(seen).toEqual(['closed>open']);
  });

  it('should report a change in the stream of the call that made it when a round queued behind it reads it at once', async () => {
    // a store without update whose get answers at once and whose set is acknowledged later (a write-through cache):
    // the round queued behind the write started, read and reported the opening before the write's own round did
    const time = clock();
    const records = new Map<string, BreakerRecord>();
    const acks: (() => void)[] = [];
    const store: BreakerStore = { get: (key) => records.get(key), set: (key, record) => (records.set(key, record), new Promise<void>((resolve) => acks.push(resolve))) };
    const seen: string[] = [];
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, storeTimeout: Number.POSITIVE_INFINITY, scheduler: time.scheduler, store, onStateChange: (c) => seen.push(`${c.from}>${c.to}`) });
    const events: string[] = [];
    const failing = new Subject<L0Event>();
    failing.pipe(circuitBreaker(breaker)).subscribe({ next: (e) => e.type === 'breaker' && events.push(`${e.from}>${e.to}`), error: (e: { code?: string }) => events.push(e.code ?? 'error') });
    acks.shift()!(); // its ticket's write: a closed record
    await new Promise((resolve) => setImmediate(resolve));
    failing.error(serverError); // opens the breaker: written at once, acknowledged later
    const refused = call(breaker); // its read waits for that round
    acks.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['closed>open', 'SERVER_ERROR']);
    expect(refused.outcome).toBe('refused');
    expect(seen).toEqual(['closed>open']);
  });

  it('should report a change once when a state-change callback makes a call through the breaker at once', () => {
    const time = clock();
    const seen: string[] = [];
    let again: { outcome: string } | undefined;
    const breaker = createCircuitBreaker({
      key: 'm', failureThreshold: 1, resetTimeout: 1_000, scheduler: time.scheduler,
      onStateChange: (c) => {
        seen.push(`${c.from}>${c.to}`);
        again ??= call(breaker); // e.g. a health check started on opening
      },
    });
    throwError(() => serverError).pipe(circuitBreaker(breaker)).subscribe({ error: () => undefined });
    expect([seen, again?.outcome]).toEqual([['closed>open'], 'refused']);
  });
});
