import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { streamText } from 'ai';
import { afterAll, beforeAll } from 'vitest';
import { startFaultServer, type FaultRequest, type FaultServer } from 'l0-rx/testing';

/** The file's fault server and an openai client for it (set in beforeAll: read them inside tests). */
export interface SharedFaultServer {
  readonly server: FaultServer;
  readonly client: OpenAI;
  /** The last request the server received for `model`; undefined until one has arrived. */
  requestFor(model: string): FaultRequest | undefined;
}

/** One fault server for the whole file, streaming `reply` a word per 1 ms; started before its tests, closed after. */
export function useSharedFaultServer(reply: string): SharedFaultServer {
  const shared = {
    requestFor: (model: string) => shared.server.requests.filter((r) => r.model === model).at(-1),
  } as { server: FaultServer; client: OpenAI; requestFor(model: string): FaultRequest | undefined };
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

/**
 * When a driver aborts its call: once `textParts` text deltas have arrived and `server()` holds (e.g.
 * the server has recorded the request). Checked on every part and polled every 5 ms; when it is not
 * met within `ABORT_DEADLINE_MS` the driver aborts anyway and rejects naming the unmet condition.
 */
export interface AbortWhen {
  readonly textParts?: number;
  readonly server?: () => boolean;
}

const ABORT_DEADLINE_MS = 1000;

function abortTrigger(when: AbortWhen | undefined) {
  const controller = new AbortController();
  let textParts = 0;
  let missed = false;
  const deadline = Date.now() + ABORT_DEADLINE_MS;
  const check = () => {
    if (!when || controller.signal.aborted) return;
    const met = textParts >= (when.textParts ?? 0) && (when.server?.() ?? true);
    if (!met && Date.now() <= deadline) return;
    missed = !met;
    controller.abort();
  };
  const poll = when ? setInterval(check, 5) : undefined;
  return {
    signal: controller.signal,
    onText(): void {
      textParts++;
      check();
    },
    stop(): void {
      clearInterval(poll);
      if (missed) throw new Error(`abort condition ${JSON.stringify({ ...when, server: when?.server !== undefined })} not met within ${ABORT_DEADLINE_MS} ms (${textParts} text parts)`);
    },
  };
}

/**
 * Reads the stream `open` starts (with the trigger's abort signal and `headers`), counting the items
 * `isText` says carry text for `abortWhen`; the error the SDK threw, if any, and the ms to the first text.
 */
async function drive<T>(
  options: { abortWhen?: AbortWhen; headers?: Record<string, string> },
  open: (requestOptions: { signal: AbortSignal; headers?: Record<string, string> }) => Promise<AsyncIterable<T>>,
  isText: (item: T) => boolean,
): Promise<{ items: T[]; error: unknown; firstContentMs: number | undefined }> {
  const trigger = abortTrigger(options.abortWhen);
  const started = Date.now();
  const items: T[] = [];
  let error: unknown;
  let firstContentMs: number | undefined;
  try {
    for await (const item of await open({ signal: trigger.signal, ...(options.headers ? { headers: options.headers } : {}) })) {
      items.push(item);
      if (isText(item)) {
        firstContentMs ??= Date.now() - started;
        trigger.onText();
      }
    }
  } catch (e) {
    error = e;
  }
  trigger.stop();
  return { items, error, firstContentMs };
}

/** Streams `model` through the real openai SDK; aborts once `abortWhen` holds, when given. */
export async function runOpenAI(
  client: OpenAI,
  model: string,
  options: { abortWhen?: AbortWhen; headers?: Record<string, string> } = {},
): Promise<OpenAIRun> {
  const { items: chunks, error, firstContentMs } = await drive<ChatCompletionChunk>(
    options,
    (requestOptions) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } }, requestOptions),
    (chunk) => !!chunk.choices[0]?.delta.content,
  );
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

/** What one streaming `responses.create` call through the real openai SDK produced. */
export interface ResponsesRun {
  readonly events: ResponseStreamEvent[];
  readonly types: string[];
  readonly error: any;
  /** The `response.output_text.delta` deltas, joined. */
  readonly text: string;
  /** The `response.refusal.delta` deltas, joined. */
  readonly refusal: string;
  /** ms from the call to the first non-empty text delta. */
  readonly firstContentMs: number | undefined;
}

/** Streams `model` through the real openai SDK's `responses.create`; aborts once `abortWhen` holds, when given. */
export async function runResponses(
  client: OpenAI,
  model: string,
  options: { abortWhen?: AbortWhen; headers?: Record<string, string> } = {},
): Promise<ResponsesRun> {
  const { items: events, error, firstContentMs } = await drive<ResponseStreamEvent>(
    options,
    (requestOptions) => client.responses.create({ model, input: 'hi', stream: true }, requestOptions),
    (event) => event.type === 'response.output_text.delta' && event.delta !== '',
  );
  const deltas = (type: string) => events.flatMap((e) => (e.type === type && 'delta' in e && typeof e.delta === 'string' ? [e.delta] : [])).join('');
  return {
    events,
    types: events.map((e) => e.type),
    error,
    text: deltas('response.output_text.delta'),
    refusal: deltas('response.refusal.delta'),
    firstContentMs,
  };
}

/** An @ai-sdk/openai-compatible provider for `server`, with usage in streams. */
export const faultProvider = (server: FaultServer) =>
  createOpenAICompatible({ name: 'fault', baseURL: server.url, apiKey: 'x', includeUsage: true });

/** Reads `result.stream` of the real ai SDK's streamText; aborts once `abortWhen` holds, when given. */
export async function runAiSdk(server: FaultServer, model: string, options: { abortWhen?: AbortWhen } = {}) {
  const provider = faultProvider(server);
  const trigger = abortTrigger(options.abortWhen);
  const result = streamText({ model: provider.chatModel(model), prompt: 'hi', maxRetries: 0, abortSignal: trigger.signal, onError: () => {} });
  const parts: any[] = [];
  let thrown: any;
  try {
    for await (const part of result.stream) {
      parts.push(part);
      if (part.type === 'text-delta') trigger.onText();
    }
  } catch (e) {
    thrown = e;
  }
  trigger.stop();
  return { parts, thrown, types: parts.map((p) => p.type as string), text: parts.filter((p) => p.type === 'text-delta').map((p) => p.text).join('') };
}

/** Polls `check` every 5 ms until it is true, for at most `timeoutMs` (the server learns about a closed socket asynchronously). */
export async function eventually(check: () => boolean, timeoutMs = 1000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
