import { asyncScheduler, defer, tap, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { L0Event } from '../../events/eventTypes.js';
import { serializeError } from '../../errors/serializeError.js';
import { RunMetricsFold, type RunMetrics } from '../runMetrics.js';

/** Options of {@link withOpenTelemetry}. */
export interface WithOpenTelemetryConfig {
  /** The tracer spans are made with, e.g. `trace.getTracer('my-app')`. */
  readonly tracer: Tracer;
  /** `gen_ai.system` (`openai`, `anthropic`...). @default undefined (not set) */
  readonly system?: string;
  /** `gen_ai.request.model` of the run span; each attempt span uses its `start.model` when there is one. @default undefined */
  readonly model?: string;
  /** The run span's name. @default 'l0.run' */
  readonly spanName?: string;
  /** Extra attributes on the run span. @default {} */
  readonly attributes?: Attributes;
  /** The clock of span times and time to first token. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

const KEYS = ['tracer', 'system', 'model', 'spanName', 'attributes', 'scheduler'];

/**
 * Traces each run with OpenTelemetry: a run span, a child span per attempt (retries and
 * fallbacks each get one), gen_ai semantic-convention attributes, time to first token, retry and
 * fallback reasons as span events, and an error status with the error's code on failure.
 *
 *   -s-a-r--s-b-x|     source (r retry, x complete)
 *   -s-a-r--s-b-x|     withOpenTelemetry({ tracer })
 *   l0.run   [=============]   events: gen_ai.first_token, l0.retry
 *   attempt   [===]  [====]    the first ends with status error at r
 *
 * 1. Every span ends on complete, error and unsubscribe (an unsubscribed run gets
 *    `l0.cancelled: true`), with times from `scheduler`.
 * 2. On `complete`: `gen_ai.response.finish_reasons`, `gen_ai.usage.input_tokens` and
 *    `gen_ai.usage.output_tokens` (as the provider reported them), and the run's metrics as `l0.*`.
 * 3. Import from `l0-rx/opentelemetry`; `@opentelemetry/api` is an optional peer, never imported
 *    by the root entry.
 *
 * @example
 * import { trace } from '@opentelemetry/api';
 * import { l0 } from 'l0-rx';
 * import { withOpenTelemetry } from 'l0-rx/opentelemetry';
 * l0({ stream, runOperators: [withOpenTelemetry({ tracer: trace.getTracer('chat'), system: 'openai' })] }).subscribe();
 * @param config See {@link WithOpenTelemetryConfig}.
 */
export function withOpenTelemetry(config: WithOpenTelemetryConfig): MonoTypeOperatorFunction<L0Event> {
  const c = resolve(config);
  return (source) =>
    defer(() => {
      const now = () => c.scheduler.now();
      const fold = new RunMetricsFold(now);
      const run = c.tracer.startSpan(c.spanName, { kind: SpanKind.CLIENT, startTime: now(), attributes: runAttributes(c) });
      const parent = trace.setSpan(context.active(), run);
      let attempt: Span | undefined;
      let attemptHasToken = false;
      const endAttempt = (error?: unknown) => {
        if (!attempt) return;
        if (error !== undefined) failSpan(attempt, error);
        else attempt.setStatus({ code: SpanStatusCode.OK });
        attempt.end(now());
        attempt = undefined;
      };
      const finish = (metrics: RunMetrics, error?: unknown) => {
        endAttempt(error);
        run.setAttributes(metricAttributes(metrics));
        if (error !== undefined) failSpan(run, error);
        else if (metrics.outcome === 'complete') run.setStatus({ code: SpanStatusCode.OK });
        run.end(now());
      };
      const onEvent = (e: L0Event) => {
        const first = fold.event(e);
        if (first) run.addEvent('gen_ai.first_token', {}, now());
        switch (e.type) {
          case 'start':
            endAttempt();
            attemptHasToken = false;
            attempt = c.tracer.startSpan('l0.attempt', {
              startTime: now(),
              attributes: { 'l0.attempt': e.attempt, 'l0.fallback_index': e.fallbackIndex, ...(e.model ?? c.model ? { 'gen_ai.request.model': e.model ?? c.model } : {}) },
            }, parent);
            return;
          case 'token':
            if (!attemptHasToken && attempt) attempt.addEvent('gen_ai.first_token', {}, now());
            attemptHasToken = true;
            return;
          case 'retry':
            run.addEvent('l0.retry', { 'l0.attempt': e.attempt, 'l0.reason': e.reason, 'l0.delay_ms': e.delayMs, 'error.type': e.error.code ?? e.error.name }, now());
            endAttempt(e.error);
            return;
          case 'fallback':
            run.addEvent('l0.fallback', { 'l0.from_index': e.fromIndex, 'l0.to_index': e.toIndex, 'error.type': e.error.code ?? e.error.name }, now());
            endAttempt(e.error);
            return;
          case 'violation':
            run.addEvent('l0.violation', { 'l0.rule_id': e.violation.ruleId, 'l0.severity': e.violation.severity }, now());
            return;
          case 'drift':
            run.addEvent('l0.drift', { 'l0.drift_types': [...e.types], 'l0.confidence': e.confidence }, now());
            return;
          case 'complete':
            run.setAttribute('gen_ai.response.finish_reasons', [e.finishReason]);
            if (e.usage?.inputTokens !== undefined) run.setAttribute('gen_ai.usage.input_tokens', e.usage.inputTokens);
            if (e.usage?.outputTokens !== undefined) run.setAttribute('gen_ai.usage.output_tokens', e.usage.outputTokens);
            return;
          default:
            return;
        }
      };
      return source.pipe(
        tap({
          next: onEvent,
          complete: () => finish(fold.end('complete')),
          error: (error: unknown) => finish(fold.end('error', error), error),
          unsubscribe: () => {
            run.setAttribute('l0.cancelled', true);
            finish(fold.end('unsubscribed'));
          },
        }),
      );
    });
}

function failSpan(span: Span, error: unknown): void {
  const plain = serializeError(error);
  const code = plain.code ?? plain.name;
  span.setAttribute('error.type', code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: `${code}: ${plain.message}` });
  span.recordException({ name: plain.name, message: plain.message, code });
}

function runAttributes(c: ReturnType<typeof resolve>): Attributes {
  return {
    'gen_ai.operation.name': 'chat',
    ...(c.system === undefined ? {} : { 'gen_ai.system': c.system }),
    ...(c.model === undefined ? {} : { 'gen_ai.request.model': c.model }),
    ...c.attributes,
  };
}

function metricAttributes(m: RunMetrics): Attributes {
  const a: Attributes = { 'l0.attempts': m.attempts, 'l0.retries': m.retries, 'l0.fallbacks': m.fallbacks, 'l0.violations': m.violations, 'l0.tokens': m.tokens };
  if (m.timeToFirstTokenMs !== undefined) a['l0.time_to_first_token_ms'] = m.timeToFirstTokenMs;
  if (m.tokensPerSecond !== undefined) a['l0.tokens_per_second'] = m.tokensPerSecond;
  return a;
}

function resolve(config: WithOpenTelemetryConfig) {
  if (typeof config !== 'object' || config === null) throw new TypeError(`withOpenTelemetry(config) must be an object, got ${config === null ? 'null' : typeof config}`);
  for (const key of Object.keys(config)) {
    if (!KEYS.includes(key)) throw new TypeError(`withOpenTelemetry(config): unknown option \`${key}\`; the options are ${KEYS.map((k) => `\`${k}\``).join(', ')}`);
  }
  const { tracer, system, model, spanName = 'l0.run', attributes = {}, scheduler = asyncScheduler } = config;
  if (typeof tracer?.startSpan !== 'function') throw new TypeError('withOpenTelemetry({tracer}) must be an OpenTelemetry Tracer (with startSpan)');
  for (const [name, value] of [['system', system], ['model', model]] as const) {
    if (value !== undefined && typeof value !== 'string') throw new TypeError(`withOpenTelemetry({${name}}) must be a string, got ${typeof value}`);
  }
  if (typeof spanName !== 'string' || spanName === '') throw new TypeError('withOpenTelemetry({spanName}) must be a non-empty string');
  if (typeof scheduler?.now !== 'function') throw new TypeError('withOpenTelemetry({scheduler}) must be a SchedulerLike');
  return { tracer, system, model, spanName, attributes, scheduler };
}
