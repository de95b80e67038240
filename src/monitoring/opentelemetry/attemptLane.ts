import { SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { EntrantOutcome } from '../../internal/entrantObserver.js';
import type { L0Event } from '../../events/eventTypes.js';
import { serializeError } from '../../errors/serializeError.js';
import { safely } from '../runMetrics.js';
import type { ResolvedOpenTelemetryConfig } from './openTelemetryConfig.js';

/**
 * The attempt spans of one sequence of events: the run's own, or one race entrant's. A `start`
 * opens a span (ending the previous one), `retry`/`fallback` end it with an error status, and the
 * lane's end closes the last one with the entrant's outcome. Per token: O(1), no clock read but the first.
 */
export class AttemptLane {
  private span: Span | undefined;
  private hasToken = false;
  private completed = false;

  constructor(
    private readonly c: ResolvedOpenTelemetryConfig,
    private readonly parent: Context,
    private readonly attributes: Attributes,
    /** The model of the primary's attempts that name none (the config's `model`). */
    private readonly primaryModel: string | undefined,
  ) {}

  /** Traces one event; a tracer that throws (a span processor's onStart or onEnd) is its own fault, never the stream's. */
  event(e: L0Event): void {
    try {
      this.step(e); // no closure: this runs per token
    } catch {
      // see safely
    }
  }

  private step(e: L0Event): void {
    switch (e.type) {
      case 'start': {
        const now = this.c.scheduler.now();
        this.close(undefined, now);
        this.hasToken = false;
        this.completed = false;
        const model = e.model ?? (e.fallbackIndex === 0 ? this.primaryModel : undefined);
        this.span = this.c.tracer.startSpan('l0.attempt', {
          startTime: now,
          attributes: { ...this.attributes, 'l0.attempt': e.attempt, 'l0.fallback_index': e.fallbackIndex, ...(model === undefined ? {} : { 'gen_ai.request.model': model }) },
        }, this.parent);
        return;
      }
      case 'token':
        if (this.hasToken) return;
        this.hasToken = true;
        this.span?.addEvent('gen_ai.first_token', {}, this.c.scheduler.now());
        return;
      case 'complete':
        this.completed = true;
        return;
      case 'retry':
      case 'fallback':
        this.close(e.error, this.c.scheduler.now());
        return;
      default:
        return;
    }
  }

  /** Ends the open span: `lost` and `cancelled` leave the status unset and say so in `l0.race.outcome` / `l0.cancelled`. */
  end(ended: EntrantOutcome, error?: unknown): void {
    safely(() => this.stop(ended, error));
  }

  private stop(ended: EntrantOutcome, error?: unknown): void {
    const span = this.span;
    if (!span) return;
    // a consumer that stops at the `complete` event (l0's fromStream does) unsubscribes a finished answer
    const outcome = ended === 'cancelled' && this.completed ? 'won' : ended;
    if (outcome === 'lost' || outcome === 'cancelled') {
      this.span = undefined;
      safely(() => {
        span.setAttribute(outcome === 'lost' ? 'l0.race.outcome' : 'l0.cancelled', outcome === 'lost' ? 'lost' : true);
        span.addEvent(outcome === 'lost' ? 'l0.race.lost' : 'l0.cancelled', {}, this.c.scheduler.now());
      });
      span.end(this.c.scheduler.now());
      return;
    }
    if ('l0.race.entrant' in this.attributes) safely(() => span.setAttribute('l0.race.outcome', outcome));
    this.close(outcome === 'failed' ? error ?? 'failed' : undefined, this.c.scheduler.now());
  }

  /** The context of the open attempt span, if any. */
  context(): Context | undefined {
    return this.span === undefined ? undefined : trace.setSpan(this.parent, this.span);
  }

  private close(error: unknown, now: number): void {
    const span = this.span;
    if (!span) return;
    // ended once, whatever the span throws: a span that throws at its status still ends, one that throws at its end is not ended again
    this.span = undefined;
    safely(() => (error === undefined ? span.setStatus({ code: SpanStatusCode.OK }) : failSpan(span, error)));
    safely(() => span.end(now)); // a span processor's onEnd that throws: the next attempt still gets its span
  }
}

/** The last attempt's own error: an exhausted fallback chain's (the run's error) last entry, else the run's error. */
export function attemptError(error: unknown): unknown {
  const e = error as { code?: unknown; errors?: unknown } | null | undefined;
  const errors: unknown = typeof e === 'object' && e?.code === 'ALL_STREAMS_EXHAUSTED' ? e.errors : undefined;
  return Array.isArray(errors) && errors.length > 0 ? errors[errors.length - 1] : error;
}

export function failSpan(span: Span, error: unknown): void {
  const plain = serializeError(error);
  const code = plain.code ?? plain.name;
  span.setAttribute('error.type', code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: `${code}: ${plain.message}` });
  span.recordException({ name: plain.name, message: plain.message, code, ...stackOf(error) });
}

/** A live error's `{stack}` (`exception.stacktrace`); `{}` for a serialised one (a retry event's). */
function stackOf(error: unknown): { stack?: string } {
  try {
    return error instanceof Error && typeof error.stack === 'string' ? { stack: error.stack } : {};
  } catch {
    return {}; // a throwing getter, a revoked Proxy
  }
}
