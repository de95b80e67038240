/** @test {JSDoc} */
import type { Attributes, Context, Counter, Histogram, Meter } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { asyncScheduler, lastValueFrom, toArray, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromServerSentEvents, fromStream, UnknownError, type L0Event } from 'l0-rx';
import { withOpenTelemetry } from 'l0-rx/opentelemetry';
import { ev } from './helpers/attemptSource.js';
import { drawn, drawnAt } from './helpers/drawnMarble.js';
import { sse, useScriptedServer } from './helpers/scriptedServer.js';
import { testScheduler } from './helpers/testScheduler.js';

// The JSDoc marble lines that need more than a cold source: a stream factory's error, the spans and
// metrics of withOpenTelemetry (read at the frame the SDK is handed them), and fromServerSentEvents'
// reconnection (a real loopback server: the order, the header and the scheduled delay are checked,
// and the drawing against itself, since real network time has no frames).
const { start, tok, complete } = ev;

describe('JSDoc marble lines: errors, tracing and SSE reconnection', () => {
  it('UnknownError', () => {
    const file = 'errors/UnknownError.ts';
    const line = drawn(file, 'fromStream(factory)');
    const message = /UnknownError\('(.+)'\)/.exec(drawnAt(file, 'fromStream(factory)').description)![1]!;
    testScheduler().run(({ cold, expectObservable }) => {
      const stream = cold(drawn(file, "a factory's stream errors with"), { a: tok('a') }, 'boom');
      expectObservable(fromStream(() => stream)).toBe(line, { s: start(), a: tok('a') }, new UnknownError('boom', message));
    });
  });

  it('withOpenTelemetry', async () => {
    const file = 'monitoring/opentelemetry/withOpenTelemetry.ts';
    const scheduler = testScheduler();
    // the frame each span starts and ends at, as the SDK hands them to a span processor
    const frames = new Map<string, { start: number; end: number }>();
    const timing: SpanProcessor = {
      onStart: (span) => void frames.set(span.spanContext().spanId, { start: scheduler.now(), end: -1 }),
      onEnd: (span) => void (frames.get(span.spanContext().spanId)!.end = scheduler.now()),
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [timing, new SimpleSpanProcessor(exporter)] }).getTracer('jsdoc');
    const reader = new ManualReader();
    const recorded: [string, number][] = [];
    const meter = framedMeter(new MeterProvider({ readers: [reader] }).getMeter('jsdoc'), () => scheduler.now(), recorded);
    const retry = { type: 'retry', attempt: 1, delayMs: 2, error: { name: 'ProviderError', code: 'SERVER_ERROR', category: 'server', reason: 'server_error', message: '503' }, reason: 'server_error', countsTowardAttempts: true } as L0Event;
    const v = { s: start(), a: tok('a'), r: retry, b: tok('b'), x: { type: 'complete', finishReason: 'stop', usage: { inputTokens: 7, outputTokens: 2 } } as L0Event };
    const source = drawn(file, 'source (r retry, x complete)');
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold(source, v).pipe(withOpenTelemetry({ tracer, meter, scheduler }))).toBe(drawn(file, 'withOpenTelemetry({ tracer, meter })'), v);
    });
    const spans = exporter.getFinishedSpans();
    const run = spans.find((s) => s.name === 'l0.run')!;
    const attempts = spans.filter((s) => s.name === 'l0.attempt');
    expect(draw([run], frames)).toBe(drawn(file, 'span l0.run, from subscription'));
    expect(draw(attempts, frames)).toBe(drawn(file, 'spans l0.attempt, from each start'));
    expect(run.events.map((e) => [e.name, frames.get(run.spanContext().spanId)!.start + Math.round(ms(e.time) - ms(run.startTime))])).toEqual([
      ['gen_ai.first_token', source.indexOf('a')],
      ['l0.retry', source.indexOf('r')],
    ]);
    expect(attempts.map((s) => s.status.code)).toEqual([2, 1]); // ERROR at r, then OK
    // the metrics line: r where a counter was added to, R where the histograms were recorded
    const metricsLine = Array.from(source, () => '-');
    for (const [name, frame] of recorded) metricsLine[frame] = name === 'l0.retries' ? 'r' : 'R';
    expect(metricsLine.join('')).toBe(drawn(file, 'metrics: l0.retries +1 at r'));
    const { resourceMetrics } = await reader.collect();
    const sums = Object.fromEntries(resourceMetrics.scopeMetrics.flatMap((m) => m.metrics).filter((m) => m.dataPoints.length > 0).map((m) => [
      m.descriptor.name,
      m.dataPointType === DataPointType.HISTOGRAM ? m.dataPoints.map((p) => (p.value as { sum: number }).sum) : m.dataPoints.map((p) => p.value),
    ]));
    expect(sums).toEqual({ 'l0.retries': [1], 'gen_ai.client.operation.duration': [0.013], 'gen_ai.client.operation.time_to_first_chunk': [0.003], 'gen_ai.client.token.usage': [7, 2] });
  });

  describe('fromServerSentEvents', () => {
    const wire = useScriptedServer();
    const file = 'transport/fromServerSentEvents.ts';

    it('reconnects as drawn, against a loopback server', async () => {
      const first = drawnAt(file, 'connection 1 drops after c (id 3)');
      const second = drawnAt(file, 'connection 2, requested reconnectDelay after the drop');
      const out = drawnAt(file, 'fromServerSentEvents(url, { reconnectDelay: 3 })');
      const reconnectDelay = 3;
      // the drawing against itself: connection 2 starts reconnectDelay frames after the drop, and the result is both connections' events
      const at = second.column - first.column;
      expect(at).toBe(first.marble.indexOf('X') + reconnectDelay);
      const merged = Array.from({ length: at + second.marble.indexOf('end') + 1 }, () => '-');
      [...first.marble.slice(0, first.marble.indexOf('X'))].forEach((c, i) => { if (c !== '-') merged[i] = c; });
      [...second.marble.slice(0, second.marble.indexOf('end'))].forEach((c, i) => { if (c !== '-') merged[at + i] = c; });
      merged[at + second.marble.indexOf('end')] = '|';
      expect([first.column, merged.join('')]).toEqual([out.column, out.marble]);
      // the run: a start, tokens, a complete; each letter one event with the next id
      const sent = { a: start(), b: tok('b'), c: tok('c'), d: tok('d'), e: complete() } as Record<string, L0Event>;
      const letters = (m: string) => [...m.replace(/X|end/, '')].filter((c) => c !== '-');
      const frame = (id: number, c: string) => `id: ${id}\nevent: ${sent[c]!.type}\ndata: ${JSON.stringify(sent[c])}\n\n`;
      const one = letters(first.marble);
      wire.serve((_req, res, n) => {
        if (n === 1) sse(res, ...one.map((c, i) => frame(i + 1, c)));
        else sse(res, ...letters(second.marble).map((c, i) => frame(one.length + i + 1, c)), 'event: end\ndata: {}\n\n');
        res.end(); // connection 1 drops: its body ends with no end frame
      });
      const delays: number[] = [];
      const scheduler = {
        now: () => asyncScheduler.now(),
        schedule: (work: never, delay?: number, state?: never) => {
          delays.push(delay ?? 0);
          return asyncScheduler.schedule(work, delay, state);
        },
      } as SchedulerLike;
      const events = await lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay, scheduler }).pipe(toArray()));
      expect(events).toEqual(letters(out.marble.replace('|', '')).map((c) => sent[c]));
      expect([wire.requests.length, wire.requests[1]?.headers['last-event-id'], delays]).toEqual([2, '3', [reconnectDelay]]);
    });
  });
});

/** A reader collected on demand (no timer). */
class ManualReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The real meter, its instruments noting the frame of every record (`[name, frame]`) before recording it. */
function framedMeter(meter: Meter, now: () => number, recorded: [string, number][]): Meter {
  return {
    createCounter: (name: string, options?: object): Counter => {
      const counter = meter.createCounter(name, options);
      return { add: (value: number, attributes?: Attributes, context?: Context) => { recorded.push([name, now()]); counter.add(value, attributes, context); } };
    },
    createHistogram: (name: string, options?: object): Histogram => {
      const histogram = meter.createHistogram(name, options);
      return { record: (value: number, attributes?: Attributes, context?: Context) => { recorded.push([name, now()]); histogram.record(value, attributes, context); } };
    },
  } as unknown as Meter;
}

const ms = (t: readonly [number, number]) => t[0] * 1000 + t[1] / 1e6;

/** Spans on one line: `[` at the frame each starts, `]` at the one it ends, `-` elsewhere. */
function draw(spans: readonly ReadableSpan[], frames: ReadonlyMap<string, { start: number; end: number }>): string {
  const at = spans.map((s) => frames.get(s.spanContext().spanId)!);
  const line = Array.from({ length: Math.max(...at.map((f) => f.end)) + 1 }, () => '-');
  for (const f of at) {
    line[f.start] = '[';
    line[f.end] = ']';
  }
  return line.join('');
}
