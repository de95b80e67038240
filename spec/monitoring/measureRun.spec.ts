/** @test {measureRun} */
import { concatWith, lastValueFrom, of, throwError, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { l0, measureRun, type L0Event, type RunMetrics } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';
import { unhandledDuring } from '../helpers/unhandled.js';

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

  it('should give a run that failed with an undefined error an errorCode, as any failed run', () => {
    const metrics: RunMetrics[] = [];
    testScheduler().run(({ cold }) => {
      cold<L0Event>('s-a-|', values).pipe(concatWith(throwError(() => undefined)), measureRun((m) => metrics.push(m))).subscribe({ error: () => undefined });
    });
    expect(metrics.map((m) => [m.outcome, m.errorCode])).toEqual([['error', 'Error']]);
  });

  it('should report an unsubscribed run once, and nothing for a never source still running', () => {
    const metrics: RunMetrics[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('s-a-', values).pipe(measureRun((m) => metrics.push(m))), '^--!').toBe('s-a', values);
      cold<L0Event>('-').pipe(measureRun((m) => metrics.push(m))).subscribe();
    });
    expect(metrics.map((m) => m.outcome)).toEqual(['unsubscribed']);
  });

  // a broken onMetrics (`m.usage.inputTokens` of a run without usage) lost every run's metrics without a word
  it('should warn once per measureRun() about a throwing onMetrics, and never rethrow it', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const boom = new Error('boom');
      const op = measureRun(() => { throw boom; });
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('a|', values).pipe(op)).toBe('a|', values);
        expectObservable(cold('a|', values).pipe(op)).toBe('a|', values);
      });
      expect(warn.mock.calls).toEqual([['l0-rx measureRun: the `onMetrics` callback threw or rejected; the stream goes on.', boom]]);
    } finally {
      warn.mockRestore();
    }
  });

  // some test set-ups make console.warn throw: the throw turned a complete run into an error
  it('should keep the stream\'s outcome when console.warn throws', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => { throw new Error('warnings fail this test'); });
    try {
      const unhandled = await unhandledDuring(async () => {
        testScheduler().run(({ cold, expectObservable }) => {
          expectObservable(cold('a|', values).pipe(measureRun(() => { throw new Error('boom'); }))).toBe('a|', values);
        });
        await lastValueFrom(of(values['s']!).pipe(measureRun(() => Promise.reject(new Error('db down')) as never)));
      });
      expect(unhandled).toEqual([]);
      expect(warn).toHaveBeenCalledTimes(2);
    } finally {
      warn.mockRestore();
    }
  });

  it('should warn about an async onMetrics whose promise rejects, never leaving the rejection unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const seen: RunMetrics[] = [];
      const down = new Error('db down');
      const events = await lastValueFrom(of(values['s']!, values['x']!).pipe(measureRun(async (m) => { seen.push(m); throw down; }), toArray()));
      expect(events).toEqual([values['s'], values['x']]);
      await new Promise((resolve) => setImmediate(resolve)); // past the microtasks where an unhandled rejection is detected
      expect(seen.map((m) => m.outcome)).toEqual(['complete']);
      expect(unhandled).toEqual([]);
      // worded for a rejection too: it said "threw" of a promise that rejected
      expect(warn.mock.calls).toEqual([['l0-rx measureRun: the `onMetrics` callback threw or rejected; the stream goes on.', down]]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      warn.mockRestore();
    }
  });

  // it failed the run with a bare TypeError of its own, and reported that run as unsubscribed
  it('should pass an event it cannot read (null) through untouched and report the run\'s real end', () => {
    const metrics: RunMetrics[] = [];
    const seen: unknown[] = [];
    let completed = false;
    of(values['s']!, null as unknown as L0Event, values['x']!).pipe(measureRun((m) => metrics.push(m))).subscribe({ next: (e) => seen.push(e), complete: () => (completed = true) });
    expect([seen, completed]).toEqual([[values['s'], null, values['x']], true]);
    expect(metrics.map((m) => [m.outcome, m.attempts, m.finishReason])).toEqual([['complete', 1, 'stop']]);
  });

  it('should name a bad argument', () => {
    expect(() => measureRun(1 as never)).toThrow('measureRun(onMetrics) must be a function, got number');
    expect(() => measureRun(() => undefined, { sheduler: 1 } as never)).toThrow(/unknown option `sheduler`/);
  });
});
