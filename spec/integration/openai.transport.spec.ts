/** @test {l0} */
import { describe, expect, it } from 'vitest';
import { deserializeError, isProviderError, isTokenTimeoutError, type SerializedError, type TokenTimeoutError } from 'l0-rx';
import {
  REPLY,
  eventsBeforeRetry,
  eventsOf,
  expectClosedByClient,
  expectCutToolCallFailed,
  expectComplete,
  expectFailure,
  expectRetriedOnce,
  retriesOf,
  runOpenAIModel,
  textOf,
  useFaultServer,
  INITIAL,
} from './harness.js';

// Connection, timing and stream-shape faults through the real openai SDK and l0(): each fault hits
// the first request only (`*1`) unless said otherwise, so the retry shows what l0() made of it.
const ctx = useFaultServer();

/** The live TokenTimeoutError a retry event carries. */
const timeoutOf = (e: SerializedError) => deserializeError(e) as TokenTimeoutError;

describe('l0() + openai SDK: transport faults', () => {
  it('should retry reset-before-headers (APIConnectionError) as a network error and complete', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:reset-before-headers*1');
    expectRetriedOnce(o, ctx.server, ['network_error', 5], { name: 'ProviderError', code: 'NETWORK_ERROR' });
    expect(ctx.server.requests[0]!.closedByClient).toBe(false); // the server cut it
  });

  it('should time out no-response with INITIAL_TOKEN_TIMEOUT, close its socket, retry and complete', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:no-response*1', { timeout: INITIAL });
    expectRetriedOnce(o, ctx.server, ['timeout', 5]);
    const [retry] = eventsOf(o.events, 'retry');
    expect(isTokenTimeoutError(deserializeError(retry!.error))).toBe(true);
    expect(timeoutOf(retry!.error)).toMatchObject({ code: 'INITIAL_TOKEN_TIMEOUT', info: { kind: 'initial', timeoutMs: 400, tokenCount: 0 } });
    await expectClosedByClient(ctx.server, 'fault:no-response*1', 0);
  });

  it('should time out slow-first-token (800 ms > 400 ms budget), close its socket, retry and complete', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:slow-first-token:800*1', { timeout: INITIAL });
    expectRetriedOnce(o, ctx.server, ['timeout', 5], { code: 'INITIAL_TOKEN_TIMEOUT' });
    await expectClosedByClient(ctx.server, 'fault:slow-first-token:800*1', 0);
  });

  it('should accept slow-first-token within the initial budget in one request', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:slow-first-token:50', { timeout: INITIAL });
    expectComplete(o, 'stop', REPLY);
    expect(retriesOf(o)).toEqual([]);
    expect(ctx.server.requests.length).toBe(1);
  });

  it('should fail cut-tool-call with INCOMPLETE_STREAM and no tool call: a call cut mid-arguments is never emitted', async () => {
    expectCutToolCallFailed(await runOpenAIModel(ctx.server, 'fault:cut-tool-call:3'), ctx.server);
  });

  it('should retry cut-after-n (TypeError terminated) as INCOMPLETE_STREAM, discarding the partial text', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:cut-after-n:3*1');
    expectRetriedOnce(o, ctx.server, ['incomplete_stream', 5], { code: 'INCOMPLETE_STREAM', retryable: true });
    // attempt 1 streamed 3 words before the cut; the retry event retracted them
    expect(textOf(eventsBeforeRetry(o))).toBe('The quick brown');
    expect(ctx.server.requests[0]!.closedByClient).toBe(false); // the server cut it
  });

  it('should fail cut-after-n on every request with the last INCOMPLETE_STREAM, showing the last partial text', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:cut-after-n:3');
    expectFailure(o, isProviderError, { code: 'INCOMPLETE_STREAM', retryable: true, attempt: 3 }, 'The quick brown');
    expect(ctx.server.requests.length).toBe(3);
  });

  it('should time out stall with INTER_TOKEN_TIMEOUT after 2 words, close its socket, retry and complete', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:stall*1');
    expectRetriedOnce(o, ctx.server, ['timeout', 5]);
    expect(timeoutOf(eventsOf(o.events, 'retry')[0]!.error)).toMatchObject({
      code: 'INTER_TOKEN_TIMEOUT',
      info: { kind: 'inter', timeoutMs: 150, tokenCount: 2 },
    });
    await expectClosedByClient(ctx.server, 'fault:stall*1', 0);
  });

  it('should retry malformed-chunk (SDK SyntaxError) as MALFORMED_CHUNK and cancel the rest of that body', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:malformed-chunk*1');
    expectRetriedOnce(o, ctx.server, ['malformed_chunk', 5], { code: 'MALFORMED_CHUNK', retryable: true });
    await expectClosedByClient(ctx.server, 'fault:malformed-chunk*1', 0);
  });

  it('should treat no-done (no finish_reason, no [DONE]) as a cut stream, INCOMPLETE_STREAM, and retry', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:no-done*1');
    expectRetriedOnce(o, ctx.server, ['incomplete_stream', 5]);
    // the whole reply arrived, but without an end marker it is never a silent success
    const beforeRetry = eventsBeforeRetry(o);
    expect(textOf(beforeRetry)).toBe(REPLY);
    expect(eventsOf(beforeRetry, 'complete')).toEqual([]);
  });

  it('should retry error-in-200 (in-band server_error frame) as SERVER_ERROR and complete', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:error-in-200*1');
    expectRetriedOnce(o, ctx.server, ['server_error', 5], { code: 'SERVER_ERROR', retryable: true });
  });
});
