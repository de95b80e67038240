/** @test {withOpenTelemetry} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { defer, type Observable, type SchedulerLike } from 'rxjs';
import { fromStream, hedge, raceModels, retryWithBackoff, type L0Event } from 'l0-rx';
import { withOpenTelemetry } from 'l0-rx/opentelemetry';
import { fakeModel } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';
import { SpanLedger } from '../helpers/spanLedger.js';
import { runs } from '../helpers/propertyRuns.js';

const script = fc.constantFrom('ab|', '-a-b|', '--#', '#', 'a', '---ab|', '|', 'a-#');

describe('withOpenTelemetry over races and hedges (properties)', () => {
  it('should end every span it starts exactly once, the run span last, whatever the entrants do and whenever the consumer leaves', () => {
    fc.assert(fc.property(fc.array(script, { minLength: 1, maxLength: 3 }), fc.constantFrom('race', 'hedge', 'retried race'), fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }), (scripts, kind, leaveAt) => {
      const ts = testScheduler();
      ts.maxFrames = Number.POSITIVE_INFINITY;
      const exporter = new InMemorySpanExporter();
      const ledger = new SpanLedger();
      const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter), ledger] }).getTracer('fuzz');
      const entrants = scripts.map((s) => fromStream(fakeModel(s, { scheduler: ts })));
      let source: Observable<L0Event>;
      if (kind === 'hedge') source = entrants[0]!.pipe(hedge(entrants[1] ?? entrants[0]!, { delay: 2, scheduler: ts as SchedulerLike }));
      else if (kind === 'race') source = raceModels(entrants);
      else source = defer(() => raceModels(entrants)).pipe(retryWithBackoff({ maxRetries: 1, backoff: 'fixed', baseDelay: 2, scheduler: ts as SchedulerLike }));
      const sub = source.pipe(withOpenTelemetry({ tracer, scheduler: ts as SchedulerLike })).subscribe({ error: () => undefined });
      if (leaveAt !== undefined) ts.schedule(() => sub.unsubscribe(), leaveAt);
      ts.flush();
      sub.unsubscribe();
      expect([...ledger.started].filter((s) => ledger.ends.get(s) !== 1).map((s) => s.name)).toEqual([]);
      const spans = exporter.getFinishedSpans();
      const run = spans.filter((s) => s.name === 'l0.run');
      expect(run).toHaveLength(1);
      expect(spans.at(-1)!.name).toBe('l0.run'); // no child span ends after its run
      // every attempt span is the run's child, or a child of one of its attempts
      const ids = new Set(spans.map((s) => s.spanContext().spanId));
      expect(spans.filter((s) => s !== run[0] && !ids.has(s.parentSpanContext?.spanId ?? '')).map((s) => s.name)).toEqual([]);
    }), { numRuns: runs(300) });
  });
});
