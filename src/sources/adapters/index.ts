import { aiSdkAdapter } from './aiSdk.js';
import { aiSdkProviderAdapter } from './aiSdkProvider.js';
import { mastraAdapter } from './mastra.js';
import { openaiChatAdapter } from './openaiChat.js';
import { openaiResponsesAdapter } from './openaiResponses.js';
import { textAdapter } from './text.js';
import type { StreamAdapter } from './types.js';

/**
 * The adapters {@link fromStream} tries, in this order, after any custom ones, to decode a stream by
 * its first chunk (see {@link StreamAdapter}):
 *
 * | name | decodes | first chunk looks like |
 * |---|---|---|
 * | `mastra` | Mastra agent output / chunk envelopes | `{type, runId, from, payload}` |
 * | `openai-responses` | OpenAI Responses API stream | `{type: 'response.created', ...}` |
 * | `openai-chat` | OpenAI Chat Completions stream (and compatible servers) | `{object: 'chat.completion.chunk', choices}` |
 * | `ai-sdk-provider` | AI SDK `LanguageModelV4StreamPart`s (`doStream`) | `{type: 'stream-start'}`, `text-delta` with `delta` |
 * | `ai-sdk` | AI SDK `streamText` result (`stream` / `fullStream` parts); unwraps result objects | `{type: 'start'}`, `text-delta` with `text` |
 * | `text` | `AsyncIterable<string>`, `ReadableStream<string \| Uint8Array>` | a string or bytes |
 *
 * The array is frozen; to add a format pass `fromStream(factory, { adapters: [mine] })`, and to replace a
 * built-in put your own adapter (which detects the same first chunk) there: custom adapters win.
 *
 *   --a--b--f--|          chunks of an OpenAI chat stream (a, b text deltas; f finish_reason 'stop')
 *   s-a--b-----(c|)       fromStream(() => openaiStream)   s start, a/b tokens, c complete{stop}
 *
 * @example
 * import { BUILT_IN_ADAPTERS } from 'l0-rx';
 * console.log(BUILT_IN_ADAPTERS.map((a) => a.name)); // ['mastra', 'openai-responses', ...]
 * @see {@link StreamAdapter} {@link fromStream}
 */
export const BUILT_IN_ADAPTERS: readonly StreamAdapter[] = /*#__PURE__*/ Object.freeze([
  mastraAdapter,
  openaiResponsesAdapter,
  openaiChatAdapter,
  aiSdkProviderAdapter,
  aiSdkAdapter,
  textAdapter,
]);
