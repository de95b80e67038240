/** @test {withOpenTelemetry} @test {tapLifecycle} @test {circuitBreaker} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SchedulerLike } from 'rxjs';
import { circuitBreaker, createCircuitBreaker, l0, type L0Event } from 'l0-rx';
import { withOpenTelemetry } from 'l0-rx/opentelemetry';
import { fakeModel } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';
import { SpanLedger } from '../helpers/spanLedger.js';
import { runs, runsTimeout } from '../helpers/propertyRuns.js';

const script = fc.constantFrom('ab|', 'a-#', 'abcdefgh|', '--#', 'a', 'ab-cd-ef-gh|', '#', '|');
interface RunPlan { readonly primary: string[]; readonly fallback: string[] | undefined; readonly at: number; readonly stop: 'none' | 'leave' | 'abort'; readonly stopAt: number; readonly resume: boolean }
const runArb: fc.Arbitrary<RunPlan> = fc.record({
  primary: fc.array(script, { minLength: 1, maxLength: 3 }),
  fallback: fc.option(fc.array(script, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  at: fc.integer({ min: 0, max: 40 }),
  stop: fc.constantFrom<RunPlan['stop']>('none', 'none', 'leave', 'abort'),
  stopAt: fc.integer({ min: 0, max: 60 }),
  resume: fc.boolean(),
});

function check(plans: RunPlan[], throwing: boolean): void {
  const ts = testScheduler();
  ts.maxFrames = Number.POSITIVE_INFINITY;
  const exporter = new InMemorySpanExporter();
  const ledger = new SpanLedger();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter), ledger] }).getTracer('fuzz');
  const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 2, resetTimeout: 10, scheduler: ts as SchedulerLike });
  const outcomes: { calls: string[]; events: L0Event[]; end: string }[] = [];
  plans.forEach((p) => {
    const calls: string[] = [];
    const record = (name: string) => (...args: unknown[]) => {
      calls.push(name === 'onError' ? `onError:${String(args[1])}${String(args[2])}` : name);
      if (throwing) throw new Error('callback broke');
    };
    const out = { calls, events: [] as L0Event[], end: 'open' };
    outcomes.push(out);
    ts.schedule(() => {
      const controller = new AbortController();
      const run = l0({
        stream: fakeModel(p.primary, { scheduler: ts }),
        ...(p.fallback ? { fallbackStreams: [fakeModel(p.fallback, { scheduler: ts })] } : {}),
        retry: { attempts: 2, maxRetries: 2, backoff: 'fixed', baseDelay: 3 },
        timeout: { initialToken: 15, interToken: 15 },
        continueFromLastKnownGoodToken: p.resume,
        checkpointInterval: 2,
        attemptOperators: [circuitBreaker(breaker)],
        runOperators: [withOpenTelemetry({ tracer, scheduler: ts as SchedulerLike })],
        scheduler: ts as SchedulerLike,
        random: () => 0.5,
        signal: controller.signal,
        onStart: record('onStart'), onRetry: record('onRetry'), onFallback: record('onFallback'), onError: record('onError'), onAbort: record('onAbort'), onComplete: record('onComplete'),
        onCallbackError: () => undefined,
      });
      const sub = run.subscribe({ next: (e) => out.events.push(e), complete: () => (out.end = 'complete'), error: (e: { code?: string }) => (out.end = `error:${e.code}`) });
      if (p.stop === 'leave') ts.schedule(() => out.end === 'open' && ((out.end = 'left'), sub.unsubscribe()), p.stopAt);
      if (p.stop === 'abort') ts.schedule(() => controller.abort(), p.stopAt);
    }, p.at);
  });
  ts.flush();
  expect([...ledger.started].filter((s) => ledger.ends.get(s) !== 1).map((s) => s.name)).toEqual([]);
  const runSpans = exporter.getFinishedSpans().filter((s) => s.name === 'l0.run');
  expect(runSpans).toHaveLength(plans.length);
  const starts = outcomes.reduce((n, o) => n + o.events.filter((e) => e.type === 'start').length, 0);
  expect(exporter.getFinishedSpans().filter((s) => s.name === 'l0.attempt')).toHaveLength(starts);
  for (const o of outcomes) {
    const sawComplete = o.events.some((e) => e.type === 'complete');
    expect(o.end, JSON.stringify(o)).not.toBe('open');
    if (o.end === 'complete') {
      expect(o.calls.at(-1)).toBe('onComplete');
      expect(o.calls.filter((c) => c === 'onComplete' || c === 'onAbort' || c === 'onError:falsefalse')).toEqual(['onComplete']);
    } else if (o.end.startsWith('error:')) {
      expect(o.calls.at(-1), JSON.stringify(o)).toBe('onError:falsefalse');
      expect(o.calls.filter((c) => c === 'onComplete' || c === 'onError:falsefalse')).toEqual(['onError:falsefalse']);
      expect(o.calls.at(-2) === 'onAbort').toBe(o.end === 'error:STREAM_ABORTED');
    } else if (!sawComplete) {
      expect(o.calls.at(-1)).toBe('onAbort');
      expect(o.calls.filter((c) => c === 'onComplete' || c === 'onAbort' || c === 'onError:falsefalse')).toEqual(['onAbort']);
    }
  }
  const statuses = runSpans.map((s) => (s.attributes['l0.cancelled'] ? 'cancelled' : s.status.code === SpanStatusCode.OK ? 'ok' : s.status.code === SpanStatusCode.ERROR ? 'error' : 'unset'));
  const wanted = outcomes.map((o) => (o.end === 'complete' || (o.end === 'left' && o.events.some((e) => e.type === 'complete')) ? 'ok' : o.end === 'left' || o.end === 'error:STREAM_ABORTED' ? 'cancelled' : 'error'));
  expect(statuses.sort()).toEqual(wanted.sort());
}

describe('l0() runs with a breaker, retries, fallbacks, aborts and unsubscribes, traced', () => {
  it('should end every span once and call every run\'s end back once, last', () => {
    fc.assert(fc.property(fc.array(runArb, { minLength: 1, maxLength: 4 }), fc.boolean(), (plans, throwing) => check(plans, throwing)), { numRuns: runs(100) });
  }, runsTimeout(120_000));
});
