/**
 * The object form of a fake model script, and its compilation into timed steps.
 * Validation is eager: a bad script throws a TypeError naming the attempt and item.
 */
import { FINISH_REASONS, type DataPayload, type FinishReason, type L0Event, type Usage } from '../events/eventTypes.js';
import { describeFakeErrorProblem, fakeError, type FakeErrorSpec } from './fakeError.js';
import { checkKeys, describeOption, optionKeys } from '../internal/options.js';

/** A scripted tool call. `arguments` may be an object (sent as its JSON text). */
export interface FakeToolCall {
  /** @default `call_<item index>` */
  readonly id?: string;
  readonly name: string;
  readonly arguments: string | Readonly<Record<string, unknown>>;
  /**
   * How many pieces the arguments would stream in, for symmetry with the fault server's
   * `tool-call-fragments:k`: a whole number from 1 to the arguments' length in characters (a
   * TypeError otherwise). A fake model always emits one complete `tool-call` event.
   */
  readonly fragments?: number;
}

/**
 * One step of an object script. A plain string is a token. `delay` waits (virtual ms under a
 * TestScheduler). `error`, `hang` and `end` are terminal: nothing may follow them. `end` ends the
 * stream with no `complete` event (a cut stream; through `fromStream` it gets `complete{stop}`).
 */
export type FakeItem =
  | string
  | { readonly token: string }
  | { readonly delay: number }
  | { readonly reasoning: string }
  | { readonly toolCall: FakeToolCall }
  | { readonly data: DataPayload }
  | { readonly progress: { readonly percent?: number; readonly step?: string; readonly message?: string } }
  | { readonly error: FakeErrorSpec }
  | { readonly hang: true }
  | { readonly end: true };

/** One attempt as an object: items in order, then (unless a terminal item came first) `complete`. */
export interface FakeScript {
  readonly items: readonly FakeItem[];
  /** The `complete` event's finish reason. @default 'stop' */
  readonly finishReason?: FinishReason;
  /** The `complete` event's usage. @default undefined (no usage) */
  readonly usage?: Usage;
}

/** A compiled step: wait, emit events, or end (complete, error, or hang forever). */
export type FakeStep =
  | { readonly kind: 'wait'; readonly ms: number }
  | { readonly kind: 'emit'; readonly events: readonly L0Event[] }
  | { readonly kind: 'error'; readonly error: () => unknown }
  | { readonly kind: 'end' }
  | { readonly kind: 'hang' };


/** @internal Pushes an emit step, merging with a previous emit step at the same time. */
export function pushEvent(steps: FakeStep[], event: L0Event): void {
  const last = steps[steps.length - 1];
  if (last?.kind === 'emit') steps[steps.length - 1] = { kind: 'emit', events: [...last.events, event] };
  else steps.push({ kind: 'emit', events: [event] });
}

/** @internal Pushes a wait step, merging consecutive waits. */
export function pushWait(steps: FakeStep[], ms: number): void {
  if (ms <= 0) return;
  const last = steps[steps.length - 1];
  if (last?.kind === 'wait') steps[steps.length - 1] = { kind: 'wait', ms: last.ms + ms };
  else steps.push({ kind: 'wait', ms });
}

/** @internal The error step for a spec (validated by the caller). */
export function errorStep(spec: FakeErrorSpec): FakeStep {
  return { kind: 'error', error: () => fakeError(spec) };
}

/** @internal The `complete` event for a finish reason and usage. */
export function completeEvent(finishReason: FinishReason, usage: Usage | undefined): L0Event {
  return usage === undefined ? { type: 'complete', finishReason } : { type: 'complete', finishReason, usage };
}

/** @internal Validates an optional finish reason; returns a problem description or undefined. */
export function finishReasonProblem(value: unknown): string | undefined {
  if (value === undefined || (typeof value === 'string' && FINISH_REASONS.has(value))) return undefined;
  return `finishReason must be one of ${[...FINISH_REASONS].join(', ')}, got ${JSON.stringify(value)}`;
}

const USAGE_KEYS: readonly string[] = ['inputTokens', 'outputTokens', 'totalTokens', 'reasoningTokens', 'cachedInputTokens'];

/** @internal Validates an optional usage record; returns a problem description or undefined. */
export function usageProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `usage must be an object with ${USAGE_KEYS.join(', ')}, got ${JSON.stringify(value)}`;
  }
  for (const [key, n] of Object.entries(value)) {
    if (!USAGE_KEYS.includes(key)) return `usage has an unknown key "${key}" (allowed: ${USAGE_KEYS.join(', ')})`;
    if (n !== undefined && (typeof n !== 'number' || !Number.isInteger(n) || n < 0)) {
      return `usage.${key} must be a whole number >= 0, got ${JSON.stringify(n)}`;
    }
  }
  return undefined;
}

const SCRIPT_KEYS = /*#__PURE__*/ optionKeys<FakeScript>()(['items', 'finishReason', 'usage']);
const TOOL_CALL_KEYS = /*#__PURE__*/ optionKeys<FakeToolCall>()(['id', 'name', 'arguments', 'fragments']);
/** `where` as the path {@link checkKeys} names: `fakeModel: attempts[0]: unknown option ...`. */
const pathOf = (where: string) => ({ self: where, open: '', close: '' });

/** @internal Compiles an object script into steps; throws a TypeError prefixed with `where`. */
export function compileScript(script: FakeScript, where: string): FakeStep[] {
  if (typeof script !== 'object' || script === null || !Array.isArray(script.items)) {
    throw new TypeError(`${where}: a script must be a marble string or {items: [...]}`);
  }
  checkKeys(pathOf(where), script, SCRIPT_KEYS);
  const reasonProblem = finishReasonProblem(script.finishReason);
  if (reasonProblem) throw new TypeError(`${where}: ${reasonProblem}`);
  const badUsage = usageProblem(script.usage);
  if (badUsage) throw new TypeError(`${where}: ${badUsage}`);
  const steps: FakeStep[] = [];
  let ended: string | undefined;
  script.items.forEach((item, index) => {
    const at = `${where} item ${index}`;
    if (ended) throw new TypeError(`${at}: nothing may follow the terminal item {${ended}}`);
    ended = compileItem(item, index, at, steps);
  });
  if (!ended) {
    pushEvent(steps, completeEvent(script.finishReason ?? 'stop', script.usage));
    steps.push({ kind: 'end' });
  }
  return steps;
}

/** @internal Compiles one item into `steps`; returns the terminal kind, if the item is terminal. */
export function compileItem(item: FakeItem, index: number, at: string, steps: FakeStep[]): string | undefined {
  if (typeof item === 'string') return void pushToken(steps, item, at);
  if (typeof item !== 'object' || item === null) throw new TypeError(`${at}: expected a string or an item object, got ${String(item)}`);
  const keys = Object.keys(item);
  if (keys.length !== 1) throw new TypeError(`${at}: an item has exactly one key, got {${keys.join(', ')}}`);
  const kind = keys[0]!;
  const value = (item as Record<string, unknown>)[kind];
  switch (kind) {
    case 'token': return void pushToken(steps, value, at);
    case 'reasoning':
      if (typeof value !== 'string' || value === '') throw new TypeError(`${at}: reasoning must be a non-empty string`);
      return void pushEvent(steps, { type: 'reasoning', value });
    case 'delay':
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`${at}: delay must be a finite number of ms >= 0, got ${String(value)}`);
      return void pushWait(steps, value);
    case 'toolCall': return void pushEvent(steps, toolCallEvent(value, index, at));
    case 'data':
      if (typeof value !== 'object' || value === null || typeof (value as DataPayload).contentType !== 'string') throw new TypeError(`${at}: data must be a DataPayload with a contentType`);
      return void pushEvent(steps, { type: 'data', payload: value as DataPayload });
    case 'progress': return void pushEvent(steps, progressEvent(value, at));
    case 'error': {
      const problem = describeFakeErrorProblem(value);
      if (problem) throw new TypeError(`${at}: ${problem}`);
      steps.push(errorStep(value as FakeErrorSpec));
      return 'error';
    }
    case 'hang':
      if (value !== true) throw new TypeError(`${at}: hang must be true`);
      steps.push({ kind: 'hang' });
      return 'hang';
    case 'end': // the stream ends with no `complete` event (a cut stream), as documented
      if (value !== true) throw new TypeError(`${at}: end must be true`);
      steps.push({ kind: 'end' });
      return 'end';
    default:
      throw new TypeError(`${at}: unknown item kind "${kind}" (use token, delay, reasoning, toolCall, data, progress, error, hang or end)`);
  }
}

function pushToken(steps: FakeStep[], value: unknown, at: string): void {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${at}: a token must be a non-empty string`);
  pushEvent(steps, { type: 'token', value });
}

const PROGRESS_FIELDS: Readonly<Record<string, 'number' | 'string'>> = { percent: 'number', step: 'string', message: 'string' };

/** A `progress` event of exactly the known fields (an unknown key, `type` included, is a TypeError). */
function progressEvent(value: unknown, at: string): L0Event {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${at}: progress must be {percent?, step?, message?}`);
  const fields: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const kind = Object.hasOwn(PROGRESS_FIELDS, key) ? PROGRESS_FIELDS[key] : undefined;
    if (kind === undefined) throw new TypeError(`${at}: progress has an unknown key "${key}" (allowed: percent, step, message)`);
    if (v === undefined) continue;
    if (typeof v !== kind || (kind === 'number' && !Number.isFinite(v))) {
      throw new TypeError(`${at}: progress.${key} must be ${kind === 'number' ? 'a finite number' : 'a string'}, got ${JSON.stringify(v)}`);
    }
    fields[key] = v;
  }
  return { type: 'progress', ...fields };
}

function toolCallEvent(value: unknown, index: number, at: string): L0Event {
  const call = value as FakeToolCall | null;
  if (typeof call !== 'object' || call === null || typeof call.name !== 'string' || call.name === '') {
    throw new TypeError(`${at}: toolCall must be {id?, name, arguments}`);
  }
  checkKeys(pathOf(`${at}: toolCall`), call, TOOL_CALL_KEYS);
  const args = call.arguments;
  if (typeof args !== 'string' && (typeof args !== 'object' || args === null)) throw new TypeError(`${at}: toolCall.arguments must be a string or an object`);
  if (call.id !== undefined && typeof call.id !== 'string') throw new TypeError(`${at}: toolCall.id must be a string`);
  const text = typeof args === 'string' ? args : JSON.stringify(args);
  fragmentsCheck(call.fragments, text, at);
  return { type: 'tool-call', id: call.id ?? `call_${index}`, name: call.name, arguments: text };
}

/** `fragments`: a count of pieces, at most one per character of the arguments (as the fault server's). */
function fragmentsCheck(fragments: unknown, text: string, at: string): void {
  const most = Math.max(1, text.length);
  if (fragments === undefined || (Number.isInteger(fragments) && (fragments as number) >= 1 && (fragments as number) <= most)) return;
  const hint = Array.isArray(fragments) ? ' (a count of pieces, as the fault server\'s tool-call-fragments:k, not the pieces)' : '';
  throw new TypeError(`${at}: toolCall.fragments must be a whole number from 1 to ${most} (one per character of the arguments at most), got ${describeOption(fragments)}${hint}`);
}
