/** @test {l0} */
import { config } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { l0, type L0Event, type L0StreamContext, type L0State } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { finalState, runScenario, subsequence, tokenText, typesOf } from '../helpers/runScenario.js';

/* L0 acceptance scenarios L1-L8 (reference/l0-tests-and-bench.md 7.1), through the l0() preset on virtual time. */

const random = () => 0;
const retryUnknown = { retryOn: ['network', 'rate-limit', 'server', 'timeout', 'content', 'unknown'] as const };

describe('l0() lifecycle (L1-L8)', () => {
  afterEach(() => {
    config.onUnhandledError = null;
  });

  it('should emit one start first and one complete last, call onStart/onComplete once and hand the context to the factory (L1)', () => {
    const model = fakeModel({ items: ['Hello', ' ', 'World'] });
    const contexts: unknown[] = [];
    const starts: unknown[][] = [];
    const completes: L0State[] = [];
    const run = runScenario(() =>
      l0({
        stream: (ctx) => (contexts.push(ctx.context), model(ctx)),
        context: { requestId: 'r1' },
        random,
        onStart: (...args) => starts.push(args),
        onComplete: (state) => completes.push(state),
      }),
    );
    expect(typesOf(run.events)).toEqual(['start', 'token', 'token', 'token', 'complete']);
    expect(run.events[0]).toEqual({ type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false });
    expect(run.completeFrame).toBe(0);
    expect(finalState(run.events)).toMatchObject({ content: 'Hello World', tokenCount: 3, status: 'complete' });
    expect(starts).toEqual([[1, false, false]]);
    expect(completes).toHaveLength(1);
    expect(completes[0]).toMatchObject({ content: 'Hello World', tokenCount: 3 });
    // Decision: events carry no streamId/ts/context (recordEvents adds envelopes); the context reaches every factory call.
    expect(contexts).toEqual([{ requestId: 'r1' }]);
  });

  it('should hand the factory a frozen deep copy of the context that later caller changes do not reach (L2)', () => {
    const callerContext = { a: { b: 1 }, items: [1, { n: 'x' }] as unknown[] };
    let seen: L0StreamContext['context'] | undefined;
    const model = fakeModel('ok|');
    const stream = l0({ stream: (ctx) => ((seen = ctx.context), model(ctx)), context: callerContext, random });
    callerContext.a.b = 2;
    (callerContext.items[1] as { n: string }).n = 'changed';
    runScenario(() => stream);
    expect(seen).toEqual({ a: { b: 1 }, items: [1, { n: 'x' }] });
    const ctx = seen as { a: { b: number }; items: unknown[] };
    expect(() => (ctx.a.b = 3)).toThrow(TypeError);
    expect(() => ctx.items.push(2)).toThrow(TypeError);
    expect(() => ((ctx.items[1] as { n: string }).n = 'y')).toThrow(TypeError);
  });

  // L3 uses a zero-output failure instead of a guardrail (guardrails are not built yet).
  it('should order start, retry, start{isRetry}, complete when a zero-output attempt is retried, after the backoff (L3)', () => {
    const model = fakeModel([{ items: ['...'] }, { items: ['good'] }]);
    const starts: unknown[][] = [];
    const retries: unknown[][] = [];
    const run = runScenario(() =>
      l0({
        stream: model,
        retry: { attempts: 2, backoff: 'fixed', baseDelay: 100 },
        onStart: (...args) => starts.push(args),
        onRetry: (...args) => retries.push(args),
      }),
    );
    expect(subsequence(run.events, ['start', 'retry', 'complete'])).toEqual(['start', 'retry', 'start', 'complete']);
    expect(run.events.filter((e) => e.type === 'start')).toMatchObject([
      { attempt: 1, isRetry: false, isFallback: false },
      { attempt: 2, isRetry: true, isFallback: false },
    ]);
    expect(run.timeline.find(([, e]) => e.type === 'retry')).toEqual([
      0,
      expect.objectContaining({ attempt: 1, delayMs: 100, reason: 'zero_output' }),
    ]);
    expect(model.calls.map((c) => c.attempt)).toEqual([1, 2]);
    expect(run.timeline.filter(([, e]) => e.type === 'start').map(([f]) => f)).toEqual([0, 100]);
    expect(starts).toEqual([[1, false, false], [2, true, false]]);
    expect(retries).toEqual([[1, 'zero_output']]);
    expect(finalState(run.events).content).toBe('good');
  });

  it('should order retry, start, fallback, start{isFallback}, complete and call onStart/onFallback with L0 arguments (L4)', () => {
    const boom = new Error('boom');
    const primary = fakeModel([{ items: ['x', { error: boom }] }, { items: ['y', { error: boom }] }]);
    const fb1 = fakeModel({ items: ['fallback-success'] });
    const log: unknown[][] = [];
    const run = runScenario(() =>
      l0({
        stream: primary,
        fallbackStreams: [fb1],
        retry: { attempts: 1, backoff: 'fixed', baseDelay: 10, ...retryUnknown },
        onStart: (...args) => log.push(['start', ...args]),
        onFallback: (...args) => log.push(['fallback', ...args]),
        onError: (_e, willRetry, willFallback) => log.push(['error', willRetry, willFallback]),
      }),
    );
    expect(subsequence(run.events, ['start', 'retry', 'fallback', 'complete'])).toEqual([
      'start', 'retry', 'start', 'fallback', 'start', 'complete',
    ]);
    expect(run.events.find((e) => e.type === 'fallback')).toMatchObject({ fromIndex: 0, toIndex: 1 });
    expect(log).toEqual([
      ['start', 1, false, false],
      ['error', true, false],
      ['start', 2, true, false],
      ['error', false, true],
      ['fallback', 0, 'unknown'],
      ['start', 1, false, true],
    ]);
    expect(finalState(run.events)).toMatchObject({ content: 'fallback-success', fallbackIndex: 1 });
    expect([primary.callCount, fb1.callCount]).toEqual([2, 1]);
  });

  it('should emit fallback 0->1 then 1->2 and call onFallback with 0 then 1 across two fallbacks (L4)', () => {
    const failing = () => fakeModel({ items: [{ error: { status: 401 } }] });
    const fallbackIndexes: number[] = [];
    const run = runScenario(() =>
      l0({
        stream: failing(),
        fallbackStreams: [failing(), fakeModel('ok|')],
        random,
        onFallback: (index) => fallbackIndexes.push(index),
      }),
    );
    expect(run.events.filter((e) => e.type === 'fallback')).toMatchObject([
      { fromIndex: 0, toIndex: 1 },
      { fromIndex: 1, toIndex: 2 },
    ]);
    expect(fallbackIndexes).toEqual([0, 1]);
    expect(finalState(run.events)).toMatchObject({ content: 'ok', fallbackIndex: 2, status: 'complete' });
  });

  it('should deliver every event and complete when the subscriber throws on every event (L5)', () => {
    const reported: unknown[] = [];
    config.onUnhandledError = (e) => reported.push(e);
    const run = runScenario(() => l0({ stream: fakeModel('a-b-c|'), random }), {
      onEvent: () => {
        throw new Error('observer failure');
      },
    });
    expect(typesOf(run.events)).toEqual(['start', 'token', 'token', 'token', 'complete']);
    expect(tokenText(run.events)).toBe('abc');
    expect(run.completeFrame).toBe(5);
    expect(reported).toHaveLength(5);
  });

  it('should deliver every event when a lifecycle callback throws on every event, and report each throw (L5)', () => {
    const reported: string[] = [];
    const run = runScenario(() =>
      l0({
        stream: fakeModel('a-b|'),
        random,
        onEvent: () => {
          throw new Error('callback failure');
        },
        onCallbackError: (_e, name) => reported.push(name),
      }),
    );
    expect(typesOf(run.events)).toEqual(['start', 'token', 'token', 'complete']);
    expect(run.completeFrame).toBe(3);
    expect(reported).toEqual(['onEvent', 'onEvent', 'onEvent', 'onEvent']);
  });

  it('should call onError(false, true), onFallback, onResume, onComplete in that order on a resumed fallback (L6)', () => {
    const log: unknown[][] = [];
    runScenario(() =>
      l0({
        stream: fakeModel({ items: ['A', 'B', 'C', { error: new Error('boom') }] }),
        fallbackStreams: [fakeModel({ items: ['D'] })],
        continueFromLastKnownGoodToken: true,
        checkpointInterval: 2,
        retry: { retryOn: ['network'] }, // the plain Error is `unknown`: not retried here, so it falls back
        random,
        onError: (_e, willRetry, willFallback) => log.push(['error', willRetry, willFallback]),
        onFallback: (index) => log.push(['fallback', index]),
        onResume: (checkpoint, tokenCount) => log.push(['resume', checkpoint, tokenCount]),
        onComplete: (state) => log.push(['complete', state.content]),
      }),
    );
    expect(log).toEqual([
      ['error', false, true],
      ['fallback', 0],
      ['resume', 'AB', 3],
      ['complete', 'ABD'],
    ]);
  });

  it('should carry the typed error (code, category, reason) in retry events and in onError (L7)', () => {
    const errors: unknown[] = [];
    const run = runScenario(() =>
      l0({
        stream: fakeModel(['a#', 'ok|']),
        retry: { backoff: 'fixed', baseDelay: 5 },
        onError: (e, willRetry, willFallback) => errors.push([e, willRetry, willFallback]),
      }),
    );
    // Decision: the recovery strategy is the event type (retry / fallback / the run's error) and the
    // failure type is `error.category`; onError gets the live L0Error, not a plain Error (L0 quirk 13).
    const retry = run.events.find((e) => e.type === 'retry');
    expect(retry).toMatchObject({ attempt: 1, delayMs: 5, error: { code: 'NETWORK_ERROR', category: 'network', reason: 'network_error', attempt: 1, fallbackIndex: 0 } });
    expect(errors).toEqual([[expect.objectContaining({ name: 'ProviderError', code: 'NETWORK_ERROR', category: 'network' }), true, false]]);
  });

  it('should end with complete as the very last event after a retry and a fallback (L8)', () => {
    const calls: string[] = [];
    const run = runScenario(() =>
      l0({
        stream: fakeModel(['a#', 'b#']),
        fallbackStreams: [fakeModel(['c-d|'])],
        retry: { maxRetries: 1, backoff: 'fixed', baseDelay: 10 },
        onComplete: () => calls.push('complete'),
        onEvent: (e: L0Event) => calls.push(e.type),
      }),
    );
    // Decision: `complete` is final; there are no RETRY_END / FALLBACK_END events after it.
    expect(typesOf(run.events)).toEqual([
      'start', 'token', 'retry', 'start', 'token', 'fallback', 'start', 'token', 'token', 'complete',
    ]);
    expect(run.timeline.at(-1)?.[0]).toBe(run.completeFrame);
    expect(run.completeFrame).toBe(15); // a# (0-1), wait 10, b# (11-12), fallback c-d| (12-15)
    expect(calls.at(-1)).toBe('complete');
    expect(calls.filter((c) => c === 'complete')).toHaveLength(2); // onEvent(complete), then onComplete
  });
});
