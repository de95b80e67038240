import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { Attributes, Meter, Tracer } from '@opentelemetry/api';
import { describeOption } from '../../internal/options.js';

/** Options of {@link withOpenTelemetry}. */
export interface WithOpenTelemetryConfig {
  /** The tracer spans are made with, e.g. `trace.getTracer('my-app')`. */
  readonly tracer: Tracer;
  /** `gen_ai.provider.name` (`openai`, `anthropic`...), also set as `gen_ai.system`, its deprecated name. @default undefined (not set) */
  readonly system?: string;
  /**
   * `gen_ai.request.model` of the run span and of the primary's attempt spans (`fallbackIndex` 0);
   * an attempt span uses its `start.model` when there is one. A fallback's or a race entrant's
   * attempt without one gets no model: it is another model, not this one. @default undefined
   */
  readonly model?: string;
  /** The run span's name. @default 'l0.run' */
  readonly spanName?: string;
  /**
   * Extra attributes on the run span: a plain record whose values are strings, numbers, booleans or
   * arrays of one of these; `undefined` or `null` leaves one out (no value: OpenTelemetry's own
   * `span.setAttribute(key, null)` ignores it, as it does `undefined`, and no other tracer is handed
   * it); a Map, an empty key or any other value is a TypeError, not an attribute OpenTelemetry would
   * drop with a diag warning. @default {}
   */
  readonly attributes?: Attributes;
  /** The clock of span times, durations and time to first token. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /**
   * The meter of the run metrics, e.g. `metrics.getMeter('l0-rx')`: the GenAI client histograms
   * and the `l0.*` counters, made once here and shared by every run. @default undefined (no
   * instruments, nothing recorded: spans only)
   */
  readonly meter?: Meter;
}

const KEYS = ['tracer', 'system', 'model', 'spanName', 'attributes', 'scheduler', 'meter'];

/** Checks the config eagerly (a TypeError naming the option) and applies the defaults. */
export function resolveOpenTelemetryConfig(config: WithOpenTelemetryConfig) {
  if (typeof config !== 'object' || config === null) throw new TypeError(`withOpenTelemetry(config) must be an object, got ${config === null ? 'null' : typeof config}`);
  for (const key of Object.keys(config)) {
    if (!KEYS.includes(key)) throw new TypeError(`withOpenTelemetry(config): unknown option \`${key}\`; the options are ${KEYS.map((k) => `\`${k}\``).join(', ')}`);
  }
  const { tracer, system, model, spanName = 'l0.run', attributes = {}, scheduler = asyncScheduler, meter } = config;
  if (typeof tracer?.startSpan !== 'function') throw new TypeError('withOpenTelemetry({tracer}) must be an OpenTelemetry Tracer (with startSpan)');
  for (const [name, value] of [['system', system], ['model', model]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw new TypeError(`withOpenTelemetry({${name}}) must be a non-empty string, got ${typeof value === 'string' ? "''" : typeof value}`);
  }
  if (typeof spanName !== 'string' || spanName === '') throw new TypeError('withOpenTelemetry({spanName}) must be a non-empty string');
  checkAttributes(attributes);
  // no value, left out (see `attributes`)
  const kept: Attributes = Object.fromEntries(Object.entries(attributes).filter(([, v]) => v != null));
  if (typeof scheduler?.now !== 'function') throw new TypeError('withOpenTelemetry({scheduler}) must be a SchedulerLike');
  if (meter !== undefined && (typeof meter?.createHistogram !== 'function' || typeof meter.createCounter !== 'function')) {
    throw new TypeError(`withOpenTelemetry({meter}) must be an OpenTelemetry Meter (with createHistogram and createCounter), got ${meter === null ? 'null' : typeof meter === 'object' ? 'an object without them' : typeof meter}`);
  }
  return { tracer, system, model, spanName, attributes: kept, scheduler, meter };
}

/** True for a value OpenTelemetry keeps as an attribute: a string, a number, a boolean. */
const isPrimitive = (v: unknown): boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * Refuses what the run span would silently lose: a Map, a Date (spread, it adds nothing; a class
 * instance's own fields, or a record of another realm, are spread like any record), a key
 * OpenTelemetry drops (`''`) and a value it drops with a diag warning (an object, an array of mixed
 * or non-primitive items). `null`, like `undefined`, is no value: left out, as OpenTelemetry does.
 */
function checkAttributes(attributes: unknown): void {
  if (Object.prototype.toString.call(attributes) !== '[object Object]') {
    const got = attributes === null ? 'null' : typeof attributes === 'object' ? describeOption(attributes) : typeof attributes;
    const hint = attributes instanceof Map ? ' (pass Object.fromEntries(map))' : '';
    throw new TypeError(`withOpenTelemetry({attributes}) must be a record of span attributes, got ${got}${hint}`);
  }
  for (const [key, v] of Object.entries(attributes as object)) {
    if (key === '') throw new TypeError('withOpenTelemetry({attributes}) has an empty key, which OpenTelemetry drops');
    if (v == null || isPrimitive(v)) continue;
    const kind = Array.isArray(v) ? typeof v.find((item) => item != null) : undefined;
    if (Array.isArray(v) && v.every((item) => item == null || (isPrimitive(item) && typeof item === kind))) continue;
    throw new TypeError(`withOpenTelemetry({attributes}): attributes[${JSON.stringify(key)}] must be a string, number, boolean or an array of one of these, got ${describeOption(v)}`);
  }
}

export type ResolvedOpenTelemetryConfig = ReturnType<typeof resolveOpenTelemetryConfig>;

/** The run's `gen_ai.*` attributes: its span's and every metric record's. */
export function genAiAttributes(c: ResolvedOpenTelemetryConfig): Attributes {
  return {
    'gen_ai.operation.name': 'chat',
    ...(c.system === undefined ? {} : { 'gen_ai.provider.name': c.system, 'gen_ai.system': c.system }),
    ...(c.model === undefined ? {} : { 'gen_ai.request.model': c.model }),
  };
}

/** The run span's attributes: the `gen_ai.*` ones and the config's `attributes`. */
export function runAttributes(c: ResolvedOpenTelemetryConfig): Attributes {
  return { ...genAiAttributes(c), ...c.attributes };
}
