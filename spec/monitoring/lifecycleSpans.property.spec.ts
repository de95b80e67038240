/** @test {tapLifecycle} @test {withOpenTelemetry} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Observable, takeWhile, type SchedulerLike } from 'rxjs';
import { ProviderError, serializeError, StreamAbortedError, tapLifecycle, TokenTimeoutError, type L0Event } from 'l0-rx';
import { withOpenTelemetry } from 'l0-rx/opentelemetry';
import { withSentry } from 'l0-rx/sentry';
import { sentry } from '../helpers/sentryClient.js';
import { testScheduler } from '../helpers/testScheduler.js';
import { SpanLedger } from '../helpers/spanLedger.js';
import { runs } from '../helpers/propertyRuns.js';

const server = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const timeout = new TokenTimeoutError({ kind: 'inter', timeoutMs: 5, elapsedMs: 6, tokenCount: 1 });
const abort = new StreamAbortedError();
const ERRORS = { server, timeout, abort, plain: new Error('plain') } as const;
/** A fresh copy of an error: Sentry captures an error object once, so each run fails with its own. */
const fresh = (name: keyof typeof ERRORS): Error => Object.assign(Object.create(Object.getPrototypeOf(ERRORS[name]) as object) as Error, ERRORS[name], { message: ERRORS[name].message, stack: ERRORS[name].stack });

const eventArb: fc.Arbitrary<L0Event> = fc.oneof(
  fc.record({ type: fc.constant('start' as const), attempt: fc.integer({ min: 1, max: 3 }), fallbackIndex: fc.integer({ min: 0, max: 2 }), isRetry: fc.boolean(), isFallback: fc.boolean() }),
  fc.record({ type: fc.constant('token' as const), value: fc.string({ maxLength: 3 }) }),
  fc.constantFrom<L0Event>(
    { type: 'retry', attempt: 1, delayMs: 2, error: serializeError(server), reason: 'server_error', countsTowardAttempts: true },
    { type: 'retry', attempt: 2, delayMs: 2, error: serializeError(timeout), reason: 'timeout', countsTowardAttempts: true },
    { type: 'fallback', fromIndex: 0, toIndex: 1, error: serializeError(server) },
    { type: 'resume', checkpoint: 'ab' },
    { type: 'checkpoint', content: 'ab', tokenCount: 2 },
    { type: 'violation', violation: { ruleId: 'r', message: 'm', severity: 'warning', recoverable: true } },
    { type: 'drift', types: ['repetition'], confidence: 0.9 },
    { type: 'tool-call', id: 'c1', name: 'f', arguments: '{}' },
    { type: 'breaker', key: 'k', from: 'closed', to: 'open' },
    { type: 'reasoning', value: 'r' },
    { type: 'progress', percent: 5 },
    { type: 'data', payload: { contentType: 'text' } },
    { type: 'complete', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 2 } },
  ),
);
type Ending = { kind: 'complete' } | { kind: 'error'; error: keyof typeof ERRORS } | { kind: 'leave' } | { kind: 'firstComplete' };
const endingArb: fc.Arbitrary<Ending> = fc.oneof(
  fc.constant({ kind: 'complete' as const }),
  fc.record({ kind: fc.constant('error' as const), error: fc.constantFrom<keyof typeof ERRORS>('server', 'timeout', 'abort', 'plain') }),
  fc.constant({ kind: 'leave' as const }),
  fc.constant({ kind: 'firstComplete' as const }),
);

function check(events: L0Event[], ending: Ending, throwing: boolean): void {
  const ts = testScheduler();
  const exporter = new InMemorySpanExporter();
  const ledger = new SpanLedger();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter), ledger] }).getTracer('fuzz');
  const calls: string[] = [];
  const cb = (name: string) => (...args: unknown[]) => {
    calls.push(name === 'onError' ? `onError:${String(args[1])}${String(args[2])}` : name);
    if (throwing) throw new Error(`${name} broke`);
  };
  const names = ['onEvent', 'onStart', 'onRetry', 'onFallback', 'onResume', 'onCheckpoint', 'onViolation', 'onDrift', 'onToolCall', 'onTimeout', 'onAbort', 'onError', 'onComplete'];
  const callbacks = Object.fromEntries(names.map((n) => [n, cb(n)]));
  const reported: string[] = [];
  const source = new Observable<L0Event>((sub) => {
    events.forEach((e, i) => ts.schedule(() => sub.next(e), i + 1));
    if (ending.kind === 'complete' || ending.kind === 'firstComplete') ts.schedule(() => sub.complete(), events.length + 1);
    if (ending.kind === 'error') ts.schedule(() => sub.error(ERRORS[ending.error]), events.length + 1);
  });
  const got: L0Event[] = [];
  let end = 'open';
  let piped = source.pipe(tapLifecycle({ ...callbacks, onCallbackError: (_e, n) => void reported.push(n) }), withOpenTelemetry({ tracer, scheduler: ts as SchedulerLike }));
  if (ending.kind === 'firstComplete') piped = piped.pipe(takeWhile((e) => e.type !== 'complete', true));
  const sub = piped.subscribe({ next: (e) => got.push(e), complete: () => (end = 'complete'), error: () => (end = 'error') });
  if (ending.kind === 'leave') ts.schedule(() => sub.unsubscribe(), events.length + 1);
  ts.flush();
  sub.unsubscribe();

  // every span started is ended exactly once
  expect([...ledger.started].filter((s) => ledger.ends.get(s) !== 1)).toEqual([]);
  const run = exporter.getFinishedSpans().filter((s) => s.name === 'l0.run');
  expect(run).toHaveLength(1);
  const cut = ending.kind === 'firstComplete' ? events.findIndex((e) => e.type === 'complete') : -1;
  const passed = cut >= 0 ? events.slice(0, cut + 1) : events;
  expect(got).toEqual(passed);
  expect(exporter.getFinishedSpans().filter((s) => s.name === 'l0.attempt')).toHaveLength(passed.filter((e) => e.type === 'start').length);
  if (throwing) expect(reported.length).toBe(calls.length);

  // the run's end is called back once, as the last call
  const sawComplete = passed.some((e) => e.type === 'complete');
  const last = calls.at(-1);
  // an error after the `complete` event (a source you wrote) is no second end: onComplete was the run's
  if (ending.kind === 'error' && !sawComplete) {
    expect(last).toBe('onError:falsefalse');
    expect(calls.filter((c) => c === 'onError:falsefalse')).toHaveLength(1);
    expect(calls.at(-2) === 'onAbort').toBe(ending.error === 'abort');
    expect(run[0]!.status.code).toBe(ending.error === 'abort' ? SpanStatusCode.UNSET : SpanStatusCode.ERROR);
  } else if (ending.kind === 'leave' && !sawComplete) {
    expect(last).toBe('onAbort');
    expect(calls.filter((c) => c === 'onAbort')).toHaveLength(1);
    expect(run[0]!.attributes['l0.cancelled']).toBe(true);
  } else {
    expect(calls.filter((c) => c === 'onComplete')).toHaveLength(1);
    expect(calls.some((c) => c === 'onAbort' || c === 'onError:falsefalse')).toBe(false);
    // the span still tells the stream's own end: an error after `complete` is its status
    if (ending.kind !== 'error') {
      expect(run[0]!.attributes['l0.cancelled']).toBeUndefined();
      if (sawComplete) expect(run[0]!.status.code).toBe(SpanStatusCode.OK);
    }
  }
  expect(calls.filter((c) => c === 'onStart')).toHaveLength(passed.filter((e) => e.type === 'start').length);
  expect(calls.filter((c) => c === 'onRetry')).toHaveLength(passed.filter((e) => e.type === 'retry').length);
  expect(calls.filter((c) => c === 'onFallback')).toHaveLength(passed.filter((e) => e.type === 'fallback').length);
  void end;
}

describe('tapLifecycle and withOpenTelemetry over random event sequences', () => {
  it('should call each end back once, last, and end every span exactly once', () => {
    fc.assert(fc.property(fc.array(eventArb, { maxLength: 12 }), endingArb, fc.boolean(), (events, ending, throwing) => check(events, ending, throwing)), { numRuns: runs(300) });
  });
});

/** Virtual time on a wall-clock epoch: Sentry reads a 0 timestamp as "not given". */
const epoch = (ts: ReturnType<typeof testScheduler>): SchedulerLike => ({ now: () => 1_700_000_000_000 + ts.now(), schedule: ts.schedule.bind(ts) as SchedulerLike['schedule'] });

describe('withSentry over random event sequences', () => {
  it('should send one span per run with the run\'s status, one breadcrumb per retry and fallback, and capture only a real error', async () => {
    await fc.assert(fc.asyncProperty(fc.array(eventArb, { maxLength: 10 }), endingArb, async (events, ending) => {
      const { client, items } = sentry();
      const ts = testScheduler();
      const source = new Observable<L0Event>((sub) => {
        events.forEach((e, i) => ts.schedule(() => sub.next(e), i + 1));
        if (ending.kind === 'complete' || ending.kind === 'firstComplete') ts.schedule(() => sub.complete(), events.length + 1);
        if (ending.kind === 'error') ts.schedule(() => sub.error(fresh(ending.error)), events.length + 1);
      });
      let piped = source.pipe(withSentry({ client, scheduler: epoch(ts) }));
      if (ending.kind === 'firstComplete') piped = piped.pipe(takeWhile((e) => e.type !== 'complete', true));
      const sub = piped.subscribe({ error: () => undefined });
      if (ending.kind === 'leave') ts.schedule(() => sub.unsubscribe(), events.length + 1);
      ts.flush();
      sub.unsubscribe();
      const [transactions, captured] = [await items('transaction'), await items('event')];
      expect(transactions).toHaveLength(1);
      const trace = transactions[0]!.contexts.trace as { status: string; data: Record<string, unknown> };
      const cut = ending.kind === 'firstComplete' ? events.findIndex((e) => e.type === 'complete') : -1;
      const passed = cut >= 0 ? events.slice(0, cut + 1) : events;
      const failed = ending.kind === 'error' && ending.error !== 'abort';
      expect(captured).toHaveLength(failed ? 1 : 0);
      expect(trace.status).toBe(failed ? 'internal_error' : 'ok');
      const cancelled = (ending.kind === 'leave' && !passed.some((e) => e.type === 'complete')) || (ending.kind === 'error' && ending.error === 'abort');
      expect(trace.data['l0.cancelled'] === true).toBe(cancelled);
      if (failed) expect((captured[0]!.breadcrumbs ?? []).length).toBe(passed.filter((e) => e.type === 'retry' || e.type === 'fallback').length);
    }), { numRuns: runs(50) });
  });
});
