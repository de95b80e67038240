/* Every supported SDK major (installed side by side under aliases), as l0 factories for the fault server. */
import { vi } from 'vitest';
import OpenAI5 from 'openai5';
import OpenAI6 from 'openai6';
import OpenAI7 from 'openai';
import { streamText as streamText5 } from 'ai5';
import { streamText as streamText6 } from 'ai6';
import { streamText as streamText7 } from 'ai';
import { createOpenAICompatible as compatible1 } from 'openai-compatible1';
import { createOpenAICompatible as compatible2 } from 'openai-compatible2';
import { createOpenAICompatible as compatible3 } from '@ai-sdk/openai-compatible';
import type { L0StreamFactory, StreamInput } from 'l0-rx';
import type { FaultServer } from 'l0-rx/testing';

/** Any major's client constructor: the options these specs pass are the same in 5, 6 and 7. */
type OpenAIClass = new (options: { apiKey: string; baseURL: string; maxRetries: number; logger: unknown; fetch?: typeof fetch }) => {
  chat: { completions: { create(body: object, options: { signal: AbortSignal }): Promise<StreamInput> } };
};
type ResponsesClass = new (options: { apiKey: string; baseURL: string; maxRetries: number; logger: unknown; fetch?: typeof fetch }) => {
  responses: { create(body: object, options: { signal: AbortSignal }): Promise<StreamInput> };
};
type StreamText = (options: { model: never; prompt: string; abortSignal: AbortSignal; maxRetries: number; onError: () => void }) => StreamInput;
type Compatible = (options: { name: string; baseURL: string; apiKey: string; includeUsage: boolean; fetch?: typeof fetch }) => {
  chatModel(id: string): unknown;
};

/** How a factory reaches the server: `fetch` replaces the SDK's own (e.g. to cut the body). */
export interface ViaOptions {
  readonly fetch?: typeof fetch;
}

export interface Sdk {
  readonly name: string;
  /** The kind of SDK: the openai client's chat completions or Responses API, the ai SDK's streamText, a Mastra agent. */
  readonly kind: 'openai' | 'responses' | 'ai' | 'mastra';
  /**
   * A factory on `server` with the SDK's own retries off, asking for `models[attempt - 1]` (the last
   * one repeating), so each attempt can meet a different fault.
   */
  readonly via: (server: FaultServer, models: string | readonly string[], options?: ViaOptions) => L0StreamFactory;
}

/** The model of `attempt`: `models[attempt - 1]`, the last one repeating. */
export const modelFor = (models: string | readonly string[], attempt: number) =>
  typeof models === 'string' ? models : models[Math.min(attempt, models.length) - 1]!;

const quiet = () => {
  const f = vi.fn();
  return { error: f, warn: f, info: f, debug: f };
};
const openaiChat = (name: string, OpenAI: OpenAIClass): Sdk => ({
  name,
  kind: 'openai',
  via: (server, models, options = {}) => {
    const client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0, logger: quiet(), ...options });
    return ({ signal, attempt }) => client.chat.completions.create(
      { model: modelFor(models, attempt), messages: [{ role: 'user', content: 'Tell me about the fox.' }], stream: true, stream_options: { include_usage: true } },
      { signal },
    );
  },
});
const openaiResponses = (name: string, OpenAI: ResponsesClass): Sdk => ({
  name,
  kind: 'responses',
  via: (server, models, options = {}) => {
    const client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0, logger: quiet(), ...options });
    return ({ signal, attempt }) => client.responses.create({ model: modelFor(models, attempt), input: 'Tell me about the fox.', stream: true }, { signal });
  },
});
const aiSdk = (name: string, streamText: StreamText, compatible: Compatible): Sdk => ({
  name,
  kind: 'ai',
  via: (server, models, options = {}) => {
    const provider = compatible({ name: 'fault', baseURL: server.url, apiKey: 'x', includeUsage: true, ...options });
    return ({ signal, attempt }) =>
      streamText({ model: provider.chatModel(modelFor(models, attempt)) as never, prompt: 'Tell me about the fox.', abortSignal: signal, maxRetries: 0, onError: () => {} });
  },
});

/** openai 5, 6, 7 (chat completions) and ai 5, 6, 7 (streamText with their @ai-sdk/openai-compatible). */
export const SDKS: readonly Sdk[] = [
  openaiChat('openai 5 chat', OpenAI5 as unknown as OpenAIClass),
  openaiChat('openai 6 chat', OpenAI6 as unknown as OpenAIClass),
  openaiChat('openai 7 chat', OpenAI7 as unknown as OpenAIClass),
  aiSdk('ai 5 + @ai-sdk/openai-compatible 1', streamText5 as unknown as StreamText, compatible1 as unknown as Compatible),
  aiSdk('ai 6 + @ai-sdk/openai-compatible 2', streamText6 as unknown as StreamText, compatible2 as unknown as Compatible),
  aiSdk('ai 7 + @ai-sdk/openai-compatible 3', streamText7 as unknown as StreamText, compatible3 as unknown as Compatible),
];

/** openai 5, 6, 7 through the Responses API (`client.responses.create`). */
export const RESPONSES: readonly Sdk[] = [
  openaiResponses('openai 5 responses', OpenAI5 as unknown as ResponsesClass),
  openaiResponses('openai 6 responses', OpenAI6 as unknown as ResponsesClass),
  openaiResponses('openai 7 responses', OpenAI7 as unknown as ResponsesClass),
];

/** A fault applied to a response body's SSE events, for faults the server cannot combine (a tool call cut mid-arguments). */
export interface BodyFault {
  /** Rewrites each event's `data:` payload (chat completions and Responses events). @default unchanged */
  readonly edit?: (data: string) => string;
  /** Keep only the first `keep` events (the role chunk is event 0), then end as `ending` says. @default all */
  readonly keep?: number;
  /**
   * `cut`: the body errors 25 ms later as a destroyed socket does (undici's `TypeError('terminated')`,
   * cause `UND_ERR_SOCKET`), like the server's cut-after-n; `end`: it closes normally (no finish
   * reason, no `[DONE]`). @default 'cut'
   */
  readonly ending?: 'cut' | 'end';
  /** How many responses get the fault; later ones pass through. @default 1 */
  readonly times?: number;
}

/** A `fetch` for an SDK client that applies `fault` to its first responses' bodies. */
export function faultyFetch({ edit = (d) => d, keep = Infinity, ending = 'cut', times = 1 }: BodyFault): typeof fetch {
  let calls = 0;
  return async (input, init) => {
    const response = await fetch(input, init);
    if (++calls > times || !response.body) return response;
    let kept = 0;
    let buffer = '';
    const events = new TransformStream<string, string>({
      async transform(chunk, controller) {
        buffer += chunk;
        for (let at = buffer.indexOf('\n\n'); at !== -1; at = buffer.indexOf('\n\n')) {
          if (kept++ === keep) {
            if (ending === 'end') return controller.terminate();
            await new Promise((r) => setTimeout(r, 25));
            return controller.error(new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }));
          }
          const event = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          // the data line, first (chat) or after an `event:` line (Responses)
          controller.enqueue(`${event.replace(/^data: (.*)$/m, (_, data: string) => `data: ${edit(data)}`)}\n\n`);
        }
      },
    });
    const body = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(events).pipeThrough(new TextEncoderStream());
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
