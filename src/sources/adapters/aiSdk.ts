import type { TextStreamPart, ToolSet } from 'ai';
import { FINISH_REASONS as FINISH, type DataPayload, type FinishReason, type Usage } from '../../events/eventTypes.js';
import { ProviderError } from '../../errors/ProviderError.js';
import { StreamAbortedError } from '../../errors/StreamAbortedError.js';
import type { AdapterEmit, ChunkDecoder, StreamAdapter } from './types.js';
import {
  aiUsage,
  argumentsText,
  bytesToBase64,
  completeEvent,
  contentTypeOf,
  failedFinish,
  holdingToolCalls,
  incompleteStream,
  isChunkSource,
  isRecord,
  malformedChunk,
  rec,
  str,
  type Rec,
} from './shared.js';

/** Every `TextStreamPart` type (tsc checks the list is complete and exact). */
const PART_TYPES: Readonly<Record<TextStreamPart<ToolSet>['type'], true>> = {
  start: true, 'start-step': true, 'text-start': true, 'text-delta': true, 'text-end': true,
  'reasoning-start': true, 'reasoning-delta': true, 'reasoning-end': true, custom: true,
  'tool-input-start': true, 'tool-input-delta': true, 'tool-input-end': true, source: true, file: true,
  'reasoning-file': true, 'tool-call': true, 'tool-result': true, 'tool-error': true, 'tool-output-denied': true,
  'tool-approval-request': true, 'tool-approval-response': true, 'steering-message': true, 'finish-step': true,
  finish: true, abort: true, error: true, ping: true, raw: true,
};


/**
 * Parts (of either level, and Mastra's envelopes of them) that carry nothing: keep-alives and the
 * bounds of steps and texts. Every other part that emits no event (tool input, a tool's result,
 * sources...) is the provider's activity (ChunkDecoder rule 6).
 */
export const SILENT_PARTS: ReadonlySet<unknown> = /*#__PURE__*/ new Set([
  'start', 'start-step', 'step-start', 'stream-start', 'response-metadata', 'text-start', 'text-end',
  'reasoning-start', 'reasoning-end', 'finish-step', 'step-finish', 'ping', 'raw',
]);

/** Error names that mean the provider sent a chunk the SDK could not parse or validate. */
const MALFORMED_ERRORS: ReadonlySet<string> = /*#__PURE__*/ new Set(['AI_JSONParseError', 'AI_TypeValidationError']);

/**
 * The Vercel AI SDK `streamText` result: reads `result.stream` (or the deprecated `result.fullStream`),
 * never `textStream`, which silently drops errors. Also takes the stream of parts itself.
 *
 * 1. `text-delta` -> `token`, `reasoning-delta` -> `reasoning`.
 * 2. `tool-call` -> `tool-call` (`arguments` is `JSON.stringify(input)`; a string input is kept as is),
 *    held back until its step's `finish-step` with `tool-calls` (or right before `complete`): a stream cut inside a step
 *    emits none of its calls (the SDK flushes an unfinished call, cut arguments and all, when a body
 *    ends early), and a finished step's calls still come before the next step's text. Calls the
 *    provider executed itself (`providerExecuted: true`) are not emitted: there is nothing to run, but
 *    the `tool-approval-request` of one (OpenAI MCP through `@ai-sdk/openai` asks so) is a `tool-call`
 *    named `tool-approval-request`, `id` and `approvalId` the `approvalId`, `arguments` the `toolCall` it is for (the
 *    provider level: `{toolCallId}`), so an answer that only asks for approval is no empty answer; a
 *    client tool's request (`needsApproval`) is not a call of its own: its call carries its `approvalId`
 *    (answer with a `tool-approval-response` of that id; the same request again adds nothing, another
 *    `approvalId` for the call, or a request after the step that emitted the call, is `MALFORMED_CHUNK`,
 *    unless a later step made a new call of its id: the request is then that call's).
 *    A request the SDK answered itself (`isAutomatic`: `toolApproval` approved or denied the call) is
 *    ignored: it waits for nobody. A step that finished with `length` or `content-filter` has its
 *    last call marked `truncated: true` (the token limit or a filter cut its arguments; the SDK emits it anyway). A call
 *    without `toolCallId` or `toolName` is `MALFORMED_CHUNK` (the SDK always sets both: its providers make
 *    an id up for a server that sends none). The same call again in its step (a replayed part: same id, name and
 *    input) is emitted once; two calls with other ids are two, and so are two under one id each streamed
 *    with its own `tool-input-start` (parallel calls of a server that gives them one id).
 * 3. `file` -> `data` (`contentType` from the media type: image, audio, json, text or file; base64 or url).
 * 4. `error` part -> the attempt fails with that error, normalised (an `APICallError` 429 becomes a
 *    retryable `ProviderError` `RATE_LIMITED`, and so on). A malformed provider chunk (`AI_JSONParseError`,
 *    `AI_TypeValidationError`) fails the attempt at once with a retryable `MALFORMED_CHUNK`, even though the
 *    SDK itself would keep streaming: the answer is missing a piece.
 * 5. `abort` part -> `StreamAbortedError` (our own abort never gets here: fromStream stops reading first),
 *    unless a timeout caused it (its `reason` starts with `TimeoutError`: the SDK's own `timeout` option,
 *    an `AbortSignal.timeout()`): then a retryable `ProviderError` with category `timeout`.
 * 6. `finish` -> `complete{finishReason, usage}` from `totalUsage`; none is `other` (as the SDK's `result.finishReason`),
 *    one that is no string (nor a provider-level `{unified}` with a string, also inside another) `MALFORMED_CHUNK`. Finish reason `error` (or a provider
 *    finish reason `error`, which the SDK reports as `other`) fails with a retryable `SERVER_ERROR`;
 *    `interrupted` (the provider stream ended without a completion signal) is a cut stream, `INCOMPLETE_STREAM`.
 *    `content-filter` with the provider's own reason `stop` (`rawFinishReason`) is `stop`: the SDK's OpenAI chat
 *    models report a refusal so, whose text streamed as the answer (as on the openai routes, where it ends `stop`);
 *    one with no provider reason stays `content-filter` (`@ai-sdk/openai`'s Responses refusal, and a real filter
 *    where the SDK or provider reports none).
 * 7. A stream that ends without `finish` is cut: `INCOMPLETE_STREAM` (the SDK ends that way after a
 *    failed call: `start`, `error`, end).
 * 8. Everything else (start, steps, text-start/end, tool input deltas, tool results, errors and denials,
 *    approval responses, steering messages, provider `custom` parts, ping, raw) is ignored, and so are
 *    `source` parts (citations: no L0 event carries them; `result.sources` still resolves) and
 *    `reasoning-file` parts (reasoning is text only; a `data` event would count as the answer). Those that
 *    carry something (tool input, results...; not `ping`, `raw` or the bounds of steps and texts) tell
 *    `withTimeouts` the provider is not silent.
 *
 * Exported on its own so a custom adapter list can use it (custom adapters are tried before the
 * built-in ones, so listing it first makes it win detection):
 * @example
 * import { fromStream, aiSdkAdapter } from 'l0-rx';
 * const events$ = fromStream(factory, { adapters: [aiSdkAdapter] });
 */
export const aiSdkAdapter: StreamAdapter = /*#__PURE__*/ Object.freeze({
  name: 'ai-sdk',
  detect: (chunk: unknown): boolean =>
    isRecord(chunk) && typeof chunk['type'] === 'string' && Object.hasOwn(PART_TYPES, chunk['type']) && !('runId' in chunk),
  create: (): ChunkDecoder => createAiSdkDecoder('ai-sdk'),
  unwrap(input: object): unknown {
    if (isChunkSource(input)) return undefined;
    const o = input as Rec;
    const stream = o['stream'];
    if (isChunkSource(stream)) return stream;
    const full = o['fullStream'];
    return isChunkSource(full) ? full : undefined;
  },
});

/**
 * A decoder for AI SDK parts of either level: `TextStreamPart` (`text`, parsed tool `input`, `file.base64`,
 * `finishReason: string`, `totalUsage`) and the provider's `LanguageModelV4StreamPart` (`delta`, string tool
 * `input`, `mediaType` + `data`, `finishReason: {unified, raw}`, nested `usage`). Internal.
 */
export function createAiSdkDecoder(name: string): ChunkDecoder {
  const source: AiPartSource = { name, label: 'AI SDK' };
  return holdingToolCalls({
    push(chunk: unknown, emit: AdapterEmit): boolean {
      const part = rec(chunk);
      if (!part || str(part['type']) === undefined) throw malformedChunk(name, 'no string `type`', chunk);
      return pushAiPart(source, part, emit, chunk);
    },
    end(): void {
      throw incompleteStream('AI SDK stream ended without a finish part');
    },
  }, (part) => (part['type'] === 'finish-step' ? finishReasonOf(part) : undefined), (part) => (part['type'] === 'tool-input-start' ? str(part['id']) : undefined));
}

/** Who decodes a part: the adapter name (in malformed-chunk messages) and the label of the abort message. */
export interface AiPartSource {
  readonly name: string;
  readonly label: string;
}

/**
 * Decodes one AI SDK part (steps 1-6 of the `ai-sdk` adapter; other types are ignored). Error messages
 * describe `chunk`: the part itself, or the envelope it was translated from (the Mastra adapter hands its
 * payloads here as AI SDK parts). True for an ignored part that carries something (ChunkDecoder rule 6:
 * not one of {@link SILENT_PARTS}, not an empty tool input delta). Internal.
 */
export function pushAiPart(source: AiPartSource, part: Rec, emit: AdapterEmit, chunk: unknown): boolean {
  const { name } = source;
  const type = part['type'];
  switch (type) {
    case 'text-delta':
    case 'reasoning-delta': {
      const value = str(part['text']) ?? str(part['delta']);
      if (value === undefined) throw malformedChunk(name, 'no string `text` / `delta`', chunk);
      emit({ type: type === 'text-delta' ? 'token' : 'reasoning', value });
      return false;
    }
    case 'tool-call':
      toolCall(name, part, emit, chunk);
      // a call the provider runs itself emits nothing: the provider is at work (a client's call is held)
      return part['providerExecuted'] === true;
    case 'tool-approval-request': {
      // the only sign of a call the provider runs that waits for approval (its call is not emitted);
      // a client tool's request follows its call, held still: the call again, with its `approvalId`,
      // replaces it. One the SDK answered itself (`isAutomatic`: `toolApproval` approved or denied the
      // call, its response follows) waits for nobody
      if (part['isAutomatic'] === true) return false;
      const call = rec(part['toolCall']);
      const approvalId = part['approvalId'];
      if (!call || call['providerExecuted'] === true) {
        toolCall(name, { toolCallId: approvalId, toolName: type, input: call ?? { toolCallId: part['toolCallId'] }, approvalId }, emit, chunk);
      } else if (typeof approvalId === 'string') toolCall(name, { ...call, approvalId }, emit, chunk);
      else throw malformedChunk(name, 'approval request without `approvalId`', chunk);
      return false;
    }
    case 'file':
      emit({ type: 'data', payload: filePayload(name, part, chunk) });
      return false;
    case 'error':
      throw aiErrorOf(name, part['error'], chunk);
    case 'abort':
      throw abortError(source, str(part['reason']));
    case 'finish': {
      const usage = aiUsage(part['totalUsage'] ?? part['usage']);
      emit(completeEvent(aiFinishReason(finishReasonOf(part), usage, name, chunk), usage));
      return false;
    }
    default:
      return !SILENT_PARTS.has(type) && part['delta'] !== '';
  }
}

/**
 * What an `abort` part we did not cause means. The SDK's own timeouts (`streamText({ timeout })`: total,
 * step, first chunk, chunk) and an `AbortSignal.timeout()` abort with a `TimeoutError` DOMException,
 * which the part's `reason` names first (AI SDK 6+): a retryable timeout, like a timeout on every other
 * route, not the user's cancel. Any other abort is the user's: never retried.
 */
function abortError(source: AiPartSource, reason: string | undefined): Error {
  if (reason?.startsWith('TimeoutError')) {
    return new ProviderError(`The ${source.label} stream timed out (${reason})`, { code: 'NETWORK_ERROR', category: 'timeout', retryable: true, reason: 'timeout' });
  }
  return new StreamAbortedError(`The ${source.label} stream was aborted${reason ? `: ${reason}` : ''}`);
}

function toolCall(name: string, part: Rec, emit: AdapterEmit, chunk: unknown): void {
  if (part['providerExecuted'] === true) return;
  const id = str(part['toolCallId']);
  const tool = str(part['toolName']);
  if (id === undefined || tool === undefined) throw malformedChunk(name, 'tool call without `toolCallId` / `toolName`', chunk);
  const approvalId = str(part['approvalId']);
  const { suspendPayload } = part;
  emit({
    type: 'tool-call', id, name: tool, arguments: argumentsText(part['input'], name, chunk),
    ...(approvalId === undefined ? {} : { approvalId }),
    ...(suspendPayload === undefined ? {} : { suspendPayload }),
  });
}

function filePayload(name: string, part: Rec, chunk: unknown): DataPayload {
  const file = rec(part['file']);
  if (file) {
    const mediaType = str(file['mediaType']);
    return { contentType: contentTypeOf(mediaType), ...(mediaType ? { mimeType: mediaType } : {}), base64: str(file['base64']) ?? '' };
  }
  const mediaType = str(part['mediaType']);
  const data = rec(part['data']);
  const head = { contentType: contentTypeOf(mediaType), ...(mediaType ? { mimeType: mediaType } : {}) };
  if (data?.['type'] === 'url') return { ...head, url: String(data['url']) };
  const bytes = data?.['data'];
  if (typeof bytes === 'string') return { ...head, base64: bytes };
  if (bytes instanceof Uint8Array) return { ...head, base64: bytesToBase64(bytes) };
  throw malformedChunk(name, 'file part without data', chunk);
}

/** What to throw for an AI SDK error part. */
function aiErrorOf(name: string, error: unknown, chunk: unknown): unknown {
  const errorName = str(rec(error)?.['name']);
  if (errorName !== undefined && MALFORMED_ERRORS.has(errorName)) {
    return malformedChunk(name, `the provider sent a chunk the SDK could not read (${errorName})`, chunk, error);
  }
  if (error === undefined || error === null) {
    return new ProviderError(`${name}: an error part without an error`, { code: 'SERVER_ERROR', category: 'server', retryable: true, reason: 'server_error' });
  }
  return error;
}

/**
 * The unified finish reason (`finishReason`, or its `unified` at the provider level), as sent; `error` when
 * the provider's own was `error` (OpenRouter ends a generation that failed mid-stream so, which the SDK
 * reports as `other`, with `rawFinishReason`) or DeepSeek's `insufficient_system_resource` ({@link failedFinish}); `stop` for a refusal's `content-filter` (see {@link refusedStop}).
 * A `{unified}` inside another is read too (up to 3 deep): the SDK's v2 compatibility wraps whatever a model
 * that says it is v2 sends, a v3 `{unified, raw}` included (mastra#23746).
 */
function finishReasonOf(part: Rec): unknown {
  let reason = part['finishReason'];
  let raw = str(part['rawFinishReason']);
  // `raw` read at every level, with a `unified` or without (a provider's `error` stands whatever its `unified`)
  for (let depth = 0, r; depth < 3 && (r = rec(reason)); depth++) {
    raw ??= str(r['raw']);
    reason = r['unified'] ?? reason;
  }
  return failedFinish(raw) ? 'error' : refusedStop(reason, raw);
}

/**
 * `stop` for the `content-filter` the AI SDK's OpenAI providers report for a refusal (`delta.refusal`,
 * whose text streams as the answer) when the provider's own reason was `stop`: a refusal ends as on the
 * openai routes, a whole answer, not one a filter cut short. Internal (also used by Mastra).
 */
export const refusedStop = (reason: unknown, raw: unknown): unknown => (reason === 'content-filter' && raw === 'stop' ? 'stop' : reason);

/**
 * Maps an AI SDK finish reason; `error` throws, and so does `interrupted` as a cut stream. AI SDK
 * 5's `unknown` ("the model has not transmitted a finish reason") is a cut stream when no usage came
 * either (@ai-sdk/openai-compatible 1 reports a body that ended before its finish chunk so), and
 * `other` with usage (it also maps a finish reason it does not know, as `"eos"`, to `unknown`).
 * None (absent or null) is `other`, as the SDK resolves `result.finishReason` when no finish reason
 * was recorded; one that is no string is `MALFORMED_CHUNK` naming it (the SDK's own schema of the
 * finish chunk, `z.optional(z.enum([...]))`, refuses it): read as `other`, a broken finish would
 * look like a whole answer. Internal (also used by Mastra).
 */
export function aiFinishReason(reason: unknown, usage: Usage | undefined, name: string, chunk: unknown): FinishReason {
  if (reason === 'error') {
    throw new ProviderError('The model stopped with finish reason "error"', {
      code: 'SERVER_ERROR',
      category: 'server',
      retryable: true,
      reason: 'server_error',
    });
  }
  if (reason === 'interrupted' || (reason === 'unknown' && usage === undefined)) {
    throw incompleteStream(`AI SDK stream finished with finish reason "${reason}"${reason === 'unknown' ? ' and no usage' : ''}`);
  }
  if (reason != null && typeof reason !== 'string') throw malformedChunk(name, '`finishReason` is not a string', chunk);
  return FINISH.has(reason as string) ? (reason as FinishReason) : 'other';
}
