/**
 * The L0 event model: a discriminated union on `type`. Events are plain, serialisable objects
 * (no class instances, no functions), so a recorded log replays byte for byte.
 */
import type { ErrorReason } from '../errors/errorReason.js';
import type { SerializedError } from '../errors/serializeError.js';

/** Why a model stopped. `other` covers anything a provider reports that is none of the rest. */
export type FinishReason = 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'other';

/** Provider token counts, kept as reported. Every field is optional because providers differ. */
export interface Usage {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly totalTokens?: number;
  readonly reasoningTokens?: number;
  readonly cachedInputTokens?: number;
}

/** A text delta. Empty deltas are never emitted. */
export interface TokenEvent { readonly type: 'token'; readonly value: string }
/** A thinking/reasoning delta, never mixed into the text. */
export interface ReasoningEvent { readonly type: 'reasoning'; readonly value: string }
/** A tool call, emitted once its argument fragments are complete. `arguments` is the raw JSON text. */
export interface ToolCallEvent {
  readonly type: 'tool-call';
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
  /**
   * Set when the call waits for the user's approval: what to answer it with (AI SDK `needsApproval`:
   * the `approvalId` of its `tool-approval-request`; Mastra `requireApproval` or a suspended tool: the run's
   * id, for `agent.approveToolCall({ runId: approvalId, toolCallId: id })`).
   */
  readonly approvalId?: string;
  /**
   * Set when the call waits for the user and says what it asks them (JSON data, shown as it is): a
   * suspended Mastra tool's `suspendPayload` (answered with `resumeStream(data, { runId, toolCallId })`);
   * for a Mastra approval asked by a tool inside this one (an agent-as-tool, a workflow step), the
   * inner call that waits, `{ toolName, arguments }` (`arguments` JSON text, as on this event).
   */
  readonly suspendPayload?: unknown;
  /** Set when the token limit or a content filter (finish reason `length`, `content-filter`) cut the call: its `arguments` are not whole, even if they parse. Never run it. */
  readonly truncated?: true;
}
/** Multimodal output: images, audio, files or JSON. */
export interface DataPayload {
  readonly contentType: 'image' | 'audio' | 'file' | 'json' | 'text' | (string & {});
  readonly mimeType?: string;
  readonly url?: string;
  readonly base64?: string;
  readonly json?: unknown;
  readonly metadata?: Readonly<Record<string, unknown>>;
}
export interface DataEvent { readonly type: 'data'; readonly payload: DataPayload }
export interface ProgressEvent {
  readonly type: 'progress';
  readonly percent?: number;
  readonly step?: string;
  readonly message?: string;
}
/** The single last event of a successful run. */
export interface CompleteEvent {
  readonly type: 'complete';
  readonly finishReason: FinishReason;
  readonly usage?: Usage;
}

/**
 * An attempt begins. `attempt` and `fallbackIndex` say which one; `model` names the source when
 * it was given one (`fromStream(factory, { model })`), so events merged from several models can
 * be told apart.
 */
export interface StartEvent {
  readonly type: 'start';
  readonly attempt: number;
  readonly fallbackIndex: number;
  readonly isRetry: boolean;
  readonly isFallback: boolean;
  readonly model?: string;
}
/** The current attempt failed and will be retried after `delayMs`: discard everything since the last `start`. */
export interface RetryEvent {
  readonly type: 'retry';
  /** The attempt that failed (1-based). The next `start` has `attempt + 1`. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: SerializedError;
  /** The classification reason of `error`, e.g. `rate_limit` or `zero_output`. */
  readonly reason: ErrorReason;
  /**
   * Whether this retry used the content budget (`attempts`: zero output, guardrail, drift, schema,
   * unknown errors) as well as `maxRetries`, or `maxRetries` only (network, rate limit, server, timeout).
   */
  readonly countsTowardAttempts: boolean;
}
/**
 * Moving to the next model: discard everything since the last `start`. `fromIndex` is the failed
 * stream's `fallbackIndex` (as its `start` said), `toIndex` the next one's, `fromIndex + 1` (a run
 * nested in another's fallback numbers on from it).
 */
export interface FallbackEvent {
  readonly type: 'fallback';
  readonly fromIndex: number;
  readonly toIndex: number;
  readonly error: SerializedError;
}
/** The attempt continues from `checkpoint`: content is now exactly `checkpoint` (never re-sent as a token). */
export interface ResumeEvent { readonly type: 'resume'; readonly checkpoint: string }
/**
 * A last-known-good point, for continuation: `content` is the attempt's text up to where the
 * content checks have passed it (the whole text so far without them), `tokenCount` the attempt's
 * tokens in it.
 */
export interface CheckpointEvent {
  readonly type: 'checkpoint';
  readonly content: string;
  readonly tokenCount: number;
}
export type ViolationSeverity = 'warning' | 'error' | 'fatal';
export interface Violation {
  /** The rule's `name` (L0 calls it `rule`). */
  readonly ruleId: string;
  readonly message: string;
  readonly severity: ViolationSeverity;
  /** False for a violation that is never retried (fatal, or a rule's explicit choice): it ends the attempt and falls back. */
  readonly recoverable: boolean;
  /** Where in the attempt's text the offending text starts (UTF-16 offset), when the rule knows. */
  readonly position?: number;
  /** Set when the offending text was replaced in flight: how many characters of it were redacted (the text itself is never repeated). */
  readonly redacted?: number;
}
/** A guardrail fired. */
export interface ViolationEvent { readonly type: 'violation'; readonly violation: Violation }
/** Drift detected. */
export interface DriftEvent {
  readonly type: 'drift';
  readonly types: readonly string[];
  readonly confidence: number;
}

/**
 * A circuit breaker changed state, as seen by the call this stream made through
 * `circuitBreaker(breaker)`: the call's own acquire or end moved it, or it found a change another
 * call or server made. Emitted before the event or error that follows from it.
 */
export interface BreakerEvent {
  readonly type: 'breaker';
  /** The breaker's key (the model). */
  readonly key: string;
  readonly from: 'closed' | 'open' | 'half-open';
  readonly to: 'closed' | 'open' | 'half-open';
}

/**
 * Structured output: the deep-partial value parsed so far from the current attempt's JSON text,
 * emitted by `structured()` / `parseStructured()` only when it changed. Treat it as read-only:
 * finished objects and arrays are frozen and shared between partials.
 */
export interface PartialEvent<T = unknown> { readonly type: 'partial'; readonly value: T }
/**
 * Structured output: the validated value, emitted once right before `complete`. `raw` is the
 * attempt's text as received; `corrections` lists what repair changed (empty when `corrected` is false);
 * `truncated` says the repair closed an unfinished structure.
 */
export interface ResultEvent<T = unknown> {
  readonly type: 'result';
  readonly data: T;
  readonly corrected: boolean;
  readonly corrections: readonly string[];
  readonly truncated: boolean;
  readonly raw: string;
}

export type ContentEvent = TokenEvent | ReasoningEvent | ToolCallEvent | DataEvent | ProgressEvent | PartialEvent | ResultEvent | CompleteEvent;
export type ControlEvent =
  | StartEvent
  | RetryEvent
  | FallbackEvent
  | ResumeEvent
  | CheckpointEvent
  | ViolationEvent
  | DriftEvent
  | BreakerEvent;

/** Everything an l0-rx stream emits. */
export type L0Event = ContentEvent | ControlEvent;
export type L0EventType = L0Event['type'];
/** The event of one `type`. */
export type L0EventOf<K extends L0EventType> = Extract<L0Event, { type: K }>;

/** Every finish reason, in the order of {@link FinishReason}. @internal Shared by the validators. */
export const FINISH_REASONS: ReadonlySet<string> = /*#__PURE__*/ new Set<FinishReason>(['stop', 'length', 'content-filter', 'tool-calls', 'other']);

/** The event types that carry an attempt's output: what a race on "the first token" waits for. */
export const CONTENT_EVENT_TYPES: ReadonlySet<L0EventType> = /*#__PURE__*/ new Set<L0EventType>(['token', 'reasoning', 'tool-call', 'data', 'progress', 'partial', 'result', 'complete']);

/**
 * True for a content event (`token`, `reasoning`, `tool-call`, `data`, `progress`, `partial`, `result`, `complete`),
 * false for a control event (`start`, `retry`, `fallback`, `resume`, `checkpoint`, `violation`, `drift`, `breaker`).
 * `start` is emitted synchronously on subscription, so a race between models must wait for content.
 *
 *   s-r--a-b|     events (s start, r resume, a/b tokens)
 *   -----a-b|     filter(isContentEvent)
 *
 * @example
 * import { filter, first, race } from 'rxjs';
 * import { fromStream, isContentEvent } from 'l0-rx';
 * // which of two models answers first, on content rather than on `start`:
 * race(fromStream(gpt4o).pipe(filter(isContentEvent), first()), fromStream(claude).pipe(filter(isContentEvent), first()));
 */
export function isContentEvent(event: L0Event): event is ContentEvent {
  return CONTENT_EVENT_TYPES.has(event.type);
}

/** Every event type, in the order of the tables in the docs. */
export const L0_EVENT_TYPES: readonly L0EventType[] = /*#__PURE__*/ Object.freeze([
  'token', 'reasoning', 'tool-call', 'data', 'progress', 'partial', 'result', 'complete',
  'start', 'retry', 'fallback', 'resume', 'checkpoint', 'violation', 'drift', 'breaker',
] as const);
