/** @test {measureRun} @test {withOpenTelemetry} @test {withSentry} */
import { describe, expect, it } from 'vitest';
import { first } from 'rxjs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanStatusCode } from '@opentelemetry/api';
import { budget, l0, measureRun, type RunMetrics } from 'l0-rx';
import { withOpenTelemetry } from 'l0-rx/opentelemetry';
import { withSentry } from 'l0-rx/sentry';
import { fakeModel } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';
import { sentry } from '../helpers/sentryClient.js';

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: provider.getTracer('review') };
}

describe('monitoring: a run that delivered `complete` and was then unsubscribed is a complete run', () => {
  // first(...) / takeWhile(..., true) / firstValueFrom(... filter(complete)) unsubscribe right after the
  // `complete` event, before the source's completion notification
  it('should give withOpenTelemetry\'s run span an OK status and no l0.cancelled (its attempt span already says won/OK)', () => {
    const { exporter, tracer } = tracing();
    testScheduler().run(() => {
      l0({ stream: fakeModel('ab|'), runOperators: [withOpenTelemetry({ tracer })] }).pipe(first((e) => e.type === 'complete')).subscribe();
    });
    const spans = exporter.getFinishedSpans();
    const attempt = spans.find((s) => s.name === 'l0.attempt')!;
    const run = spans.find((s) => s.name === 'l0.run')!;
    expect(attempt.status.code).toBe(SpanStatusCode.OK);
    expect(run.attributes['l0.cancelled']).toBeUndefined();
    expect(run.status.code).toBe(SpanStatusCode.OK);
  });

  it('should report measureRun\'s outcome as complete', () => {
    const metrics: RunMetrics[] = [];
    testScheduler().run(() => {
      l0({ stream: fakeModel('ab|'), runOperators: [measureRun((m) => metrics.push(m))] }).pipe(first((e) => e.type === 'complete')).subscribe();
    });
    expect(metrics.map((m) => [m.outcome, m.finishReason])).toEqual([['complete', 'stop']]);
  });

  it('should not mark withSentry\'s span cancelled', async () => {
    const { client, items } = sentry();
    testScheduler().run(() => {
      l0({ stream: fakeModel('ab|'), runOperators: [withSentry({ client })] }).pipe(first((e) => e.type === 'complete')).subscribe();
    });
    const [transaction] = await items('transaction');
    expect(transaction!.contexts.trace.data['l0.cancelled']).toBeUndefined();
  });
});

describe('monitoring: a user abort is a cancellation, not an application error', () => {
  it('should send withSentry no error event for a signal abort (an unsubscription sends none either)', async () => {
    const { client, items } = sentry();
    const controller = new AbortController();
    testScheduler().run(({ cold }) => {
      l0({ stream: fakeModel('a----b|'), signal: controller.signal, runOperators: [withSentry({ client })] }).subscribe({ error: () => undefined });
      cold('--x').subscribe(() => controller.abort());
    });
    expect(await items('event')).toEqual([]);
    const [transaction] = await items('transaction');
    expect(transaction!.contexts.trace.status).not.toBe('internal_error');
  });

  it('should end withOpenTelemetry\'s spans as cancelled on a signal abort, with no error status', () => {
    const { exporter, tracer } = tracing();
    const controller = new AbortController();
    testScheduler().run(({ cold }) => {
      l0({ stream: fakeModel('a----b|'), signal: controller.signal, runOperators: [withOpenTelemetry({ tracer })] }).subscribe({ error: () => undefined });
      cold('--x').subscribe(() => controller.abort());
    });
    const run = exporter.getFinishedSpans().find((s) => s.name === 'l0.run')!;
    expect(run.attributes['l0.cancelled']).toBe(true);
    expect(run.status.code).toBe(SpanStatusCode.UNSET);
    expect(exporter.getFinishedSpans().every((s) => s.status.code !== SpanStatusCode.ERROR)).toBe(true);
  });

  // measureRun reports how the stream ended (the consumer gets the StreamAbortedError, tapLifecycle calls onError):
  // the abort is told apart by its code, while the tracers, in the same run, translate it into a cancellation
  it('should report a signal abort to measureRun as an error with the STREAM_ABORTED code, while withOpenTelemetry marks it cancelled', () => {
    const { exporter, tracer } = tracing();
    const metrics: RunMetrics[] = [];
    const controller = new AbortController();
    testScheduler().run(({ cold }) => {
      l0({ stream: fakeModel('a----b|'), signal: controller.signal, runOperators: [measureRun((m) => metrics.push(m)), withOpenTelemetry({ tracer })] }).subscribe({ error: () => undefined });
      cold('--x').subscribe(() => controller.abort());
    });
    expect(metrics.map((m) => [m.outcome, m.errorCode])).toEqual([['error', 'STREAM_ABORTED']]);
    expect(exporter.getFinishedSpans().find((s) => s.name === 'l0.run')!.attributes['l0.cancelled']).toBe(true);
  });

  it('should count no retracted tokens in measureRun\'s tokens when the run is aborted during a retry\'s wait', () => {
    const metrics: RunMetrics[] = [];
    testScheduler().run(({ cold }) => {
      const sub = l0({ stream: fakeModel([{ items: ['a', 'b', { error: { status: 503 } }] }, 'c|']), retry: { backoff: 'fixed', baseDelay: 100 }, runOperators: [measureRun((m) => metrics.push(m))] }).subscribe();
      cold('-----------------------x').subscribe(() => sub.unsubscribe());
    });
    expect(metrics.map((m) => [m.outcome, m.tokens, m.tokensReceived, m.retries])).toEqual([['unsubscribed', 0, 2, 1]]);
  });
});

describe('monitoring: a budget() cut is the run\'s error, not a cancellation (both are of category abort)', () => {
  it('should give withOpenTelemetry\'s run span an error status with the error\'s type, and no l0.cancelled', () => {
    const { exporter, tracer } = tracing();
    testScheduler().run(() => {
      l0({ stream: fakeModel('a-b-c-d|', { values: { a: 'one ', b: 'two ', c: 'three ', d: 'four' } }), runOperators: [budget({ maxOutputTokens: 2 }), withOpenTelemetry({ tracer })] }).subscribe({ error: () => undefined });
    });
    const run = exporter.getFinishedSpans().find((s) => s.name === 'l0.run')!;
    expect(run.attributes['l0.cancelled']).toBeUndefined();
    expect(run.status.code).toBe(SpanStatusCode.ERROR);
    expect(run.attributes['error.type']).toBe('BUDGET_EXCEEDED');
  });

  it('should send withSentry the BudgetExceededError', async () => {
    const { client, items } = sentry();
    testScheduler().run(() => {
      l0({ stream: fakeModel('a-b-c-d|', { values: { a: 'one ', b: 'two ', c: 'three ', d: 'four' } }), runOperators: [budget({ maxOutputTokens: 2 }), withSentry({ client })] }).subscribe({ error: () => undefined });
    });
    const events = await items('event');
    expect(events.map((e) => e.exception.values[0].type)).toEqual(['BudgetExceededError']);
    const [transaction] = await items('transaction');
    expect(transaction!.contexts.trace.data['l0.cancelled']).toBeUndefined();
  });
});
