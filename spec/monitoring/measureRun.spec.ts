/** @test {measureRun} */
import { lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { l0, measureRun, type L0Event, type RunMetrics } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';

const values: Record<string, L0Event> = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  a: { type: 'token', value: 'a' },
  v: { type: 'violation', violation: { ruleId: 'r', message: 'm', severity: 'warning', recoverable: true } },
  x: { type: 'complete', finishReason: 'stop', usage: { outputTokens: 3 } },
};

describe('measureRun', () => {
  it('should pass events through and summarise a complete run: TTFT, tokens per second, violations, usage', () => {
    const metrics: RunMetrics[] = [];
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('s-a-a-v-a-x|', values).pipe(measureRun((m) => metrics.push(m), { scheduler }))).toBe('s-a-a-v-a-x|', values);
    });
    expect(metrics).toEqual([{
      outcome: 'complete', durationMs: 11, timeToFirstTokenMs: 2, tokens: 3, tokensReceived: 3, tokensPerSecond: 3000 / 9,
      attempts: 1, retries: 0, retriesByReason: {}, fallbacks: 0, violations: 1, drifts: 0, finishReason: 'stop', usage: { outputTokens: 3 }, errorCode: undefined,
    }]);
  });

  it('should count retries by reason and fallbacks of an l0 run', () => {
    const metrics: RunMetrics[] = [];
    testScheduler().run(() => {
      l0({
        stream: fakeModel([{ items: [{ error: { status: 429 } }] }, { items: [{ error: { status: 503 } }] }]),
        fallbackStreams: [fakeModel('ab|')],
        retry: { backoff: 'fixed', baseDelay: 5, maxRetries: 2 },
        runOperators: [measureRun((m) => metrics.push(m))],
      }).subscribe();
    });
    expect(metrics[0]).toMatchObject({ outcome: 'complete', attempts: 4, retries: 2, retriesByReason: { rate_limit: 1, server_error: 1 }, fallbacks: 1, tokens: 2 });
  });

  it('should report a failed run with its error code', () => {
    const metrics: RunMetrics[] = [];
    testScheduler().run(() => {
      l0({ stream: fakeModel({ items: [{ error: { status: 401 } }] }), runOperators: [measureRun((m) => metrics.push(m))] }).subscribe({ error: () => undefined });
    });
    expect(metrics[0]).toMatchObject({ outcome: 'error', errorCode: 'AUTH_ERROR', timeToFirstTokenMs: undefined, tokensPerSecond: undefined });
  });

  it('should report an unsubscribed run once, and nothing for a never source still running', () => {
    const metrics: RunMetrics[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('s-a-', values).pipe(measureRun((m) => metrics.push(m))), '^--!').toBe('s-a', values);
      cold<L0Event>('-').pipe(measureRun((m) => metrics.push(m))).subscribe();
    });
    expect(metrics.map((m) => m.outcome)).toEqual(['unsubscribed']);
  });

  it('should swallow a throwing onMetrics', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', values).pipe(measureRun(() => { throw new Error('boom'); }))).toBe('a|', values);
    });
  });

  it('should swallow an async onMetrics whose promise rejects, never leaving the rejection unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const seen: RunMetrics[] = [];
      const events = await lastValueFrom(of(values['s']!, values['x']!).pipe(measureRun(async (m) => { seen.push(m); throw new Error('db down'); }), toArray()));
      expect(events).toEqual([values['s'], values['x']]);
      await new Promise((resolve) => setImmediate(resolve)); // past the microtasks where an unhandled rejection is detected
      expect(seen.map((m) => m.outcome)).toEqual(['complete']);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('should name a bad argument', () => {
    expect(() => measureRun(1 as never)).toThrow('measureRun(onMetrics) must be a function, got number');
    expect(() => measureRun(() => undefined, { sheduler: 1 } as never)).toThrow(/unknown option `sheduler`/);
  });
});
