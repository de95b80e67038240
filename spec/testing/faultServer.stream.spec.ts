/** @test {startFaultServer} */
import OpenAI from 'openai';
import { describe, expect, it, vi } from 'vitest';
import { eventually, openaiClient, runOpenAI, useSharedFaultServer } from './sdkDrivers.js';

// Stream-time faults, driven by the real openai SDK; expectations follow reference/sdk-behaviour.md.
const REPLY = 'one two three four five six';
const ctx = useSharedFaultServer(REPLY);

describe('startFaultServer stream faults (openai SDK)', () => {
  it('should reset before headers: APIConnectionError caused by fetch failed / UND_ERR_SOCKET', async () => {
    const { error, chunks } = await runOpenAI(ctx.client, 'fault:reset-before-headers');
    expect(chunks).toEqual([]);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(error.cause).toMatchObject({ name: 'TypeError', message: 'fetch failed', cause: { code: 'UND_ERR_SOCKET' } });
    expect(ctx.requestFor('fault:reset-before-headers')?.closedByClient).toBe(false);
  });

  it('should never answer no-response, so an abort throws APIUserAbortError and the server sees the client leave', async () => {
    const reached = () => ctx.requestFor('fault:no-response') !== undefined;
    const { error } = await runOpenAI(ctx.client, 'fault:no-response', { abortWhen: { server: reached } });
    expect(error).toBeInstanceOf(OpenAI.APIUserAbortError);
    await eventually(() => ctx.requestFor('fault:no-response')?.closedByClient === true);
  });

  it('should delay the first content chunk by the slow-first-token argument, then stream normally', async () => {
    const { text, firstContentMs, finishReasons } = await runOpenAI(ctx.client, 'fault:slow-first-token:80');
    expect(firstContentMs).toBeGreaterThanOrEqual(75);
    expect(text).toBe(REPLY);
    expect(finishReasons).toEqual(['stop']);
  });

  it('should cut the socket after n tokens: TypeError terminated caused by UND_ERR_SOCKET, not an APIError', async () => {
    const { error, text, finishReasons } = await runOpenAI(ctx.client, 'fault:cut-after-n:2');
    expect(text).toBe('one two');
    expect(finishReasons).toEqual([]);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ message: 'terminated', cause: { code: 'UND_ERR_SOCKET' } });
    expect(ctx.requestFor('fault:cut-after-n:2')?.closedByClient).toBe(false);
  });

  it('should cut after 3 tokens by default', async () => {
    expect((await runOpenAI(ctx.client, 'fault:cut-after-n')).text).toBe('one two three');
  });

  it('should stall with the socket open: an abort ends iteration silently and is recorded as closedByClient', async () => {
    const { error, text } = await runOpenAI(ctx.client, 'fault:stall:3', { abortWhen: { textParts: 3 } });
    expect(error).toBeUndefined();
    expect(text).toBe('one two three');
    await eventually(() => ctx.requestFor('fault:stall:3')?.closedByClient === true);
  });

  it('should send a malformed data line: SyntaxError from the SDK after the tokens before it', async () => {
    const logged = vi.fn();
    const quiet = openaiClient(ctx.server, { error: logged, warn: logged, info: logged, debug: logged });
    const { error, text } = await runOpenAI(quiet, 'fault:malformed-chunk');
    expect(text).toBe('one two');
    expect(error).toBeInstanceOf(SyntaxError);
    expect(error.message).toBe('Error reading response: malformed server-sent event JSON.');
    expect(logged).toHaveBeenCalledTimes(2);
  });

  it('should end without finish reason and [DONE] for no-done: iteration ends normally', async () => {
    const { error, text, finishReasons, usage } = await runOpenAI(ctx.client, 'fault:no-done');
    expect(error).toBeUndefined();
    expect(text).toBe(REPLY);
    expect(finishReasons).toEqual([]);
    expect(usage).toBeUndefined();
  });

  it('should send an in-band error frame in a 200: APIError with no status and error.type server_error', async () => {
    const { error, text } = await runOpenAI(ctx.client, 'fault:error-in-200');
    expect(text).toBe('one two');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBeUndefined();
    expect(error.error).toMatchObject({ type: 'server_error' });
  });

  it('should stop with finish_reason content_filter after partial text', async () => {
    const { text, finishReasons, usage } = await runOpenAI(ctx.client, 'fault:content-filter:2');
    expect(text).toBe('one two');
    expect(finishReasons).toEqual(['content_filter']);
    expect(usage?.completion_tokens).toBe(2);
  });

  it('should stream a JSON object cut mid-string, then finish with stop', async () => {
    const { text, finishReasons } = await runOpenAI(ctx.client, 'fault:truncated-json');
    expect(text).toBe('{"name": "Ada Lovelace", "born": 1815, "languages": ["en", "');
    expect(() => JSON.parse(text)).toThrow();
    expect(finishReasons).toEqual(['stop']);
  });

  it('should stream a refusal as content by default and in delta.refusal with :delta', async () => {
    const asContent = await runOpenAI(ctx.client, 'fault:refusal');
    const asField = await runOpenAI(ctx.client, 'fault:refusal:delta');
    expect(asContent.text).toBe("I'm sorry, but I cannot help with that.");
    expect(asField.text).toBe('');
    expect(asField.refusal).toBe("I'm sorry, but I cannot help with that.");
  });

  it('should repeat one sentence k times for repetition-loop and finish with length', async () => {
    const { text, finishReasons } = await runOpenAI(ctx.client, 'fault:repetition-loop:4');
    expect(text).toBe('I will keep saying the same thing. '.repeat(4));
    expect(finishReasons).toEqual(['length']);
  });

  it('should send no content for empty-completion and finish with stop', async () => {
    const { text, finishReasons, usage, chunks } = await runOpenAI(ctx.client, 'fault:empty-completion');
    expect(text).toBe('');
    expect(chunks.length).toBe(3);
    expect(finishReasons).toEqual(['stop']);
    expect(usage?.completion_tokens).toBe(0);
  });

  it('should split a tool call over k argument fragments keyed by index, finish tool_calls', async () => {
    const { chunks, finishReasons } = await runOpenAI(ctx.client, 'fault:tool-call-fragments:3');
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: 'call_fault_1', type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(calls.slice(1).every((c) => c.index === 0 && c.id === undefined)).toBe(true);
    expect(calls.length).toBe(4);
    expect(JSON.parse(calls.map((c) => c.function?.arguments ?? '').join(''))).toEqual({ city: 'Paris', unit: 'celsius', days: 3 });
    expect(finishReasons).toEqual(['tool_calls']);
  });

  it.each([20, 30, 47])('should send exactly k argument fragments for tool-call-fragments:k (k = %i)', async (k) => {
    const { chunks } = await runOpenAI(ctx.client, `fault:tool-call-fragments:${k}`);
    const fragments = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).slice(1).map((c) => c.function?.arguments ?? '');
    expect(fragments.length).toBe(k);
    expect(fragments.every((f) => f !== '')).toBe(true);
    expect(fragments.join('')).toBe('{"city": "Paris", "unit": "celsius", "days": 3}');
  });

  it.each([
    ['fault:cut-tool-call', '{"city": "Paris", "unit"'],
    ['fault:cut-tool-call:0', ''],
    ['fault:cut-tool-call:4', '{"city": "Paris", "unit": "celsius", "days": 3}'],
  ])('should send %s as the call head and its first argument fragments, then cut the socket: no finish reason', async (model, args) => {
    const { chunks, finishReasons, error } = await runOpenAI(ctx.client, model);
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: 'call_fault_1', function: { name: 'get_weather', arguments: '' } });
    expect(calls.map((c) => c.function?.arguments ?? '').join('')).toBe(args);
    expect(finishReasons).toEqual([]);
    expect(error).toMatchObject({ message: 'terminated', cause: { code: 'UND_ERR_SOCKET' } });
    expect(ctx.requestFor(model)?.closedByClient).toBe(false);
  });

  it('should put a whole tool call in a non-streaming completion', async () => {
    const completion = await ctx.client.chat.completions.create({ model: 'fault:tool-call-fragments', messages: [{ role: 'user', content: 'x' }] });
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: { content: null, tool_calls: [{ id: 'call_fault_1', function: { name: 'get_weather' } }] },
    });
  });

  it('should cut a non-streaming response mid-body for cut-after-n', async () => {
    await expect(ctx.client.chat.completions.create({ model: 'fault:cut-after-n', messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toThrow();
  });
});
