import type { FinishReason, Usage } from '../../events/eventTypes.js';
import { aiFinishReason, pushAiPart, refusedStop, SILENT_PARTS, type AiPartSource } from './aiSdk.js';
import type { AdapterEmit, ChunkDecoder, StreamAdapter } from './types.js';
import { aiUsage, completeEvent, failedFinish, holdingToolCalls, incompleteStream, isRecord, malformedChunk, rec, str, type Rec } from './shared.js';

const NAME = 'mastra';
const SOURCE: AiPartSource = { name: NAME, label: 'Mastra' };

/**
 * Mastra agent output (`await agent.stream(...)`; its `fullStream` is read) and Mastra chunk envelopes
 * `{ type, runId, from, payload }`. A payload that mirrors an AI SDK part is translated into that part and
 * decoded by the `ai-sdk` adapter's decoder (steps 1-4); `finish` and `tripwire` are Mastra's own.
 *
 * 1. `text-delta` -> `token` (`payload.text`), `reasoning-delta` -> `reasoning`.
 * 2. `tool-call` -> `tool-call` (`payload.args` as JSON, without Mastra's `__mastraMetadata`), held back
 *    until its step's `step-finish` with `tool-calls` (or `finish`) as in the `ai-sdk` adapter (Mastra turns cut arguments
 *    into `{}`; the same chunk again in its step is one call, unless its input streaming started again in between); calls the provider executed are skipped. A step whose provider reason (`rawReason`) is the
 *    token limit (`length`, `max_tokens`, `model_context_window_exceeded`, Google Interactions' `incomplete`...) finished with `length`, which Mastra reports as `tool-calls`: its
 *    last call is marked `truncated: true` (its arguments were cut; Mastra made them `{}`). So is a step a content
 *    filter cut (`rawReason` `content_filter`, Anthropic's `refusal`, Gemini's `SAFETY`, `RECITATION`, Bedrock's
 *    `guardrail_intervened`, `content_filtered`..., reported as
 *    `tool-calls` too), which finishes with `content-filter` (a v2 model's step has no `rawReason`: it stays `tool-calls`).
 *    `tool-call-approval` (a `requireApproval` tool) and `tool-call-suspended` (a tool that called `suspend()`):
 *    the run stops to wait for the user, and the stream ends without `finish`. The held call of that id gets
 *    `approvalId`, the run's id (answer with `agent.approveToolCall({ runId: approvalId, toolCallId: id })`
 *    or `declineToolCall`; a suspended one with `resumeStream(data, { runId, toolCallId })`), and a suspended
 *    tool's `suspendPayload` (what it asks the user); it keeps its own name and arguments when the request
 *    names a tool waiting inside it (an agent-as-tool, a workflow step), carried as
 *    `suspendPayload: { toolName, arguments }`. A request with no call before it (a `resumeStream` stream: the
 *    call was in the first one) is the call, named after the tool it names, inner or not: the chunk does
 *    not tell them apart. One after its call's `step-finish` (the call was emitted) is `MALFORMED_CHUNK`.
 *    The run completes with `tool-calls` instead of failing as a cut stream.
 * 3. `file` -> `data` (`payload.mimeType`, `payload.base64` or the bytes in `payload.data`).
 * 4. `error` -> the attempt fails with `payload.error`, normalised; `abort` -> `StreamAbortedError`.
 * 5. `finish` -> `complete` with `payload.stepResult.reason` mapped like the AI SDK's (`error` fails, as does a provider's own
 *    `error` or `insufficient_system_resource` in `rawReason`,
 *    `interrupted` is a cut stream, and so is `other` with no `rawReason` nor usage (`output.usage.raw` holds no
 *    number): AI SDK 5's `unknown`, a v2 model's body that ended before its finish chunk, which Mastra makes `other`;
 *    a refusal's `content-filter` with `rawReason` `stop` is `stop`,
 *    Mastra's `tripwire` is `content-filter`, `retry` is `other`) and usage
 *    from `payload.output.usage` (a reason that is no string is `MALFORMED_CHUNK`). A `tripwire` chunk (an output processor blocked the answer) ends the run
 *    at once with `content-filter`, its step's calls not marked `truncated` (a processor that blocks a tool's result
 *    does so after Mastra ran the call whole).
 * 6. A stream that ends without `finish` (nor stops for a tool waiting for the user, step 2) is cut: `INCOMPLETE_STREAM`.
 * 7. Every other chunk (steps, workflow, network and tool progress events...) is ignored; those that carry
 *    something (all but the bounds of steps and texts) still tell `withTimeouts` the run is not silent.
 *
 * Exported on its own so a custom adapter list can use it (custom adapters are tried before the
 * built-in ones, so listing it first makes it win detection):
 * @example
 * import { fromStream, mastraAdapter } from 'l0-rx';
 * const events$ = fromStream(factory, { adapters: [mastraAdapter] });
 */
export const mastraAdapter: StreamAdapter = /*#__PURE__*/ Object.freeze({
  name: NAME,
  detect: (chunk: unknown): boolean =>
    isRecord(chunk) && typeof chunk['type'] === 'string' && typeof chunk['runId'] === 'string' && typeof chunk['from'] === 'string',
  create: (): ChunkDecoder => {
    // a tool that waits for approval (or resume data) suspends the run: the stream ends without `finish`
    let paused = false;
    return holdingToolCalls({
      push(chunk: unknown, emit: AdapterEmit): boolean | void {
        const c = rec(chunk);
        const type = str(c?.['type']);
        if (!c || type === undefined) throw malformedChunk(NAME, 'no string `type`', chunk);
        const payload = rec(c['payload']) ?? {};
        if (type === 'tripwire') {
          emit({ type: 'complete', finishReason: 'content-filter' });
        } else if (type === 'finish') {
          const usage = aiUsage(rec(payload['output'])?.['usage'] ?? payload['totalUsage'] ?? payload['usage']);
          emit(completeEvent(mastraFinish(payload, usage, chunk), usage));
        } else {
          paused ||= type === 'tool-call-approval' || type === 'tool-call-suspended';
          const part = aiPartOf(type, payload, c['runId']);
          if (part) return pushAiPart(SOURCE, part, emit, chunk);
          // tool input and output, workflow and network progress: the run is not silent (ChunkDecoder rule 6)
          return !SILENT_PARTS.has(type) && payload['argsTextDelta'] !== '';
        }
      },
      end(emit: AdapterEmit): void {
        if (!paused) throw incompleteStream('Mastra stream ended without a finish chunk');
        emit({ type: 'complete', finishReason: 'tool-calls' });
      },
    }, (c) => (c['type'] === 'step-finish' ? stepReason(rec(c['payload'])) : c['type'] === 'tripwire' ? c['type'] : undefined), (c) => (c['type'] === 'tool-call-input-streaming-start' ? str(rec(c['payload'])?.['toolCallId']) : undefined));
  },
});

/** Mastra's `abort` payload carries nothing the message shows. */
const ABORT: Rec = /*#__PURE__*/ Object.freeze({ type: 'abort' });

/**
 * The AI SDK part a Mastra payload mirrors, with only the fields the AI SDK decoder reads (so a
 * `payload.delta` is not taken for text); undefined for chunks with nothing to decode.
 */
function aiPartOf(type: string, payload: Rec, runId: unknown): Rec | undefined {
  switch (type) {
    case 'text-delta':
    case 'reasoning-delta':
      return { type, text: payload['text'] };
    case 'tool-call':
    case 'tool-call-approval':
    case 'tool-call-suspended': {
      const { toolCallId, toolName, providerExecuted } = payload;
      const part = { type: 'tool-call', toolCallId, toolName, providerExecuted, input: withoutMastraMetadata(payload['args']) };
      // answered with `agent.approveToolCall({ runId, toolCallId })` (a suspended tool: `resumeStream(data, { runId, toolCallId })`,
      // its `suspendPayload` what it asks the user)
      return type === 'tool-call' ? part : { ...part, approvalId: runId, suspendPayload: payload['suspendPayload'] };
    }
    case 'file':
      return { type, mediaType: payload['mimeType'], data: { type: 'data', data: str(payload['base64']) ?? payload['data'] } };
    case 'error':
      return { type, error: payload['error'] };
    case 'abort':
      return ABORT;
    default:
      return undefined;
  }
}

function withoutMastraMetadata(args: unknown): unknown {
  if (!isRecord(args) || !('__mastraMetadata' in args)) return args;
  const { __mastraMetadata: _dropped, ...rest } = args;
  return rest;
}

/**
 * Token-limit finish reasons as providers name them (`rawReason`): OpenAI, Anthropic (its context window too), Gemini,
 * Mistral, the Responses API, Google's Interactions API (`incomplete`, which `@ai-sdk/google` maps to `length`).
 */
const LIMIT = /^(?:length|max_(?:output_)?tokens|model_(?:length|context_window_exceeded)|incomplete)$/i;
/**
 * Content-filter finish reasons as providers name them: OpenAI's (and the Responses API's), Anthropic's refusal, Gemini's
 * verdicts, Bedrock's `content_filtered` and `guardrail_intervened` (both `content-filter` in `@ai-sdk/amazon-bedrock`).
 */
const FILTER = /^(?:content_filter(?:ed)?|guardrail_intervened|refusal|(?:image_)?safety|recitation|blocklist|prohibited_content|spii)$/i;

/**
 * A step's reason: `length` when the provider's own (`rawReason`) was the token limit, which Mastra
 * reports as `tool-calls` when the step has a call (the one the limit cut, whose arguments it made `{}`),
 * and `content-filter` when it was a content filter (OpenAI's `content_filter`, Anthropic's `refusal`, Gemini's
 * `SAFETY`...), which Mastra reports so too.
 * Mastra's own verdicts on the step (`tripwire`, `retry`, `error`) stand whatever the provider's reason; a provider's
 * own `error` or `insufficient_system_resource` ({@link failedFinish}) is `error` otherwise;
 * a refusal's `content-filter` whose provider reason was `stop` is `stop`, as in the `ai-sdk` adapter. An `other`
 * with no provider reason and no usage (Mastra's zeros over a `raw` without numbers) is `interrupted`: AI SDK 5's
 * `unknown`, a cut stream as in the `ai-sdk` adapter.
 */
function stepReason(payload: Rec | undefined): unknown {
  const step = rec(payload?.['stepResult']);
  const reason = step?.['reason'];
  const raw = str(step?.['rawReason']) ?? '';
  const usage = rec(rec(payload?.['output'])?.['usage'])?.['raw'];
  // AI SDK 5's `unknown` (a v2 model's body that ended before its finish chunk), which Mastra makes `other`, its usage zeros
  if (reason === 'other' && !raw && isRecord(usage) && !aiUsage(usage)) return 'interrupted';
  // a generation the provider failed mid-stream, which Mastra reports as `other` (or `tool-calls`): as in the `ai-sdk` adapter
  if (failedFinish(raw) && reason !== 'tripwire' && reason !== 'retry') return 'error';
  if (reason !== 'tool-calls') return refusedStop(reason, raw);
  return LIMIT.test(raw) ? 'length' : FILTER.test(raw) ? 'content-filter' : reason;
}

/** As the AI SDK's (a reason that is no string is `MALFORMED_CHUNK`), with Mastra's own verdicts. */
function mastraFinish(payload: Rec, usage: Usage | undefined, chunk: unknown): FinishReason {
  const reason = stepReason(payload) ?? payload['finishReason'];
  if (reason === 'tripwire') return 'content-filter';
  if (reason === 'retry') return 'other';
  return aiFinishReason(reason, usage, NAME, chunk);
}
