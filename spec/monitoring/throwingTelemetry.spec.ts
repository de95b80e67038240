/** @test {withOpenTelemetry} */
import type { Histogram, Meter, Span, Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { Observable } from 'rxjs';
import { l0, raceModels, type L0Event } from 'l0-rx';
import { withOpenTelemetry } from 'l0-rx/opentelemetry';
import { fakeModel } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';
import { SpanLedger } from '../helpers/spanLedger.js';

/*
 * OpenTelemetry's API never throws, but the SDK calls a span processor's onEnd inside span.end()
 * without a guard, so a processor of the application's that throws (or a meter of its own) throws
 * out of the operator's calls. At the run's end that kept the consumer from its complete or error
 * (the stream never ended) and made the consumer's unsubscribe() throw an UnsubscriptionError.
 */
function throwingOnEnd(onStart = false) {
  const exporter = new InMemorySpanExporter();
  const broken: SpanProcessor = {
    onStart: () => { if (onStart) throw new Error('span processor broke'); },
    onEnd: () => { throw new Error('span processor broke'); },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  return { exporter, tracer: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter), broken] }).getTracer('spec') };
}

const values: Record<string, L0Event> = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  a: { type: 'token', value: 'a' },
  x: { type: 'complete', finishReason: 'stop' },
};
const down = new Error('down');

describe('withOpenTelemetry: a throwing tracer or meter never changes the stream\'s outcome', () => {
  it.each([
    ['completes', 's-a-x|', 's-a-x|', undefined],
    ['fails', 's-a-#', 's-a-#', undefined],
    ['is unsubscribed', 's-a----', 's-a-', '^---!'],
  ] as const)('should end the stream as it ended when a span processor throws at span end and the run %s', (_, source, expected, unsub) => {
    const { exporter, tracer } = throwingOnEnd();
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold(source, values, down).pipe(withOpenTelemetry({ tracer, scheduler })), unsub).toBe(expected, values, down);
    });
    // the SDK exported both spans before the broken processor threw
    expect(exporter.getFinishedSpans().map((s) => s.name).sort()).toEqual(['l0.attempt', 'l0.run']);
  });

  /** What the consumer reads: every event, then how the stream ended. */
  function read(run: Observable<L0Event>): unknown[] {
    const seen: unknown[] = [];
    testScheduler().run(() => {
      run.subscribe({ next: (e) => seen.push(e.type === 'token' ? e.value : e.type), error: (e: unknown) => seen.push(['error', e]), complete: () => seen.push('done') });
    });
    return seen;
  }

  // a retry's or fallback's attempt span ended, or a new one started, inside `next`: the throw ended the run as
  // `InvalidStreamError: withOpenTelemetry: a malformed retry event`, though the run went on to its answer
  it.each([
    ['onEnd', false],
    ['onStart and onEnd', true],
  ])('should give an l0() run that retries and falls back the events it gives untraced when a span processor\'s %s throws', (_, onStart) => {
    const { tracer } = throwingOnEnd(onStart);
    const run = (traced: boolean) => l0({
      stream: fakeModel([{ items: [{ error: { status: 503 } }] }]),
      fallbackStreams: [fakeModel('ab|')],
      retry: { backoff: 'fixed', baseDelay: 5, maxRetries: 1 },
      runOperators: traced ? [withOpenTelemetry({ tracer })] : [],
    });
    const untraced = read(run(false));
    expect(untraced.slice(-4)).toEqual(['a', 'b', 'complete', 'done']);
    expect(read(run(true))).toEqual(untraced);
  });

  // a counter's add at the retry threw inside `next`: the run failed as `a malformed retry event`
  it('should give an l0() run that retries and falls back the events it gives untraced when every instrument of the meter throws', () => {
    const tracer = new BasicTracerProvider().getTracer('spec');
    const broken = () => { throw new Error('meter broke'); };
    const meter = { createHistogram: () => ({ record: broken }), createCounter: () => ({ add: broken }) } as unknown as Meter;
    const run = (traced: boolean) => l0({
      stream: fakeModel([{ items: [{ error: { status: 503 } }] }]),
      fallbackStreams: [fakeModel('ab|')],
      retry: { backoff: 'fixed', baseDelay: 5, maxRetries: 1 },
      runOperators: traced ? [withOpenTelemetry({ tracer, meter })] : [],
    });
    const untraced = read(run(false));
    expect(untraced).toContain('retry');
    expect(read(run(true))).toEqual(untraced);
  });

  // an entrant's attempt span ending inside the race's `next` failed that entrant, as if its model had
  it('should give a race the winner it has untraced when a span processor throws', () => {
    const { tracer } = throwingOnEnd(true);
    const race = () => raceModels({ fast: l0({ stream: fakeModel('ab|') }), slow: l0({ stream: fakeModel('--cd|') }) });
    const untraced = read(race());
    expect(untraced.slice(-4)).toEqual(['a', 'b', 'complete', 'done']);
    expect(read(race().pipe(withOpenTelemetry({ tracer })))).toEqual(untraced);
  });

  it('should complete the stream and end the run span when the meter throws as it records the run\'s end', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('spec');
    const histogram = { record: () => { throw new Error('meter broke'); } } as unknown as Histogram;
    const meter = { createHistogram: () => histogram, createCounter: () => ({ add: () => undefined }) } as unknown as Meter;
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('s-a-x|', values).pipe(withOpenTelemetry({ tracer, meter, scheduler }))).toBe('s-a-x|', values);
    });
    expect(exporter.getFinishedSpans().map((s) => s.name).sort()).toEqual(['l0.attempt', 'l0.run']);
  });

  /**
   * A tracer (a vendor's wrapper, say) whose spans throw at every call but `end`: the SDK's real spans,
   * counted by a ledger, with their setters replaced.
   */
  function throwingSetters() {
    const ledger = new SpanLedger();
    const real = new BasicTracerProvider({ spanProcessors: [ledger] }).getTracer('spec');
    const broken = () => { throw new Error('span broke'); };
    const tracer = {
      startSpan: (...args: Parameters<Tracer['startSpan']>): Span =>
        Object.assign(real.startSpan(...args), { setAttribute: broken, setAttributes: broken, setStatus: broken, recordException: broken, addEvent: broken }),
    } as unknown as Tracer;
    return { ledger, tracer };
  }

  /** Every span the ledger saw start ended exactly once. */
  const endedOnce = (ledger: SpanLedger) => [...ledger.started].map((span) => ledger.ends.get(span) ?? 0);

  // a failed attempt's span met its failSpan throw before span.end: it never ended (nor did the run span,
  // whose attributes are set before its end), or the next attempt's start ended it with an OK status
  it.each([
    ['retries, falls back and completes', [{ items: [{ error: { status: 503 } }] }], ['ab|'], 4],
    ['retries and fails', [{ items: [{ error: { status: 503 } }] }, { items: [{ error: { status: 401 } }] }], [], 3],
  ] as const)('should end every span exactly once, and give the events it gives untraced, when the spans\' setters throw and the run %s', (_, answers, fallback, spans) => {
    const { ledger, tracer } = throwingSetters();
    const run = (traced: boolean) => l0({
      stream: fakeModel(answers as never),
      fallbackStreams: fallback.map((f) => fakeModel(f)),
      retry: { backoff: 'fixed', baseDelay: 5, maxRetries: 1 },
      runOperators: traced ? [withOpenTelemetry({ tracer })] : [],
    });
    expect(read(run(true))).toEqual(read(run(false)));
    expect(ledger.started.size).toBe(spans); // the run span and one per attempt
    expect(endedOnce(ledger)).toEqual(Array.from({ length: spans }, () => 1));
  });

  it('should end both spans exactly once when the spans\' setters throw and the consumer unsubscribes', () => {
    const { ledger, tracer } = throwingSetters();
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('s-a-----x|', values).pipe(withOpenTelemetry({ tracer, scheduler })), '^---!').toBe('s-a-', values);
    });
    expect(endedOnce(ledger)).toEqual([1, 1]);
  });
});
