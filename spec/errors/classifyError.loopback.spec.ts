/** @test {classifyError} */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import OpenAI from 'openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { streamText } from 'ai';
import { classifyError } from 'l0-rx';

// Real errors thrown by the installed SDKs against a loopback server that injects faults.
// The fault is chosen by the request's `model`.

const SSE = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
const chunk = (content: string) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const FAULTS: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  'rate-limit': (_, res) => json(res, 429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }, { 'retry-after': '1' }),
  unavailable: (_, res) => json(res, 503, { error: { message: 'Service unavailable', type: 'server_error' } }),
  context: (_, res) =>
    json(res, 400, { error: { message: "This model's maximum context length is 8192 tokens", type: 'invalid_request_error', code: 'context_length_exceeded' } }),
  reset: (req) => req.socket.destroy(),
  cut: (req, res) => {
    res.writeHead(200, SSE);
    res.write(chunk('Hel'), () => setImmediate(() => req.socket.destroy()));
  },
  malformed: (_, res) => {
    res.writeHead(200, SSE);
    res.end(`${chunk('Hi')}data: {"choices": [\n\n`);
  },
  stall: () => {}, // never answers; the client aborts
  nofinish: (_, res) => {
    res.writeHead(200, SSE);
    res.end(`${chunk('Hi')}data: [DONE]\n\n`);
  },
  inband: (_, res) => {
    res.writeHead(200, SSE);
    res.end(`${chunk('Hi')}data: ${JSON.stringify({ error: { message: 'The server had an error', type: 'server_error' } })}\n\n`);
  },
};

let server: Server;
let baseURL: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const model = (JSON.parse(body || '{}') as { model?: string }).model ?? '';
      (FAULTS[model] ?? ((_, r) => json(r, 404, { error: { message: `no fault ${model}` } })))(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function openaiError(model: string, signal?: AbortSignal): Promise<unknown> {
  const client = new OpenAI({ apiKey: 'k', baseURL, maxRetries: 0 });
  try {
    const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], stream: true }, { signal });
    for await (const _ of stream) void _;
  } catch (e) {
    return e;
  }
  throw new Error(`the openai SDK did not fail for ${model}`);
}

/** The first error the AI SDK reports for `model`: an `error` part or a throw from `stream`. */
async function aiSdkError(model: string): Promise<unknown> {
  const provider = createOpenAICompatible({ name: 'loopback', baseURL, apiKey: 'k' });
  const result = streamText({ model: provider.chatModel(model), prompt: 'hi', maxRetries: 0, onError: () => {} });
  try {
    for await (const part of result.stream) if (part.type === 'error') return part.error;
  } catch (e) {
    return e;
  }
  throw new Error(`the AI SDK did not fail for ${model}`);
}

describe('classifyError with real SDK errors', () => {
  describe('openai', () => {
    it('should classify a 429 as rate-limit with the Retry-After delay', async () => {
      const e = await openaiError('rate-limit');
      expect(e).toBeInstanceOf(OpenAI.RateLimitError);
      expect(classifyError(e)).toEqual({ category: 'rate-limit', reason: 'rate_limit', retryable: true, countsTowardAttempts: false, status: 429, retryAfterMs: 1000 });
    });

    it('should classify a 503 as a retryable server error', async () => {
      const e = await openaiError('unavailable');
      expect(e).toBeInstanceOf(OpenAI.InternalServerError);
      expect(classifyError(e)).toMatchObject({ category: 'server', reason: 'server_error', retryable: true, status: 503 });
    });

    it('should classify a 400 context_length_exceeded', async () => {
      const e = await openaiError('context');
      expect(e).toBeInstanceOf(OpenAI.BadRequestError);
      expect(classifyError(e)).toMatchObject({ category: 'bad-request', reason: 'context_length_exceeded', retryable: false, status: 400 });
    });

    it('should classify an abort before the headers (APIUserAbortError) as abort', async () => {
      const controller = new AbortController();
      server.once('request', () => setImmediate(() => controller.abort()));
      const e = await openaiError('stall', controller.signal);
      expect(e).toBeInstanceOf(OpenAI.APIUserAbortError);
      expect(classifyError(e)).toEqual({ category: 'abort', reason: 'abort', retryable: false, countsTowardAttempts: false });
    });

    it('should classify a reset before the headers (APIConnectionError) as network', async () => {
      const e = await openaiError('reset');
      expect(e).toBeInstanceOf(OpenAI.APIConnectionError);
      expect(classifyError(e)).toMatchObject({ category: 'network', reason: 'network_error', retryable: true });
    });

    it("should classify a socket cut mid-stream (TypeError('terminated')) as incomplete_stream", async () => {
      const e = await openaiError('cut');
      expect(e).toMatchObject({ name: 'TypeError', message: 'terminated' });
      expect(classifyError(e)).toMatchObject({ category: 'network', reason: 'incomplete_stream', retryable: true });
    });

    it('should classify malformed SSE JSON as a retryable malformed_chunk', async () => {
      const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const e = await openaiError('malformed');
        expect(e).toBeInstanceOf(SyntaxError);
        expect(classifyError(e)).toMatchObject({ category: 'server', reason: 'malformed_chunk', retryable: true });
      } finally {
        quiet.mockRestore();
      }
    });

    it('should classify an in-band error frame as a retryable server error', async () => {
      const e = await openaiError('inband');
      expect(e).toBeInstanceOf(OpenAI.APIError);
      expect((e as { status?: number }).status).toBeUndefined();
      expect(classifyError(e)).toMatchObject({ category: 'server', reason: 'server_error', retryable: true });
    });
  });

  describe('ai SDK (openai-compatible)', () => {
    it('should classify a 429 error part with its plain responseHeaders', async () => {
      const e = await aiSdkError('rate-limit');
      expect(e).toMatchObject({ name: 'AI_APICallError', statusCode: 429 });
      expect(classifyError(e)).toMatchObject({ category: 'rate-limit', retryable: true, status: 429, retryAfterMs: 1000 });
    });

    it('should classify a 503 error part as a retryable server error', async () => {
      const e = await aiSdkError('unavailable');
      expect(e).toMatchObject({ name: 'AI_APICallError', statusCode: 503, isRetryable: true });
      expect(classifyError(e)).toMatchObject({ category: 'server', reason: 'server_error', retryable: true, status: 503 });
    });

    it('should classify a stream with no finish reason as incomplete', async () => {
      const e = await aiSdkError('nofinish');
      expect(e).toMatchObject({ name: 'AI_InvalidResponseDataError' });
      expect(classifyError(e)).toMatchObject({ category: 'network', reason: 'incomplete_stream', retryable: true });
    });

    it('should classify a 400 error part as not retryable', async () => {
      const e = await aiSdkError('context');
      expect(classifyError(e)).toMatchObject({ category: 'bad-request', reason: 'context_length_exceeded', retryable: false });
    });

    it('should honour isRetryable on a 200 cut mid-stream', async () => {
      const e = await aiSdkError('cut');
      expect(e).toMatchObject({ name: 'AI_APICallError', statusCode: 200, isRetryable: true });
      expect(classifyError(e)).toMatchObject({ category: 'network', reason: 'incomplete_stream', retryable: true, status: 200 });
    });

    it('should classify a malformed chunk error part', async () => {
      const e = await aiSdkError('malformed');
      expect(e).toMatchObject({ name: 'AI_JSONParseError' });
      expect(classifyError(e)).toMatchObject({ category: 'server', reason: 'malformed_chunk', retryable: true });
    });

    it('should classify an in-band error in a 200 like the openai SDK does (type over the default isRetryable)', async () => {
      const e = await aiSdkError('inband');
      expect(e).toMatchObject({ name: 'AI_StreamProviderError', type: 'server_error', isRetryable: false });
      expect(classifyError(e)).toMatchObject({ category: 'server', reason: 'server_error', retryable: true });
    });
  });
});
