import { ValueType, type Attributes, type Counter, type Histogram, type Meter } from '@opentelemetry/api';
import type { RunMetrics } from '../runMetrics.js';

/** The l0.* counters: name, unit and what one increment is. */
const COUNTERS = {
  retries: ['l0.retries', '{retry}', 'Retries of a run.'],
  fallbacks: ['l0.fallbacks', '{fallback}', 'Moves to a fallback stream.'],
  violations: ['l0.violations', '{violation}', 'Guardrail violations.'],
  drifts: ['l0.drifts', '{drift}', 'Drift detections, once per type an attempt found.'],
  errors: ['l0.errors', '{error}', 'Failed runs.'],
} as const;

/** A counter of {@link RunInstruments}. */
export type RunCounter = keyof typeof COUNTERS;

interface Instruments {
  readonly duration: Histogram;
  readonly firstChunk: Histogram;
  readonly usage: Histogram;
  readonly counters: Readonly<Record<RunCounter, Counter>>;
}

/** Each meter's instruments, made at its first `withOpenTelemetry({meter})`: an operator made per request makes none. */
const MADE = /*#__PURE__*/ new WeakMap<Meter, Instruments>();

function instrumentsOf(meter: Meter): Instruments {
  let made = MADE.get(meter);
  if (made !== undefined) return made;
  // the GenAI conventions' bucket boundaries: 0.01 s to 81.92 s (doubling), 1 to 4^13 tokens
  const boundaries = (first: number, factor: number) => ({ explicitBucketBoundaries: Array.from({ length: 14 }, (_, i) => first * factor ** i) });
  const seconds = (name: string, description: string) => meter.createHistogram(name, { description, unit: 's', advice: boundaries(0.01, 2) });
  const counter = ([name, unit, description]: (typeof COUNTERS)[RunCounter]) => meter.createCounter(name, { description, unit, valueType: ValueType.INT });
  made = {
    duration: seconds('gen_ai.client.operation.duration', 'GenAI operation duration.'),
    firstChunk: seconds('gen_ai.client.operation.time_to_first_chunk', 'Time to receive the first chunk.'),
    usage: meter.createHistogram('gen_ai.client.token.usage', { description: 'Number of input and output tokens used.', unit: '{token}', valueType: ValueType.INT, advice: boundaries(1, 4) }),
    counters: Object.fromEntries(Object.entries(COUNTERS).map(([key, c]) => [key, counter(c)])) as Record<RunCounter, Counter>,
  };
  MADE.set(meter, made);
  return made;
}

/**
 * The metrics of one `withOpenTelemetry(...)` call's runs: the GenAI client histograms
 * (`gen_ai.client.operation.duration`, `.time_to_first_chunk`, `gen_ai.client.token.usage`)
 * recorded at a run's end from its {@link RunMetrics}, and the `l0.*` counters, counted as their
 * events pass. The instruments are the meter's, made once; every record carries the run's
 * `gen_ai.*` attributes; nothing is recorded per token.
 * @internal
 */
export class RunInstruments {
  private readonly i: Instruments;

  constructor(
    meter: Meter,
    /** `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`: the run span's. */
    private readonly base: Attributes,
  ) {
    this.i = instrumentsOf(meter);
  }

  /** Counts one retry, fallback, violation or drift type, with these attributes besides the run's. */
  add(counter: RunCounter, attributes: Attributes): void {
    this.i.counters[counter].add(1, { ...this.base, ...attributes });
  }

  /**
   * Records a run that ended: its duration (`error.type` when it failed, `l0.cancelled` when the
   * consumer left or aborted it), its time to first token if it had one, the provider's token usage
   * if it reported any, and a failed run in `l0.errors`.
   */
  end(m: RunMetrics, cancelled: boolean): void {
    const errorType = cancelled ? undefined : m.errorCode;
    const ended = cancelled ? { ...this.base, 'l0.cancelled': true } : errorType === undefined ? this.base : { ...this.base, 'error.type': errorType };
    this.i.duration.record(m.durationMs / 1000, ended);
    if (m.timeToFirstTokenMs !== undefined) this.i.firstChunk.record(m.timeToFirstTokenMs / 1000, this.base);
    if (m.usage?.inputTokens !== undefined) this.i.usage.record(m.usage.inputTokens, { ...this.base, 'gen_ai.token.type': 'input' });
    if (m.usage?.outputTokens !== undefined) this.i.usage.record(m.usage.outputTokens, { ...this.base, 'gen_ai.token.type': 'output' });
    if (errorType !== undefined) this.i.counters.errors.add(1, ended);
  }
}
