/** @test {withOpenTelemetry} */
import { metrics, type Attributes, type Meter } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { DataPointType, MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { concatWith, throwError } from 'rxjs';
import { defineGuardrailRule, l0, type L0Event } from 'l0-rx';
import { withOpenTelemetry } from 'l0-rx/opentelemetry';
import { fakeModel } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';

/** A reader collected on demand (no timer), as an exporter's periodic reader collects. */
class ManualReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

interface Point {
  readonly attributes: Attributes;
  /** A counter's sum, or a histogram's `{count, sum}`. */
  readonly value: number | { count: number; sum: number };
}

function metering() {
  const reader = new ManualReader();
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('l0-rx-spec');
  const collect = async (): Promise<MetricData[]> => {
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
  };
  /** Every metric's data points by name; a metric without any is left out. */
  const points = async (): Promise<Record<string, Point[]>> => {
    const out: Record<string, Point[]> = {};
    for (const m of await collect()) {
      const list: Point[] = m.dataPoints.map((p) => ({
        attributes: p.attributes,
        value: m.dataPointType === DataPointType.HISTOGRAM ? { count: (p.value as { count: number }).count, sum: (p.value as { sum: number }).sum } : (p.value as number),
      }));
      if (list.length > 0) out[m.descriptor.name] = list;
    }
    return out;
  };
  return { provider, meter, collect, points };
}

/** The unit of each metric that has data points (the SDK leaves out an instrument nothing was recorded on). */
const unitsOf = (data: MetricData[]) => Object.fromEntries(data.filter((m) => m.dataPoints.length > 0).map((m) => [m.descriptor.name, m.descriptor.unit]));

const tracer = new BasicTracerProvider().getTracer('l0-rx-spec');
const histogram = (count: number, sum: number) => ({ count, sum });
/** Seconds as the runs record them (ms / 1000, so 0.009 is 9 / 1000 to the last bit). */
const s = (ms: number) => ms / 1000;

const values: Record<string, L0Event> = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  a: { type: 'token', value: 'a' },
  b: { type: 'token', value: 'b' },
  x: { type: 'complete', finishReason: 'stop', usage: { inputTokens: 7, outputTokens: 2 } },
  y: { type: 'complete', finishReason: 'stop' },
  i: { type: 'complete', finishReason: 'stop', usage: { inputTokens: 5 } },
  v: { type: 'violation', violation: { ruleId: 'pii', message: 'an e-mail address', severity: 'warning', recoverable: true } },
  d: { type: 'drift', types: ['meta_commentary', 'tone_shift'], confidence: 0.9 },
};

const genAi = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-x' };

describe('withOpenTelemetry({meter}) (real sdk-metrics, manual reader)', () => {
  afterEach(() => metrics.disable());

  it('should record a clean run: its duration, time to first chunk and token usage in seconds and tokens, with the gen_ai attributes (not the span\'s own) and no counter', async () => {
    const { meter, collect, points } = metering();
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const traced = withOpenTelemetry({ tracer, meter, system: 'openai', model: 'gpt-x', attributes: { 'enduser.id': 'u-1' } });
      expectObservable(cold('s--a-b--x|', values).pipe(traced)).toBe('s--a-b--x|', values);
    });
    expect(await points()).toEqual({
      'gen_ai.client.operation.duration': [{ attributes: genAi, value: histogram(1, s(9)) }],
      'gen_ai.client.operation.time_to_first_chunk': [{ attributes: genAi, value: histogram(1, s(3)) }],
      'gen_ai.client.token.usage': [
        { attributes: { ...genAi, 'gen_ai.token.type': 'input' }, value: histogram(1, 7) },
        { attributes: { ...genAi, 'gen_ai.token.type': 'output' }, value: histogram(1, 2) },
      ],
    });
    expect(unitsOf(await collect())).toEqual({ 'gen_ai.client.operation.duration': 's', 'gen_ai.client.operation.time_to_first_chunk': 's', 'gen_ai.client.token.usage': '{token}' });
  });

  it('should give the histograms the GenAI conventions\' bucket boundaries', async () => {
    const { meter, collect } = metering();
    testScheduler().run(({ cold }) => {
      cold('s-a-x|', values).pipe(withOpenTelemetry({ tracer, meter })).subscribe();
    });
    const boundaries = Object.fromEntries((await collect()).flatMap((m) => (m.dataPointType === DataPointType.HISTOGRAM ? [[m.descriptor.name, m.dataPoints[0]!.value.buckets.boundaries]] : [])));
    const seconds = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
    expect(boundaries).toEqual({
      'gen_ai.client.operation.duration': seconds,
      'gen_ai.client.operation.time_to_first_chunk': seconds,
      'gen_ai.client.token.usage': [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864],
    });
  });

  it('should count a retry by reason and error.type, and time the whole run, the retry\'s delay included', async () => {
    const { meter, collect, points } = metering();
    testScheduler().run(() => {
      l0({
        stream: fakeModel([{ items: [{ error: { status: 503 } }] }, 'ab|']),
        retry: { backoff: 'fixed', baseDelay: 5, maxRetries: 1 },
        runOperators: [withOpenTelemetry({ tracer, meter, system: 'openai', model: 'gpt-x' })],
      }).subscribe();
    });
    const got = await points();
    expect(got['l0.retries']).toEqual([{ attributes: { ...genAi, 'l0.reason': 'server_error', 'error.type': 'SERVER_ERROR' }, value: 1 }]);
    // the 503 at 0, the 5 ms delay, then 'ab|' (tokens at 5 and 6, complete at 7)
    expect(got['gen_ai.client.operation.duration']).toEqual([{ attributes: genAi, value: histogram(1, s(7)) }]);
    expect(got['gen_ai.client.operation.time_to_first_chunk']).toEqual([{ attributes: genAi, value: histogram(1, s(5)) }]);
    expect(got['l0.errors']).toBeUndefined();
    expect(unitsOf(await collect())['l0.retries']).toBe('{retry}');
  });

  it('should count a fallback with its indexes and the error that caused it', async () => {
    const { meter, collect, points } = metering();
    testScheduler().run(() => {
      l0({
        stream: fakeModel({ items: [{ error: { status: 503 } }] }),
        fallbackStreams: [fakeModel('ab|')],
        retry: { maxRetries: 0 },
        runOperators: [withOpenTelemetry({ tracer, meter, system: 'openai', model: 'gpt-x' })],
      }).subscribe();
    });
    const got = await points();
    expect(got['l0.fallbacks']).toEqual([{ attributes: { ...genAi, 'l0.from_index': 0, 'l0.to_index': 1, 'error.type': 'SERVER_ERROR' }, value: 1 }]);
    expect(unitsOf(await collect())['l0.fallbacks']).toBe('{fallback}');
    expect(got['l0.retries']).toBeUndefined();
    expect(got['gen_ai.client.operation.duration']![0]!.attributes).toEqual(genAi);
  });

  it('should count a guardrail violation by rule and severity, and the retry it causes', async () => {
    const { meter, points } = metering();
    const noBad = defineGuardrailRule({ name: 'no-bad', severity: 'error', check: (delta) => (delta.includes('BAD') ? { message: 'saw BAD' } : undefined) });
    testScheduler().run(() => {
      l0({
        stream: fakeModel([{ items: ['ok ', 'BAD'] }, { items: ['fine'] }]),
        guardrails: [noBad],
        retry: { backoff: 'fixed', baseDelay: 1 },
        runOperators: [withOpenTelemetry({ tracer, meter, system: 'openai', model: 'gpt-x' })],
      }).subscribe();
    });
    const got = await points();
    expect(got['l0.violations']).toEqual([{ attributes: { ...genAi, 'l0.rule_id': 'no-bad', 'l0.severity': 'error' }, value: 1 }]);
    expect(got['l0.retries']!.map((p) => [p.attributes['l0.reason'], p.value])).toEqual([['guardrail_violation', 1]]);
  });

  it('should count drift once per type it names, and violations from the events as they pass', async () => {
    const { meter, collect, points } = metering();
    testScheduler().run(({ cold }) => {
      cold('s-a-v-d-s-d-y|', values).pipe(withOpenTelemetry({ tracer, meter })).subscribe();
    });
    const got = await points();
    const base = { 'gen_ai.operation.name': 'chat' };
    expect(got['l0.drifts']).toEqual([
      { attributes: { ...base, 'l0.drift_type': 'meta_commentary' }, value: 2 },
      { attributes: { ...base, 'l0.drift_type': 'tone_shift' }, value: 2 },
    ]);
    expect(got['l0.violations']).toEqual([{ attributes: { ...base, 'l0.rule_id': 'pii', 'l0.severity': 'warning' }, value: 1 }]);
    expect(unitsOf(await collect())).toMatchObject({ 'l0.drifts': '{drift}', 'l0.violations': '{violation}' });
  });

  it('should count each drift type once per attempt: a drift event lists every type the attempt found so far', async () => {
    const { meter, points } = metering();
    const opening = 'As an AI language model, I will answer the question about caches in full detail now. ';
    const loop = Array.from({ length: 30 }, () => 'The cache is warm again. ');
    testScheduler().run(() => {
      l0({
        // meta commentary first, then a loop: the second drift event names both types
        stream: fakeModel({ items: [opening, ...loop] }),
        detectDrift: { action: 'warn' },
        runOperators: [withOpenTelemetry({ tracer, meter })],
      }).subscribe();
    });
    const got = await points();
    expect(got['l0.drifts']!.map((p) => [p.attributes['l0.drift_type'], p.value])).toEqual([['meta_commentary', 1], ['repetition', 1]]);
  });

  it('should put error.type on a failed run\'s duration and count it in l0.errors, with no token usage', async () => {
    const { meter, collect, points } = metering();
    testScheduler().run(() => {
      l0({ stream: fakeModel({ items: [{ error: { status: 401 } }] }), runOperators: [withOpenTelemetry({ tracer, meter, system: 'openai', model: 'gpt-x' })] }).subscribe({ error: () => undefined });
    });
    const got = await points();
    const failed = { ...genAi, 'error.type': 'AUTH_ERROR' };
    expect(got['gen_ai.client.operation.duration']).toEqual([{ attributes: failed, value: histogram(1, 0) }]);
    expect(got['l0.errors']).toEqual([{ attributes: failed, value: 1 }]);
    expect(unitsOf(await collect())['l0.errors']).toBe('{error}');
    expect(got['gen_ai.client.token.usage']).toBeUndefined();
    expect(got['gen_ai.client.operation.time_to_first_chunk']).toBeUndefined();
  });

  it('should count a run whose error is undefined (a `Promise.reject()`) as failed, in l0.errors and on its duration', async () => {
    const { meter, points } = metering();
    testScheduler().run(({ cold }) => {
      cold<L0Event>('s-a-|', values).pipe(concatWith(throwError(() => undefined)), withOpenTelemetry({ tracer, meter })).subscribe({ error: () => undefined });
    });
    const got = await points();
    const failed = { 'gen_ai.operation.name': 'chat', 'error.type': 'Error' };
    expect(got['gen_ai.client.operation.duration']).toEqual([{ attributes: failed, value: histogram(1, s(4)) }]);
    expect(got['l0.errors']).toEqual([{ attributes: failed, value: 1 }]);
  });

  it('should mark an unsubscribed run l0.cancelled, with its duration up to the unsubscribe and no error', async () => {
    const { meter, points } = metering();
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('s-a-b-x|', values).pipe(withOpenTelemetry({ tracer, meter, system: 'openai', model: 'gpt-x' })), '^---!').toBe('s-a-', values);
    });
    const got = await points();
    expect(got['gen_ai.client.operation.duration']).toEqual([{ attributes: { ...genAi, 'l0.cancelled': true }, value: histogram(1, s(4)) }]);
    expect(got['gen_ai.client.operation.time_to_first_chunk']).toEqual([{ attributes: genAi, value: histogram(1, s(2)) }]);
    expect(got['l0.errors']).toBeUndefined();
    expect(got['gen_ai.client.token.usage']).toBeUndefined();
  });

  it('should treat a user abort through the signal as a cancellation, not an error', async () => {
    const { meter, points } = metering();
    const controller = new AbortController();
    testScheduler().run(({ cold }) => {
      l0({ stream: fakeModel('a--b--c|'), signal: controller.signal, runOperators: [withOpenTelemetry({ tracer, meter })] }).subscribe({ error: () => undefined });
      cold('--x|').subscribe(() => controller.abort());
    });
    const got = await points();
    expect(got['gen_ai.client.operation.duration']).toEqual([{ attributes: { 'gen_ai.operation.name': 'chat', 'l0.cancelled': true }, value: histogram(1, s(2)) }]);
    expect(got['l0.errors']).toBeUndefined();
  });

  it('should record token usage only as far as the provider reported it', async () => {
    const { meter, points } = metering();
    testScheduler().run(({ cold }) => {
      cold('s-a-y|', values).pipe(withOpenTelemetry({ tracer, meter })).subscribe(); // no usage
      cold('s-a-i|', values).pipe(withOpenTelemetry({ tracer, meter })).subscribe(); // input tokens only
    });
    const got = await points();
    expect(got['gen_ai.client.token.usage']).toEqual([{ attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.token.type': 'input' }, value: histogram(1, 5) }]);
    expect(got['gen_ai.client.operation.duration']![0]!.value).toEqual(histogram(2, s(5) + s(5)));
  });

  it('should keep concurrent runs\' attributes apart, on one meter', async () => {
    const { meter, points } = metering();
    testScheduler().run(() => {
      const run = (model: string, stream: ReturnType<typeof fakeModel>) =>
        l0({ stream, retry: { backoff: 'fixed', baseDelay: 2, maxRetries: 1 }, runOperators: [withOpenTelemetry({ tracer, meter, system: 'openai', model })] });
      run('gpt-a', fakeModel([{ items: [{ error: { status: 503 } }] }, 'a-b-c|'])).subscribe();
      run('gpt-b', fakeModel({ items: [{ delay: 1 }, { error: { status: 401 } }] })).subscribe({ error: () => undefined });
      run('gpt-a', fakeModel('ab|')).subscribe();
    });
    const got = await points();
    const a = { ...genAi, 'gen_ai.request.model': 'gpt-a' };
    const b = { ...genAi, 'gen_ai.request.model': 'gpt-b' };
    const byModel = (list: Point[]) => [...list].sort((x, y) => String(x.attributes['gen_ai.request.model']).localeCompare(String(y.attributes['gen_ai.request.model'])));
    // gpt-a: the retried run ends at 7 (503 at 0, 2 ms delay, 'a-b-c|'), the other at 2; gpt-b fails at 1
    expect(byModel(got['gen_ai.client.operation.duration']!)).toEqual([
      { attributes: a, value: { count: 2, sum: expect.closeTo(s(7) + s(2), 12) } },
      { attributes: { ...b, 'error.type': 'AUTH_ERROR' }, value: histogram(1, s(1)) },
    ]);
    expect(byModel(got['gen_ai.client.operation.time_to_first_chunk']!)).toEqual([{ attributes: a, value: { count: 2, sum: expect.closeTo(s(2) + s(0), 12) } }]);
    expect(got['l0.retries']).toEqual([{ attributes: { ...a, 'l0.reason': 'server_error', 'error.type': 'SERVER_ERROR' }, value: 1 }]);
    expect(got['l0.errors']).toEqual([{ attributes: { ...b, 'error.type': 'AUTH_ERROR' }, value: 1 }]);
  });

  it('should record nothing without a meter, not even on a global meter provider', async () => {
    const { provider, points } = metering();
    metrics.setGlobalMeterProvider(provider);
    testScheduler().run(() => {
      l0({ stream: fakeModel([{ items: [{ error: { status: 503 } }] }, 'ab|']), retry: { backoff: 'fixed', baseDelay: 1, maxRetries: 1 }, runOperators: [withOpenTelemetry({ tracer })] }).subscribe();
    });
    expect(await points()).toEqual({});
  });

  it('should make a meter\'s instruments once, however many operators and runs use it', () => {
    const { meter } = metering();
    const made: string[] = [];
    const counting: Meter = {
      ...meter,
      createHistogram: (name, options) => (made.push(name), meter.createHistogram(name, options)),
      createCounter: (name, options) => (made.push(name), meter.createCounter(name, options)),
    };
    testScheduler().run(({ cold }) => {
      for (let i = 0; i < 3; i++) cold('s-a-x|', values).pipe(withOpenTelemetry({ tracer, meter: counting, model: `m${i}` })).subscribe();
    });
    expect(made).toHaveLength(8);
    expect(new Set(made).size).toBe(8);
  });

  it('should name a meter that is not one', () => {
    expect(() => withOpenTelemetry({ tracer, meter: {} as never })).toThrow('withOpenTelemetry({meter}) must be an OpenTelemetry Meter (with createHistogram and createCounter), got an object without them');
    expect(() => withOpenTelemetry({ tracer, meter: null as never })).toThrow(/got null$/);
  });
});
