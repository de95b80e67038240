/** @test {withSentry} */
import { describe, expect, it, vi } from 'vitest';
import { l0, type L0Event } from 'l0-rx';
import { withSentry } from 'l0-rx/sentry';
import { fakeModel } from 'l0-rx/testing';
import * as SentryModule from '@sentry/core';
import { captureException, getActiveSpan, getCurrentScope, spanToJSON, startInactiveSpan, withActiveSpan, withScope } from '@sentry/core';
import { defer, EMPTY, from, of, take, type SchedulerLike } from 'rxjs';
import { syncSource } from '../internal/checklistHarness.js';
import type { TestScheduler } from 'rxjs/testing';
import { testScheduler } from '../helpers/testScheduler.js';
import { sentry } from '../helpers/sentryClient.js';

/** `n` token events, each after a microtask (an SDK stream's pace, with no timer). */
async function* asyncTokens(n: number): AsyncGenerator<L0Event> {
  for (let i = 0; i < n; i++) yield { type: 'token', value: 'a' };
}

/** Virtual time on a wall-clock epoch: Sentry reads a 0 timestamp as "not given". */
const epoch = (scheduler: TestScheduler): SchedulerLike => ({ now: () => 1_700_000_000_000 + scheduler.now(), schedule: scheduler.schedule.bind(scheduler) as SchedulerLike['schedule'] });

const values: Record<string, L0Event> = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  a: { type: 'token', value: 'a' },
  x: { type: 'complete', finishReason: 'stop' },
};

/** A run that retries a 503 once, then falls back to a 401 and fails (one retry and one fallback breadcrumb), reported to `client`. */
const failingRun = (client: ReturnType<typeof sentry>['client']) => testScheduler().run(() => {
  l0({
    stream: fakeModel([{ items: [{ error: { status: 503 } }] }]),
    fallbackStreams: [fakeModel({ items: [{ error: { status: 401 } }] })],
    retry: { backoff: 'fixed', baseDelay: 5, maxRetries: 1 },
    runOperators: [withSentry({ client })],
  }).subscribe({ error: () => undefined });
});

describe('withSentry (real @sentry/core client, in-memory transport)', () => {
  it('should capture the run error with its L0 code, the run context and breadcrumbs for the retry and the fallback', async () => {
    const { client, items } = sentry();
    failingRun(client);
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

  // L0's L0Sentry({sentry}) takes the module: accepted here, it failed every run at its start (`getClient(...)?.emit is not a function`)
  it('should refuse the Sentry module passed as the client, pointing to Sentry.getClient()', () => {
    expect(() => withSentry({ client: SentryModule as never })).toThrow(TypeError);
    expect(() => withSentry({ client: SentryModule as never })).toThrow('withSentry({client}) must be a Sentry Client, such as `Sentry.getClient()`, not the Sentry module');
  });

  it('should attach the captured error to the run span (its trace and span ids)', async () => {
    const { client, items } = sentry();
    testScheduler().run(() => {
      l0({ stream: fakeModel({ items: [{ error: { status: 401 } }] }), runOperators: [withSentry({ client })] }).subscribe({ error: () => undefined });
    });
    const [event] = await items('event');
    const [transaction] = await items('transaction');
    expect(event!.contexts.trace).toMatchObject({ trace_id: transaction!.contexts.trace.trace_id, span_id: transaction!.contexts.trace.span_id });
  });

  it('should make the run span the active span while the source is subscribed, so the spans it starts (an instrumented HTTP call) are its children', async () => {
    const { client, items } = sentry();
    let active: string | undefined;
    defer(() => {
      const span = getActiveSpan();
      active = span && spanToJSON(span).name;
      startInactiveSpan({ name: 'POST /v1/chat/completions', op: 'http.client' }).end();
      return EMPTY;
    }).pipe(withSentry({ client })).subscribe();
    expect(active).toBe('l0.run');
    expect(getActiveSpan()).toBeUndefined(); // nothing leaks out of the subscribe
    const [transaction] = await items('transaction');
    expect(transaction!.spans.map((s: { description: string; parent_span_id: string }) => [s.description, s.parent_span_id])).toEqual([['POST /v1/chat/completions', transaction!.contexts.trace.span_id]]);
  });

  // the run's scope and span were current in the consumer's synchronous reactions (l0's `start`, a synchronous
  // source's every event): a tag the consumer set there went to the run's scope, its captured error to the run span
  it('should notify the consumer in its own scope and active span, not the run\'s', async () => {
    const { client, items } = sentry();
    const actives: (string | undefined)[] = [];
    const active = () => { const span = getActiveSpan(); return span && spanToJSON(span).name; };
    const request = withScope((mine) => {
      mine.setClient(client);
      const request = startInactiveSpan({ name: 'POST /chat', forceTransaction: true });
      withActiveSpan(request, () => {
        of(values['s']!, values['x']!).pipe(withSentry({ client })).subscribe({
          next: (e) => {
            actives.push(active());
            if (e.type === 'start') getCurrentScope().setTag('screen', 'chat');
          },
          complete: () => {
            actives.push(active());
            captureException(new Error('render failed'));
          },
        });
      });
      return request;
    });
    request.end();
    expect(actives).toEqual(['POST /chat', 'POST /chat', 'POST /chat']);
    const [event] = await items('event');
    expect([event!.tags, event!.contexts.trace.span_id]).toEqual([{ screen: 'chat' }, request.spanContext().spanId]);
  });

  // the error is sent after the run's scope got its l0.code tag and the run span: a consumer reporting it in its
  // error callback (the usual way) must not send it as the run's
  it('should notify the consumer of the run\'s error in its own scope and active span, not the run\'s', async () => {
    const { client, items } = sentry();
    const request = withScope((mine) => {
      mine.setClient(client);
      const request = startInactiveSpan({ name: 'POST /chat', forceTransaction: true });
      withActiveSpan(request, () => {
        defer(() => { throw new Error('down'); }).pipe(withSentry({ client })).subscribe({ error: () => captureException(new Error('render failed')) });
      });
      return request;
    });
    request.end();
    const mine = (await items('event')).find((e) => e.exception.values[0].value === 'render failed');
    expect([mine!.tags, mine!.contexts.trace.span_id]).toEqual([undefined, request.spanContext().spanId]);
  });

  // withScope clones the current scope at every call: switching scopes for every asynchronous token cost 2-3 us a
  // token; only a delivery where the run span is active (the run's context leaking) is switched
  it('should pass asynchronous tokens on without a scope switch where the run span is not active', async () => {
    const { client } = sentry();
    const clones = vi.spyOn(SentryModule.Scope.prototype, 'clone');
    const seen: [unknown, number][] = []; // each token's active span and the clones made by then
    await new Promise<void>((resolve) => {
      withScope((mine) => {
        mine.setClient(client);
        from(asyncTokens(50)).pipe(withSentry({ client })).subscribe({ next: () => seen.push([getActiveSpan(), clones.mock.calls.length]), complete: resolve });
      });
    });
    clones.mockRestore();
    expect([seen.length, seen.every(([span]) => span === undefined), seen.at(-1)![1] - seen[0]![1]]).toEqual([50, true, 0]);
  });

  it('should stop a synchronous source as soon as the consumer leaves (take), ending the span cancelled', async () => {
    const { client, items } = sentry();
    const flood = syncSource(Array.from({ length: 1000 }, (_, i) => (i === 0 ? values['s']! : values['a']!)));
    flood.source.pipe(withSentry({ client }), take(2)).subscribe();
    expect(flood.pushed()).toBe(2);
    const [transaction] = await items('transaction');
    expect(transaction!.contexts.trace.data['l0.cancelled']).toBe(true);
  });

  it('should keep the breadcrumbs and tags of concurrent runs apart', async () => {
    const { client, items } = sentry();
    testScheduler().run(() => {
      for (const status of [503, 429]) {
        l0({
          stream: fakeModel([{ items: [{ error: { status } }] }, { items: ['-', { error: { status: 401 } }] }]),
          retry: { backoff: 'fixed', baseDelay: 2, maxRetries: 1 },
          runOperators: [withSentry({ client })],
        }).subscribe({ error: () => undefined });
      }
    });
    const events = await items('event');
    expect(events.map((e) => e.breadcrumbs.map((b: { data: { code: string } }) => b.data.code))).toEqual([['SERVER_ERROR'], ['RATE_LIMITED']]);
  });

  it('should send the run span through the given client as that client sends spans (Sentry 11 streams them by default), not as another client would', async () => {
    const { client, items } = sentry({ traceLifecycle: 'stream' });
    await new Promise((done) => l0({ stream: fakeModel({ items: ['a', { error: { status: 401 } }] }), runOperators: [withSentry({ client })] }).subscribe({ error: done }));
    expect(await items('transaction')).toEqual([]);
    const spans = (await items('span')).flatMap((container) => container.items as { name: string; status: string; span_id: string; attributes: Record<string, { value: unknown }> }[]);
    expect(spans.map((s) => [s.name, s.status, s.attributes['l0.error_code']?.value])).toEqual([['l0.run', 'error', 'AUTH_ERROR']]);
    const [event] = await items('event');
    expect(event!.contexts.trace.span_id).toBe(spans[0]!.span_id);
  });

  it('should pass events and the error through untouched when Sentry is not initialised (no client anywhere)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('s-a-#', values).pipe(withSentry())).toBe('s-a-#', values);
      expectObservable(cold('s-a-x|', values).pipe(withSentry()), '^-!').toBe('s-', values);
      expectObservable(cold('s-a-x|', values).pipe(withSentry())).toBe('s-a-x|', values);
    });
  });

  it('should pass its breadcrumbs through the client\'s beforeBreadcrumb and maxBreadcrumbs, as Sentry.addBreadcrumb does', async () => {
    const filtered = sentry({ beforeBreadcrumb: (b) => (b.category === 'l0.retry' ? null : { ...b, message: 'scrubbed' }) });
    failingRun(filtered.client);
    const [event] = await filtered.items('event');
    expect(event!.breadcrumbs.map((b: { category: string; message: string }) => [b.category, b.message])).toEqual([['l0.fallback', 'scrubbed']]);
    const none = sentry({ maxBreadcrumbs: 0 });
    failingRun(none.client);
    expect((await none.items('event'))[0]!.breadcrumbs).toBeUndefined();
  });
});
