/** @test {withSentry} */
import { describe, expect, it } from 'vitest';
import { l0, type L0Event } from 'l0-rx';
import { withSentry } from 'l0-rx/sentry';
import { fakeModel } from 'l0-rx/testing';
import type { SchedulerLike } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { testScheduler } from '../helpers/testScheduler.js';
import { sentry } from '../helpers/sentryClient.js';

/** Virtual time on a wall-clock epoch: Sentry reads a 0 timestamp as "not given". */
const epoch = (scheduler: TestScheduler): SchedulerLike => ({ now: () => 1_700_000_000_000 + scheduler.now(), schedule: scheduler.schedule.bind(scheduler) as SchedulerLike['schedule'] });

const values: Record<string, L0Event> = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  a: { type: 'token', value: 'a' },
  x: { type: 'complete', finishReason: 'stop' },
};

describe('withSentry (real @sentry/core client, in-memory transport)', () => {
  it('should capture the run error with its L0 code, the run context and breadcrumbs for the retry and the fallback', async () => {
    const { client, items } = sentry();
    testScheduler().run(() => {
      l0({
        stream: fakeModel([{ items: [{ error: { status: 503 } }] }]),
        fallbackStreams: [fakeModel({ items: [{ error: { status: 401 } }] })],
        retry: { backoff: 'fixed', baseDelay: 5, maxRetries: 1 },
        runOperators: [withSentry({ client })],
      }).subscribe({ error: () => undefined });
    });
    const [event] = await items('event');
    expect(event!.tags).toMatchObject({ 'l0.code': 'ALL_STREAMS_EXHAUSTED' });
    expect(event!.contexts.l0).toMatchObject({ attempt: 1, fallbackIndex: 1, retries: 1, fallbacks: 1 });
    expect(event!.breadcrumbs.map((b: { category: string }) => b.category)).toEqual(['l0.retry', 'l0.fallback']);
    expect(event!.breadcrumbs[0].data).toMatchObject({ reason: 'server_error', code: 'SERVER_ERROR' });
  });

  it('should send a span with the run real duration and an ok status', async () => {
    const { client, items } = sentry();
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      cold('s-a---a-x|', values).pipe(withSentry({ client, scheduler: epoch(scheduler) })).subscribe();
    });
    const [transaction] = await items('transaction');
    expect(transaction!.transaction).toBe('l0.run');
    expect(Math.round((transaction!.timestamp - transaction!.start_timestamp) * 1000)).toBe(9);
    expect(transaction!.contexts.trace).toMatchObject({ status: 'ok', op: 'gen_ai.chat', data: expect.objectContaining({ 'l0.tokens': 2, 'l0.time_to_first_token_ms': 2 }) });
  });

  it('should give the span the run\'s duration under virtual time on the default scheduler (a clock that starts at 0)', async () => {
    const { client, items } = sentry();
    testScheduler().run(({ cold }) => {
      cold('s-a---a-x|', values).pipe(withSentry({ client })).subscribe();
    });
    const [transaction] = await items('transaction');
    expect(Math.round((transaction!.timestamp - transaction!.start_timestamp) * 1000)).toBe(9);
  });

  it('should end the span with an error status and the error code when the run fails', async () => {
    const { client, items } = sentry();
    const scheduler = testScheduler();
    scheduler.run(() => {
      l0({ stream: fakeModel({ items: [{ error: { status: 401 } }] }), runOperators: [withSentry({ client, scheduler: epoch(scheduler) })] }).subscribe({ error: () => undefined });
    });
    const [transaction] = await items('transaction');
    expect(transaction!.contexts.trace).toMatchObject({ status: 'internal_error', data: expect.objectContaining({ 'l0.error_code': 'AUTH_ERROR' }) });
  });

  it('should end the span, marked cancelled, when the consumer unsubscribes', async () => {
    const { client, items } = sentry();
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('s-a-a-', values).pipe(withSentry({ client })), '^--!').toBe('s-a', values);
    });
    const [transaction] = await items('transaction');
    expect(transaction!.contexts.trace.data).toMatchObject({ 'l0.cancelled': true });
    expect(await items('event')).toEqual([]);
  });

  it('should name a bad config', () => {
    expect(() => withSentry({ client: {} as never })).toThrow('withSentry({client}) must be a Sentry Client');
    expect(() => withSentry({ clinet: 1 } as never)).toThrow(/unknown option `clinet`/);
  });
});
