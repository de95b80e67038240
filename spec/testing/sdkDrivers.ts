import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { streamText } from 'ai';
import { afterAll, beforeAll } from 'vitest';
import { startFaultServer, type FaultRequest, type FaultServer } from 'l0-rx/testing';

/** The file's fault server and an openai client for it (set in beforeAll: read them inside tests). */
export interface SharedFaultServer {
  readonly server: FaultServer;
  readonly client: OpenAI;
  /** The last request the server received for `model`. */
  requestFor(model: string): FaultRequest;
}

/** One fault server for the whole file, streaming `reply` a word per 1 ms; started before its tests, closed after. */
export function useSharedFaultServer(reply: string): SharedFaultServer {
  const shared = {
    requestFor: (model: string) => shared.server.requests.filter((r) => r.model === model).at(-1)!,
  } as { server: FaultServer; client: OpenAI; requestFor(model: string): FaultRequest };
  beforeAll(async () => {
    shared.server = await startFaultServer({ reply, tokenDelayMs: 1 });
    shared.client = openaiClient(shared.server);
  });
  afterAll(() => shared.server.close());
  return shared;
}

/** What one streaming call through the real openai SDK produced. */
export interface OpenAIRun {
  readonly chunks: ChatCompletionChunk[];
  readonly error: any;
  readonly text: string;
  readonly refusal: string;
  readonly finishReasons: string[];
  readonly usage: ChatCompletionChunk['usage'] | undefined;
  /** ms from the call to the first non-empty content delta. */
  readonly firstContentMs: number | undefined;
}

/** A real openai client for `server`, without SDK retries; `logger` receives what the SDK logs. */
export const openaiClient = (server: FaultServer, logger?: OpenAI['logger']) =>
  new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0, ...(logger ? { logger } : {}) });

/** Streams `model` through the real openai SDK; aborts after `abortAfterMs` when given. */
export async function runOpenAI(
  client: OpenAI,
  model: string,
  options: { abortAfterMs?: number; headers?: Record<string, string> } = {},
): Promise<OpenAIRun> {
  const controller = new AbortController();
  const timer = options.abortAfterMs === undefined ? undefined : setTimeout(() => controller.abort(), options.abortAfterMs);
  const started = Date.now();
  const chunks: ChatCompletionChunk[] = [];
  let error: unknown;
  let firstContentMs: number | undefined;
  try {
    const stream = await client.chat.completions.create(
      { model, messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } },
      { signal: controller.signal, ...(options.headers ? { headers: options.headers } : {}) },
    );
    for await (const chunk of stream) {
      if (firstContentMs === undefined && chunk.choices[0]?.delta.content) firstContentMs = Date.now() - started;
      chunks.push(chunk);
    }
  } catch (e) {
    error = e;
  } finally {
    clearTimeout(timer);
  }
  const deltas = chunks.map((c) => c.choices[0]?.delta);
  return {
    chunks,
    error,
    text: deltas.map((d) => d?.content ?? '').join(''),
    refusal: deltas.map((d) => d?.refusal ?? '').join(''),
    finishReasons: chunks.map((c) => c.choices[0]?.finish_reason).filter((r): r is NonNullable<typeof r> => !!r),
    usage: chunks.find((c) => c.usage)?.usage ?? undefined,
    firstContentMs,
  };
}

/** An @ai-sdk/openai-compatible provider for `server`, with usage in streams. */
export const faultProvider = (server: FaultServer) =>
  createOpenAICompatible({ name: 'fault', baseURL: server.url, apiKey: 'x', includeUsage: true });

/** Reads `result.stream` of the real ai SDK's streamText; aborts after `abortAfterMs` when given. */
export async function runAiSdk(server: FaultServer, model: string, options: { abortAfterMs?: number } = {}) {
  const provider = faultProvider(server);
  const controller = new AbortController();
  const timer = options.abortAfterMs === undefined ? undefined : setTimeout(() => controller.abort(), options.abortAfterMs);
  const result = streamText({ model: provider.chatModel(model), prompt: 'hi', maxRetries: 0, abortSignal: controller.signal, onError: () => {} });
  const parts: any[] = [];
  let thrown: any;
  try {
    for await (const part of result.stream) parts.push(part);
  } catch (e) {
    thrown = e;
  } finally {
    clearTimeout(timer);
  }
  return { parts, thrown, types: parts.map((p) => p.type as string), text: parts.filter((p) => p.type === 'text-delta').map((p) => p.text).join('') };
}

/** Polls `check` every 5 ms until it is true (the server learns about a closed socket asynchronously). */
export async function eventually(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
