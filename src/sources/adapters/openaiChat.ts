import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { FinishReason, Usage } from '../../events/eventTypes.js';
import type { AdapterEmit, ChunkDecoder, StreamAdapter } from './types.js';
import { safeGet } from '../../errors/inspect.js';
import { completeEvent, cutShort, failedFinish, inBandError, incompleteStream, isRecord, malformedChunk, rec, str, type Rec } from './shared.js';
import { args, chatUsage, contentParts, filled, indexOf, NAME, part, says, text, thought, unread } from './openaiChatFields.js';

/** OpenAI's finish reasons and Mistral's `model_length` (the model's context window cut the answer). */
type RawFinish = NonNullable<ChatCompletionChunk.Choice['finish_reason']> | 'model_length';
/** @internal A Chat Completions finish reason as an event's (injectFaults' synthesized replies read it too). */
export const FINISH: Readonly<Record<RawFinish, FinishReason>> = {
  stop: 'stop',
  length: 'length',
  model_length: 'length',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
  content_filter: 'content-filter',
};

/**
 * The finish chunk that openai's `chat.completions.stream()` helper threw instead of yielding: asked for parsed
 * output (`response_format: zodResponseFormat(...)`, `zodFunction` tools), it meets a `length` or `content_filter`
 * finish with `LengthFinishReasonError` / `ContentFilterFinishReasonError` (plain `OpenAIError`s known by their
 * message), or at Mistral's `model_length`, unknown to it, fails to parse the cut text (an error caused by a
 * `SyntaxError`, that cut only if the snapshot has it), where `create()` streams that finish. Internal: fromStream
 * decodes it (with this adapter when the throw came before any chunk), so both routes end with the same reason
 * (the helper throws before it reads that chunk's own delta or the usage after it: those are lost). With `n > 1` it throws at any choice's finish: the helper's
 * snapshot (`stream.currentChatCompletionSnapshot`) says whose; another choice's leaves choice 0 as it was, finished
 * with its own reason or, unfinished, a cut stream (`INCOMPLETE_STREAM`, naming that choice's finish), never taken for choice 0's.
 */
export const thrownFinish = (e: unknown, stream: unknown): Rec | undefined => {
  const cut = e instanceof Error && /^Could not parse response content as the (l)?/.exec(e.message);
  // Mistral's model_length, which the helper does not know: it parses the cut text, and JSON.parse throws
  const finish = cut ? (cut[1] ? 'length' : 'content_filter') : safeGet(e, 'cause') instanceof SyntaxError && 'model_length';
  if (!finish) return undefined;
  const choices = rec(safeGet(stream, 'currentChatCompletionSnapshot'))?.['choices'];
  // the choice whose finish it was (the snapshot holds them by index): another's is named if choice 0 never finishes
  const index = Array.isArray(choices) ? choices.findIndex((c: Rec | undefined) => c?.['finish_reason'] === finish) : cut ? 0 : -1;
  return index < 0 && !cut ? undefined : { choices: index < 0 ? [] : [{ index, finish_reason: finish }] };
};

interface PartialCall {
  id?: string | undefined;
  name?: string | undefined;
  /** Its arguments came as objects (set by its first arguments): `fragments` holds the last one's JSON, each a whole value. */
  whole?: boolean;
  readonly fragments: string[];
}

/**
 * OpenAI Chat Completions streams (`Stream<ChatCompletionChunk>` from
 * `client.chat.completions.create({ stream: true })`), and OpenAI-compatible servers' chunks.
 *
 * 1. `delta.content` -> `token` (given as parts, as Mistral's reasoning models stream it: `text` parts ->
 *    `token`, `thinking` parts' text -> `reasoning`; a part without text emits nothing). `delta.refusal` -> `token` too: a refusal is the model's answer, so
 *    it is shown, accumulated and counted as output like any text. `delta.audio.transcript` (audio
 *    output, `modalities: ['text', 'audio']`, where `content` stays null) -> `token` as well: it is
 *    the text of the spoken answer, so guardrails, drift and zero-output checks read it (ignored, an
 *    audio answer would look empty and be retried as `ZERO_OUTPUT`). The audio bytes
 *    (`delta.audio.data`: pieces of one PCM stream in the format the request chose, which no chunk
 *    names), `id` and `expires_at` are not emitted: a `data` event is a whole payload, not a
 *    fragment to splice.
 * 2. `delta.reasoning_content` (DeepSeek, vLLM) or else `delta.reasoning` (OpenRouter, Ollama) -> `reasoning`
 *    (a string, or an object's `text`: Envoy AI Gateway streams Bedrock's as `{text, signature}`).
 * 3. `delta.tool_calls[]` fragments are keyed by `index` (`id` and `name` arrive once, `arguments` in
 *    pieces) and emitted as one `tool-call` each, in index order, right before `complete`: only once the
 *    stream has ended after its `finish_reason`, so a stream cut after the finish reason (before the
 *    usage chunk or `[DONE]`: the SDK throws, and the attempt is retried) emits none of its calls,
 *    which a consumer running tools would otherwise run again on the retry (a body that closes cleanly
 *    there looks whole through the SDK, which hides `[DONE]`, and completes with its calls);
 *    without `index` (some compatible servers send whole parallel calls), a new `id` starts a call
 *    and a fragment without one continues the last, unless it has a name and the last call has one
 *    (servers that send neither `id` nor `index`: the AI SDK reads such a fragment as a new call too);
 *    a new `id` at an index another call holds (servers that send every call at index 0) starts a call
 *    of its own. An empty `id` or `name` (`""`, sent on continuation fragments by some compatible
 *    servers) counts as absent. `arguments` sent as an object (some compatible gateways stream it so instead of
 *    its JSON text) is a whole value, read as that text: a later object for the call replaces it (a server that resends
 *    it, whole or grown, in every chunk), never follows it; a call given both objects and text is `MALFORMED_CHUNK`
 *    (`""` is no text). A call without a name is `MALFORMED_CHUNK`; one without an id (vLLM,
 *    NVIDIA NIM, GLM send none: a retry would get the same stream) gets `call_<n>`, n its position.
 *    The deprecated `delta.function_call` is handled the same way (its id is its name). With finish
 *    reason `length` or `content_filter` the last call is marked `truncated: true`: the token limit or the filter cut its arguments.
 * 4. `finish_reason`: stop -> stop, length (and Mistral's model_length) -> length, tool_calls / function_call -> tool-calls,
 *    content_filter -> content-filter, `error` (OpenRouter's end of a generation that failed
 *    mid-stream) and DeepSeek's `insufficient_system_resource` (its servers cut the answer) -> the attempt fails like an in-band error frame (step 7), from the choice's `error`
 *    if it has one (a retryable `SERVER_ERROR` if not), anything else but `""` (sent by some servers
 *    on chunks that are not the last) -> other.
 * 5. `usage` (the extra chunk with empty `choices` that `stream_options.include_usage` adds after the
 *    finish reason; Groq's `x_groq.usage` on its last chunk) is kept, so `complete{finishReason, usage}`
 *    is emitted when the stream ends.
 * 6. Only choice `index` 0 is read; other choices (`n > 1`) are ignored (a `length` or `content_filter` finish that
 *    the `chat.completions.stream()` helper throws for another is not choice 0's). A chunk that only holds content
 *    back (tool call fragments with a name or arguments, audio bytes), carries another choice's or
 *    OpenRouter's `reasoning_details` (not emitted: `reasoning` carries their text), or reports llama.cpp's
 *    prompt processing going on (`prompt_progress` with more tokens `processed`: a long prompt is read
 *    before the first token) tells `withTimeouts` the provider is not silent; one with nothing in it (a
 *    role, an empty delta, usage, a progress that did not move) does not.
 * 7. The SDK hides `[DONE]`, so a stream that ends without a `finish_reason` is cut: a retryable
 *    `ProviderError` `INCOMPLETE_STREAM` (with `n > 1`, its message names the last other choice that finished). A chunk with an `error` (an in-band error frame, with or
 *    without `choices`), or a choice with one, fails with the classified error. A chunk of the wrong
 *    shape is `MALFORMED_CHUNK`: a choice's or a tool call's `index` that is not an integer >= 0, a `delta`, `function` or `custom` that is not an object,
 *    content, a refusal, an audio transcript, a `finish_reason`, a tool call's `id` or arguments that are not strings (arguments: nor objects; read as absent, they would
 *    lose text, cut a call's JSON or splice two calls; the AI SDK refuses such chunks too). Reasoning is
 *    not the answer: an object's `text` is read (Envoy AI Gateway's `{text, signature}` for Bedrock) and
 *    any other shape is not, never failing the chunk.
 *
 * Exported on its own so a custom adapter list can use it (custom adapters are tried before the
 * built-in ones, so listing it first makes it win detection):
 * @example
 * import { fromStream, openaiChatAdapter } from 'l0-rx';
 * const events$ = fromStream(factory, { adapters: [openaiChatAdapter] });
 */
export const openaiChatAdapter: StreamAdapter = /*#__PURE__*/ Object.freeze({
  name: NAME,
  detect: (chunk: unknown): boolean =>
    isRecord(chunk) && (chunk['object'] === 'chat.completion.chunk' || ('choices' in chunk && !('type' in chunk))),
  create: (): ChunkDecoder => new ChatDecoder(),
});

class ChatDecoder implements ChunkDecoder {
  private finish: FinishReason | undefined;
  /** The slot the last fragment without `index` went to. */
  private unindexed: number | undefined;
  /** Where an `index` now goes: a new `id` at an index another call holds (servers that send every call at index 0, or a finish reason per call) starts a call of its own. */
  private readonly moved = new Map<number, number>();
  private usage: Usage | undefined;
  private readonly calls = new Map<number, PartialCall>();
  /** What was missing, naming the last other choice (`n > 1`) that finished, when choice 0's finish never comes. */
  private other: string | undefined;
  /** The prompt tokens llama.cpp's `prompt_progress` last reported processed. */
  private processed = 0;

  /** True when the chunk held content back: a tool call's fragment, audio bytes (see ChunkDecoder rule 6). */
  push(chunk: unknown, emit: AdapterEmit): boolean {
    const c = rec(chunk);
    if (!c) throw malformedChunk(NAME, 'not an object', chunk);
    const choices = c['choices'];
    // an in-band error frame: `{error}` alone (OpenAI), or an error object beside `choices` (OpenRouter)
    const error = c['error'];
    if (choices === undefined ? error !== undefined : isRecord(error)) throw inBandError('OpenAI chat stream', error);
    if (choices !== undefined && !Array.isArray(choices)) throw malformedChunk(NAME, '`choices` is not an array', chunk);
    // a typed chunk without choices (a proxy's `{"type": "ping"}` keep-alive) is skipped, as the other formats skip unknown events:
    // refusing it would fail healthy streams for a mix of formats no server sends
    // Groq reports usage under `x_groq` on its last chunk unless asked for the usage chunk
    const usage = rec(c['usage']) ?? rec(rec(c['x_groq'])?.['usage']);
    if (usage) this.usage = chatUsage(usage);
    // llama.cpp reading a long prompt (`return_progress`): at work while `processed` grows, not when it repeats
    const processed = Number(rec(c['prompt_progress'])?.['processed']);
    let held = processed > this.processed;
    if (held) this.processed = processed;
    for (const choice of (choices ?? []) as unknown[]) {
      const ch = rec(choice);
      if (!ch) throw malformedChunk(NAME, 'a choice is not an object', chunk);
      // another choice (`n > 1`) is not read, but while it streams the provider is not silent
      if (ch['index'] !== 0 && (indexOf(ch, chunk) ?? 0) !== 0) { // index 0, the common case, needs no check
        held ||= says(ch['delta']);
        const other = str(ch['finish_reason']);
        if (other) this.other = `choice 0's finish_reason (choice ${ch['index'] as number} finished "${other}")`;
        continue;
      }
      const delta = ch['delta'];
      if (delta !== undefined && delta !== null) {
        if (!isRecord(delta)) throw malformedChunk(NAME, '`delta` is not an object', chunk);
        held = this.delta(delta, emit, chunk) || held;
      }
      // a finish reason of another type is `MALFORMED_CHUNK`, as the AI SDK's (ignored, the answer would end as a cut stream)
      const finish = text(ch, 'finish_reason', chunk);
      // a generation that failed mid-stream (OpenRouter: finish reason `error`, its error on the choice; DeepSeek's servers out of capacity)
      if (failedFinish(finish) || isRecord(ch['error'])) throw inBandError('OpenAI chat stream', ch['error'] ?? { type: 'server_error' });
      // some compatible servers send `""` on chunks that are not the last: no finish
      if (finish) this.finish = Object.hasOwn(FINISH, finish) ? FINISH[finish as RawFinish] : 'other';
    }
    return held;
  }

  end(emit: AdapterEmit): void {
    if (this.finish === undefined) throw incompleteStream(`OpenAI chat stream ended without ${this.other ?? 'a finish_reason'}`);
    // calls wait for the end: a stream cut after its finish reason errors instead, and emits none
    this.flushCalls(emit);
    emit(completeEvent(this.finish, this.usage));
  }

  /** Emits a delta's text; true if it held content back (tool call fragments, audio bytes). */
  private delta(d: Rec, emit: AdapterEmit, chunk: unknown): boolean {
    const reasoning = thought(d['reasoning_content']) ?? thought(d['reasoning']);
    if (reasoning !== undefined) emit({ type: 'reasoning', value: reasoning });
    const content = d['content'];
    if (typeof content === 'string') emit({ type: 'token', value: content });
    else if (Array.isArray(content)) contentParts(content as unknown[], emit, chunk);
    else if (content !== undefined && content !== null) throw malformedChunk(NAME, '`delta.content` is not a string or an array of parts', chunk);
    const refusal = text(d, 'refusal', chunk);
    if (refusal !== undefined) emit({ type: 'token', value: refusal });
    const audio = rec(d['audio']);
    const transcript = text(audio, 'transcript', chunk);
    if (transcript !== undefined) emit({ type: 'token', value: transcript });
    // OpenRouter's `reasoning_details` (encrypted reasoning has no `reasoning` text beside them), reasoning with no text (a signature)
    let held = !!str(audio?.['data']) || (d['reasoning_details'] as unknown[] | undefined)?.[0] != null || (reasoning === undefined && unread(d));
    const toolCalls = d['tool_calls'];
    if (toolCalls !== undefined && toolCalls !== null) {
      if (!Array.isArray(toolCalls)) throw malformedChunk(NAME, '`delta.tool_calls` is not an array', chunk);
      for (const call of toolCalls as unknown[]) held = this.toolFragment(call, chunk) || held;
    }
    const legacy = d['function_call'] == null ? undefined : part(d, 'function_call', chunk);
    if (legacy) held = this.fragment(-1, filled(legacy['name']), filled(legacy['name']), args(legacy, chunk), legacy, chunk) || held;
    return held;
  }

  private toolFragment(call: unknown, chunk: unknown): boolean {
    const tc = rec(call);
    if (!tc) throw malformedChunk(NAME, 'a tool call is not an object', chunk);
    const id = filled(text(tc, 'id', chunk));
    const fn = part(tc, 'function', chunk);
    const custom = part(tc, 'custom', chunk);
    const name = filled(fn?.['name']) ?? filled(custom?.['name']);
    const index = indexOf(tc, chunk);
    return this.fragment(index === undefined ? this.slotOf(id, name) : this.indexed(index, id), id, name, args(fn, chunk) ?? text(custom, 'input', chunk), fn, chunk);
  }

  /** The slot of a fragment with `index`: its own, or a new one after the others when a new `id` comes at an index another call holds. */
  private indexed(index: number, id: string | undefined): number {
    const slot = this.moved.get(index) ?? index;
    const held = this.calls.get(slot)?.id;
    if (id === undefined || held === undefined || held === id) return slot;
    const fresh = Math.max(...this.calls.keys()) + 1;
    this.moved.set(index, fresh);
    return fresh;
  }

  /**
   * The slot of a fragment without `index` (compatible servers that send whole parallel calls):
   * a new `id` starts a call of its own, and so does a name without an id after a named call (as
   * the AI SDK reads them: servers that send neither id nor index); anything else continues the last call.
   */
  private slotOf(id: string | undefined, name: string | undefined): number {
    const last = this.unindexed;
    const held = last === undefined ? undefined : this.calls.get(last);
    if (last !== undefined && held && (id === undefined ? name === undefined || held.name === undefined : held.id === undefined || held.id === id)) return last;
    let slot = held || this.calls.has(0) ? this.calls.size : 0;
    while (this.calls.has(slot)) slot++;
    return (this.unindexed = slot);
  }

  /**
   * Adds a fragment to its call; true if it carried a name or arguments (an id alone, repeated, is nothing new, and so is an object equal to the last).
   * Arguments that `fn` held as an object are the whole value: they replace the last object, and never mix with text.
   */
  private fragment(index: number, id: string | undefined, name: string | undefined, args: string | undefined, fn: Rec | undefined, chunk: unknown): boolean {
    let call = this.calls.get(index);
    if (!call) {
      call = { fragments: [] };
      this.calls.set(index, call);
    }
    call.id ??= id;
    call.name ??= name;
    if (args) {
      const whole = isRecord(fn?.['arguments']);
      // `whole` is set by the call's first arguments
      if (call.whole === !whole) throw malformedChunk(NAME, `tool call ${call.id ?? index}: \`arguments\` as text and as an object`, chunk);
      call.whole = whole;
      if (!whole) call.fragments.push(args);
      else if (call.fragments[0] !== args) call.fragments[0] = args;
      else args = ''; // the same object again is nothing new (rule 6: a stalled server repeating it is silence)
    }
    return !!(name || args);
  }

  /** Emits the calls, in index order (once: `end` is the decoder's last call); the token limit or a filter cut the last one of a `length` or `content-filter` answer. */
  private flushCalls(emit: AdapterEmit): void {
    const slots = [...this.calls.keys()].sort((a, b) => a - b);
    const cut = cutShort(this.finish) ? slots.at(-1) : undefined;
    for (const index of slots) {
      const { id, name, fragments } = this.calls.get(index)!;
      const args = fragments.join('');
      if (name === undefined) throw malformedChunk(NAME, `tool call ${id ?? index} has no name`, { id, arguments: args });
      // servers that send no id (vLLM, NVIDIA NIM, GLM): a retry would get the same stream
      emit({ type: 'tool-call', id: id ?? `call_${index}`, name, arguments: args, ...(index === cut ? { truncated: true } : {}) });
    }
  }
}
