import { asyncScheduler, Observable, Subscriber, tap, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { getActiveSpan, getCurrentScope, SentryNonRecordingSpan, spanToJSON, startInactiveSpan, withActiveSpan, withScope, type Breadcrumb, type Client, type Scope, type Span } from '@sentry/core';
import type { L0Event } from '../../events/eventTypes.js';
import { serializeError } from '../../errors/serializeError.js';
import { InvalidStreamError } from '../../errors/InvalidStreamError.js';
import { RunMetricsFold, safely, type RunMetrics } from '../runMetrics.js';

/** Options of {@link withSentry}. */
export interface WithSentryConfig {
  /** The Sentry client events and spans go to. @default the current scope's client */
  readonly client?: Client;
  /** The scope each run's scope is forked from (tags, user, breadcrumbs). @default getCurrentScope() */
  readonly scope?: Scope;
  /** The run span's name. @default 'l0.run' */
  readonly spanName?: string;
  /**
   * The clock of span times. The span lasts exactly as long as the run did on this clock, also
   * under virtual time (a TestScheduler's clock starts at 0, which Sentry reads as "now").
   * @default asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
}

const KEYS = ['client', 'scope', 'spanName', 'scheduler'];
const STATUS_OK = 1 as const;
const STATUS_ERROR = 2 as const;

/**
 * Reports each run to Sentry: a breadcrumb per retry and fallback (through the client's
 * `beforeBreadcrumb` and `maxBreadcrumbs`), the run's error captured with its L0 code as the
 * `l0.code` tag and the run's context (`l0`), and a span covering the run with its real duration.
 *
 *   -s-a-r--s-b-#      source (r retry, # AUTH_ERROR)
 *   -s-a-r--s-b-#      withSentry({ client })
 *   breadcrumb at r, captureException at # (tag l0.code: AUTH_ERROR), span l0.run [=========]
 *
 * 1. Each subscription forks its own scope, so breadcrumbs of parallel runs never mix. The run span
 *    is that scope's active span, and the active span while the source is subscribed: the captured
 *    error is attached to it, and spans started there (an instrumented HTTP call) are its children.
 *    The consumer is never notified in the run's scope (in its own where the run span would be active):
 *    what it captures or tags is not the run's.
 * 2. The span ends on complete (ok), error (error status, the code as `l0.error_code`) and unsubscribe
 *    (`l0.cancelled`), timed with `scheduler`. A user abort is a cancellation, whether by unsubscribe
 *    or by the signal (`STREAM_ABORTED`): `l0.cancelled`, no exception captured. An unsubscribe
 *    right after the `complete` event (`first(complete)`) ends a complete run. The span is sent
 *    through the run's client, as that client sends spans (streamed by default in Sentry 11).
 *    A malformed event (a `retry` without its error) ends the run with an InvalidStreamError naming
 *    it, captured as the run's error, as `tapLifecycle` ends it.
 * 3. A hook of the client's that throws (`client.on('spanEnd', ...)`, `beforeAddBreadcrumb`,
 *    `preprocessEvent`...) or a client method that throws is Sentry's failure, never the stream's:
 *    the run goes on and ends as it would without it (a throwing breadcrumb hook drops that breadcrumb).
 * 4. Import from `l0-rx/sentry`; `@sentry/core` (which every Sentry SDK re-exports) is an optional
 *    peer, never imported by the root entry.
 *
 * @example
 * import { getClient } from '@sentry/core'; // the client Sentry.init() of @sentry/node or @sentry/browser set up
 * import { l0 } from 'l0-rx';
 * import { withSentry } from 'l0-rx/sentry';
 * l0({ stream, runOperators: [withSentry({ client: getClient() })] }).subscribe();
 * @param config See {@link WithSentryConfig}.
 */
export function withSentry(config: WithSentryConfig = {}): MonoTypeOperatorFunction<L0Event> {
  const c = resolve(config);
  return (source) =>
    new Observable<L0Event>((subscriber) => {
      const now = () => c.scheduler.now();
      const fold = new RunMetricsFold(now);
      const forked = (c.scope ?? getCurrentScope()).clone();
      if (c.client) forked.setClient(c.client);
      const started = now();
      const outer = getCurrentScope();
      return withScope(forked, () => {
        // a hook of the client's that throws at the span's start (spanStart) leaves the run without a span, not without its stream
        let span: Span = new SentryNonRecordingSpan();
        safely(() => (span = startInactiveSpan({ name: c.spanName, op: 'gen_ai.chat', startTime: started / 1000, forceTransaction: true })));
        // the run's scope has the span as its active span: the captured error is attached to it, and
        // the source is subscribed inside it, so the spans it starts (an HTTP call) are the run span's children
        return withActiveSpan(span, (scope) => source.pipe(report(c, scope, span, fold, started)).subscribe(new InScope(subscriber, outer, span)));
      });
    });
}

/**
 * The consumer's subscriber (its child: a synchronous source stops as soon as it leaves), notified in the
 * consumer's own scope wherever the run's context would leak into it, that is where the run span is the
 * active span (within the subscribe, and in the source's async work under an async context strategy such
 * as @sentry/node's): what the consumer does then (a captureException, a tag, a span) is not the run's. A
 * token anywhere else passes straight on, in whatever scope is current, as it would without this operator
 * (`withScope` clones the current scope at every call: 2-3 us a token where it ran for every token).
 */
class InScope extends Subscriber<L0Event> {
  constructor(destination: Subscriber<L0Event>, private readonly scope: Scope, private readonly span: Span) {
    super(destination);
  }

  protected override _next(e: L0Event): void {
    if (getActiveSpan() !== this.span) super._next(e);
    else withScope(this.scope, () => super._next(e));
  }

  protected override _error(e: unknown): void {
    withScope(this.scope, () => super._error(e));
  }

  protected override _complete(): void {
    withScope(this.scope, () => super._complete());
  }
}

/** The run's breadcrumbs, error and span end, on the run's own scope. */
function report(c: ReturnType<typeof resolve>, scope: Scope, span: Span, fold: RunMetricsFold, started: number): MonoTypeOperatorFunction<L0Event> {
  const now = () => c.scheduler.now();
  // the end is the span's start as Sentry kept it plus the run's duration on the scheduler: Sentry
  // takes a start of 0 (virtual time) for "now", and an end of now() / 1000 would then precede it
  const spanStart = spanToJSON(span).start_timestamp;
  let ended = false;
  let last: { attempt: number; fallbackIndex: number; model?: string } = { attempt: 0, fallbackIndex: 0 };
  const end = (metrics: RunMetrics, status: typeof STATUS_OK | typeof STATUS_ERROR, message?: string) => {
    ended = true;
    span.setAttributes({ 'l0.attempts': metrics.attempts, 'l0.retries': metrics.retries, 'l0.fallbacks': metrics.fallbacks, 'l0.tokens': metrics.tokens });
    if (metrics.timeToFirstTokenMs !== undefined) span.setAttribute('l0.time_to_first_token_ms', metrics.timeToFirstTokenMs);
    span.setStatus(message === undefined ? { code: status } : { code: status, message });
    // ended inside the run's scope: Sentry sends a span through the client current at its end (the run's);
    // its hooks run in there (spanEnd, preprocessEvent): one that throws never keeps the consumer from the run's end
    safely(() => withScope(scope, () => span.end(spanStart + (now() - started) / 1000)));
  };
  const onEvent = (e: L0Event) => {
    fold.event(e);
    if (e.type === 'start') last = { attempt: e.attempt, fallbackIndex: e.fallbackIndex, ...(e.model === undefined ? {} : { model: e.model }) };
    else if (e.type === 'retry') {
      addBreadcrumb(scope, { category: 'l0.retry', level: 'warning', message: `attempt ${e.attempt} failed (${e.error.code ?? e.error.name}), retrying in ${e.delayMs} ms`, data: { reason: e.reason, attempt: e.attempt, delayMs: e.delayMs, code: e.error.code } });
    } else if (e.type === 'fallback') {
      addBreadcrumb(scope, { category: 'l0.fallback', level: 'warning', message: `falling back from stream ${e.fromIndex} to ${e.toIndex} (${e.error.code ?? e.error.name})`, data: { fromIndex: e.fromIndex, toIndex: e.toIndex, code: e.error.code } });
    }
  };
  const fail = (error: unknown) => {
    const metrics = fold.end('error', error);
    const plain = serializeError(error);
    // a user abort (the signal) is a cancellation, as an unsubscribe is: no exception, no error status
    // (a budget() cut, also of category abort, is the run's error: captured as one)
    if (plain.code === 'STREAM_ABORTED') {
      span.setAttribute('l0.cancelled', true);
      return end(metrics, STATUS_OK);
    }
    const code = plain.code ?? plain.name;
    scope.setTag('l0.code', code);
    scope.setContext('l0', { ...last, retries: metrics.retries, retriesByReason: metrics.retriesByReason, fallbacks: metrics.fallbacks, tokens: metrics.tokens });
    safely(() => scope.captureException(error)); // the client's hooks run in there (preprocessEvent)
    span.setAttribute('l0.error_code', code);
    end(metrics, STATUS_ERROR, code);
  };
  return tap({
    next: (e) => {
      try {
        onEvent(e);
      } catch (thrown) {
        // a malformed event (a retry without its error) ends the run, typed as tapLifecycle types it, and is reported as its error:
        // rxjs's tap sends a throw of `next` downstream without its `error` callback, and the span would have ended as cancelled
        const error = new InvalidStreamError(`withSentry: a malformed ${String((e as { type?: unknown } | null)?.type)} event`, thrown);
        fail(error);
        throw error;
      }
    },
    complete: () => end(fold.end('complete'), STATUS_OK),
    error: fail,
    unsubscribe: () => {
      if (ended) return;
      // a consumer that stops at the `complete` event (`first(complete)`) unsubscribes a complete run
      if (!fold.completed) span.setAttribute('l0.cancelled', true);
      end(fold.end(fold.completed ? 'complete' : 'unsubscribed'), STATUS_OK);
    },
  });
}

/**
 * Adds a breadcrumb as `Sentry.addBreadcrumb` does, but to the run's scope: through the client's
 * `beforeBreadcrumb` and `beforeAddBreadcrumb` hooks (a throw drops it, and never reaches the stream)
 * and within its `maxBreadcrumbs` (0: none).
 */
function addBreadcrumb(scope: Scope, breadcrumb: Breadcrumb): void {
  const client = scope.getClient();
  if (!client) return;
  safely(() => {
    const { beforeBreadcrumb, maxBreadcrumbs = 100 } = client.getOptions();
    const kept = maxBreadcrumbs > 0 && (beforeBreadcrumb ? beforeBreadcrumb(breadcrumb) : breadcrumb);
    if (!kept) return;
    client.emit('beforeAddBreadcrumb', kept, undefined);
    scope.addBreadcrumb(kept, maxBreadcrumbs);
  });
}

function resolve(config: WithSentryConfig) {
  if (typeof config !== 'object' || config === null) throw new TypeError(`withSentry(config) must be an object, got ${config === null ? 'null' : typeof config}`);
  for (const key of Object.keys(config)) {
    if (!KEYS.includes(key)) throw new TypeError(`withSentry(config): unknown option \`${key}\`; the options are ${KEYS.map((k) => `\`${k}\``).join(', ')}`);
  }
  const { client, scope, spanName = 'l0.run', scheduler = asyncScheduler } = config;
  // the Sentry module (L0's `L0Sentry({sentry})`) has a captureException too, but no getOptions: every run would fail at its start
  if (client !== undefined && (typeof client?.captureException !== 'function' || typeof client.getOptions !== 'function')) throw new TypeError('withSentry({client}) must be a Sentry Client, such as `Sentry.getClient()`, not the Sentry module');
  if (scope !== undefined && typeof scope?.clone !== 'function') throw new TypeError('withSentry({scope}) must be a Sentry Scope');
  if (typeof spanName !== 'string' || spanName === '') throw new TypeError('withSentry({spanName}) must be a non-empty string');
  if (typeof scheduler?.now !== 'function') throw new TypeError('withSentry({scheduler}) must be a SchedulerLike');
  return { client, scope, spanName, scheduler };
}
