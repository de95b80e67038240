/** @test {l0} */
import { describe, expect, it } from 'vitest';
import { streamText, type ModelMessage } from 'ai';
import { isProviderError, isStreamAbortedError, isZeroOutputError } from 'l0-rx';
import {
  PATIENT,
  RETRY,
  abortAtToken,
  eventsBeforeRetry,
  expectClosedByClient,
  expectComplete,
  expectFailure,
  expectRetriedOnce,
  retriesOf,
  runAiSdkModel,
  runL0,
  textOf,
  useFaultServer,
  viaAiSdk,
} from './harness.js';
import { faultProvider } from '../testing/sdkDrivers.js';

// A representative set of faults through the real `ai` SDK (streamText + @ai-sdk/openai-compatible,
// maxRetries 0), whose shapes differ from openai's: HTTP errors arrive as `error` parts followed by
// a normal end, a cut throws from the iterator, a malformed chunk is an `error` part the SDK streams
// past, no finish reason is `finish: 'error'` (see reference/sdk-behaviour.md).
const ctx = useFaultServer();

describe('l0() + ai SDK', () => {
  it('should retry rate-limit (APICallError 429 part) after its Retry-After and complete', async () => {
    const o = await runAiSdkModel(ctx.server, 'fault:rate-limit:0.05*1');
    expectRetriedOnce(o, ctx.server, ['rate_limit', 50], { code: 'RATE_LIMITED', status: 429, retryAfterMs: 50 });
    expect(o.state.usage).toMatchObject({ outputTokens: 9 });
  });

  it('should retry server-error (APICallError 500 part) and complete', async () => {
    const o = await runAiSdkModel(ctx.server, 'fault:server-error*1');
    expectRetriedOnce(o, ctx.server, ['server_error', 5], { code: 'SERVER_ERROR', status: 500 });
  });

  it('should retry cut-after-n (APICallError 200 thrown, isRetryable) as INCOMPLETE_STREAM and complete', async () => {
    const o = await runAiSdkModel(ctx.server, 'fault:cut-after-n:3*1');
    expectRetriedOnce(o, ctx.server, ['incomplete_stream', 5], { code: 'INCOMPLETE_STREAM', retryable: true });
    expect(textOf(eventsBeforeRetry(o))).toBe('The quick brown');
  });

  it('should time out stall (INTER_TOKEN_TIMEOUT), close its socket, retry and complete', async () => {
    const o = await runAiSdkModel(ctx.server, 'fault:stall*1');
    expectRetriedOnce(o, ctx.server, ['timeout', 5], { name: 'TokenTimeoutError', code: 'INTER_TOKEN_TIMEOUT' });
    await expectClosedByClient(ctx.server, 'fault:stall*1', 0);
  });

  it('should treat no-done (InvalidResponseDataError, finish error) as INCOMPLETE_STREAM and retry', async () => {
    const o = await runAiSdkModel(ctx.server, 'fault:no-done*1');
    expectRetriedOnce(o, ctx.server, ['incomplete_stream', 5]);
  });

  it('should retry error-in-200 (AI_StreamProviderError for an in-band server_error) as SERVER_ERROR', async () => {
    const o = await runAiSdkModel(ctx.server, 'fault:error-in-200*1');
    expectRetriedOnce(o, ctx.server, ['server_error', 5], { code: 'SERVER_ERROR', retryable: true });
  });

  it('should fail context-length-400 at once with ProviderError CONTEXT_LENGTH_EXCEEDED', async () => {
    const o = await runAiSdkModel(ctx.server, 'fault:context-length-400');
    expectFailure(o, isProviderError, { code: 'CONTEXT_LENGTH_EXCEEDED', status: 400, retryable: false }, '');
    expect(retriesOf(o)).toEqual([]);
    expect(ctx.server.requests.length).toBe(1);
  });

  it('should fail a call the SDK itself rejects (AI_InvalidMessageRoleError) at once with BAD_REQUEST, never retried', async () => {
    const provider = faultProvider(ctx.server);
    const messages = [{ role: 'wizard', content: 'Hi' }] as unknown as ModelMessage[];
    const calls: unknown[] = [];
    const o = await runL0({
      stream: ({ signal }) => (calls.push(signal), streamText({ model: provider.chatModel('gpt-test'), messages, abortSignal: signal, maxRetries: 0, onError: () => {} })),
      retry: RETRY,
      timeout: PATIENT,
    });
    expectFailure(o, isProviderError, { code: 'BAD_REQUEST', category: 'bad-request', retryable: false, cause: { name: 'AI_InvalidMessageRoleError' } }, '');
    expect(retriesOf(o)).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(ctx.server.requests).toHaveLength(0);
  });

  it('should fail the attempt on malformed-chunk (AI_JSONParseError part) instead of streaming past it, and retry', async () => {
    const o = await runAiSdkModel(ctx.server, 'fault:malformed-chunk*1');
    expectRetriedOnce(o, ctx.server, ['malformed_chunk', 5]);
    expect(textOf(eventsBeforeRetry(o))).toBe('The quick');
    await expectClosedByClient(ctx.server, 'fault:malformed-chunk*1', 0);
  });

  it('should fail empty-completion with ZeroOutputError after its one content retry', async () => {
    const o = await runAiSdkModel(ctx.server, 'fault:empty-completion');
    expectFailure(o, isZeroOutputError, { code: 'ZERO_OUTPUT', attempt: 2 }, '');
    expect(retriesOf(o)).toEqual([['zero_output', 5]]);
    expect(ctx.server.requests.length).toBe(2);
  });

  it('should emit tool-call-fragments as one tool call (arguments re-serialised by the SDK) and complete with tool-calls', async () => {
    const o = await runAiSdkModel(ctx.server, 'fault:tool-call-fragments');
    expectComplete(o, 'tool-calls', '');
    expect(o.state.toolCalls).toEqual([{ id: 'call_fault_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius","days":3}' }]);
    expect(ctx.server.requests.length).toBe(1);
  });

  it('should end a user abort mid-stream with StreamAbortedError, one request, socket closed', async () => {
    const controller = new AbortController();
    const o = await runL0(
      { stream: viaAiSdk(ctx.server, 'fault:stall:3'), retry: RETRY, timeout: PATIENT, signal: controller.signal },
      abortAtToken(controller, 3),
    );
    expectFailure(o, isStreamAbortedError, { code: 'STREAM_ABORTED' }, 'The quick brown');
    expect(retriesOf(o)).toEqual([]);
    expect(ctx.server.requests.length).toBe(1);
    await expectClosedByClient(ctx.server, 'fault:stall:3', 0);
  });
});
