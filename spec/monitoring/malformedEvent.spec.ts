/** @test {withOpenTelemetry} @test {withSentry} */
import { of, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanStatusCode } from '@opentelemetry/api';
import { isInvalidStreamError, type L0Event } from 'l0-rx';
import { withOpenTelemetry } from 'l0-rx/opentelemetry';
import { withSentry } from 'l0-rx/sentry';
import { sentry } from '../helpers/sentryClient.js';

/*
 * A malformed event (a hand-made source, a log written by other code) ends the run as tapLifecycle
 * ends it: an InvalidStreamError naming it, reported as the run's error (a bare TypeError before in
 * OpenTelemetry; in Sentry a span ended as cancelled with nothing captured).
 */
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const retryWithoutError = { type: 'retry', attempt: 1, delayMs: 0, reason: 'unknown' } as unknown as L0Event;

function outcome(run: (source: Observable<L0Event>) => Observable<L0Event>) {
  let error: unknown;
  const seen: string[] = [];
  run(of(start, retryWithoutError)).subscribe({ next: (e) => seen.push(e.type), error: (e: unknown) => (error = e) });
  return { error, seen };
}

describe('monitoring: a malformed event', () => {
  it('should end a withOpenTelemetry run with an InvalidStreamError naming it, its span failed with that error', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('spec');
    const { error, seen } = outcome((s) => s.pipe(withOpenTelemetry({ tracer })));
    expect([isInvalidStreamError(error), (error as Error).message, seen]).toEqual([true, 'withOpenTelemetry: a malformed retry event', ['start']]);
    const run = exporter.getFinishedSpans().find((s) => s.name === 'l0.run')!;
    expect([run.status.code, run.events.find((e) => e.name === 'exception')?.attributes?.['exception.type']]).toEqual([SpanStatusCode.ERROR, 'INVALID_STREAM']);
    // the attempt the malformed retry ended failed with that error too (it was ended OK by the retry before the error was read)
    const attempt = exporter.getFinishedSpans().find((s) => s.name === 'l0.attempt')!;
    expect([attempt.status.code, attempt.attributes['error.type']]).toEqual([SpanStatusCode.ERROR, 'INVALID_STREAM']);
  });

  it('should end a withSentry run with an InvalidStreamError naming it, captured and its span failed, not cancelled', async () => {
    const { client, items } = sentry();
    const { error, seen } = outcome((s) => s.pipe(withSentry({ client })));
    expect([isInvalidStreamError(error), (error as Error).message, seen]).toEqual([true, 'withSentry: a malformed retry event', ['start']]);
    const [event] = await items('event');
    const [transaction] = await items('transaction');
    expect(event!.exception.values[0].value).toBe('withSentry: a malformed retry event');
    expect([transaction!.contexts.trace.status, transaction!.contexts.trace.data['l0.cancelled']]).toEqual(['internal_error', undefined]);
  });
});
