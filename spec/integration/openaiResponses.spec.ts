/** @test {l0} */
import { describe, expect, it } from 'vitest';
import { deserializeError, isProviderError, isStreamAbortedError, isZeroOutputError, type TokenTimeoutError } from 'l0-rx';
import {
  PATIENT,
  REPLY,
  RETRY,
  abortAtToken,
  eventsBeforeRetry,
  eventsOf,
  expectClosedByClient,
  expectCutToolCallFailed,
  expectComplete,
  expectFailure,
  expectRetriedOnce,
  openaiClient,
  requestsFor,
  retriesOf,
  runL0,
  runResponsesModel,
  textOf,
  viaOpenAI,
  useFaultServer,
  viaResponses,
  INITIAL,
} from './harness.js';

// Every fault of the fault server through the real openai SDK's responses.create (POST /v1/responses)
// and l0(): the Responses adapter must make of each what the Chat Completions adapter makes of it
// (openai.*.spec.ts). Each fault hits the first request only (`*1`) unless said otherwise.
const ctx = useFaultServer();
const timeoutOf = (e: Parameters<typeof deserializeError>[0]) => deserializeError(e) as TokenTimeoutError;

describe('l0() + openai SDK responses.create: HTTP status faults', () => {
  it('should retry rate-limit after its Retry-After in seconds and complete', async () => {
    const o = await runResponsesModel(ctx.server, 'fault:rate-limit:0.05*1');
    expectRetriedOnce(o, ctx.server, ['rate_limit', 50], { code: 'RATE_LIMITED', status: 429, retryAfterMs: 50 });
  });

  it('should retry rate-limit-ms after its retry-after-ms', async () => {
    expectRetriedOnce(await runResponsesModel(ctx.server, 'fault:rate-limit-ms:30*1'), ctx.server, ['rate_limit', 30]);
  });

  it('should hand rate-limit-date (30 s, over maxRetryAfter) to the fallback without retrying', async () => {
    const o = await runResponsesModel(ctx.server, ['fault:rate-limit-date:30', 'gpt-fallback']);
    expectComplete(o, 'stop', REPLY);
    expect(retriesOf(o)).toEqual([]);
    expect(eventsOf(o.events, 'fallback')[0]).toMatchObject({ error: { code: 'RATE_LIMITED', status: 429 } });
  });

  it('should retry rate-limit-none with the configured backoff', async () => {
    expectRetriedOnce(await runResponsesModel(ctx.server, 'fault:rate-limit-none*1'), ctx.server, ['rate_limit', 5]);
  });

  it.each([
    ['fault:server-error*1', 500],
    ['fault:unavailable*1', 503],
    ['fault:overloaded-529*1', 529],
  ])('should retry %s as SERVER_ERROR and complete', async (model, status) => {
    expectRetriedOnce(await runResponsesModel(ctx.server, model), ctx.server, ['server_error', 5], { code: 'SERVER_ERROR', status });
  });

  it('should ride out flapping with one retry', async () => {
    expectRetriedOnce(await runResponsesModel(ctx.server, 'fault:flapping'), ctx.server, ['server_error', 5]);
  });

  it.each([
    ['fault:auth-401', { code: 'AUTH_ERROR', status: 401, category: 'auth' }],
    ['fault:quota-429', { code: 'RATE_LIMITED', status: 429, category: 'rate-limit' }],
    ['fault:context-length-400', { code: 'CONTEXT_LENGTH_EXCEEDED', status: 400, reason: 'context_length_exceeded' }],
  ])('should fail %s at once, never retried', async (model, fields) => {
    const o = await runResponsesModel(ctx.server, model);
    expectFailure(o, isProviderError, { ...fields, retryable: false }, '');
    expect(retriesOf(o)).toEqual([]);
    expect(ctx.server.requests.map((r) => r.route)).toEqual(['responses']);
  });
});

describe('l0() + openai SDK responses.create: transport faults', () => {
  it('should retry reset-before-headers as a network error', async () => {
    const o = await runResponsesModel(ctx.server, 'fault:reset-before-headers*1');
    expectRetriedOnce(o, ctx.server, ['network_error', 5], { code: 'NETWORK_ERROR' });
  });

  it('should time out no-response, close its socket, retry and complete', async () => {
    const o = await runResponsesModel(ctx.server, 'fault:no-response*1', { timeout: INITIAL });
    expectRetriedOnce(o, ctx.server, ['timeout', 5], { code: 'INITIAL_TOKEN_TIMEOUT' });
    await expectClosedByClient(ctx.server, 'fault:no-response*1', 0);
  });

  it('should time out slow-first-token over the budget, and accept it within', async () => {
    const slow = await runResponsesModel(ctx.server, 'fault:slow-first-token:800*1', { timeout: INITIAL });
    expectRetriedOnce(slow, ctx.server, ['timeout', 5], { code: 'INITIAL_TOKEN_TIMEOUT' });
    const ok = await runResponsesModel(ctx.server, 'fault:slow-first-token:50', { timeout: INITIAL });
    expectComplete(ok, 'stop', REPLY);
  });

  it('should fail cut-tool-call with INCOMPLETE_STREAM and no tool call: a call cut mid-arguments is never emitted', async () => {
    expectCutToolCallFailed(await runResponsesModel(ctx.server, 'fault:cut-tool-call:3'), ctx.server);
  });

  it('should retry cut-after-n as INCOMPLETE_STREAM, retracting the partial text', async () => {
    const o = await runResponsesModel(ctx.server, 'fault:cut-after-n:3*1');
    expectRetriedOnce(o, ctx.server, ['incomplete_stream', 5], { code: 'INCOMPLETE_STREAM', retryable: true });
    expect(textOf(eventsBeforeRetry(o))).toBe('The quick brown');
    expect(ctx.server.requests[0]!.closedByClient).toBe(false);
  });

  it('should time out stall with INTER_TOKEN_TIMEOUT after 2 words and close its socket', async () => {
    const o = await runResponsesModel(ctx.server, 'fault:stall*1');
    expectRetriedOnce(o, ctx.server, ['timeout', 5]);
    expect(timeoutOf(eventsOf(o.events, 'retry')[0]!.error)).toMatchObject({ code: 'INTER_TOKEN_TIMEOUT', info: { tokenCount: 2 } });
    await expectClosedByClient(ctx.server, 'fault:stall*1', 0);
  });

  it('should retry malformed-chunk as MALFORMED_CHUNK and cancel the rest of that body', async () => {
    const o = await runResponsesModel(ctx.server, 'fault:malformed-chunk*1');
    expectRetriedOnce(o, ctx.server, ['malformed_chunk', 5], { code: 'MALFORMED_CHUNK', retryable: true });
    expect(textOf(eventsBeforeRetry(o))).toBe('The quick');
    await expectClosedByClient(ctx.server, 'fault:malformed-chunk*1', 0);
  });

  it('should treat no-done (items closed, no response.completed) as INCOMPLETE_STREAM, never a silent success', async () => {
    const o = await runResponsesModel(ctx.server, 'fault:no-done*1');
    expectRetriedOnce(o, ctx.server, ['incomplete_stream', 5], { code: 'INCOMPLETE_STREAM' });
    expect(textOf(eventsBeforeRetry(o))).toBe(REPLY);
    expect(eventsOf(eventsBeforeRetry(o), 'complete')).toEqual([]);
  });

  it('should retry error-in-200 (an error event, code server_error) as SERVER_ERROR', async () => {
    const o = await runResponsesModel(ctx.server, 'fault:error-in-200*1');
    expectRetriedOnce(o, ctx.server, ['server_error', 5], { code: 'SERVER_ERROR', retryable: true });
    expect(textOf(eventsBeforeRetry(o))).toBe('The quick');
  });

  it('should close the request on a user abort mid-stream', async () => {
    const controller = new AbortController();
    const o = await runL0(
      { stream: viaResponses(openaiClient(ctx.server), 'fault:stall:3'), retry: RETRY, timeout: PATIENT, signal: controller.signal },
      abortAtToken(controller, 3),
    );
    expectFailure(o, isStreamAbortedError, { code: 'STREAM_ABORTED' }, 'The quick brown');
    await expectClosedByClient(ctx.server, 'fault:stall:3', 0);
  });
});

describe('l0() + openai SDK responses.create: content faults', () => {
  it('should stream a clean model word by word and complete with stop and usage', async () => {
    const o = await runResponsesModel(ctx.server, 'gpt-clean');
    expectComplete(o, 'stop', REPLY);
    // word by word: the tokens of the attempt that completed (a loaded machine may time out a first one, retried as documented)
    expect(eventsOf(o.events.slice(o.events.map((e) => e.type).lastIndexOf('start')), 'token').length).toBe(9);
    expect(o.state.usage).toMatchObject({ outputTokens: 9, totalTokens: o.state.usage!.inputTokens! + 9 });
    expect(requestsFor(ctx.server, 'gpt-clean')).toMatchObject([{ route: 'responses', input: [{ role: 'user', content: 'Tell me about the fox.' }] }]);
  });

  it('should complete content-filter (response.incomplete) with content-filter and the 3 words, not retried', async () => {
    const o = await runResponsesModel(ctx.server, 'fault:content-filter');
    expectComplete(o, 'content-filter', 'The quick brown');
    expect(retriesOf(o)).toEqual([]);
  });

  it('should complete repetition-loop (max_output_tokens) with length and every repetition', async () => {
    const o = await runResponsesModel(ctx.server, 'fault:repetition-loop:3');
    expectComplete(o, 'length', 'I will keep saying the same thing. '.repeat(3));
  });

  it('should complete truncated-json with stop and exactly the cut JSON text', async () => {
    const o = await runResponsesModel(ctx.server, 'fault:truncated-json');
    expectComplete(o, 'stop', '{"name": "Ada Lovelace", "born": 1815, "languages": ["en", "');
  });

  it.each(['fault:refusal', 'fault:refusal:delta'])('should show %s as the answer text', async (model) => {
    const o = await runResponsesModel(ctx.server, model);
    expectComplete(o, 'stop', "I'm sorry, but I cannot help with that.");
  });

  it('should fail empty-completion with ZeroOutputError after one content retry', async () => {
    const o = await runResponsesModel(ctx.server, 'fault:empty-completion');
    expectFailure(o, isZeroOutputError, { code: 'ZERO_OUTPUT', attempt: 2 }, '');
    expect(retriesOf(o)).toEqual([['zero_output', 5]]);
  });

  it('should turn tool-call-fragments into one tool call and complete with tool-calls', async () => {
    const o = await runResponsesModel(ctx.server, 'fault:tool-call-fragments');
    expectComplete(o, 'tool-calls', '');
    expect(o.state.toolCalls).toEqual([{ id: 'call_fault_1', name: 'get_weather', arguments: '{"city": "Paris", "unit": "celsius", "days": 3}' }]);
  });
});

describe('l0() + openai SDK responses.create: continuation and fallback', () => {
  it('should resume a cut stream from its checkpoint, sending the continuation prompt in `input`', async () => {
    const checkpoint = 'The quick brown fox';
    const o = await runResponsesModel(ctx.server, 'fault:cut-after-n:5*1', {
      continueFromLastKnownGoodToken: true, checkpointInterval: 2, buildContinuationPrompt: (c: string) => `Continue after: ${c}`,
    });
    expectComplete(o, 'stop', REPLY);
    expect(eventsOf(o.events, 'resume')).toEqual([{ type: 'resume', checkpoint }]);
    expect(ctx.server.requests[1]!.input).toContainEqual({ role: 'assistant', content: `Continue after: ${checkpoint}` });
  });

  it('should fall back from a chat completions model to a Responses one, the log naming each route', async () => {
    const client = openaiClient(ctx.server);
    const o = await runL0({ stream: viaOpenAI(client, 'fault:context-length-400'), fallbackStreams: [viaResponses(client, 'gpt-responses')], retry: RETRY, timeout: PATIENT });
    expectComplete(o, 'stop', REPLY);
    expect(ctx.server.requests.map((r) => [r.route, r.model])).toEqual([['chat.completions', 'fault:context-length-400'], ['responses', 'gpt-responses']]);
  });
});
