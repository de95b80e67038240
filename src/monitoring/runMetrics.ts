import { asyncScheduler, defer, tap, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import type { FinishReason, L0Event, Usage } from '../events/eventTypes.js';
import { serializeError } from '../errors/serializeError.js';
import { quiet } from '../internal/isPromiseLike.js';
import { isSchedulerLike } from '../internal/options.js';
import { warnOnce } from '../internal/warn.js';

/** How a measured run's stream ended: a signal abort is an `'error'` (its `errorCode` is `STREAM_ABORTED`). */
export type RunOutcome = 'complete' | 'error' | 'unsubscribed';

/** The summary of one run, from its events and the scheduler's clock (ms). */
export interface RunMetrics {
  readonly outcome: RunOutcome;
  readonly durationMs: number;
  /** From subscription to the run's first token (any attempt); undefined without tokens. */
  readonly timeToFirstTokenMs: number | undefined;
  /**
   * Tokens of the final attempt (the ones the answer is made of; of a resumed attempt, those after its
   * checkpoint, as `accumulate()`'s `tokenCount` counts them); 0 after a retry or fallback until the next attempt's first.
   */
  readonly tokens: number;
  /** Tokens received over every attempt, discarded ones included. */
  readonly tokensReceived: number;
  /** Final attempt's tokens per second, from its first token to the end; undefined with fewer than 2 tokens or no time. */
  readonly tokensPerSecond: number | undefined;
  /** `start` events: 1 for a run without retries or fallbacks. */
  readonly attempts: number;
  readonly retries: number;
  /** Retries by classification reason (`rate_limit`, `timeout`...). */
  readonly retriesByReason: Readonly<Record<string, number>>;
  readonly fallbacks: number;
  readonly violations: number;
  readonly drifts: number;
  readonly finishReason: FinishReason | undefined;
  readonly usage: Usage | undefined;
  /** The code of the error that ended the run (its name when it has none), if it failed. */
  readonly errorCode: string | undefined;
}

/**
 * Folds a run's events into {@link RunMetrics}, one event at a time, O(1) per event.
 * @internal Shared by measureRun and the OpenTelemetry operator.
 */
export class RunMetricsFold {
  private readonly started: number;
  private firstToken: number | undefined;
  private attemptFirstToken: number | undefined;
  private tokens = 0;
  private tokensReceived = 0;
  private attempts = 0;
  private retries = 0;
  private readonly byReason: Record<string, number> = {};
  private fallbacks = 0;
  private violations = 0;
  private drifts = 0;
  private finishReason: FinishReason | undefined;
  private usage: Usage | undefined;
  /** The run delivered its `complete` event: an unsubscribe after it (`first(complete)`) ends a complete run, not a cancelled one. */
  completed = false;

  constructor(private readonly now: () => number) {
    this.started = now();
  }

  /** Folds one event; returns true when it is the run's first token. */
  event(e: L0Event): boolean {
    // an event it cannot read (null) passes untouched: the run's real end is reported, not a TypeError of its own
    switch (e?.type) {
      case 'start':
        this.attempts++;
        this.tokens = 0;
        this.attemptFirstToken = undefined;
        return false;
      case 'token': {
        this.tokens++;
        this.tokensReceived++;
        const first = this.firstToken === undefined;
        if (this.attemptFirstToken === undefined) this.attemptFirstToken = this.now();
        if (first) this.firstToken = this.attemptFirstToken;
        return first;
      }
      case 'retry':
        // the attempt is retracted: `tokens` counts the final attempt's, and none has come yet
        this.tokens = 0;
        this.attemptFirstToken = undefined;
        this.retries++;
        this.byReason[e.reason] = (this.byReason[e.reason] ?? 0) + 1;
        return false;
      case 'fallback':
        this.tokens = 0;
        this.attemptFirstToken = undefined;
        this.fallbacks++;
        return false;
      case 'violation':
        this.violations++;
        return false;
      case 'drift':
        this.drifts++;
        return false;
      case 'complete':
        this.completed = true;
        this.finishReason = e.finishReason;
        this.usage = e.usage;
        return false;
      default:
        return false;
    }
  }

  /** The summary, at the run's end. */
  end(outcome: RunOutcome, error?: unknown): RunMetrics {
    const end = this.now();
    const streaming = this.attemptFirstToken === undefined ? 0 : end - this.attemptFirstToken;
    return Object.freeze({
      outcome,
      durationMs: end - this.started,
      timeToFirstTokenMs: this.firstToken === undefined ? undefined : this.firstToken - this.started,
      tokens: this.tokens,
      tokensReceived: this.tokensReceived,
      tokensPerSecond: this.tokens >= 2 && streaming > 0 ? (this.tokens * 1000) / streaming : undefined,
      attempts: this.attempts,
      retries: this.retries,
      retriesByReason: Object.freeze({ ...this.byReason }),
      fallbacks: this.fallbacks,
      violations: this.violations,
      drifts: this.drifts,
      finishReason: this.finishReason,
      usage: this.usage,
      errorCode: outcome === 'error' ? codeOf(error) : undefined,
    });
  }
}

function codeOf(error: unknown): string {
  const plain = serializeError(error);
  return plain.code ?? plain.name;
}

/** Options of {@link measureRun}. */
export interface MeasureRunConfig {
  /** The clock. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

/**
 * Calls `onMetrics` once per subscription with the run's {@link RunMetrics} (time to first token,
 * tokens per second, retries by reason, fallbacks, violations) when it completes, fails or is
 * unsubscribed. Events pass through untouched (one it cannot read too); the work per event is O(1).
 *
 *   -s-a-b-x|      source
 *   -s-a-b-x|      measureRun(onMetrics)   onMetrics({ outcome: 'complete', tokens: 2, ... }) at x
 *
 * An unsubscribe right after the `complete` event (`first(complete)`) reports a complete run. A
 * throwing `onMetrics`, or an async one whose promise rejects, is warned about once per
 * `measureRun()` call (`console.warn`), never rethrown nor left unhandled: metrics never break the
 * stream nor the process, and a broken `onMetrics` does not lose them silently.
 *
 * @example
 * import { l0, measureRun } from 'l0-rx';
 * l0({ stream, runOperators: [measureRun((m) => console.log(m.timeToFirstTokenMs, m.retriesByReason))] }).subscribe();
 * @param onMetrics Receives the frozen summary.
 * @param config See {@link MeasureRunConfig}.
 */
export function measureRun(onMetrics: (metrics: RunMetrics) => void, config: MeasureRunConfig = {}): MonoTypeOperatorFunction<L0Event> {
  if (typeof onMetrics !== 'function') throw new TypeError(`measureRun(onMetrics) must be a function, got ${typeof onMetrics}`);
  if (typeof config !== 'object' || config === null) throw new TypeError('measureRun(onMetrics, config) must be an object');
  for (const key of Object.keys(config)) if (key !== 'scheduler') throw new TypeError(`measureRun(onMetrics, config): unknown option \`${key}\`; the options are \`scheduler\``);
  const { scheduler = asyncScheduler } = config;
  if (!isSchedulerLike(scheduler)) throw new TypeError('measureRun(onMetrics, {scheduler}) must be a SchedulerLike');
  // once per operator, as tapLifecycle warns
  const warnMetrics = warnOnce('l0-rx measureRun: the `onMetrics` callback threw or rejected; the stream goes on.');
  return (source) =>
    defer(() => {
      const fold = new RunMetricsFold(() => scheduler.now());
      const report = (outcome: RunOutcome, error?: unknown) => {
        try {
          // an async onMetrics (`async (m) => db.save(m)`): its rejection is warned about too, never left unhandled
          quiet(onMetrics(fold.end(outcome, error)), warnMetrics);
        } catch (e) {
          warnMetrics(e); // metrics never break the stream
        }
      };
      return source.pipe(
        tap({
          next: (e) => void fold.event(e),
          complete: () => report('complete'),
          error: (e: unknown) => report('error', e),
          unsubscribe: () => report(fold.completed ? 'complete' : 'unsubscribed'),
        }),
      );
    });
}

/**
 * Runs a call into a telemetry SDK (a tracer, a meter, a Sentry client and its hooks): one that throws is its
 * own fault, not the stream's, which goes on as it would without telemetry. @internal
 */
export function safely(call: () => void): void {
  try {
    call();
  } catch {
    // the stream goes on as it would without telemetry
  }
}
