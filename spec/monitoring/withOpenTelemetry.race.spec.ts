/** @test {withOpenTelemetry} */
import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { fallbackTo, fromAttempt, fromStream, hedge, l0, raceModels, retryWithBackoff, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { withOpenTelemetry } from 'l0-rx/opentelemetry';
import { concat, ignoreElements, mergeMap, of, tap, throwError, type SchedulerLike } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { testScheduler } from '../helpers/testScheduler.js';

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: provider.getTracer('l0-rx-spec') };
}

const ms = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;
const after = (t: [number, number], t0: number) => ms(t) - t0;
/**
 * The virtual clock moved to an epoch time: the SDK shifts a time below `performance.now()` by a
 * per-span offset (so spans would disagree by a fraction of a ms), and takes an epoch time as given.
 */
const epochClock = (scheduler: TestScheduler): SchedulerLike => ({ now: () => 1.7e12 + scheduler.now(), schedule: scheduler.schedule.bind(scheduler) });
const attempts = (exporter: InMemorySpanExporter) => exporter.getFinishedSpans().filter((s) => s.name === 'l0.attempt');
const runSpan = (exporter: InMemorySpanExporter) => exporter.getFinishedSpans().find((s) => s.name === 'l0.run')!;
/** [entrant, start, end (ms after the run span started), outcome, status] */
const summarize = (exporter: InMemorySpanExporter) => {
  const t0 = ms(runSpan(exporter).startTime);
  return attempts(exporter).map((s: ReadableSpan) => [s.attributes['l0.race.entrant'], after(s.startTime, t0), after(s.endTime, t0), s.attributes['l0.race.outcome'], s.status.code]);
};

const start = (attempt = 1): L0Event => ({ type: 'start', attempt, fallbackIndex: 0, isRetry: attempt > 1, isFallback: false });
const values: Record<string, L0Event> = {
  s: start(),
  a: { type: 'token', value: 'a' },
  b: { type: 'token', value: 'b' },
  x: { type: 'complete', finishReason: 'stop' },
};

describe('withOpenTelemetry with raceModels and hedge (real sdk-trace-base)', () => {
  it('should give the loser of a race its own attempt span, ended at the win with the outcome lost and no error status', () => {
    const { exporter, tracer } = tracing();
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const race = raceModels({ fast: cold('s-a---x|', values), slow: cold('s---b|', values) });
      expectObservable(race.pipe(withOpenTelemetry({ tracer, scheduler: epochClock(scheduler) }))).toBe('--(Sa)x|', { ...values, S: { ...values['s']!, model: 'fast' } });
    });
    const spans = attempts(exporter);
    expect(summarize(exporter)).toEqual([
      [1, 0, 2, 'lost', SpanStatusCode.UNSET],
      [0, 0, 7, 'won', SpanStatusCode.OK],
    ]);
    expect(spans[0]!.attributes['l0.race.entrant_name']).toBe('slow');
    expect(spans[0]!.events.map((e) => e.name)).toEqual(['l0.race.lost']);
    for (const span of spans) expect(span.parentSpanContext?.spanId).toBe(runSpan(exporter).spanContext().spanId); // no attempt of the run is open
  });

  it('should not label an entrant that names no model with the configured model (each entrant is another model)', () => {
    const { exporter, tracer } = tracing();
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      raceModels({ fast: cold('s-a---x|', values), slow: cold('s---b|', values) }).pipe(withOpenTelemetry({ tracer, model: 'gpt-x', scheduler: epochClock(scheduler) })).subscribe();
    });
    expect(attempts(exporter).map((s) => [s.attributes['l0.race.entrant_name'], s.attributes['gen_ai.request.model']])).toEqual([['slow', undefined], ['fast', undefined]]);
    expect(runSpan(exporter).attributes['gen_ai.request.model']).toBe('gpt-x');
  });

  it('should not trace the winner twice when its held events are released downstream', () => {
    const { exporter, tracer } = tracing();
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      raceModels([cold('s---a-x|', values), cold('s-----b|', values)]).pipe(withOpenTelemetry({ tracer, scheduler: epochClock(scheduler) })).subscribe();
    });
    expect(attempts(exporter)).toHaveLength(2);
    expect(runSpan(exporter).attributes).toMatchObject({ 'l0.attempts': 1, 'l0.time_to_first_token_ms': 4 });
  });

  it('should end an entrant that fails before anyone wins with an error status while the others race on', () => {
    const { exporter, tracer } = tracing();
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      raceModels([cold('s-#', values, new Error('down')), cold('s---a-x|', values)]).pipe(withOpenTelemetry({ tracer, scheduler: epochClock(scheduler) })).subscribe();
    });
    expect(summarize(exporter)).toEqual([
      [0, 0, 2, 'failed', SpanStatusCode.ERROR],
      [1, 0, 7, 'won', SpanStatusCode.OK],
    ]);
  });

  it('should mark every open entrant span cancelled, and still end the run span, when the consumer unsubscribes mid-race', () => {
    const { exporter, tracer } = tracing();
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const race = raceModels([cold('s-----a|', values), cold('s------b|', values)]);
      expectObservable(race.pipe(withOpenTelemetry({ tracer, scheduler: epochClock(scheduler) })), '^--!').toBe('');
    });
    const spans = attempts(exporter);
    const t0 = ms(runSpan(exporter).startTime);
    expect(spans.map((s) => [s.attributes['l0.cancelled'], after(s.endTime, t0)])).toEqual([[true, 3], [true, 3]]);
    expect(runSpan(exporter).attributes['l0.cancelled']).toBe(true);
    expect(after(runSpan(exporter).endTime, t0)).toBe(3);
  });

  it('should give a hedge\'s losing primary a span from its subscription to the moment the backup wins', () => {
    const { exporter, tracer } = tracing();
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const primary = cold('s---------a|', values);
      const backup = cold('s-b---x|', values);
      expectObservable(primary.pipe(hedge(backup, { delay: 4, scheduler }), withOpenTelemetry({ tracer, scheduler: epochClock(scheduler) }))).toBe('------(sb)x|', values);
    });
    expect(summarize(exporter)).toEqual([
      [0, 0, 6, 'lost', SpanStatusCode.UNSET],
      [1, 4, 11, 'won', SpanStatusCode.OK],
    ]);
  });

  it('should trace the entrants of a race that is the stream of an l0() run, with withOpenTelemetry as a run operator', () => {
    const { exporter, tracer } = tracing();
    const scheduler = testScheduler();
    scheduler.run(() => {
      l0({
        stream: () => raceModels({ fast: fromStream(fakeModel('--ab|')), slow: fromStream(fakeModel('------cd|')) }),
        scheduler,
        runOperators: [withOpenTelemetry({ tracer, scheduler: epochClock(scheduler) })],
      }).subscribe();
    });
    const [lost, run, won] = attempts(exporter);
    expect([lost, won].map((span) => [span!.attributes['l0.race.entrant_name'], span!.attributes['l0.race.outcome'], span!.status.code])).toEqual([
      ['slow', 'lost', SpanStatusCode.UNSET],
      ['fast', 'won', SpanStatusCode.OK],
    ]);
    // the run's own attempt (l0's start) is the entrants' parent
    expect(run!.attributes['l0.race.entrant']).toBeUndefined();
    for (const entrant of [lost, won]) expect(entrant!.parentSpanContext?.spanId).toBe(run!.spanContext().spanId);
  });

  it('should trace every entrant of a race that a retry\'s timer subscribes again, its loser included', () => {
    const { exporter, tracer } = tracing();
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const down = new Error('down');
      // attempt 1: both fail (at 2 and 3); attempt 2 from 4: `fast` wins at 5, `slow` loses then
      const fast = fromAttempt((ctx) => (ctx.attempt === 1 ? cold('--#', values, down) : cold('-a---x|', values)));
      const slow = fromAttempt((ctx) => (ctx.attempt === 1 ? cold('---#', values, down) : cold('---b|', values)));
      raceModels({ fast, slow }).pipe(retryWithBackoff({ backoff: 'fixed', baseDelay: 1, scheduler }), withOpenTelemetry({ tracer, scheduler: epochClock(scheduler) })).subscribe();
    });
    expect(summarize(exporter)).toEqual([
      [0, 0, 2, 'failed', SpanStatusCode.ERROR],
      [1, 0, 3, 'failed', SpanStatusCode.ERROR],
      [1, 4, 5, 'lost', SpanStatusCode.UNSET],
      [0, 4, 10, 'won', SpanStatusCode.OK],
    ]);
    expect(attempts(exporter).map((s) => [s.attributes['l0.race.entrant_name'], s.attributes['l0.attempt']])).toEqual([['fast', 1], ['slow', 1], ['slow', 2], ['fast', 2]]);
    expect(runSpan(exporter).attributes['l0.retries']).toBe(1);
  });

  it('should trace a hedge that a retry\'s timer subscribes again, its losing primary included', () => {
    const { exporter, tracer } = tracing();
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const down = new Error('down');
      // attempt 1: the primary fails at 1, so the backup starts at once and fails at 2; attempt 2 from 3:
      // the backup starts at 5 (delay 2) and wins at 6, the primary loses then
      const primary = fromAttempt((ctx) => (ctx.attempt === 1 ? cold('-#', values, down) : cold('------a|', values)));
      const backup = fromAttempt((ctx) => (ctx.attempt === 1 ? cold('-#', values, down) : cold('-b---x|', values)));
      primary.pipe(hedge(backup, { delay: 2, scheduler }), retryWithBackoff({ backoff: 'fixed', baseDelay: 1, scheduler }), withOpenTelemetry({ tracer, scheduler: epochClock(scheduler) })).subscribe();
    });
    expect(summarize(exporter)).toEqual([
      [0, 0, 1, 'failed', SpanStatusCode.ERROR],
      [1, 1, 2, 'failed', SpanStatusCode.ERROR],
      [0, 3, 6, 'lost', SpanStatusCode.UNSET],
      [1, 5, 11, 'won', SpanStatusCode.OK],
    ]);
  });

  it('should trace every entrant of a race that a fallback subscribes after an asynchronous failure', () => {
    const { exporter, tracer } = tracing();
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const primary = cold<L0Event>('s-#', values, new Error('down'));
      const race = raceModels({ fast: fromAttempt(() => cold('-a-x|', values)), slow: fromAttempt(() => cold('---b|', values)) });
      primary.pipe(fallbackTo(race), withOpenTelemetry({ tracer, scheduler: epochClock(scheduler) })).subscribe();
    });
    // the primary's attempt (the run's own lane), then the fallback race's two entrants (attempt 1 of stream 1)
    expect(attempts(exporter).map((s) => [s.attributes['l0.race.entrant_name'], s.attributes['l0.race.outcome'], s.attributes['l0.fallback_index']]))
      .toEqual([[undefined, undefined, 0], ['slow', 'lost', 1], ['fast', 'won', 1]]);
  });

  it.each([
    // onWin: the loser was unsubscribed at the win, before the callback ran
    ['onWin', { onWin: () => { throw new Error('callback'); } }, [[1, 'lost'], [0, 'cancelled']]],
    ['winOn', { winOn: () => { throw new Error('callback'); } }, [[0, 'cancelled'], [1, 'cancelled']]],
  ] as const)('should end the entrants\' spans before the run span when the race errors because %s throws', (_, config, entrants) => {
    const { exporter, tracer } = tracing();
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const race = raceModels([cold('s-a-x|', values), cold('s---b|', values)], config);
      expectObservable(race.pipe(withOpenTelemetry({ tracer, scheduler: epochClock(scheduler) }))).toBe('--#', undefined, new Error('callback'));
    });
    const outcome = (s: ReadableSpan) => (s.attributes['l0.cancelled'] === true ? 'cancelled' : s.attributes['l0.race.outcome']);
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.attributes['l0.race.entrant'], outcome(s), s.status.code])).toEqual([
      ...entrants.map(([entrant, ended]) => ['l0.attempt', entrant, ended, SpanStatusCode.UNSET]),
      ['l0.run', undefined, undefined, SpanStatusCode.ERROR],
    ]);
  });

  // l0 sends its `start` within the subscribe, while the operator's observer is installed: the consumer's race took it
  it('should not trace a race the consumer subscribes on the run\'s start as this run\'s entrants, nor stop tracing the run\'s own attempt', () => {
    const { exporter, tracer } = tracing();
    const scheduler = testScheduler();
    const elsewhere: L0Event[] = [];
    scheduler.run(({ cold }) => {
      l0({ stream: fakeModel('ab-|'), scheduler, runOperators: [withOpenTelemetry({ tracer, scheduler: epochClock(scheduler) })] }).pipe(
        mergeMap((e) => (e.type === 'start' ? raceModels({ fast: cold('s-a-x|', values), slow: cold('s---b|', values) }).pipe(tap((r) => elsewhere.push(r)), ignoreElements()) : of(e))),
      ).subscribe();
    });
    expect(elsewhere.map((e) => e.type)).toEqual(['start', 'token', 'complete']); // the consumer's race ran
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => [span.name, span.attributes['l0.race.entrant']])).toEqual([['l0.attempt', undefined], ['l0.run', undefined]]);
    expect(spans[0]!.events.map((e) => e.name)).toEqual(['gen_ai.first_token']); // its own tokens, traced
  });

  // the consumer's race was switched to no tracer at all: one it subscribes under another withOpenTelemetry is that one's
  it('should trace a race subscribed on an inner run\'s start, under an outer withOpenTelemetry, as the outer run\'s', () => {
    const inner = tracing();
    const outer = tracing();
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      l0({ stream: fakeModel('ab-|'), scheduler, runOperators: [withOpenTelemetry({ tracer: inner.tracer, scheduler: epochClock(scheduler) })] }).pipe(
        mergeMap((e) => (e.type === 'start' ? raceModels({ fast: cold('s-a-x|', values), slow: cold('s---b|', values) }).pipe(ignoreElements()) : of(e))),
        withOpenTelemetry({ tracer: outer.tracer, scheduler: epochClock(scheduler) }),
      ).subscribe();
    });
    expect(inner.exporter.getFinishedSpans().map((span) => [span.name, span.attributes['l0.race.entrant']])).toEqual([['l0.attempt', undefined], ['l0.run', undefined]]);
    expect(summarize(outer.exporter)).toEqual([
      [1, 0, 2, 'lost', SpanStatusCode.UNSET],
      [0, 0, 5, 'won', SpanStatusCode.OK],
    ]);
  });

  it('should leave a race subscribed on an inner run\'s later token, under an outer withOpenTelemetry, to its winner\'s events (an asynchronous step)', () => {
    const inner = tracing();
    const outer = tracing();
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      l0({ stream: fakeModel('ab-|'), scheduler, runOperators: [withOpenTelemetry({ tracer: inner.tracer, scheduler: epochClock(scheduler) })] }).pipe(
        mergeMap((e) => (e.type === 'token' && e.value === 'b' ? raceModels({ fast: cold('s-a-x|', values), slow: cold('s---b|', values) }).pipe(ignoreElements()) : of(e))),
        withOpenTelemetry({ tracer: outer.tracer, scheduler: epochClock(scheduler) }),
      ).subscribe();
    });
    expect(outer.exporter.getFinishedSpans().map((span) => [span.name, span.attributes['l0.race.entrant']])).toEqual([['l0.attempt', undefined], ['l0.run', undefined]]);
  });

  it.each([
    ['completes', of(values['s']!, values['x']!), 'complete'],
    ['fails', concat(of(values['s']!), throwError(() => new Error('cut'))), 'error'],
  ] as const)('should not trace a race the consumer subscribes when a run that ended within its subscribe %s as that run\'s', (_, source, end) => {
    const { exporter, tracer } = tracing();
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const race = raceModels({ fast: cold('s-a-x|', values), slow: cold('s---b|', values) });
      source.pipe(withOpenTelemetry({ tracer, scheduler: epochClock(scheduler) })).subscribe({ [end]: () => race.subscribe() });
    });
    expect(exporter.getFinishedSpans().map((span) => [span.name, span.attributes['l0.race.entrant']])).toEqual([['l0.attempt', undefined], ['l0.run', undefined]]);
  });

  it('should trace the attempts of a plain source after a race ended as it always did', () => {
    const { exporter, tracer } = tracing();
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      cold('s-a-x|', values).pipe(withOpenTelemetry({ tracer, scheduler: epochClock(scheduler) })).subscribe();
    });
    const [span] = attempts(exporter);
    expect(span!.attributes['l0.race.entrant']).toBeUndefined();
    expect(span!.attributes['l0.race.outcome']).toBeUndefined();
    expect(span!.status.code).toBe(SpanStatusCode.OK);
  });
});
