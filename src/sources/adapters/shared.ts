/* Helpers shared by the built-in adapters. Internal: never re-exported. */
import type { DataPayload, FinishReason, ToolCallEvent, Usage } from '../../events/eventTypes.js';
import type { AdapterEmit, ChunkDecoder } from './types.js';
import { describeValue } from '../../errors/InvalidStreamError.js';
import type { L0Error } from '../../errors/L0Error.js';
import { toL0Error } from '../../errors/normalizeError.js';
import { ProviderError } from '../../errors/ProviderError.js';
import { isUnknownError } from '../../errors/UnknownError.js';

/** A non-null, non-array object, read field by field. */
export type Rec = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The record at `value`, or undefined. */
export function rec(value: unknown): Rec | undefined {
  return isRecord(value) ? value : undefined;
}

/** A WHATWG `ReadableStream` (or anything with `getReader()`). */
export function isReadableStreamLike(value: unknown): value is ReadableStream<unknown> {
  return isRecord(value) && typeof value['getReader'] === 'function';
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';
}

/** A source of chunks fromStream can read: a ReadableStream or an AsyncIterable. */
export function isChunkSource(value: unknown): boolean {
  return isReadableStreamLike(value) || isAsyncIterable(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The stream ended without the protocol's terminal marker: a cut stream, retryable.
 * @param what e.g. "OpenAI chat stream ended without a finish_reason"
 */
export function incompleteStream(what: string): ProviderError {
  return new ProviderError(`${what}: the stream was cut before it finished`, {
    code: 'INCOMPLETE_STREAM',
    category: 'network',
    retryable: true,
    reason: 'incomplete_stream',
  });
}

/** A chunk of a detected protocol does not have that protocol's shape: the attempt fails, retryable. */
export function malformedChunk(adapter: string, detail: string, chunk: unknown, cause?: unknown): ProviderError {
  return malformed(`${adapter}: malformed chunk (${detail}): ${describeValue(chunk)}`, cause);
}

/** An SDK stream threw `SyntaxError` reading a chunk (malformed JSON): the attempt fails, retryable. */
export function unreadableChunk(e: SyntaxError): ProviderError {
  return malformed(`The SDK could not read a chunk of the stream (malformed JSON): ${e.message}`, e);
}

const malformed = (message: string, cause: unknown): ProviderError =>
  new ProviderError(message, { code: 'MALFORMED_CHUNK', category: 'server', retryable: true, reason: 'malformed_chunk', ...(cause === undefined ? {} : { cause }) });

/**
 * An error reported inside a 200 stream (an in-band error frame). Classified like an SDK error from
 * its `code` / `type`; an unclassifiable one is a retryable server error.
 */
export function inBandError(source: string, body: unknown): L0Error {
  const b = rec(body) ?? {};
  const message = str(b['message']) ?? (typeof body === 'string' ? body : 'unknown error');
  const raw = Object.assign(new Error(`${source}: ${message}`), { code: b['code'], type: b['type'], error: body });
  const normalized = toL0Error(raw);
  if (!isUnknownError(normalized)) return normalized;
  return new ProviderError(raw.message, { code: 'SERVER_ERROR', category: 'server', retryable: true, reason: 'server_error', cause: raw });
}

/** Builds a {@link Usage} with only the fields that are finite numbers; undefined when none is. */
export function usageOf(fields: {
  inputTokens?: unknown;
  outputTokens?: unknown;
  totalTokens?: unknown;
  reasoningTokens?: unknown;
  cachedInputTokens?: unknown;
}): Usage | undefined {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(fields)) {
    const n = num(value);
    if (n !== undefined) out[key] = n;
  }
  return Object.keys(out).length === 0 ? undefined : (out as Usage);
}

/**
 * AI SDK usage in any of its shapes: `LanguageModelUsage` (`inputTokens: number`, v5 flat
 * `reasoningTokens`/`cachedInputTokens`, v6+ `inputTokenDetails`/`outputTokenDetails`) or the
 * provider-level `LanguageModelV4Usage` (`inputTokens: {total, cacheRead}`, `outputTokens: {total, reasoning}`).
 */
export function aiUsage(value: unknown): Usage | undefined {
  const u = rec(value);
  if (!u) return undefined;
  const input = rec(u['inputTokens']);
  const output = rec(u['outputTokens']);
  const inputTotal = input ? input['total'] : u['inputTokens'];
  const outputTotal = output ? output['total'] : u['outputTokens'];
  const inTotal = num(inputTotal);
  const outTotal = num(outputTotal);
  return usageOf({
    inputTokens: inputTotal,
    outputTokens: outputTotal,
    totalTokens: u['totalTokens'] ?? (inTotal !== undefined && outTotal !== undefined ? inTotal + outTotal : undefined),
    reasoningTokens: output ? output['reasoning'] : (u['reasoningTokens'] ?? rec(u['outputTokenDetails'])?.['reasoningTokens']),
    cachedInputTokens: input ? input['cacheRead'] : (u['cachedInputTokens'] ?? rec(u['inputTokenDetails'])?.['cacheReadTokens']),
  });
}

/** A finish reason that cut the answer short, a tool call included: the token limit (`length`) or a content filter. */
export const cutShort = (reason: unknown): boolean => reason === 'length' || reason === 'content-filter';

/**
 * A provider's own finish reason for a generation its server failed mid-stream: OpenRouter's `error`, DeepSeek's
 * `insufficient_system_resource` (`@ai-sdk/openai-compatible` reports both as `other`): a retryable server error, never a whole answer.
 */
export const failedFinish = (raw: unknown): boolean => raw === 'error' || raw === 'insufficient_system_resource';

/** A complete event, with `usage` only when known. */
export function completeEvent(finishReason: FinishReason, usage: Usage | undefined) {
  return usage === undefined ? ({ type: 'complete', finishReason } as const) : ({ type: 'complete', finishReason, usage } as const);
}

/** `image/png` -> `image`; `audio/*` -> `audio`; JSON -> `json`; `text/*` -> `text`; else `file`. */
export function contentTypeOf(mediaType: string | undefined): DataPayload['contentType'] {
  if (mediaType === undefined) return 'file';
  if (mediaType.startsWith('image/')) return 'image';
  if (mediaType.startsWith('audio/')) return 'audio';
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) return 'json';
  if (mediaType.startsWith('text/')) return 'text';
  return 'file';
}

/** Standard base64 of bytes, without Node's Buffer (works in browsers and edge runtimes). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) {
    binary += String.fromCharCode(...bytes.subarray(i, i + step));
  }
  return btoa(binary);
}

/**
 * A tool call's arguments as JSON text: strings are taken as already-encoded JSON. An input no JSON
 * holds (a BigInt, a cycle, a function: a custom model's parts) is `MALFORMED_CHUNK` naming the chunk.
 */
export function argumentsText(input: unknown, adapter: string, chunk: unknown): string {
  if (typeof input === 'string') return input;
  let cause: unknown;
  try {
    const text: unknown = JSON.stringify(input ?? {});
    if (typeof text === 'string') return text;
  } catch (e) {
    cause = e;
  }
  throw malformedChunk(adapter, 'a tool input that is not JSON data', chunk, cause);
}

/**
 * A second approval request for a call that waits for another: which one answers it cannot be told.
 * `first` empty: the call was emitted without one (its step had ended), so a consumer may have run it.
 */
function approvalAgain(id: string, first: string, second: string): ProviderError {
  return malformed(`tool call ${id} asked for approval ${first ? `as "${first}", then as "${second}"` : `(${second}) after it was emitted`}`, undefined);
}

const ignore: AdapterEmit = () => {};

/**
 * The same call: one id, name and arguments (a replayed part or event; its approval aside). The one replay
 * rule of `holdingToolCalls` and the Responses decoder, which differ in what another call under a held id is.
 */
export const sameCall = (a: ToolCallEvent, b: ToolCallEvent): boolean => a.id === b.id && a.name === b.name && a.arguments === b.arguments;

/**
 * `decoder` with its `tool-call` events held back until the step that made them finished with
 * `tool-calls`, `stop`, `length` or `content-filter` (the reason `stepEnd` reads from a step's last chunk; AI SDK 5 also finishes a cut step,
 * as `unknown`) or right before `complete`, so a stream cut inside a step never emits
 * its calls (OpenAI chat calls are only emitted right before `complete`). The AI SDK emits a call as
 * soon as its arguments parse and flushes an unfinished one, cut arguments and all (Mastra makes
 * them `{}`), when a body ends early: a cut stream's call would run, and run again after the retry.
 * A finished step's calls come before the next step's text, as they did. A step (or answer) that
 * ended on the token limit or a content filter (`length`, `content-filter`) has its last call marked `truncated`:
 * the cut was in it (not a call of an earlier step, held past a step end of another reason, when the cut step made none).
 * The same call again in its step (same id, name and arguments: a replayed part) is held once, its chunk
 * silence; in a later step it is a new call (as a call again under an emitted call's id is: see below), and
 * so it is after an input start of its id (`inputStart` reads a chunk's): a parallel call of a server that
 * gives every call of a step one id (DeepSeek, GLM, Kimi), streamed with its own input, is no replay.
 * A call with an `approvalId` is the approval request of the held call of its id that has none (it
 * follows its call): that call takes the `approvalId` (and `suspendPayload`) and keeps its own name
 * and arguments; a request naming another tool (Mastra: a tool waiting inside an agent-as-tool or a
 * workflow step) is carried as `suspendPayload: {toolName, arguments}`. The same request again (a
 * replayed part) is dropped, unless a later step made a new call of its id in between (it is then
 * that call's: Mastra's `approvalId` is the run's, the same for every call, so a replay cannot be told
 * from the new call's own request); another `approvalId` for a call that has one is `MALFORMED_CHUNK`, and so
 * is a request for a call already emitted without one (after its step ended: a consumer may have run
 * it; emitted again, with the request, it would run twice), until a later step makes a new call of that
 * id (a server that numbers its calls per step). A request with no call of its id before it
 * (a resumed Mastra stream: the call was in the first) is the call itself, named and with the arguments
 * the request gives: whether it names a tool waiting inside another cannot be told without the call.
 * A chunk whose call was held counts as held content (the decoder's `push` returns true).
 * The wrapper emit is made once per subscription: `push` and `end` only swap the emit it forwards to.
 */
export function holdingToolCalls(decoder: ChunkDecoder, stepEnd: (chunk: Rec) => unknown, inputStart?: (chunk: Rec) => string | undefined): ChunkDecoder {
  let held: ToolCallEvent[] = [];
  /** The ids whose input started since their last call was held: their next call is a new one, not a replay. */
  let started: Set<string> | undefined;
  /** The held calls before it are an earlier step's: a later step's token limit cut none of them. */
  let stepFrom = 0;
  /** The `approvalId` each call waiting for approval asked with (`''`: a call emitted without one), made on the first request or flush. */
  let asked: Map<string, string> | undefined;
  /** Where the current `push` / `end` emits to. */
  let out = ignore;
  /** The current chunk held a call. */
  let holds = false;
  const flush = (reason: unknown) => {
    const last = held.length - 1;
    if (cutShort(reason) && last >= stepFrom) held[last] = { ...held[last]!, truncated: true };
    for (const call of held) {
      out(call);
      (asked ??= new Map()).set(call.id, call.approvalId ?? '');
    }
    held = [];
    stepFrom = 0;
  };
  const hold = (event: ToolCallEvent) => {
    const { id, approvalId } = event;
    // the same call again in its step (a replayed part) is held once, and is no news (silence)
    if (approvalId === undefined && !started?.has(id) && held.some((c, i) => i >= stepFrom && sameCall(c, event))) return;
    holds = true;
    if (approvalId === undefined) {
      started?.delete(id);
      // an id an emitted call had (a server that numbers its calls per step: `call_0` again) is a new call, asked anew
      if (!held.some((c) => c.id === id)) asked?.delete(id);
      return void held.push(event);
    }
    const first = (asked ??= new Map()).get(id);
    if (first === approvalId) return;
    if (first !== undefined) throw approvalAgain(id, first, approvalId);
    asked.set(id, approvalId);
    const at = held.findIndex((c) => c.id === id && c.approvalId === undefined);
    if (at < 0) return void held.push(event);
    const call = held[at]!;
    const payload = event.suspendPayload ?? (event.name === call.name ? undefined : { toolName: event.name, arguments: event.arguments });
    held[at] = { ...call, approvalId, ...(payload === undefined ? {} : { suspendPayload: payload }) };
  };
  const holding: AdapterEmit = (event) => {
    if (event.type === 'tool-call') return hold(event);
    if (event.type === 'complete') flush(event.finishReason);
    out(event);
  };
  return {
    push: (chunk, emit) => {
      out = emit;
      holds = false;
      const start = inputStart && isRecord(chunk) ? inputStart(chunk) : undefined;
      if (start !== undefined) (started ??= new Set()).add(start);
      // read before the chunk is decoded: a step end decodes to nothing, and one that ends the run at once (Mastra's
      // `tripwire`, after its step's calls ran whole) leaves them unmarked when its `complete` flushes them
      const reason = held.length > 0 && isRecord(chunk) ? stepEnd(chunk) : undefined;
      // a compatible server may finish a step that made calls with `stop` (the SDK runs them all the same)
      if (reason === 'tool-calls' || reason === 'stop' || cutShort(reason)) flush(reason);
      else if (reason !== undefined) stepFrom = held.length;
      return decoder.push(chunk, holding) === true || holds;
    },
    end: (emit) => {
      out = emit;
      decoder.end(holding);
    },
  };
}
