/** @test {startFaultServer} */
import OpenAI from 'openai';
import { describe, expect, it, vi } from 'vitest';
import { eventually, openaiClient, runResponses, useSharedFaultServer } from './sdkDrivers.js';

// POST /v1/responses through the real openai SDK's responses.create: the event sequence of the
// Responses API (shapes from openai/resources/responses/responses.d.ts) and every fault told in it.
const REPLY = 'one two three four five six';
const ctx = useSharedFaultServer(REPLY);

const MESSAGE_OPEN = ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added'];
const MESSAGE_CLOSE = ['response.output_text.done', 'response.content_part.done', 'response.output_item.done'];
const deltas = (n: number) => Array.from({ length: n }, () => 'response.output_text.delta');
const event = <T extends string>(run: { events: { type: string }[] }, type: T) => run.events.find((e) => e.type === type) as any;

describe('startFaultServer responses route (openai SDK)', () => {
  describe('clean responses', () => {
    it('should stream the reply as the Responses event sequence, a delta per word, ending with response.completed', async () => {
      const run = await runResponses(ctx.client, 'gpt-test');
      expect(run.error).toBeUndefined();
      expect(run.types).toEqual([...MESSAGE_OPEN, ...deltas(6), ...MESSAGE_CLOSE, 'response.completed']);
      expect(run.events.map((e) => e.sequence_number)).toEqual(run.events.map((_, i) => i));
      expect(run.text).toBe(REPLY);
      expect(run.events.filter((e) => e.type === 'response.output_text.delta').map((e) => ('delta' in e ? e.delta : ''))).toEqual(['one', ' two', ' three', ' four', ' five', ' six']);
    });

    it('should give every event the fields of its SDK type', async () => {
      const run = await runResponses(ctx.client, 'gpt-shapes');
      const created = event(run, 'response.created');
      expect(created.response).toMatchObject({ object: 'response', status: 'in_progress', model: 'gpt-shapes', output: [], usage: null, error: null });
      expect(created.response.id).toMatch(/^resp_/);
      const item = event(run, 'response.output_item.added');
      expect(item).toMatchObject({ output_index: 0, item: { type: 'message', role: 'assistant', status: 'in_progress', content: [] } });
      const where = { item_id: item.item.id, output_index: 0, content_index: 0 };
      expect(event(run, 'response.content_part.added')).toMatchObject({ ...where, part: { type: 'output_text', text: '', annotations: [] } });
      expect(event(run, 'response.output_text.delta')).toMatchObject({ ...where, delta: 'one', logprobs: [] });
      expect(event(run, 'response.output_text.done')).toMatchObject({ ...where, text: REPLY, logprobs: [] });
      expect(event(run, 'response.content_part.done')).toMatchObject({ ...where, part: { type: 'output_text', text: REPLY } });
      const done = { id: item.item.id, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: REPLY, annotations: [] }] };
      expect(event(run, 'response.output_item.done')).toMatchObject({ output_index: 0, item: done });
      const completed = event(run, 'response.completed');
      expect(completed.response).toMatchObject({ id: created.response.id, status: 'completed', output: [done], incomplete_details: null });
      const { usage } = completed.response;
      expect(usage).toMatchObject({ output_tokens: 6, total_tokens: usage.input_tokens + 6, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } });
    });

    it('should record the request with route responses, its input and no messages', async () => {
      await runResponses(ctx.client, 'gpt-record-responses');
      await eventually(() => ctx.requestFor('gpt-record-responses') !== undefined);
      expect(ctx.requestFor('gpt-record-responses')).toEqual({
        index: expect.any(Number), method: 'POST', path: '/v1/responses', route: 'responses', model: 'gpt-record-responses', stream: true, messages: [], input: 'hi', closedByClient: false,
      });
    });

    it('should answer a non-streaming request with one response object (output_text added by the SDK)', async () => {
      const response = await ctx.client.responses.create({ model: 'gpt-json-responses', input: 'hi' });
      expect(response).toMatchObject({ object: 'response', status: 'completed', output_text: REPLY, usage: { output_tokens: 6 } });
      expect(ctx.requestFor('gpt-json-responses')).toMatchObject({ route: 'responses', stream: false });
    });
  });

  describe('HTTP status faults', () => {
    it.each([
      ['fault:rate-limit:3', 429, 'RateLimitError', { code: 'rate_limit_exceeded' }],
      ['fault:server-error', 500, 'InternalServerError', { type: 'server_error' }],
      ['fault:unavailable', 503, 'InternalServerError', { type: 'server_error' }],
      ['fault:overloaded-529', 529, 'InternalServerError', { type: 'overloaded_error' }],
      ['fault:auth-401', 401, 'AuthenticationError', { code: 'invalid_api_key' }],
      ['fault:quota-429', 429, 'RateLimitError', { code: 'insufficient_quota' }],
      ['fault:context-length-400', 400, 'BadRequestError', { code: 'context_length_exceeded' }],
    ] as const)('should answer %s with HTTP %i (%s), as on chat completions', async (model, status, ctor, body) => {
      const { error, events } = await runResponses(ctx.client, model);
      expect(events).toEqual([]);
      expect(error).toBeInstanceOf(OpenAI[ctor]);
      expect(error).toMatchObject({ status, error: body });
    });

    it('should send retry-after-ms for rate-limit-ms and count *k per model on this route too', async () => {
      const model = 'fault:rate-limit-ms:250*1';
      const first = await runResponses(ctx.client, model);
      expect(first.error.headers.get('retry-after-ms')).toBe('250');
      expect((await runResponses(ctx.client, model)).text).toBe(REPLY);
    });
  });

  describe('stream faults', () => {
    it('should reset before headers: APIConnectionError', async () => {
      const { error } = await runResponses(ctx.client, 'fault:reset-before-headers');
      expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    });

    it('should never answer no-response, and record the client leaving', async () => {
      const reached = () => ctx.server.requests.some((r) => r.model === 'fault:no-response' && r.route === 'responses');
      const { error } = await runResponses(ctx.client, 'fault:no-response', { abortWhen: { server: reached } });
      expect(error).toBeInstanceOf(OpenAI.APIUserAbortError);
      await eventually(() => ctx.requestFor('fault:no-response')?.closedByClient === true);
    });

    it('should delay the first delta by slow-first-token', async () => {
      const { firstContentMs, text } = await runResponses(ctx.client, 'fault:slow-first-token:80');
      expect(firstContentMs).toBeGreaterThanOrEqual(75);
      expect(text).toBe(REPLY);
    });

    it('should cut the socket after n deltas: TypeError terminated, not closed by the client', async () => {
      const { error, text, types } = await runResponses(ctx.client, 'fault:cut-after-n:2');
      expect(text).toBe('one two');
      expect(types).toEqual([...MESSAGE_OPEN, ...deltas(2)]);
      expect(error).toMatchObject({ message: 'terminated', cause: { code: 'UND_ERR_SOCKET' } });
      expect(ctx.requestFor('fault:cut-after-n:2')?.closedByClient).toBe(false);
    });

    it('should stall after n deltas with the socket open; an abort is recorded as closedByClient', async () => {
      const { error, text } = await runResponses(ctx.client, 'fault:stall:3', { abortWhen: { textParts: 3 } });
      expect(error).toBeUndefined(); // openai ends iteration silently on an abort after the headers
      expect(text).toBe('one two three');
      await eventually(() => ctx.requestFor('fault:stall:3')?.closedByClient === true);
    });

    it('should send a delta event whose data is not JSON: SyntaxError after the deltas before it', async () => {
      const logged = vi.fn();
      const quiet = openaiClient(ctx.server, { error: logged, warn: logged, info: logged, debug: logged });
      const { error, text } = await runResponses(quiet, 'fault:malformed-chunk');
      expect(text).toBe('one two');
      expect(error).toBeInstanceOf(SyntaxError);
    });

    it('should close the message but send no response.completed for no-done', async () => {
      const { error, text, types } = await runResponses(ctx.client, 'fault:no-done');
      expect(error).toBeUndefined();
      expect(text).toBe(REPLY);
      expect(types).toEqual([...MESSAGE_OPEN, ...deltas(6), ...MESSAGE_CLOSE]);
    });

    it('should send an error event after n deltas for error-in-200 (openai 7 throws it as an APIError without status)', async () => {
      const { error, text } = await runResponses(ctx.client, 'fault:error-in-200:3');
      expect(text).toBe('one two three');
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error.status).toBeUndefined();
      expect(error.error).toMatchObject({ type: 'error', code: 'server_error', param: null, sequence_number: 7 });
    });

    it('should end content-filter with response.incomplete, reason content_filter', async () => {
      const run = await runResponses(ctx.client, 'fault:content-filter:2');
      expect(run.types).toEqual([...MESSAGE_OPEN, ...deltas(2), ...MESSAGE_CLOSE, 'response.incomplete']);
      expect(event(run, 'response.incomplete').response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'content_filter' }, usage: { output_tokens: 2 } });
      expect(event(run, 'response.output_item.done').item.status).toBe('incomplete');
    });

    it('should end repetition-loop with response.incomplete, reason max_output_tokens', async () => {
      const run = await runResponses(ctx.client, 'fault:repetition-loop:2');
      expect(run.text).toBe('I will keep saying the same thing. '.repeat(2));
      expect(event(run, 'response.incomplete').response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    });

    it('should stream truncated-json and complete', async () => {
      const run = await runResponses(ctx.client, 'fault:truncated-json');
      expect(run.text).toBe('{"name": "Ada Lovelace", "born": 1815, "languages": ["en", "');
      expect(run.types.at(-1)).toBe('response.completed');
    });

    it('should stream a refusal as text by default and as response.refusal.delta in a refusal part with :delta', async () => {
      const asText = await runResponses(ctx.client, 'fault:refusal');
      const asRefusal = await runResponses(ctx.client, 'fault:refusal:delta');
      expect(asText.text).toBe("I'm sorry, but I cannot help with that.");
      expect(asRefusal.text).toBe('');
      expect(asRefusal.refusal).toBe("I'm sorry, but I cannot help with that.");
      expect(event(asRefusal, 'response.content_part.added').part).toEqual({ type: 'refusal', refusal: '' });
      expect(event(asRefusal, 'response.refusal.done').refusal).toBe("I'm sorry, but I cannot help with that.");
      expect(event(asRefusal, 'response.output_item.done').item.content).toEqual([{ type: 'refusal', refusal: "I'm sorry, but I cannot help with that." }]);
    });

    it('should send one empty message for empty-completion, then response.completed with 0 output tokens', async () => {
      const run = await runResponses(ctx.client, 'fault:empty-completion');
      expect(run.types).toEqual([...MESSAGE_OPEN, ...MESSAGE_CLOSE, 'response.completed']);
      expect(event(run, 'response.completed').response.usage.output_tokens).toBe(0);
    });

    it('should stream tool-call-fragments as a function_call item with k argument deltas', async () => {
      const run = await runResponses(ctx.client, 'fault:tool-call-fragments:3');
      const args = '{"city": "Paris", "unit": "celsius", "days": 3}';
      expect(run.types).toEqual([
        'response.created', 'response.in_progress', 'response.output_item.added',
        ...Array.from({ length: 3 }, () => 'response.function_call_arguments.delta'),
        'response.function_call_arguments.done', 'response.output_item.done', 'response.completed',
      ]);
      const added = event(run, 'response.output_item.added').item;
      expect(added).toMatchObject({ type: 'function_call', call_id: 'call_fault_1', name: 'get_weather', arguments: '', status: 'in_progress' });
      const parts = run.events.filter((e) => e.type === 'response.function_call_arguments.delta');
      expect(parts.every((e) => 'item_id' in e && e.item_id === added.id && e.output_index === 0)).toBe(true);
      expect(parts.map((e) => ('delta' in e ? e.delta : '')).join('')).toBe(args);
      expect(event(run, 'response.function_call_arguments.done')).toMatchObject({ item_id: added.id, arguments: args });
      const done = { ...added, arguments: args, status: 'completed' };
      expect(event(run, 'response.output_item.done').item).toEqual(done);
      expect(event(run, 'response.completed').response.output).toEqual([done]);
    });
  });

  describe('non-streaming requests', () => {
    it('should put a whole function_call item in the response object', async () => {
      const response = await ctx.client.responses.create({ model: 'fault:tool-call-fragments', input: 'x' });
      expect(response.output).toEqual([expect.objectContaining({ type: 'function_call', call_id: 'call_fault_1', name: 'get_weather', status: 'completed' })]);
    });

    it('should cut a non-streaming response mid-body for cut-after-n', async () => {
      await expect(ctx.client.responses.create({ model: 'fault:cut-after-n', input: 'x' })).rejects.toThrow();
    });

    it.each(['malformed-chunk', 'no-done', 'error-in-200'])('should answer fault:%s with HTTP 400 unsupported_fault naming it', async (fault) => {
      const model = `fault:${fault}`;
      const error = await ctx.client.responses.create({ model, input: 'x' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ status: 400, code: 'unsupported_fault' });
      expect((error as Error).message).toContain(`fault "${fault}" has no meaning for a non-streaming Responses request`);
      expect(ctx.server.requests.filter((r) => r.model === model).at(-1)).toMatchObject({ route: 'responses', fault, stream: false });
    });
  });

  describe('bad input', () => {
    it('should answer an unknown fault with HTTP 400 naming it', async () => {
      const { error } = await runResponses(ctx.client, 'fault:explode');
      expect(error).toMatchObject({ status: 400, code: 'unknown_fault' });
      expect(error.message).toContain('unknown fault "explode"');
    });

    it('should answer GET /v1/responses with a 404 and record it with route null', async () => {
      const res = await fetch(`${ctx.server.url}/responses`);
      expect(res.status).toBe(404);
      expect(ctx.server.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/responses', route: null, model: null });
    });
  });
});
