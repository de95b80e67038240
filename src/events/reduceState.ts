import type { CompleteEvent, DataPayload, FinishReason, L0Event, TokenEvent, ToolCallEvent, Usage, Violation } from './eventTypes.js';
import type { SerializedError } from '../errors/serializeError.js';
import { attemptTextChange } from '../attempt/attemptText.js';

/** A completed tool call, as held in {@link L0State}. */
export type ToolCall = Omit<ToolCallEvent, 'type'>;

/** `streaming` while an attempt runs, `retrying` between a retry/fallback and the next start. */
export type L0Status = 'streaming' | 'retrying' | 'complete' | 'error';

/** A snapshot of a run, folded from its events by {@link accumulate}. */
export interface L0State {
  /** The text of the current attempt (after retractions and resumes). */
  readonly content: string;
  readonly reasoning: string;
  readonly toolCalls: readonly ToolCall[];
  readonly data: readonly DataPayload[];
  /** The last progress event of the current attempt. */
  readonly progress: { readonly percent?: number; readonly step?: string; readonly message?: string } | undefined;
  /** Structured output of the current attempt: the last `partial` value, then the `result`'s data. */
  readonly object: unknown;
  readonly status: L0Status;
  /** 1-based attempt on the current model; 0 before the first `start`. */
  readonly attempt: number;
  readonly fallbackIndex: number;
  /** Tokens received in the current attempt. */
  readonly tokenCount: number;
  /** Retries that used the content budget (`attempts`): zero output, guardrail, drift, schema, unknown. */
  readonly modelRetryCount: number;
  /** Retries that used only `maxRetries`: network, rate limit, server, timeout. */
  readonly networkRetryCount: number;
  readonly violations: readonly Violation[];
  /** The checkpoint the current attempt resumed from, if any. */
  readonly resumedFrom: string | undefined;
  readonly finishReason: FinishReason | undefined;
  readonly usage: Usage | undefined;
  /** Set when the run failed and errors are folded into state (`accumulate({ errorsAsState: true })`). */
  readonly error: SerializedError | undefined;
}

/** The state before any event. */
export const INITIAL_L0_STATE: L0State = /*#__PURE__*/ Object.freeze({
  content: '',
  reasoning: '',
  toolCalls: Object.freeze([]) as readonly ToolCall[],
  data: Object.freeze([]) as readonly DataPayload[],
  progress: undefined,
  object: undefined,
  status: 'streaming',
  attempt: 0,
  fallbackIndex: 0,
  tokenCount: 0,
  modelRetryCount: 0,
  networkRetryCount: 0,
  violations: Object.freeze([]) as readonly Violation[],
  resumedFrom: undefined,
  finishReason: undefined,
  usage: undefined,
  error: undefined,
});

/** The fields of a {@link ToolCall}. */
const CALL_KEYS = ['id', 'name', 'arguments', 'approvalId', 'suspendPayload', 'truncated'] as const satisfies readonly (keyof ToolCall)[];

/**
 * The violations a retraction took, by the empty list it left in their place (it stays the state's
 * until the next violation or retraction): a `resume` brings back those about its checkpoint's text.
 */
const TAKEN = /*#__PURE__*/ new WeakMap<readonly Violation[], readonly Violation[]>();

/**
 * Everything an attempt owns, cleared when {@link attemptTextChange} says `reset` (a new attempt
 * begins, or a `retry` / `fallback` retracts the failed one). Its violations are kept aside for a
 * `resume` (see {@link TAKEN}); a reset that retracts nothing (the `start` after a `retry`) keeps
 * those kept aside by the one before.
 */
function retract(s: L0State): L0State {
  let violations = s.violations;
  if (violations.length) TAKEN.set((violations = Object.freeze([])), s.violations);
  // a retraction of text forgets those kept aside before it, keeping the (empty) list: equal lists stay one array
  else if (s.content) TAKEN.delete(violations);
  return {
    ...s,
    content: '',
    reasoning: '',
    toolCalls: INITIAL_L0_STATE.toolCalls,
    data: INITIAL_L0_STATE.data,
    progress: undefined,
    object: undefined,
    tokenCount: 0,
    violations,
    resumedFrom: undefined,
  };
}

/**
 * Folds one event into a state. O(size of the event): text grows by appending, and so do the
 * lists (`toolCalls`, `data`, `violations`), in place: a list the fold made is its own log, which
 * only grows until a retraction replaces it (only the empty lists are shared, frozen). So the fold
 * must go one way (never two events on one state), and a state whose lists it will append to must
 * not reach a caller: accumulate gives out copies (see its `shown`); tapLifecycle (which stops
 * folding at `complete`), pipeline and the windows give out only a run's last state. The
 * attempt-owned fields follow {@link attemptTextChange}: reset on `start`, `retry` and
 * `fallback`, set by `resume` (which brings back the reset violations about its checkpoint).
 * @internal Shared by accumulate, tapLifecycle, pipeline and the windows' processSequential.
 */
export function reduceL0State(s: L0State, e: L0Event, content?: string): L0State {
  const change = attemptTextChange(e);
  if (change === 'token') return withToken(s, content ?? s.content + (e as TokenEvent).value, s.tokenCount + 1);
  const base = change === 'reset' ? retract(s) : s;
  switch (e.type) {
    case 'reasoning':
      return { ...s, reasoning: s.reasoning + e.value };
    case 'tool-call': {
      // the call's fields, `approvalId`, `suspendPayload` and `truncated` included; nothing else an untyped source put on the event
      const call: Record<string, unknown> = {};
      for (const key of CALL_KEYS) if (e[key] !== undefined) call[key] = e[key];
      return { ...s, toolCalls: append(s.toolCalls, call as ToolCall) };
    }
    case 'data':
      return { ...s, data: append(s.data, e.payload) };
    case 'progress':
      return { ...s, progress: { percent: e.percent, step: e.step, message: e.message } };
    case 'partial':
      return { ...s, object: e.value };
    case 'result':
      return { ...s, object: e.data };
    case 'complete':
      return complete(s, e);
    case 'start':
      return { ...base, status: 'streaming', attempt: e.attempt, fallbackIndex: e.fallbackIndex };
    case 'retry':
      return {
        ...base,
        status: 'retrying',
        modelRetryCount: s.modelRetryCount + (e.countsTowardAttempts ? 1 : 0),
        networkRetryCount: s.networkRetryCount + (e.countsTowardAttempts ? 0 : 1),
      };
    case 'fallback':
      return { ...base, status: 'retrying', fallbackIndex: e.toIndex };
    case 'resume':
      // the retracted attempt's violations about the checkpoint's text, which the resumed attempt's guard does not check again
      return {
        ...s,
        content: e.checkpoint,
        resumedFrom: e.checkpoint,
        tokenCount: 0,
        violations: TAKEN.get(s.violations)?.filter((v) => placed(v.position, e.checkpoint.length)) ?? s.violations,
      };
    case 'violation': {
      const v = e.violation;
      // a match straddling a resumed checkpoint's end is judged again: a kept finding may already say it
      if (placed(v.position, s.resumedFrom?.length ?? 0) && s.violations.some((k) => k.position === v.position && k.ruleId === v.ruleId && k.message === v.message)) return s;
      return { ...s, violations: append(s.violations, v) };
    }
    default: // checkpoint, drift, and `token`, handled above
      return s;
  }
}

/**
 * Whether a violation's `position` `p` lies in the first `n` characters: a number from 0, so one
 * that is not (NaN, negative, a string, or the `null` a JSON log makes of NaN and Infinity) is placed
 * nowhere, like a missing one, and a replayed or relayed run folds as the live one did.
 * @internal Also StreamRun's, which moves only a placed relayed position (`n` Infinity).
 */
export const placed = (p: unknown, n: number): boolean => typeof p == 'number' && p >= 0 && p < n;

/** `list` with `item` at its end, in place: O(1) where a copy of the list was O(list) (see {@link reduceL0State}). */
const append = <T>(list: readonly T[], item: T): readonly T[] => (list.length ? ((list as T[]).push(item), list) : [item]);

/**
 * `s` with the text `content` after `tokenCount` tokens: the per-token path, spelled out field by
 * field (an object literal of fixed shape is several times cheaper than a spread of the previous
 * state, and this runs once per token).
 * @internal Also accumulate's, which keeps the text and count itself and builds a state per token from them.
 */
export function withToken(s: L0State, content: string, tokenCount: number): L0State {
  return {
    content,
    reasoning: s.reasoning,
    toolCalls: s.toolCalls,
    data: s.data,
    progress: s.progress,
    object: s.object,
    status: s.status,
    attempt: s.attempt,
    fallbackIndex: s.fallbackIndex,
    tokenCount,
    modelRetryCount: s.modelRetryCount,
    networkRetryCount: s.networkRetryCount,
    violations: s.violations,
    resumedFrom: s.resumedFrom,
    finishReason: s.finishReason,
    usage: s.usage,
    error: s.error,
  };
}

function complete(s: L0State, e: CompleteEvent): L0State {
  return { ...s, status: 'complete', finishReason: e.finishReason, usage: e.usage };
}
