import type { DataPayload, FinishReason } from '../../events/eventTypes.js';
import { StreamAbortedError } from '../../errors/StreamAbortedError.js';
import { aiErrorOf, aiFinishReason } from './aiSdk.js';
import type { AdapterEmit, ChunkDecoder, StreamAdapter } from './types.js';
import {
  aiUsage,
  argumentsText,
  bytesToBase64,
  completeEvent,
  contentTypeOf,
  incompleteStream,
  isRecord,
  malformedChunk,
  rec,
  str,
  type Rec,
} from './shared.js';

const NAME = 'mastra';

/**
 * Mastra agent output (`await agent.stream(...)`; its `fullStream` is read) and Mastra chunk envelopes
 * `{ type, runId, from, payload }`.
 *
 * 1. `text-delta` -> `token` (`payload.text`), `reasoning-delta` -> `reasoning`.
 * 2. `tool-call` -> `tool-call` (`payload.args` as JSON, without Mastra's `__mastraMetadata`); calls the
 *    provider executed are skipped.
 * 3. `file` -> `data` (`payload.mimeType`, `payload.base64` or the bytes in `payload.data`).
 * 4. `error` -> the attempt fails with `payload.error`, normalised; `abort` -> `StreamAbortedError`.
 * 5. `finish` -> `complete` with `payload.stepResult.reason` mapped like the AI SDK's (`error` fails,
 *    `interrupted` is a cut stream, Mastra's `tripwire` is `content-filter`, `retry` is `other`) and usage
 *    from `payload.output.usage`. A `tripwire` chunk (an output processor blocked the answer) ends the run
 *    at once with `content-filter`.
 * 6. A stream that ends without `finish` is cut: `INCOMPLETE_STREAM`.
 * 7. Every other chunk (steps, workflow, network and tool progress events...) is ignored.
 */
export const mastraAdapter: StreamAdapter = Object.freeze({
  name: NAME,
  detect: (chunk: unknown): boolean =>
    isRecord(chunk) && typeof chunk['type'] === 'string' && typeof chunk['runId'] === 'string' && typeof chunk['from'] === 'string',
  create: (): ChunkDecoder => ({
    push(chunk: unknown, emit: AdapterEmit): void {
      const c = rec(chunk);
      const type = str(c?.['type']);
      if (!c || type === undefined) throw malformedChunk(NAME, 'no string `type`', chunk);
      const payload = rec(c['payload']) ?? {};
      switch (type) {
        case 'text-delta':
        case 'reasoning-delta': {
          const value = str(payload['text']);
          if (value === undefined) throw malformedChunk(NAME, 'no string `payload.text`', chunk);
          emit({ type: type === 'text-delta' ? 'token' : 'reasoning', value });
          return;
        }
        case 'tool-call':
          toolCall(payload, emit, chunk);
          return;
        case 'file':
          emit({ type: 'data', payload: filePayload(payload, chunk) });
          return;
        case 'error':
          throw aiErrorOf(NAME, payload['error'], c);
        case 'abort':
          throw new StreamAbortedError('The Mastra stream was aborted');
        case 'tripwire':
          emit({ type: 'complete', finishReason: 'content-filter' });
          return;
        case 'finish': {
          const output = rec(payload['output']);
          const usage = aiUsage(output?.['usage'] ?? payload['totalUsage'] ?? payload['usage']);
          emit(completeEvent(mastraFinish(payload), usage));
          return;
        }
        default:
          return;
      }
    },
    end(): void {
      throw incompleteStream('Mastra stream ended without a finish chunk');
    },
  }),
});

function mastraFinish(payload: Rec): FinishReason {
  const reason = str(rec(payload['stepResult'])?.['reason']) ?? str(payload['finishReason']);
  if (reason === 'tripwire') return 'content-filter';
  if (reason === 'retry') return 'other';
  return aiFinishReason(reason);
}

function toolCall(payload: Rec, emit: AdapterEmit, chunk: unknown): void {
  if (payload['providerExecuted'] === true) return;
  const id = str(payload['toolCallId']);
  const name = str(payload['toolName']);
  if (id === undefined || name === undefined) throw malformedChunk(NAME, 'tool call without `toolCallId` / `toolName`', chunk);
  let args = payload['args'];
  if (isRecord(args) && '__mastraMetadata' in args) {
    const { __mastraMetadata: _dropped, ...rest } = args;
    args = rest;
  }
  emit({ type: 'tool-call', id, name, arguments: argumentsText(args) });
}

function filePayload(payload: Rec, chunk: unknown): DataPayload {
  const mimeType = str(payload['mimeType']);
  const data = payload['data'];
  const base64 = str(payload['base64']) ?? (typeof data === 'string' ? data : data instanceof Uint8Array ? bytesToBase64(data) : undefined);
  if (base64 === undefined) throw malformedChunk(NAME, 'file chunk without data', chunk);
  return { contentType: contentTypeOf(mimeType), ...(mimeType ? { mimeType } : {}), base64 };
}
