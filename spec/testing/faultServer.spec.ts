/** @test {startFaultServer} */
import { createServer } from 'node:net';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { FAULT_SERVER_DEFAULTS, startFaultServer } from 'l0-rx/testing';
import { eventually, openaiClient, runOpenAI, useSharedFaultServer } from './sdkDrivers.js';

const REPLY = 'Hello there from the fault server.';
const ctx = useSharedFaultServer(REPLY);

const lastRequest = () => ctx.server.requests[ctx.server.requests.length - 1]!;

describe('startFaultServer', () => {
  describe('clean responses', () => {
    it('should listen on loopback with a URL ending in /v1', () => {
      expect(ctx.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    });

    it('should stream the reply a word per chunk with a role chunk, a finish reason, usage and [DONE]', async () => {
      const run = await runOpenAI(ctx.client, 'gpt-test');
      expect(run.error).toBeUndefined();
      expect(run.chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
      expect(run.chunks.slice(1, 6).map((c) => c.choices[0]?.delta.content)).toEqual(['Hello', ' there', ' from', ' the', ' fault']);
      expect(run.text).toBe(REPLY);
      expect(run.finishReasons).toEqual(['stop']);
      const last = run.chunks[run.chunks.length - 1]!;
      expect(last.choices).toEqual([]);
      expect(last.usage).toMatchObject({ completion_tokens: 6, total_tokens: last.usage!.prompt_tokens + 6 });
    });

    it('should record each request with model, stream flag, messages and closedByClient', async () => {
      await runOpenAI(ctx.client, 'gpt-record');
      await eventually(() => lastRequest().model === 'gpt-record');
      expect(lastRequest()).toEqual({
        index: ctx.server.requests.length - 1, method: 'POST', path: '/v1/chat/completions', route: 'chat.completions', model: 'gpt-record', stream: true,
        messages: [{ role: 'user', content: 'hi' }], closedByClient: false,
      });
    });

    it('should answer a non-streaming request with a chat.completion object', async () => {
      const completion = await ctx.client.chat.completions.create({ model: 'gpt-json', messages: [{ role: 'user', content: 'hi' }] });
      expect(completion.object).toBe('chat.completion');
      expect(completion.choices[0]).toMatchObject({ message: { role: 'assistant', content: REPLY }, finish_reason: 'stop' });
      expect(completion.usage?.completion_tokens).toBe(6);
      expect(lastRequest().stream).toBe(false);
    });

    it('should stream the default reply when no reply option is given', async () => {
      const other = await startFaultServer({ tokenDelayMs: 0 });
      try {
        expect((await runOpenAI(openaiClient(other), 'gpt')).text).toBe(FAULT_SERVER_DEFAULTS.reply);
      } finally {
        await other.close();
      }
    });
  });

  describe('HTTP status faults (openai SDK)', () => {
    it.each([
      ['fault:rate-limit', 'retry-after', '1'],
      ['fault:rate-limit:3', 'retry-after', '3'],
      ['fault:rate-limit-ms:250', 'retry-after-ms', '250'],
      ['fault:rate-limit-ms', 'retry-after-ms', '1000'],
    ])('should answer %s with a RateLimitError carrying %s: %s', async (model, header, value) => {
      const { error } = await runOpenAI(ctx.client, model);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
      expect(error.headers).toBeInstanceOf(Headers);
      expect(error.headers.get(header)).toBe(value);
    });

    it('should send Retry-After as an HTTP date for rate-limit-date', async () => {
      const { error } = await runOpenAI(ctx.client, 'fault:rate-limit-date:30');
      const ms = Date.parse(error.headers.get('retry-after')) - Date.now();
      expect(ms).toBeGreaterThan(25_000);
      expect(ms).toBeLessThanOrEqual(30_000);
    });

    it('should send no retry header for rate-limit-none', async () => {
      const { error } = await runOpenAI(ctx.client, 'fault:rate-limit-none');
      expect(error.status).toBe(429);
      expect(error.headers.get('retry-after')).toBeNull();
      expect(error.headers.get('retry-after-ms')).toBeNull();
    });

    it.each([
      ['fault:server-error', 500, 'InternalServerError', { type: 'server_error' }],
      ['fault:unavailable', 503, 'InternalServerError', { type: 'server_error' }],
      ['fault:overloaded-529', 529, 'InternalServerError', { type: 'overloaded_error', message: 'Overloaded' }],
      ['fault:auth-401', 401, 'AuthenticationError', { code: 'invalid_api_key' }],
      ['fault:quota-429', 429, 'RateLimitError', { code: 'insufficient_quota', type: 'insufficient_quota' }],
      ['fault:context-length-400', 400, 'BadRequestError', { code: 'context_length_exceeded', type: 'invalid_request_error' }],
    ] as const)('should answer %s with HTTP %i (%s)', async (model, status, ctor, body) => {
      const { error } = await runOpenAI(ctx.client, model);
      expect(error).toBeInstanceOf(OpenAI[ctor]);
      expect(error).toMatchObject({ status, error: body });
    });

    it('should name no API key in the auth-401 message: the server never read one (the client sent another)', async () => {
      const client = new OpenAI({ apiKey: 'sk-mine', baseURL: ctx.server.url, maxRetries: 0 });
      const { error } = await runOpenAI(client, 'fault:auth-401');
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(error.error).toMatchObject({ message: 'Incorrect API key provided.', code: 'invalid_api_key' });
    });

    it('should make exactly one HTTP request per call with maxRetries 0', async () => {
      const before = ctx.server.requests.length;
      await runOpenAI(ctx.client, 'fault:unavailable');
      expect(ctx.server.requests.length).toBe(before + 1);
      expect(lastRequest()).toMatchObject({ model: 'fault:unavailable', fault: 'unavailable', closedByClient: false });
    });

    it('should apply the fault to the first k requests only with *k', async () => {
      const model = 'fault:server-error*2';
      const runs = [await runOpenAI(ctx.client, model), await runOpenAI(ctx.client, model), await runOpenAI(ctx.client, model)];
      expect(runs.map((r) => r.error?.status)).toEqual([500, 500, undefined]);
      expect(runs[2]!.text).toBe(REPLY);
      expect(ctx.server.requests.filter((r) => r.model === model).map((r) => r.fault)).toEqual(['server-error', 'server-error', undefined]);
    });

    it('should fail odd-numbered requests and succeed on even ones for flapping', async () => {
      const model = 'fault:flapping';
      const runs = [await runOpenAI(ctx.client, model), await runOpenAI(ctx.client, model), await runOpenAI(ctx.client, model)];
      expect(runs.map((r) => r.error?.status ?? r.text)).toEqual([503, REPLY, 503]);
    });

    it('should take the fault from an x-fault header', async () => {
      const { error } = await runOpenAI(ctx.client, 'gpt-header', { headers: { 'x-fault': 'rate-limit:2' } });
      expect(error).toMatchObject({ status: 429 });
      expect(error.headers.get('retry-after')).toBe('2');
      expect(lastRequest()).toMatchObject({ model: 'gpt-header', fault: 'rate-limit', arg: '2' });
    });
  });

  describe('bad input', () => {
    it('should answer an unknown fault with HTTP 400 naming it', async () => {
      const { error } = await runOpenAI(ctx.client, 'fault:explode');
      expect(error).toMatchObject({ status: 400, code: 'unknown_fault' });
      expect(error.message).toContain('unknown fault "explode"');
      expect(lastRequest()).toMatchObject({ model: 'fault:explode', closedByClient: false });
      expect(lastRequest().fault).toBeUndefined();
    });

    it.each([['Fault:stall'], ['fault:STALL']])('should answer %s with HTTP 400 naming the lower-case fault, not as an ordinary model', async (model) => {
      const { error } = await runOpenAI(ctx.client, model);
      expect(error).toMatchObject({ status: 400, code: 'unknown_fault' });
      expect(error.message).toContain('lower-case (did you mean "fault:stall"?)');
      expect(lastRequest()).toMatchObject({ model, closedByClient: false });
    });

    it('should take an x-fault header in another case for no fault either', async () => {
      const { error } = await runOpenAI(ctx.client, 'gpt-header', { headers: { 'x-fault': 'Stall' } });
      expect(error).toMatchObject({ status: 400, code: 'unknown_fault' });
      expect(error.message).toContain('did you mean "stall"?');
    });

    it.each([
      ['fault:repetition-loop:3000000', /repetition-loop takes a whole number of at most 10000, got "3000000"/],
      ['fault:tool-call-fragments:30000000', /tool-call-fragments takes a whole number of at most 47/],
      ['fault:rate-limit-date:99999999999999', /rate-limit-date takes at most 3600 seconds/],
    ])('should answer %s with HTTP 400 naming the limit', async (model, message) => {
      const { error } = await runOpenAI(ctx.client, model);
      expect(error).toMatchObject({ status: 400, code: 'unknown_fault' });
      expect(error.message).toMatch(message);
    });

    it('should answer other routes with a 404 JSON error', async () => {
      const res = await fetch(`${ctx.server.url}/models`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
    });

    it('should answer a body that is not JSON with a 400', async () => {
      const res = await fetch(`${ctx.server.url}/chat/completions`, { method: 'POST', body: 'nope' });
      expect(res.status).toBe(400);
    });

    it('should record a request answered 404 with its method and path, route and model null', async () => {
      const before = ctx.server.requests.length;
      await fetch(`${ctx.server.url}/models?limit=1`);
      expect(ctx.server.requests.slice(before)).toEqual([
        { index: before, method: 'GET', path: '/v1/models', route: null, model: null, stream: false, messages: [], closedByClient: false },
      ]);
    });

    it('should record a request whose body is not JSON with a string model, with model null', async () => {
      const before = ctx.server.requests.length;
      await fetch(`${ctx.server.url}/chat/completions`, { method: 'POST', body: 'nope' });
      await fetch(`${ctx.server.url}/responses`, { method: 'POST', body: JSON.stringify({ model: 7, stream: true, input: 'hi' }) });
      expect(ctx.server.requests.slice(before)).toEqual([
        { index: before, method: 'POST', path: '/v1/chat/completions', route: 'chat.completions', model: null, stream: false, messages: [], closedByClient: false },
        { index: before + 1, method: 'POST', path: '/v1/responses', route: 'responses', model: null, stream: true, messages: [], input: 'hi', closedByClient: false },
      ]);
    });

    it('should reject with an Error naming the port when the port is in use', async () => {
      const port = Number(new URL(ctx.server.url).port);
      await expect(startFaultServer({ port })).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
    });

    it.each([
      [{ tokenDelayMs: -1 }, /options.tokenDelayMs/],
      [{ port: 70_000 }, /options.port/],
      [{ host: '0.0.0.0' as never }, /options.host must be a loopback address/],
      [{ reply: 3 as never }, /options.reply must be a string, got 3/],
      [{ tokenDelay: 5 } as never, /unknown option "tokenDelay" \(did you mean "tokenDelayMs"\?\); allowed: reply, tokenDelayMs, port, host$/],
      [{ tokenDelay: 5, hots: 'x' } as never, /unknown options "tokenDelay" \(did you mean "tokenDelayMs"\?\), "hots" \(did you mean "host"\?\)/],
      [{ zzz: 1 } as never, /unknown option "zzz"; allowed: reply/],
      [null as never, /options must be an object or undefined, got null/],
      ['fast' as never, /options must be an object or undefined, got string/],
    ])('should throw a TypeError naming the option for %j', async (options, message) => {
      await expect(startFaultServer(options)).rejects.toThrow(TypeError);
      await expect(startFaultServer(options)).rejects.toThrow(message);
    });
  });

  describe('close()', () => {
    it('should destroy open sockets, stop listening, and be idempotent', async () => {
      const local = await startFaultServer({ tokenDelayMs: 1 });
      const run = runOpenAI(openaiClient(local), 'fault:stall:1');
      await eventually(() => local.requests.length === 1);
      await Promise.all([local.close(), local.close()]);
      const result = await run;
      expect(result.error).toMatchObject({ message: 'terminated', cause: { code: 'UND_ERR_SOCKET' } });
      expect(local.requests[0]?.closedByClient).toBe(false);
      await expect(fetch(`${local.url}/chat/completions`, { method: 'POST', body: '{}' })).rejects.toThrow();
    });

    it('should free its port', async () => {
      const probe = createServer();
      const local = await startFaultServer();
      const port = Number(new URL(local.url).port);
      await local.close();
      await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise((resolve) => probe.close(resolve));
    });
  });
});
