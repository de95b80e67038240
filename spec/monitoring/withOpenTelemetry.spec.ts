/** @test {withOpenTelemetry} */
import { runInNewContext } from 'node:vm';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { concatWith, Observable, take, throwError, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { syncSource } from '../internal/checklistHarness.js';
import { l0, type L0Event } from 'l0-rx';
import { withOpenTelemetry } from 'l0-rx/opentelemetry';
import { fakeModel } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';
import { useAsyncLocalStorageContext } from '../helpers/otelContext.js';

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: provider.getTracer('l0-rx-spec') };
}

const ms = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;
const duration = (s: ReadableSpan) => ms(s.duration);
const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);

const values: Record<string, L0Event> = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false, model: 'gpt-x' },
  a: { type: 'token', value: 'a' },
  b: { type: 'token', value: 'b' },
  x: { type: 'complete', finishReason: 'stop', usage: { inputTokens: 7, outputTokens: 2 } },
};

describe('withOpenTelemetry (real sdk-trace-base, in-memory exporter)', () => {
  it('should make one run span and one attempt span with gen_ai attributes, real durations and time to first token', () => {
    const { exporter, tracer } = tracing();
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('s--a-b--x|', values).pipe(withOpenTelemetry({ tracer, system: 'openai', scheduler }))).toBe('s--a-b--x|', values);
    });
    const spans = exporter.getFinishedSpans();
    const [run] = named(spans, 'l0.run');
    const [attempt] = named(spans, 'l0.attempt');
    expect(spans).toHaveLength(2);
    expect(attempt!.parentSpanContext?.spanId).toBe(run!.spanContext().spanId);
    expect(run!.attributes).toMatchObject({
      'gen_ai.system': 'openai',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 7,
      'gen_ai.usage.output_tokens': 2,
      'l0.time_to_first_token_ms': 3,
      'l0.attempts': 1,
      'l0.tokens': 2,
    });
    expect(attempt!.attributes).toMatchObject({ 'l0.attempt': 1, 'gen_ai.request.model': 'gpt-x' });
    expect(run!.events.map((e) => e.name)).toEqual(['gen_ai.first_token']);
    expect(duration(run!)).toBe(9); // subscribed at 0, completed at 9
    expect(run!.status.code).toBe(SpanStatusCode.OK);
  });

  it('should give every retry and fallback its own attempt span, ended with an error status, and record the reasons as events', () => {
    const { exporter, tracer } = tracing();
    testScheduler().run(() => {
      l0({
        stream: fakeModel([{ items: [{ error: { status: 503 } }] }]),
        fallbackStreams: [fakeModel('ab|')],
        retry: { backoff: 'fixed', baseDelay: 5, maxRetries: 1 },
        runOperators: [withOpenTelemetry({ tracer })],
      }).subscribe();
    });
    const spans = exporter.getFinishedSpans();
    const attempts = named(spans, 'l0.attempt');
    const [run] = named(spans, 'l0.run');
    expect(attempts.map((s) => [s.attributes['l0.attempt'], s.attributes['l0.fallback_index'], s.status.code])).toEqual([
      [1, 0, SpanStatusCode.ERROR],
      [2, 0, SpanStatusCode.ERROR],
      [1, 1, SpanStatusCode.OK],
    ]);
    expect(attempts[0]!.attributes['error.type']).toBe('SERVER_ERROR');
    expect(run!.events.map((e) => [e.name, e.attributes?.['l0.reason'] ?? e.attributes?.['l0.to_index']])).toEqual([
      ['l0.retry', 'server_error'],
      ['l0.fallback', 1],
      ['gen_ai.first_token', undefined],
    ]);
    expect(run!.attributes).toMatchObject({ 'l0.retries': 1, 'l0.fallbacks': 1, 'l0.attempts': 3 });
  });

  it('should give the primary\'s attempts the configured model, and a fallback that names none no model of another stream', () => {
    const { exporter, tracer } = tracing();
    testScheduler().run(() => {
      l0({
        stream: fakeModel([{ items: [{ error: { status: 503 } }] }]),
        fallbackStreams: [fakeModel({ items: [{ error: { status: 503 } }] }), { stream: fakeModel('ab|'), model: 'claude-x' }],
        retry: { backoff: 'fixed', baseDelay: 5, maxRetries: 1 },
        runOperators: [withOpenTelemetry({ tracer, model: 'gpt-x' })],
      }).subscribe();
    });
    const spans = exporter.getFinishedSpans();
    expect(named(spans, 'l0.run')[0]!.attributes['gen_ai.request.model']).toBe('gpt-x');
    expect(named(spans, 'l0.attempt').map((s) => [s.attributes['l0.fallback_index'], s.attributes['gen_ai.request.model']])).toEqual([
      [0, 'gpt-x'],
      [0, 'gpt-x'],
      [1, undefined],
      [1, undefined],
      [2, 'claude-x'],
    ]);
  });

  it('should end every span with an error status and the error code when the run fails', () => {
    const { exporter, tracer } = tracing();
    testScheduler().run(() => {
      l0({ stream: fakeModel({ items: [{ error: { status: 401 } }] }), runOperators: [withOpenTelemetry({ tracer })] }).subscribe({ error: () => undefined });
    });
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringMatching(/^AUTH_ERROR: /) });
      expect(span.attributes['error.type']).toBe('AUTH_ERROR');
    }
    expect(named(spans, 'l0.run')[0]!.events.map((e) => e.name)).toContain('exception');
  });

  // a source that fails with no error value (`from(Promise.reject())`, `throwError(() => undefined)`) failed all the same
  it('should end the spans of a run whose error is undefined as failed, not the attempt OK and the run unset', () => {
    const { exporter, tracer } = tracing();
    testScheduler().run(({ cold }) => {
      cold<L0Event>('s-a-|', values).pipe(concatWith(throwError(() => undefined)), withOpenTelemetry({ tracer })).subscribe({ error: () => undefined });
    });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.status.code, s.attributes['error.type']])).toEqual([
      ['l0.attempt', SpanStatusCode.ERROR, 'Error'],
      ['l0.run', SpanStatusCode.ERROR, 'Error'],
    ]);
  });

  it('should end the last attempt\'s span with that attempt\'s own error when every stream failed, and the run span with the run\'s', () => {
    const { exporter, tracer } = tracing();
    testScheduler().run(() => {
      l0({
        stream: fakeModel({ items: [{ error: { status: 503 } }] }),
        fallbackStreams: [fakeModel({ items: ['a', { error: { status: 401 } }] })],
        retry: { maxRetries: 0 },
        runOperators: [withOpenTelemetry({ tracer })],
      }).subscribe({ error: () => undefined });
    });
    const spans = exporter.getFinishedSpans();
    expect(named(spans, 'l0.attempt').map((s) => [s.attributes['l0.fallback_index'], s.attributes['error.type'], s.status.message?.split(':')[0]])).toEqual([
      [0, 'SERVER_ERROR', 'SERVER_ERROR'],
      [1, 'AUTH_ERROR', 'AUTH_ERROR'],
    ]);
    expect(named(spans, 'l0.run')[0]!.attributes['error.type']).toBe('ALL_STREAMS_EXHAUSTED');
  });

  it('should end every span, marked cancelled, when the consumer unsubscribes', () => {
    const { exporter, tracer } = tracing();
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('s-a-b-', values).pipe(withOpenTelemetry({ tracer, scheduler })), '^--!').toBe('s-a', values);
    });
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(2);
    const [run] = named(spans, 'l0.run');
    expect(run!.attributes['l0.cancelled']).toBe(true);
    expect(duration(run!)).toBe(3);
  });

  it('should make spans per subscription, and none for an empty source beyond the run span', () => {
    const { exporter, tracer } = tracing();
    testScheduler().run(({ cold }) => {
      cold<L0Event>('|').pipe(withOpenTelemetry({ tracer })).subscribe();
    });
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['l0.run']);
  });

  it('should name a bad config', () => {
    expect(() => withOpenTelemetry({} as never)).toThrow('withOpenTelemetry({tracer}) must be an OpenTelemetry Tracer (with startSpan)');
    expect(() => withOpenTelemetry({ tracer: tracing().tracer, sytem: 'x' } as never)).toThrow(/unknown option `sytem`/);
    expect(() => withOpenTelemetry({ tracer: tracing().tracer, attributes: null } as never)).toThrow('withOpenTelemetry({attributes}) must be a record of span attributes, got null');
    expect(() => withOpenTelemetry({ tracer: tracing().tracer, attributes: 'team=a' } as never)).toThrow(/got string/);
  });

  // a Map spread into the span's attributes adds nothing; a value OpenTelemetry refuses it drops with a diag warning
  it.each([
    [{ attributes: new Map([['team', 'a']]) }, 'withOpenTelemetry({attributes}) must be a record of span attributes, got a Map (pass Object.fromEntries(map))'],
    [{ attributes: new Date(0) }, 'withOpenTelemetry({attributes}) must be a record of span attributes, got a Date'],
    [{ attributes: { user: { id: 1 } } }, 'withOpenTelemetry({attributes}): attributes["user"] must be a string, number, boolean or an array of one of these, got an object'],
    [{ attributes: { tags: ['a', 1] } }, 'withOpenTelemetry({attributes}): attributes["tags"] must be a string, number, boolean or an array of one of these, got an array'],
    [{ attributes: { '': 'x', team: 'a' } }, 'withOpenTelemetry({attributes}) has an empty key, which OpenTelemetry drops'],
    [{ model: '' }, "withOpenTelemetry({model}) must be a non-empty string, got ''"],
    [{ system: 42 }, 'withOpenTelemetry({system}) must be a non-empty string, got number'],
  ])('should refuse %o, which the spans would silently lose, naming the option', (config, message) => {
    expect(() => withOpenTelemetry({ tracer: tracing().tracer, ...config } as never)).toThrow(TypeError);
    expect(() => withOpenTelemetry({ tracer: tracing().tracer, ...config } as never)).toThrow(message);
  });

  it('should put every accepted attribute on the run span: primitives, arrays of one type with holes, and a record with no prototype', () => {
    const { exporter, tracer } = tracing();
    const bare = Object.assign(Object.create(null) as Record<string, string>, { 'team.name': 'a' });
    testScheduler().run(({ cold }) => {
      cold<L0Event>('x|', values).pipe(withOpenTelemetry({ tracer, attributes: { n: 1, ok: true, tags: ['a', null, 'b'], skipped: undefined } as never })).subscribe();
      cold<L0Event>('x|', values).pipe(withOpenTelemetry({ tracer, attributes: bare })).subscribe();
    });
    const runs = named(exporter.getFinishedSpans(), 'l0.run');
    expect(runs[0]!.attributes).toMatchObject({ n: 1, ok: true, tags: ['a', null, 'b'] });
    expect('skipped' in runs[0]!.attributes).toBe(false);
    expect(runs[1]!.attributes).toMatchObject({ 'team.name': 'a' });
  });

  // OpenTelemetry's own span.setAttribute(key, null) returns at once, as for undefined (no diag warning): no value, not a bad one
  it('should leave out a null attribute, as undefined and as OpenTelemetry\'s setAttribute do, on any tracer', () => {
    const { exporter, tracer } = tracing();
    const passed: unknown[] = [];
    const startSpan = (...args: Parameters<typeof tracer.startSpan>) => (passed.push(args[1]?.attributes), tracer.startSpan(...args));
    const recording = Object.assign(Object.create(tracer) as typeof tracer, { startSpan });
    testScheduler().run(({ cold }) => {
      cold<L0Event>('x|', values).pipe(withOpenTelemetry({ tracer: recording, attributes: { team: null, tags: ['a', null], n: 1, skipped: undefined } as never })).subscribe();
    });
    const [run] = named(exporter.getFinishedSpans(), 'l0.run');
    expect(run!.attributes).toMatchObject({ tags: ['a', null], n: 1 });
    expect(['team' in run!.attributes, 'skipped' in run!.attributes]).toEqual([false, false]);
    expect(Object.entries(passed[0] as object).filter(([, v]) => v == null)).toEqual([]);
  });

  // a prototype check refused both, though spread keeps them whole (they were on the span before it)
  it('should put a class instance\'s own fields and a record made in another realm on the run span', () => {
    const { exporter, tracer } = tracing();
    class RunAttributes {
      readonly team = 'a';
    }
    testScheduler().run(({ cold }) => {
      cold<L0Event>('x|', values).pipe(withOpenTelemetry({ tracer, attributes: new RunAttributes() as never })).subscribe(); // (no index signature: a cast in TypeScript)
      cold<L0Event>('x|', values).pipe(withOpenTelemetry({ tracer, attributes: runInNewContext('({ team: "b", n: [1, 2] })') as never })).subscribe();
    });
    expect(named(exporter.getFinishedSpans(), 'l0.run').map((s) => s.attributes)).toMatchObject([{ team: 'a' }, { team: 'b', n: [1, 2] }]);
  });

  it('should stop a synchronous source as soon as the consumer leaves (take), ending the span as a complete-less cancel', () => {
    const { exporter, tracer } = tracing();
    const flood = syncSource(Array.from({ length: 1000 }, (_, i) => (i === 0 ? values['s']! : values['a']!)));
    flood.source.pipe(withOpenTelemetry({ tracer }), take(2)).subscribe();
    expect(flood.pushed()).toBe(2);
    expect(named(exporter.getFinishedSpans(), 'l0.run')[0]!.attributes).toMatchObject({ 'l0.cancelled': true });
  });

  it('should make the run span the active span while the source is subscribed and in the async work it starts (an instrumented HTTP client nests under it), retries included', async () => {
    const restore = useAsyncLocalStorageContext();
    try {
      const { exporter, tracer } = tracing();
      const request = tracer.startSpan('POST /chat');
      const active = () => (trace.getActiveSpan() as unknown as ReadableSpan | undefined)?.name;
      const seen: (string | undefined)[] = [];
      const http = (attempt: number) => tracer.startSpan(`POST /v1/chat/completions #${attempt}`).end(); // what an HTTP instrumentation does
      await new Promise<void>((done) => {
        context.with(trace.setSpan(context.active(), request), () => {
          l0({
            stream: async (ctx) => {
              seen.push(active());
              await Promise.resolve();
              http(ctx.attempt);
              return fakeModel(ctx.attempt === 1 ? { items: [{ error: { status: 503 } }] } : 'ab|')(ctx);
            },
            retry: { backoff: 'fixed', baseDelay: 1, maxRetries: 1 },
            runOperators: [withOpenTelemetry({ tracer })],
          }).subscribe({ complete: done });
          seen.push(active()); // after the subscribe: the caller's span again, nothing leaks out
        });
      });
      const spans = exporter.getFinishedSpans();
      const run = named(spans, 'l0.run')[0]!;
      expect(seen).toEqual(['l0.run', 'POST /chat', 'l0.run']);
      expect(run.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      expect(spans.filter((s) => s.name.startsWith('POST /v1')).map((s) => s.parentSpanContext?.spanId)).toEqual([run.spanContext().spanId, run.spanContext().spanId]);
    } finally {
      restore();
    }
  });

  // the run span was active in the consumer's callbacks: within the subscribe (l0's `start`, a synchronous source's
  // every event) and, with a context manager, in every event the source's async work delivered; spans the consumer
  // started there (an instrumented database write on `complete`) nested under the run instead of the request
  it('should notify the consumer in the context it subscribed in, not the run span\'s, synchronously and from the source\'s async work', async () => {
    const restore = useAsyncLocalStorageContext();
    try {
      const { tracer } = tracing();
      const request = tracer.startSpan('POST /chat');
      const active = () => (trace.getActiveSpan() as unknown as ReadableSpan | undefined)?.name;
      const seen: string[] = [];
      const inSource: (string | undefined)[] = [];
      await new Promise<void>((done) => {
        context.with(trace.setSpan(context.active(), request), () => {
          const sync = new Observable<L0Event>((subscriber) => {
            inSource.push(active());
            subscriber.next(values['s']!);
            subscriber.next(values['x']!);
            subscriber.complete();
          });
          sync.pipe(withOpenTelemetry({ tracer })).subscribe({ next: (e) => seen.push(`sync ${e.type}: ${active()}`), complete: () => seen.push(`sync end: ${active()}`) });
          const later = new Observable<L0Event>((subscriber) => {
            inSource.push(active());
            void Promise.resolve().then(() => {
              inSource.push(active()); // the run's async work, still under the run span
              subscriber.next(values['s']!);
              subscriber.next(values['a']!);
              subscriber.error(new Error('cut'));
            });
          });
          later.pipe(withOpenTelemetry({ tracer })).subscribe({ next: (e) => seen.push(`async ${e.type}: ${active()}`), error: () => (seen.push(`async end: ${active()}`), done()) });
        });
      });
      expect(inSource).toEqual(['l0.run', 'l0.run', 'l0.run']);
      expect(seen).toEqual([
        'sync start: POST /chat', 'sync complete: POST /chat', 'sync end: POST /chat',
        'async start: POST /chat', 'async token: POST /chat', 'async end: POST /chat',
      ]);
    } finally {
      restore();
    }
  });

  it.each([
    ['spans only', undefined],
    ['with a meter', new MeterProvider().getMeter('l0-rx-spec')],
  ])('should read the clock a bounded number of times per run, not once per token (%s)', (_, meter) => {
    const { tracer } = tracing();
    let reads = 0;
    const scheduler = testScheduler();
    const clock: SchedulerLike = { now: () => (reads++, scheduler.now()), schedule: scheduler.schedule.bind(scheduler) as SchedulerLike['schedule'] };
    new Observable<L0Event>((subscriber) => {
      subscriber.next(values['s']!);
      for (let i = 0; i < 1000; i++) subscriber.next(values['a']!);
      subscriber.next(values['x']!);
      subscriber.complete();
    }).pipe(withOpenTelemetry({ tracer, scheduler: clock, ...(meter === undefined ? {} : { meter }) })).subscribe();
    expect(reads).toBeLessThan(20);
  });

  it('should name the provider with gen_ai.provider.name, and keep gen_ai.system (its deprecated name)', () => {
    const { exporter, tracer } = tracing();
    testScheduler().run(({ cold }) => {
      cold('s-a-x|', values).pipe(withOpenTelemetry({ tracer, system: 'openai' })).subscribe();
    });
    expect(named(exporter.getFinishedSpans(), 'l0.run')[0]!.attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'gen_ai.system': 'openai' });
  });

  it('should keep the error\'s stack in the exception it records', () => {
    const { exporter, tracer } = tracing();
    const error = new Error('boom');
    new Observable<L0Event>((subscriber) => {
      subscriber.next(values['s']!);
      subscriber.error(error);
    }).pipe(withOpenTelemetry({ tracer })).subscribe({ error: () => undefined });
    const exception = named(exporter.getFinishedSpans(), 'l0.run')[0]!.events.find((e) => e.name === 'exception')!;
    expect(exception.attributes).toMatchObject({ 'exception.type': 'Error', 'exception.message': 'boom', 'exception.stacktrace': error.stack });
  });
});
