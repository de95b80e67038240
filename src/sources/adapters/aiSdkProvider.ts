import type { LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { createAiSdkDecoder } from './aiSdk.js';
import type { ChunkDecoder, StreamAdapter } from './types.js';
import { isRecord, type Rec } from './shared.js';

type PartType = LanguageModelV4StreamPart['type'];

/** Part types that exist only at the provider level (tsc checks each is a real V4 part type). */
const PROVIDER_ONLY: ReadonlySet<string> = /*#__PURE__*/ new Set<PartType>(['stream-start', 'response-metadata']);

/** True for a V4 part whose shape differs from the `streamText` part of the same type. */
function isProviderShaped(part: Rec): boolean {
  switch (part['type'] as PartType) {
    case 'text-delta':
    case 'reasoning-delta':
      return typeof part['delta'] === 'string' && !('text' in part);
    case 'finish':
      return isRecord(part['finishReason']);
    case 'file':
      return 'mediaType' in part && 'data' in part;
    default:
      return false;
  }
}

/**
 * The AI SDK provider level: a `ReadableStream<LanguageModelV4StreamPart>` from `model.doStream()`, or the
 * `{ stream }` object `doStream` resolves to (for custom models and middleware).
 *
 * Detected by the first part: `stream-start`, `response-metadata`, or a part whose fields are the provider
 * ones (`text-delta` with `delta`, `finish` with `finishReason: {unified, raw}`). Decoded exactly like the
 * `streamText` parts (see the `ai-sdk` adapter): `text-delta.delta` -> `token`, `reasoning-delta` ->
 * `reasoning`, `tool-call` (`input` is already JSON text) -> `tool-call`, `file` (`mediaType`, bytes, base64
 * or url) -> `data`, `error` -> failure, `finish` -> `complete` with `finishReason.unified` and usage
 * (`inputTokens.total`, `outputTokens.total`, `outputTokens.reasoning`, `inputTokens.cacheRead`); no
 * `finish` -> `INCOMPLETE_STREAM`.
 *
 * Exported on its own so a custom adapter list can use it (custom adapters are tried before the
 * built-in ones, so listing it first makes it win detection):
 * @example
 * import { fromStream, aiSdkProviderAdapter } from 'l0-rx';
 * const events$ = fromStream(factory, { adapters: [aiSdkProviderAdapter] });
 */
export const aiSdkProviderAdapter: StreamAdapter = /*#__PURE__*/ Object.freeze({
  name: 'ai-sdk-provider',
  detect: (chunk: unknown): boolean =>
    isRecord(chunk) && typeof chunk['type'] === 'string' && (PROVIDER_ONLY.has(chunk['type']) || isProviderShaped(chunk)),
  create: (): ChunkDecoder => createAiSdkDecoder('ai-sdk-provider'),
});
