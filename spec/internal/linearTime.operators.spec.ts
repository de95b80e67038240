/**
 * @test {accumulate} @test {recordEvents} @test {tapLifecycle} @test {measureRun} @test {budget}
 * @test {withTimeouts} @test {deduplicateContinuation} @test {splitThinking} @test {detectZeroOutput}
 * @test {parseStructured} @test {raceModels} @test {hedge} @test {parallel} @test {consensus}
 * @test {toServerSentEvents} @test {withOpenTelemetry} @test {withSentry}
 */
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { from, type Observable, type OperatorFunction } from 'rxjs';
import { describe, it } from 'vitest';
import { z } from 'zod';
import {
  accumulate, budget, consensus, createMemoryEventStore, deduplicateContinuation, detectZeroOutput, hedge, measureRun, parallel,
  parseStructured, raceModels, recordEvents, splitThinking, tapLifecycle, toServerSentEvents, withTimeouts, type L0Event,
} from 'l0-rx';
import { withOpenTelemetry } from 'l0-rx/opentelemetry';
import { withSentry } from 'l0-rx/sentry';
import { expectLinearTime, prose, START, tokens } from '../helpers/linearTime.js';
import { sentry } from '../helpers/sentryClient.js';

// Every public operator and stream path with per-token work, in linear time on a long answer:
// 16-character tokens, 1 MB against 256 KB (spec/helpers/linearTime.ts). A read, slice or copy of
// the accumulated text (or of a growing array) per token or per check makes them quadratic.
const KB = 1024;
/** A JSON document whose one array stays open to the end (the worst case for partials). */
function list(size: number): string {
  const parts = ['{"items": ['];
  for (let i = 0, length = 12; length < size; i++) length += parts[parts.push(`${i === 0 ? '' : ','}{"id": ${i}, "name": "item ${i}"}`) - 1]!.length;
  return `${parts.join('')}]}`;
}

function linear(label: string, run: (events: L0Event[]) => void, text: (size: number) => string = prose, head?: L0Event[]): void {
  expectLinearTime(label, (size) => {
    const events = tokens(text(size), head);
    const started = performance.now();
    run(events);
    return performance.now() - started;
  }, 256 * KB);
}

const fail = (e: unknown) => {
  throw e;
};
const through = (op: () => OperatorFunction<L0Event, unknown>) => (events: L0Event[]) => from(events).pipe(op()).subscribe({ error: fail });
const all = (source: Observable<unknown>) => source.subscribe({ error: fail });

describe('per-token paths on a long answer', () => {
  it('should run accumulate in linear time', () => linear('accumulate', through(() => accumulate())));
  it('should run recordEvents into a followed memory store in linear time', () =>
    linear('recordEvents', (events) => {
      const store = createMemoryEventStore();
      all(store.follow!('run'));
      through(() => recordEvents(store, { streamId: 'run' }))(events);
    }));
  it('should run tapLifecycle (onEvent, onComplete) in linear time', () => linear('tapLifecycle', through(() => tapLifecycle({ onEvent: () => undefined, onComplete: () => undefined }))));
  it('should run measureRun in linear time', () => linear('measureRun', through(() => measureRun(() => undefined))));
  it('should run budget in linear time', () => linear('budget', through(() => budget({ maxOutputTokens: 1e9 }))));
  it('should run withTimeouts in linear time', () => linear('withTimeouts', through(() => withTimeouts({ initialToken: 1e9, interToken: 1e9 }))));
  it('should run deduplicateContinuation on a resumed attempt in linear time', () =>
    linear('deduplicateContinuation', through(() => deduplicateContinuation()), prose, [START, { type: 'resume', checkpoint: 'Sentence 0 is ordinary prose' }]));
  it('should run splitThinking in linear time', () => linear('splitThinking', through(() => splitThinking()), (size) => `<think>${prose(size)}`));
  it('should run detectZeroOutput on an answer of whitespace in linear time', () =>
    // whitespace only, so it keeps the text to the end, where it fails the answer
    linear('detectZeroOutput', (events) => from(events).pipe(detectZeroOutput()).subscribe({ error: () => undefined }), (size) => ' '.repeat(size)));
  it('should run parseStructured with partials in linear time', () => linear('parseStructured', through(() => parseStructured({ schema: z.unknown() })), list));
  it('should run parseStructured with partials on prose after the JSON (read for a fence) in linear time', () =>
    linear('parseStructured after its root', through(() => parseStructured({ schema: z.unknown() })), (size) => `{"a": 1}\n${prose(size)}`));
  it('should run raceModels in linear time', () => linear('raceModels', (events) => all(raceModels([from(events), from(events)], { winOn: { minChars: 1e9 } }))));
  it('should run hedge in linear time', () => linear('hedge', through(() => hedge(from([] as L0Event[]), { delay: 1e9 }))));
  it('should run parallel and consensus in linear time', () => {
    linear('parallel', (events) => all(parallel([from(events), from(events)])));
    linear('consensus', (events) => all(consensus([from(events), from(events)], { similarity: () => 1 })));
  });
  it('should run toServerSentEvents in linear time', () => linear('toServerSentEvents', (events) => all(toServerSentEvents(from(events), { heartbeatMs: 0 }).frames)));
  it('should run withOpenTelemetry in linear time', () => {
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] }).getTracer('linear');
    linear('withOpenTelemetry', through(() => withOpenTelemetry({ tracer })));
    linear('withOpenTelemetry with a meter', through(() => withOpenTelemetry({ tracer, meter: new MeterProvider().getMeter('linear') })));
  });
  it('should run withSentry in linear time', () => {
    const { client } = sentry();
    linear('withSentry', through(() => withSentry({ client })));
  });
});
