import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { context, INVALID_SPAN_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { currentEntrantObserver, withEntrantObserver, type EntrantObserver } from '../../internal/entrantObserver.js';
import { subscribeChild } from '../../attempt/attemptContext.js';
import type { L0Event } from '../../events/eventTypes.js';
import { serializeError } from '../../errors/serializeError.js';
import { InvalidStreamError } from '../../errors/InvalidStreamError.js';
import { RunMetricsFold, safely, type RunMetrics } from '../runMetrics.js';
import { RunInstruments } from './runInstruments.js';
import { AttemptLane, attemptError, failSpan } from './attemptLane.js';
import { genAiAttributes, resolveOpenTelemetryConfig, runAttributes, type WithOpenTelemetryConfig } from './openTelemetryConfig.js';

export type { WithOpenTelemetryConfig } from './openTelemetryConfig.js';

/**
 * Traces each run with OpenTelemetry: a run span, a child span per attempt (retries and
 * fallbacks each get one), gen_ai semantic-convention attributes, time to first token, retry and
 * fallback reasons as span events, and an error status with the error's code on failure; with a
 * `meter`, the run's GenAI and `l0.*` metrics as well.
 *
 *   -s-a-r--s-b-x|     source (r retry, x complete)
 *   -s-a-r--s-b-x|     withOpenTelemetry({ tracer, meter })
 *   [------------]     span l0.run, from subscription to the end; events gen_ai.first_token at a, l0.retry at r
 *   -[---]--[----]     spans l0.attempt, from each start; the first ends with status error at r
 *   -----r-------R     metrics: l0.retries +1 at r; at the run's end R (1 ms frames):
 *                      operation.duration 0.013 s, time_to_first_chunk 0.003 s, token.usage
 *
 * 1. Every span ends on complete, error and unsubscribe (an unsubscribed run gets
 *    `l0.cancelled: true`), with times from `scheduler`. A user abort through the signal
 *    (`STREAM_ABORTED`) is a cancellation too, not an error status; an unsubscribe right after the
 *    `complete` event (`first(complete)`) ends a complete run, status OK. A malformed event (a `retry`
 *    without its error) ends the run with an InvalidStreamError naming it, as `tapLifecycle` does. A
 *    tracer or meter that throws (a span processor's onStart or onEnd) never changes what the
 *    consumer gets: the call is left as it failed, and the stream goes on.
 * 2. On `complete`: `gen_ai.response.finish_reasons`, `gen_ai.usage.input_tokens` and
 *    `gen_ai.usage.output_tokens` (as the provider reported them), and the run's metrics as `l0.*`.
 * 3. Races: a `raceModels` or `hedge` subscribed within this operator's subscription (the usual
 *    `raceModels(...).pipe(..., withOpenTelemetry(...))`) reports every entrant, so each entrant's
 *    attempts get spans (`l0.race.entrant`, `l0.race.entrant_name`) from their real start, the
 *    losers' included: a loser's span ends when it is unsubscribed, with `l0.race.outcome: 'lost'`,
 *    an `l0.race.lost` event and its status left unset (losing is not an error); the winner's ends
 *    with `l0.race.outcome: 'won'`. Inside an open attempt of the run (a race as the stream of an
 *    `l0()` run) the entrants' spans are its children. A race that a `retryWithBackoff` or
 *    `fallbackTo` subscribes later (a retry's timer) is traced the same way; one subscribed after
 *    another asynchronous step (`subscribeOn`, a factory's promise) by its winner's events only. A
 *    race the consumer subscribes on a notification of the run (a `mergeMap` on its `start`) is not the run's
 *    (an outer `withOpenTelemetry`'s, if any).
 * 4. The run span is the active span while the source is subscribed, and (AsyncLocalStorage) in the
 *    async work it starts: an instrumented HTTP client's spans, each attempt's, are its children. The
 *    consumer is notified in the context it subscribed in: its own spans are not the run's.
 * 5. Import from `l0-rx/opentelemetry`; `@opentelemetry/api` is an optional peer, never imported
 *    by the root entry.
 * 6. Metrics, only with `meter` (none without it). The instruments are made once per meter, at its
 *    first `withOpenTelemetry`, and shared by every run. When a run ends, from the numbers its
 *    span gets (no clock read per token, nothing recorded per token):
 *    `gen_ai.client.operation.duration` (s: the whole run, retries and fallbacks included; with
 *    `error.type` when it failed, `l0.cancelled: true` when it was unsubscribed or aborted),
 *    `gen_ai.client.operation.time_to_first_chunk` (s: from subscription to the run's first token)
 *    and `gen_ai.client.token.usage` (`gen_ai.token.type` `input`/`output`, only what the provider
 *    reported); `l0.errors` counts the failed runs by `error.type`. As their events pass, the
 *    counters `l0.retries` (`l0.reason`, `error.type`), `l0.fallbacks` (`l0.from_index`,
 *    `l0.to_index`, `error.type`), `l0.violations` (`l0.rule_id`, `l0.severity`) and `l0.drifts`
 *    (`l0.drift_type`, once per type an attempt found: a drift event lists the types found before
 *    it too). Every record has the run span's `gen_ai.operation.name`,
 *    `gen_ai.provider.name` (and `gen_ai.system`) and `gen_ai.request.model`, never its
 *    `attributes` (a user id there would make a time series per user). As `measureRun`, the metrics
 *    are the run the consumer reads: a race's winner. `time_per_output_chunk` is not recorded: it
 *    is one record, and one clock read, per token.
 *
 * @example
 * import { trace } from '@opentelemetry/api';
 * import { l0 } from 'l0-rx';
 * import { withOpenTelemetry } from 'l0-rx/opentelemetry';
 * l0({ stream, runOperators: [withOpenTelemetry({ tracer: trace.getTracer('chat'), system: 'openai' })] }).subscribe();
 * @example
 * import { metrics, trace } from '@opentelemetry/api';
 * import { l0 } from 'l0-rx';
 * import { withOpenTelemetry } from 'l0-rx/opentelemetry';
 * // with a meter: spans and metrics
 * const telemetry = { tracer: trace.getTracer('chat'), meter: metrics.getMeter('chat'), system: 'openai', model: 'gpt-4o' };
 * l0({ stream, runOperators: [withOpenTelemetry(telemetry)] }).subscribe();
 * @param config See {@link WithOpenTelemetryConfig}.
 */
export function withOpenTelemetry(config: WithOpenTelemetryConfig): MonoTypeOperatorFunction<L0Event> {
  const c = resolveOpenTelemetryConfig(config);
  const instruments = c.meter === undefined ? undefined : new RunInstruments(c.meter, genAiAttributes(c));
  return (source) =>
    new Observable<L0Event>((subscriber) => {
      const now = () => c.scheduler.now();
      const fold = new RunMetricsFold(now);
      let run = trace.wrapSpanContext(INVALID_SPAN_CONTEXT); // a tracer that throws (a span processor's onStart) traces nothing
      safely(() => (run = c.tracer.startSpan(c.spanName, { kind: SpanKind.CLIENT, startTime: now(), attributes: runAttributes(c) })));
      const parent = trace.setSpan(context.active(), run);
      const main = new AttemptLane(c, parent, {}, c.model);
      let openEntrants = 0;
      const observer: EntrantObserver = {
        entrant(index, name) {
          openEntrants++;
          // inside an attempt of the run (an l0() run whose stream is the race), the entrants are its children
          const lane = new AttemptLane(c, main.context() ?? parent, { 'l0.race.entrant': index, ...(name === undefined ? {} : { 'l0.race.entrant_name': name }) }, undefined);
          let ended = false;
          return {
            next: (e) => lane.event(e),
            end(outcome, error) {
              if (ended) return;
              ended = true;
              openEntrants--;
              lane.end(outcome, error);
            },
          };
        },
      };
      let done = false;
      const finish = (metrics: RunMetrics, error?: unknown, cancelled = false) => {
        done = true;
        // failed by its outcome, not by the error's value: `error(undefined)` (a `Promise.reject()`) fails the run too
        const failed = !cancelled && metrics.outcome === 'error';
        // each step on its own: a tracer or meter that throws (a span processor's onEnd) loses no other span
        // and never keeps the consumer from the run's end
        main.end(cancelled ? 'cancelled' : failed ? 'failed' : 'won', attemptError(error));
        safely(() => {
          if (cancelled) run.setAttribute('l0.cancelled', true);
          run.setAttributes(metricAttributes(metrics));
          if (failed) failSpan(run, error);
          else if (metrics.outcome === 'complete') run.setStatus({ code: SpanStatusCode.OK });
        });
        safely(() => run.end(now())); // also when its attributes threw
        safely(() => instruments?.end(metrics, cancelled));
      };
      /** The types the attempt's last drift event named: the next one lists them again (every type found so far). */
      let drifted: readonly string[] = [];
      const onEvent = (e: L0Event) => {
        if (fold.event(e)) safely(() => run.addEvent('gen_ai.first_token', {}, now()));
        // the event is read first (a malformed one throws there), the tracer and meter called through `safely`
        switch (e.type) {
          // the span event's low-cardinality attributes are the counter's too
          case 'retry': {
            const cause = { 'l0.reason': e.reason, 'error.type': e.error.code ?? e.error.name };
            return safely(() => {
              run.addEvent('l0.retry', { 'l0.attempt': e.attempt, ...cause, 'l0.delay_ms': e.delayMs }, now());
              instruments?.add('retries', cause);
            });
          }
          case 'fallback': {
            const cause = { 'l0.from_index': e.fromIndex, 'l0.to_index': e.toIndex, 'error.type': e.error.code ?? e.error.name };
            return safely(() => {
              run.addEvent('l0.fallback', cause, now());
              instruments?.add('fallbacks', cause);
            });
          }
          case 'violation': {
            const rule = { 'l0.rule_id': e.violation.ruleId, 'l0.severity': e.violation.severity };
            return safely(() => {
              run.addEvent('l0.violation', rule, now());
              instruments?.add('violations', rule);
            });
          }
          case 'drift': {
            const types = [...e.types];
            safely(() => {
              run.addEvent('l0.drift', { 'l0.drift_types': types, 'l0.confidence': e.confidence }, now());
              for (const type of types) if (!drifted.includes(type)) instruments?.add('drifts', { 'l0.drift_type': type });
            });
            drifted = types;
            return;
          }
          case 'start':
          case 'resume':
            drifted = []; // a new attempt's detectors start over
            return;
          case 'complete':
            return safely(() => {
              run.setAttribute('gen_ai.response.finish_reasons', [e.finishReason]);
              if (e.usage?.inputTokens !== undefined) run.setAttribute('gen_ai.usage.input_tokens', e.usage.inputTokens);
              if (e.usage?.outputTokens !== undefined) run.setAttribute('gen_ai.usage.output_tokens', e.usage.outputTokens);
            });
          default:
            return;
        }
      };
      // what the consumer does on a notification is not this run's: it runs in the context the consumer
      // subscribed in (not the run span's, which a context manager carries into the source's async work),
      // and a race it subscribes while this run's hook is on (a `start` sent within a subscribe) sees the
      // hook that was there before it: an outer tracer's, if any. A token costs two closures and a
      // context.with where either is not the consumer's: within the subscribe and, with a context manager
      // (AsyncLocalStorage), in all of the source's async work; a context.active() read everywhere else
      const outer = currentEntrantObserver();
      const consumer = context.active();
      const out = (notify: () => void) => {
        const hook = currentEntrantObserver();
        context.with(consumer, () => withEntrantObserver(hook === observer ? outer : hook, notify));
      };
      // the source's subscriber is the consumer's child: a synchronous source stops as soon as the consumer leaves
      const subscription = context.with(parent, () => withEntrantObserver(observer, () =>
        subscribeChild(source, {
          next: (e) => {
            try {
              onEvent(e);
              // after onEvent has read the event: a malformed retry fails its attempt's span, never ends it OK first
              // (while a race reports its entrants, their lanes trace the attempts: the winner's events arrive here too)
              if (openEntrants === 0) main.event(e);
            } catch (thrown) {
              // a malformed event (a retry without its error) ends the run, typed as tapLifecycle types it; the span records that error
              throw new InvalidStreamError(`withOpenTelemetry: a malformed ${String((e as { type?: unknown } | null)?.type)} event`, thrown);
            }
            if (currentEntrantObserver() !== observer && context.active() === consumer) subscriber.next(e);
            else out(() => subscriber.next(e));
          },
          complete: () => {
            finish(fold.end('complete'));
            out(() => subscriber.complete());
          },
          error: (error: unknown) => {
            // a user abort (the signal) is a cancellation, as an unsubscribe is: not an application error
            // (a budget() cut, also of category abort, is the run's error: traced as one)
            finish(fold.end('error', error), error, serializeError(error).code === 'STREAM_ABORTED');
            out(() => subscriber.error(error));
          },
        }, subscriber),
      ));
      return () => {
        subscription.unsubscribe(); // a race ends its open entrants as cancelled here, before the run span
        if (done) return;
        // a consumer that stops at the `complete` event (`first(complete)`) unsubscribes a complete run
        if (fold.completed) finish(fold.end('complete'));
        else finish(fold.end('unsubscribed'), undefined, true);
      };
    });
}

function metricAttributes(m: RunMetrics): Attributes {
  const a: Attributes = { 'l0.attempts': m.attempts, 'l0.retries': m.retries, 'l0.fallbacks': m.fallbacks, 'l0.violations': m.violations, 'l0.tokens': m.tokens };
  if (m.timeToFirstTokenMs !== undefined) a['l0.time_to_first_token_ms'] = m.timeToFirstTokenMs;
  if (m.tokensPerSecond !== undefined) a['l0.tokens_per_second'] = m.tokensPerSecond;
  return a;
}
