/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import OpenAI5 from 'openai5';
import OpenAI6 from 'openai6';
import OpenAI7 from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { fromStream, isProviderError } from 'l0-rx';
import { startFaultServer } from 'l0-rx/testing';
import { PATIENT, RETRY, expectComplete, expectRetriedOnce, openaiClient, runL0, useFaultServer } from './harness.js';
import { faultyFetch } from './sdks.js';
import { fakeClient, sseText } from '../sources/adapters/openaiFake.js';
import { collect, collectError } from '../sources/streamHelpers.js';
import { sse, useScriptedServer } from '../helpers/scriptedServer.js';

// openai's stream helpers, `chat.completions.stream()` and `responses.stream()`, read like the streams
// `create({ stream: true })` returns, but end a cut or empty body with their own plain OpenAIError
// ("missing finish_reason for choice 0", "request ended without sending any chunks / events"): a cut
// stream, retried as INCOMPLETE_STREAM as it is through `create`, not an unclassified failure.
const ctx = useFaultServer();
const INCOMPLETE = { name: 'ProviderError', code: 'INCOMPLETE_STREAM', category: 'network', retryable: true };

describe('l0() + the openai stream helpers', () => {
  it('should retry a chat.completions.stream() body that ended without a finish_reason (no-done) as INCOMPLETE_STREAM, and complete', async () => {
    const client = openaiClient(ctx.server);
    const o = await runL0({
      stream: ({ signal }) => client.chat.completions.stream({ model: 'fault:no-done*1', messages: [{ role: 'user', content: 'Hi' }] }, { signal }),
      retry: RETRY,
      timeout: PATIENT,
    });
    expectRetriedOnce(o, ctx.server, ['incomplete_stream', 5], { ...INCOMPLETE, message: expect.stringContaining('missing finish_reason for choice 0') });
  });

  it.each([
    ['chat.completions.stream()', (client: ReturnType<typeof fakeClient>) => client.chat.completions.stream({ model: 'm', messages: [] }), 'chunks'],
    ['responses.stream()', (client: ReturnType<typeof fakeClient>) => client.responses.stream({ model: 'm', input: 'Hi' }), 'events'],
  ])('should fail an empty 200 body read through %s with INCOMPLETE_STREAM', async (_, call, what) => {
    const { events, error } = await collectError(fromStream(() => call(fakeClient(() => ''))));
    expect(events.map((e) => e.type)).toEqual(['start']);
    expect(isProviderError(error)).toBe(true);
    expect(error).toMatchObject({ ...INCOMPLETE, message: expect.stringContaining(`request ended without sending any ${what}`) });
  });
});

// Asked for parsed output (a zod `response_format`), the chat helper meets a `length` or `content_filter`
// finish by throwing `LengthFinishReasonError` / `ContentFilterFinishReasonError` instead of yielding it:
// the model stopped early, as through `create()`, which completes with that reason (never retried).
describe.each([
  ['openai 5', OpenAI5 as unknown as typeof OpenAI7],
  ['openai 6', OpenAI6 as unknown as typeof OpenAI7],
  ['openai 7', OpenAI7],
])('l0() + %s chat.completions.stream() with a parsed response_format', (_, OpenAI) => {
  const json = z.object({ a: z.string() });
  const run = async (model: string, fetch?: typeof globalThis.fetch) => {
    const server = await startFaultServer({ tokenDelayMs: 1, reply: '{"a": "the quick brown fox"}' });
    const quiet = () => undefined;
    const client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0, logger: { error: quiet, warn: quiet, info: quiet, debug: quiet }, ...(fetch ? { fetch } : {}) });
    try {
      const o = await runL0({
        stream: ({ signal }) => client.chat.completions.stream({ model, messages: [{ role: 'user', content: 'Hi' }], response_format: zodResponseFormat(json, 'a') }, { signal }),
        retry: RETRY,
        timeout: PATIENT,
      });
      return { o, requests: server.requests.length };
    } finally {
      await server.close();
    }
  };

  it('should complete a content_filter finish with content-filter and the text before it, in one request', async () => {
    const { o, requests } = await run('fault:content-filter:3');
    expectComplete(o, 'content-filter', '{"a": "the quick');
    expect(requests).toBe(1);
  });

  // Mistral's model_length: the helper does not know it, and throws parsing the cut text (before: a retried UNKNOWN_ERROR)
  it.each(['length', 'model_length'])('should complete a %s finish with length and the text before it, in one request', async (finish) => {
    const { o, requests } = await run('fault:content-filter:3', faultyFetch({ edit: (data) => data.replace('"content_filter"', `"${finish}"`) }));
    expectComplete(o, 'length', '{"a": "the quick');
    expect(requests).toBe(1);
  });
});

describe('fromStream + chat.completions.stream() with a parsed response_format', () => {
  it('should complete content-filter when the filter stopped the model in the very first chunk (nothing was yielded)', async () => {
    const body = sseText([{ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: 'content_filter' }] }]);
    const client = fakeClient(() => body);
    const events = await collect(fromStream(() => client.chat.completions.stream({ model: 'm', messages: [], response_format: zodResponseFormat(z.object({ a: z.string() }), 'a') })));
    expect(events.map((e) => e.type)).toEqual(['start', 'complete']);
    expect(events.at(-1)).toEqual({ type: 'complete', finishReason: 'content-filter' });
  });

  const chunk = (delta: object, finish_reason: string | null = null) => ({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason }] });

  it("should complete without the finish chunk's own text and the usage after it, which the helper throws before reading", async () => {
    // compatible servers (vLLM) send the last token with `finish_reason`
    const usage = { id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [], usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 } };
    const client = fakeClient(() => sseText([chunk({ role: 'assistant', content: '' }), chunk({ content: '{"a": "x' }), chunk({ content: 'y' }, 'length'), usage]));
    const events = await collect(fromStream(() => client.chat.completions.stream({ model: 'm', messages: [], response_format: zodResponseFormat(z.object({ a: z.string() }), 'a') })));
    expect(events.slice(1)).toEqual([{ type: 'token', value: '{"a": "x' }, { type: 'complete', finishReason: 'length' }]);
    // create() on the same body has both
    const created = await collect(fromStream(() => client.chat.completions.create({ model: 'm', messages: [], stream: true })));
    expect(created.slice(1)).toEqual([{ type: 'token', value: '{"a": "x' }, { type: 'token', value: 'y' }, { type: 'complete', finishReason: 'length', usage: { inputTokens: 1, outputTokens: 3, totalTokens: 4 } }]);
  });

  it('should still fail cut JSON that finished with stop (the model, not a limit, cut it)', async () => {
    const client = fakeClient(() => sseText([chunk({ role: 'assistant', content: '{"a": "x' }), chunk({}, 'stop')]));
    const { events, error } = await collectError(fromStream(() => client.chat.completions.stream({ model: 'm', messages: [], response_format: zodResponseFormat(z.object({ a: z.string() }), 'a') })));
    expect(events.map((e) => e.type)).toEqual(['start', 'token']);
    expect(error).toMatchObject({ code: 'UNKNOWN_ERROR', cause: { cause: expect.any(SyntaxError) } });
  });

  /** An SDK stream (it has a `controller`) that yields one token, then throws `error`. */
  const throwing = (error: Error, more: object = {}) => {
    async function* chunks() {
      yield chunk({ role: 'assistant', content: 'x' });
      throw error;
    }
    return fromStream(() => Object.assign(chunks(), { controller: new AbortController() }, more));
  };

  it("should complete length when the helper's snapshot holds no `choices` array (before: the lookup threw and the stream never settled)", async () => {
    const events = await collect(throwing(new Error('Could not parse response content as the length limit was reached'), { currentChatCompletionSnapshot: { choices: {} } }));
    expect(events.slice(1)).toEqual([{ type: 'token', value: 'x' }, { type: 'complete', finishReason: 'length' }]);
  });

  it("should not take a JSON.parse failure for a model_length cut without the helper's snapshot saying so", async () => {
    const { events, error } = await collectError(throwing(new Error('bad JSON', { cause: new SyntaxError('bad JSON') })));
    expect(events.map((e) => e.type)).toEqual(['start', 'token']);
    expect(error).toMatchObject({ code: 'UNKNOWN_ERROR' });
  });
});

// With `n > 1`, the helper throws at any choice's `length` / `content_filter` finish; only choice 0 is read, so
// another choice's cut is not choice 0's finish (before: reported as choice 0's, over its own `stop`).
describe.each([
  ['openai 5', OpenAI5 as unknown as typeof OpenAI7],
  ['openai 6', OpenAI6 as unknown as typeof OpenAI7],
  ['openai 7', OpenAI7],
])('fromStream + %s chat.completions.stream() with n: 2 and a parsed response_format', (_, OpenAI) => {
  const server = useScriptedServer('/v1');
  const chunk = (index: number, delta: object, finish_reason: string | null = null) => ({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index, delta, finish_reason }] });
  const opened = [chunk(0, { role: 'assistant', content: '' }), chunk(1, { role: 'assistant', content: '' })];
  const run = (body: readonly object[]) => {
    server.serve((_req, res) => { sse(res, sseText(body)); res.end(); });
    const client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
    return fromStream(({ signal }) => client.chat.completions.stream({ model: 'm', n: 2, messages: [], response_format: zodResponseFormat(z.object({ a: z.string() }), 'a') }, { signal }));
  };

  it.each(['length', 'content_filter', 'model_length'])("should complete with choice 0's own stop when choice 1 ends %s after it", async (finish) => {
    const events = await collect(run([...opened, chunk(0, { content: '{"a": "x"}' }, 'stop'), chunk(1, { content: '{"a": "y' }, finish)]));
    expect(events.slice(1)).toEqual([{ type: 'token', value: '{"a": "x"}' }, { type: 'complete', finishReason: 'stop' }]);
  });

  it("should fail as a cut stream (INCOMPLETE_STREAM) naming choice 1's length, which ended the stream before choice 0 finished", async () => {
    const { events, error } = await collectError(run([...opened, chunk(0, { content: '{"a": "x' }), chunk(1, { content: '{"a": "y' }, 'length'), chunk(0, { content: '"}' }, 'stop')]));
    expect(events.slice(1)).toEqual([{ type: 'token', value: '{"a": "x' }]);
    // before: "ended without a finish_reason", as if no choice had finished
    expect(error).toMatchObject({ ...INCOMPLETE, message: expect.stringContaining(`without choice 0's finish_reason (choice 1 finished "length")`) });
  });

  it("should name choice 1's finish when a create() body ends after it, before choice 0 finished", async () => {
    server.serve((_req, res) => { sse(res, sseText([...opened, chunk(0, { content: 'x' }), chunk(1, { content: 'y' }, 'stop')])); res.end(); });
    const client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
    const { events, error } = await collectError(fromStream(({ signal }) => client.chat.completions.create({ model: 'm', n: 2, messages: [], stream: true }, { signal })));
    expect(events.slice(1)).toEqual([{ type: 'token', value: 'x' }]);
    expect(error).toMatchObject({ ...INCOMPLETE, message: expect.stringContaining(`without choice 0's finish_reason (choice 1 finished "stop")`) });
  });

  it("should still complete with choice 0's own length", async () => {
    const events = await collect(run([...opened, chunk(1, { content: '{"a": "y"}' }, 'stop'), chunk(0, { content: '{"a": "x' }), chunk(0, {}, 'length')]));
    expect(events.slice(1)).toEqual([{ type: 'token', value: '{"a": "x' }, { type: 'complete', finishReason: 'length' }]);
  });
});
