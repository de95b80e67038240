import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import type { FinishReason, ToolCallEvent, Usage } from '../../events/eventTypes.js';
import type { L0Error } from '../../errors/L0Error.js';
import { ProviderError } from '../../errors/ProviderError.js';
import { PROVIDER_TYPE_TABLE } from '../../errors/classifyTables.js';
import type { AdapterEmit, ChunkDecoder, StreamAdapter } from './types.js';
import { argumentsText, completeEvent, cutShort, inBandError, incompleteStream, isRecord, malformedChunk, rec, sameCall, str, usageOf, type Rec } from './shared.js';

const NAME = 'openai-responses';

type Kind = ResponseStreamEvent['type'];

/** Delta events and the L0 event type each becomes. */
const DELTAS: ReadonlyMap<Kind, 'token' | 'reasoning'> = /*#__PURE__*/ new Map<Kind, 'token' | 'reasoning'>([
  ['response.output_text.delta', 'token'],
  ['response.refusal.delta', 'token'],
  ['response.audio.transcript.delta', 'token'],
  ['response.reasoning_text.delta', 'reasoning'],
  ['response.reasoning_summary_text.delta', 'reasoning'],
]);

/** Output items the client acts on: calls of built-in tools it carries out (`<tool>_call`), MCP approval requests. */
const CLIENT_ACTION = /^(?:(?:computer|local_shell|shell|apply_patch|tool_search)_call|mcp_approval_request)$/;

/**
 * Events with no `delta` that still show the provider at work (ChunkDecoder rule 6): an item or a shell
 * command added, a citation, a hosted tool's progress (`response.web_search_call.searching`,
 * `response.mcp_list_tools.in_progress`...) and a context compaction's.
 */
const AT_WORK = /(?:item|command|annotation)\.added$|^response\.(?:compaction|\w+_call|mcp_list_tools)\./;
/** `response.failed` codes a retry cannot fix that are policy blocks, not bad input. */
const POLICY = /_policy(?:_violation)?$/;
/** `response.failed` codes a retry may fix. */
const TRANSIENT = /*#__PURE__*/ new Set(['server_error', 'rate_limit_exceeded', 'vector_store_timeout']);

/**
 * OpenAI Responses API streams (`Stream<ResponseStreamEvent>` from `client.responses.create({ stream: true })`).
 *
 * 1. `response.output_text.delta` and `response.refusal.delta` -> `token` (a refusal is the model's answer).
 *    `response.audio.transcript.delta` (audio output) -> `token` as well: it is the text of the spoken
 *    answer, so guardrails, drift and zero-output checks read it (ignored, an audio answer would look
 *    empty and be retried as `ZERO_OUTPUT`). The audio bytes (`response.audio.delta`: base64 pieces of
 *    one stream in the format the request chose, which no event names) and `response.audio.done` /
 *    `response.audio.transcript.done` are not emitted, as with chat audio: a `data` event is a whole
 *    payload, not a fragment to splice. Audio bytes with no transcript are no output.
 * 2. `response.reasoning_text.delta` and `response.reasoning_summary_text.delta` -> `reasoning`.
 * 3. `response.output_item.done` with a `function_call` (or `custom_tool_call`) item -> one `tool-call`
 *    (`id` is the `call_id`, else, without one, the item's `id`; with neither, or without a name, `MALFORMED_CHUNK`,
 *    as is an `output_item.done` whose `item` is no object with a string `type`; the same call again, a replayed
 *    event, adds nothing, and another call under its call id is `MALFORMED_CHUNK`),
 *    held back until `response.completed` / `.incomplete` and emitted right before `complete` (as chat
 *    calls wait for the stream's end after the finish reason), so a response that fails or is cut emits
 *    none of its calls; one whose item is `incomplete` (the token limit cut it) is marked `truncated: true`,
 *    and so is the last one of a response that ended on the limit or a content filter (its `incomplete_details`, whatever the
 *    event) when no item came after it or its item never closed (it is taken from the response's `output`). The built-in tools' calls the client must
 *    carry out are held and emitted the same way, named after their tool, with the item's fields but
 *    `type`, `id`, `call_id` and `status` as `arguments` (JSON; fields no JSON holds, in-process: `MALFORMED_CHUNK`): `computer_call` -> `computer`
 *    (`{action or actions, pending_safety_checks}`), `local_shell_call` -> `local_shell`, `shell_call` ->
 *    `shell` (not one that ran in a hosted container), `apply_patch_call` -> `apply_patch` (`{operation}`),
 *    `tool_search_call` -> `tool_search` (not one with `execution: 'server'`). So is an `mcp_approval_request`
 *    (a call of an MCP tool that waits for the client's `mcp_approval_response`): a `tool-call` named
 *    `mcp_approval_request`, `id` and `approvalId` the request's, `arguments` `{arguments, name, server_label}`; ignored, a
 *    response that only asks for approval would look empty and be retried as `ZERO_OUTPUT`.
 *    An `image_generation_call` that has a result -> `data` (base64 image).
 * 4. `response.completed` -> `complete` with `finishReason` `tool-calls` if a tool call was emitted, else
 *    `stop`; `response.incomplete` -> `complete` with `length` (max_output_tokens), `content-filter`, or `other`.
 *    Both carry `usage` (input, output, total, reasoning and cached tokens). An `incomplete_details` that is no
 *    object, or whose `reason` is no string, is `MALFORMED_CHUNK` (a null one is none).
 * 5. `response.failed` and `error` events fail the attempt with a `ProviderError` classified from the error
 *    `code` as on the other routes (rate limit and server errors are retryable; `context_length_exceeded` is
 *    `CONTEXT_LENGTH_EXCEEDED`; `insufficient_quota` a `RATE_LIMITED` that is not retryable; policy blocks are
 *    `CONTENT_FILTERED`; other invalid input is `BAD_REQUEST`).
 * 6. A stream that ends without `response.completed` / `.incomplete` / `.failed` is cut: `INCOMPLETE_STREAM`.
 * 7. Every other event (created, in_progress, content parts, tool progress, the calls of tools the provider
 *    runs itself: web and file search, code interpreter, MCP...) is ignored, and so are citations
 *    (`response.output_text.annotation.added`: no L0 event carries them; the text citing them streams as usual).
 *    Those that carry something new still tell `withTimeouts` the provider is not silent: argument, code,
 *    command and audio deltas, a hosted shell's output, items and shell commands added, citations, hosted
 *    tools' and a context compaction's progress (an in-process event no JSON holds, a BigInt, counts as new). The response's status (`created`, `queued`, `in_progress`:
 *    a queued response waits within `initialToken`), the bounds of content parts and the `*.done` events
 *    that close a text, arguments or a part (they repeat what streamed), empty deltas (a shell output with
 *    no text) and the same item, command or citation added again do not.
 *
 * Exported on its own so a custom adapter list can use it (custom adapters are tried before the
 * built-in ones, so listing it first makes it win detection):
 * @example
 * import { fromStream, openaiResponsesAdapter } from 'l0-rx';
 * const events$ = fromStream(factory, { adapters: [openaiResponsesAdapter] });
 */
export const openaiResponsesAdapter: StreamAdapter = /*#__PURE__*/ Object.freeze({
  name: NAME,
  // an `error` event can come first: its `code` and `message` are its own, where an AI SDK error part has an `error`
  // (a compatible server may send no `sequence_number`: taken for such a part, it lost its code and was retried)
  detect: (chunk: unknown): boolean =>
    isRecord(chunk) && typeof chunk['type'] === 'string' && (chunk['type'].startsWith('response.') || (chunk['type'] === 'error' && !('error' in chunk))),
  create: (): ChunkDecoder => new ResponsesDecoder(),
});

class ResponsesDecoder implements ChunkDecoder {
  /** Finished calls, held until the response completes: a failed or cut response runs none of them. */
  private readonly calls: ToolCallEvent[] = [];
  /** The output index of the last function call held, and the highest one seen: the token limit cut a call only if nothing came after it. */
  private callAt = -1;
  private lastAt = -1;
  /** Each item, command and citation added (rule 7), made on the first. */
  private added: Set<string> | undefined;

  /** True for an event whose content is held back, or that says a hosted tool is at work (ChunkDecoder rule 6). */
  push(chunk: unknown, emit: AdapterEmit): boolean {
    const c = rec(chunk);
    const type = str(c?.['type']) as Kind | undefined;
    if (!c || type === undefined) throw malformedChunk(NAME, 'no string `type`', chunk);
    const delta = DELTAS.get(type);
    if (delta !== undefined) {
      const value = c['delta'];
      if (typeof value !== 'string') throw malformedChunk(NAME, '`delta` is not a string', chunk);
      emit({ type: delta, value });
      return false;
    }
    const at = c['output_index'];
    if (typeof at === 'number' && at > this.lastAt) this.lastAt = at;
    switch (type) {
      case 'response.output_item.done': {
        const item = rec(c['item']);
        // ignored, an item that is not one (or of no type) would drop a call and complete the answer without it
        if (!item || typeof item['type'] !== 'string') throw malformedChunk(NAME, 'an item with no `type`', chunk);
        this.itemDone(item, emit, at);
        return true;
      }
      case 'response.completed':
      case 'response.incomplete': {
        const response = rec(c['response']);
        const reason = this.finishReason(type, response, chunk);
        if (cutShort(reason)) this.markCut(response, emit);
        // nothing is decoded after `complete`, so the calls need no clearing
        for (const call of this.calls) emit(call);
        emit(completeEvent(reason, responsesUsage(rec(response?.['usage']))));
        return false;
      }
      case 'response.failed':
        throw failure(rec(c['response'])?.['error']);
      case 'error':
        throw inBandError('OpenAI response stream error', c);
      default:
        // argument, code, command and audio deltas, a hosted shell's output (`{stdout, stderr}`); see AT_WORK.
        // The response's status (`created`, `queued`, `in_progress`) and bounds (content parts, every `*.done`
        // but an item's, which only repeat what streamed) are silence
        return this.atWork(c, type);
    }
  }

  /** Rule 7's activity of an event that emits nothing: what it carries is new (an empty delta, the same thing added again are not). */
  private atWork(c: Rec, type: string): boolean {
    const d = c['delta'];
    if (typeof d === 'string') return d !== '';
    // a hosted shell's output (`{stdout, stderr}`): some text in it
    if (isRecord(d)) return Object.values(d).join('') !== '';
    if (!AT_WORK.test(type)) return false;
    if (!type.endsWith('.added')) return true;
    // an item, a command or a citation added: by what it is, its place included (a compatible server may send no
    // indexes), so one sent again (a stalled server repeating it, its sequence number aside) is silence
    const added = (this.added ??= new Set());
    try {
      return added.size < added.add(JSON.stringify({ ...c, sequence_number: 0 })).size;
    } catch {
      return true; // an in-process event no JSON holds (a BigInt, a cycle): no server repeats it
    }
  }

  /**
   * The response ended on the token limit or a content filter: the call it cut is marked `truncated`, the last one, if an
   * item never closed (only the response's `output` holds it: it is emitted) or no item came after it
   * (as on the chat route: a server may close the cut item `completed`).
   */
  private markCut(response: Rec | undefined, emit: AdapterEmit): void {
    const held = new Set(this.calls.map((c) => c.id));
    const before = this.calls.length;
    for (const item of Array.isArray(response?.['output']) ? (response['output'] as unknown[]) : []) {
      const i = rec(item);
      if ((i?.['type'] === 'function_call' || i?.['type'] === 'custom_tool_call') && !held.has((i['call_id'] ?? i['id']) as string)) this.itemDone(i, emit, Infinity);
    }
    const last = this.calls.length - 1;
    if (last >= 0 && (last >= before || this.callAt >= this.lastAt)) this.calls[last] = { ...this.calls[last]!, truncated: true };
  }

  end(): void {
    throw incompleteStream('OpenAI response stream ended without response.completed');
  }

  private itemDone(item: Rec, emit: AdapterEmit, at: unknown): void {
    const kind = str(item['type']);
    if (kind === 'function_call' || kind === 'custom_tool_call') {
      // a `call_id` of another type is no call id: the item's own `id` would answer the wrong call
      const id = item['call_id'] == null ? str(item['id']) : str(item['call_id']);
      const name = str(item['name']);
      const args = str(kind === 'function_call' ? item['arguments'] : item['input']);
      if (id === undefined || name === undefined || args === undefined) {
        throw malformedChunk(NAME, `a ${kind} item without ${id === undefined ? 'a call id' : name === undefined ? 'a name' : kind === 'function_call' ? 'string arguments' : 'a string input'}`, item);
      }
      // an item the token limit cut (`max_output_tokens`) is closed `incomplete`
      if (this.hold({ type: 'tool-call', id, name, arguments: args, ...(item['status'] === 'incomplete' ? { truncated: true } : {}) }, item)) {
        this.callAt = typeof at === 'number' ? at : this.lastAt;
      }
    } else if (kind && CLIENT_ACTION.test(kind) && rec(item['environment'])?.['type'] !== 'container_reference' && item['execution'] !== 'server') {
      const { type: _type, id: itemId, call_id: callId, status: _status, ...action } = item;
      const id = callId ?? itemId;
      if (typeof id !== 'string') throw malformedChunk(NAME, `a ${kind} item without a call id`, item);
      // named `<tool>` for a `<tool>_call`; `mcp_approval_request` keeps its name
      const call = { type: 'tool-call', id, name: kind.split('_call')[0]!, arguments: argumentsText(action, NAME, item) } as const;
      this.hold(kind === 'mcp_approval_request' ? { ...call, approvalId: id } : call, item);
    } else if (kind === 'image_generation_call' && typeof item['result'] === 'string' && item['result'] !== '') {
      const format = str(item['output_format']) ?? 'png';
      emit({ type: 'data', payload: { contentType: 'image', mimeType: `image/${format}`, base64: item['result'] } });
    }
  }

  /**
   * Holds a call; true if it is new. The same call again (a replayed event) is none: emitted twice, its tool
   * would run twice. Another call under a held call's id cannot be told from it: `MALFORMED_CHUNK`.
   */
  private hold(call: ToolCallEvent, item: Rec): boolean {
    const held = this.calls.find((c) => c.id === call.id);
    if (!held) return this.calls.push(call) > 0;
    if (!sameCall(held, call)) throw malformedChunk(NAME, `a second call under the call id ${call.id}`, item);
    return false;
  }

  /**
   * From the response's own status too: a server may end an `incomplete` one with `response.completed`. A wrongly typed
   * `incomplete_details` or `reason` is `MALFORMED_CHUNK` naming it (read as `other`, a response the limit cut would not be `length`).
   */
  private finishReason(type: Kind, response: Rec | undefined, chunk: unknown): FinishReason {
    const details = response?.['incomplete_details'] ?? undefined;
    const reason = rec(details)?.['reason'] ?? undefined;
    if (details !== undefined && !isRecord(details)) throw malformedChunk(NAME, '`incomplete_details` is not an object', chunk);
    if (reason !== undefined && typeof reason !== 'string') throw malformedChunk(NAME, '`incomplete_details.reason` is not a string', chunk);
    if (type === 'response.completed' && response?.['status'] !== 'incomplete' && reason === undefined) return this.calls.length > 0 ? 'tool-calls' : 'stop';
    return reason === 'max_output_tokens' ? 'length' : reason === 'content_filter' ? 'content-filter' : 'other';
  }
}

function responsesUsage(u: Rec | undefined): Usage | undefined {
  if (!u) return undefined;
  return usageOf({
    inputTokens: u['input_tokens'],
    outputTokens: u['output_tokens'],
    totalTokens: u['total_tokens'],
    reasoningTokens: rec(u['output_tokens_details'])?.['reasoning_tokens'],
    cachedInputTokens: rec(u['input_tokens_details'])?.['cached_tokens'],
  });
}

/**
 * The error of a `response.failed` event as a typed error: a transient or missing code is a
 * retryable in-band error; a policy code is `CONTENT_FILTERED`; a code the provider tables know is
 * typed as on every other route (`context_length_exceeded` is `CONTEXT_LENGTH_EXCEEDED`,
 * `insufficient_quota` a non-retryable `RATE_LIMITED`); any other code is bad input, `BAD_REQUEST`.
 */
function failure(error: unknown): L0Error {
  const e = rec(error);
  const code = str(e?.['code']);
  const message = `OpenAI response failed: ${str(e?.['message']) ?? 'no message'}${code ? ` (${code})` : ''}`;
  // a code the provider tables know is read as on every other route
  if (code === undefined || TRANSIENT.has(code) || PROVIDER_TYPE_TABLE.has(code.toLowerCase())) return inBandError('OpenAI response failed', error ?? { code: 'server_error' });
  if (POLICY.test(code)) {
    return new ProviderError(message, { code: 'CONTENT_FILTERED', category: 'bad-request', retryable: false, reason: 'content_filtered', cause: error });
  }
  return new ProviderError(message, { code: 'BAD_REQUEST', category: 'bad-request', retryable: false, reason: 'bad_request', cause: error });
}
