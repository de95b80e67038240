/** @test {l0} */
import { describe, expect, it } from 'vitest';
import { isAllStreamsExhaustedError, isProviderError } from 'l0-rx';
import {
  REPLY,
  eventsOf,
  expectComplete,
  expectFailure,
  expectRetriedOnce,
  requestsFor,
  retriesOf,
  runOpenAIModel,
  useFaultServer,
} from './harness.js';

// HTTP status faults through the real openai SDK (maxRetries 0) and l0() with 2 retries,
// 5 ms fixed backoff and Retry-After honoured up to 2 s. A fresh server per test.
const ctx = useFaultServer();

describe('l0() + openai SDK: HTTP status faults', () => {
  it('should retry rate-limit after its Retry-After in seconds (0.05 s) and complete', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:rate-limit:0.05*1');
    expectRetriedOnce(o, ctx.server, ['rate_limit', 50], { code: 'RATE_LIMITED', status: 429, retryAfterMs: 50 });
  });

  it('should retry rate-limit-ms after its retry-after-ms and complete', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:rate-limit-ms:30*1');
    expectRetriedOnce(o, ctx.server, ['rate_limit', 30]);
  });

  it('should read rate-limit-date (an HTTP date) and, being over maxRetryAfter, hand it to the fallback without retrying', async () => {
    const o = await runOpenAIModel(ctx.server, ['fault:rate-limit-date:30', 'gpt-fallback']);
    expectComplete(o, 'stop', REPLY);
    expect(retriesOf(o)).toEqual([]);
    const [fallback0] = eventsOf(o.events, 'fallback');
    expect(fallback0).toMatchObject({ fromIndex: 0, toIndex: 1, error: { code: 'RATE_LIMITED', status: 429 } });
    // The date is ~30 s ahead: far over maxRetryAfter (2 s), so no retry (an unread date would have
    // been retried after the 5 ms backoff). The wait itself is not on the plain event: the error was
    // typed by fromStream without a clock, and the date is read from its cause's headers.
    expect(requestsFor(ctx.server, 'fault:rate-limit-date:30').length).toBe(1);
    expect(requestsFor(ctx.server, 'gpt-fallback').length).toBe(1);
  });

  it('should retry rate-limit-none with the configured backoff (5 ms) and complete', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:rate-limit-none*1');
    expectRetriedOnce(o, ctx.server, ['rate_limit', 5]);
  });

  it('should retry server-error (500) until maxRetries and fail with the last ProviderError SERVER_ERROR', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:server-error');
    expectFailure(o, isProviderError, { code: 'SERVER_ERROR', status: 500, retryable: true, attempt: 3 }, '');
    expect(retriesOf(o)).toEqual([['server_error', 5], ['server_error', 5]]);
    expect(ctx.server.requests.length).toBe(3);
  });

  it('should retry unavailable (503) twice and complete on the third request', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:unavailable*2');
    expectComplete(o, 'stop', REPLY);
    expect(retriesOf(o)).toEqual([['server_error', 5], ['server_error', 5]]);
    expect(eventsOf(o.events, 'retry').map((r) => r.error.status)).toEqual([503, 503]);
    expect(ctx.server.requests.length).toBe(3);
  });

  it("should retry overloaded-529 (Anthropic's overloaded_error) as a server error and complete", async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:overloaded-529*1');
    expectRetriedOnce(o, ctx.server, ['server_error', 5], { code: 'SERVER_ERROR', status: 529 });
  });

  it('should fail auth-401 at once with ProviderError AUTH_ERROR, never retried', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:auth-401');
    expectFailure(o, isProviderError, { code: 'AUTH_ERROR', status: 401, retryable: false, category: 'auth' }, '');
    expect(retriesOf(o)).toEqual([]);
    expect(ctx.server.requests.length).toBe(1);
  });

  it('should fail context-length-400 at once with ProviderError CONTEXT_LENGTH_EXCEEDED, never retried', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:context-length-400');
    expectFailure(o, isProviderError, { code: 'CONTEXT_LENGTH_EXCEEDED', status: 400, retryable: false, reason: 'context_length_exceeded' }, '');
    expect(retriesOf(o)).toEqual([]);
    expect(ctx.server.requests.length).toBe(1);
  });

  it('should ride out flapping (503, then clean) with one retry', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:flapping');
    expectRetriedOnce(o, ctx.server, ['server_error', 5]);
    expect(ctx.server.requests.map((r) => r.fault)).toEqual(['flapping', 'flapping']);
  });

  it('should end with AllStreamsExhaustedError holding every attempt when the fallback fails too', async () => {
    const o = await runOpenAIModel(ctx.server, ['fault:unavailable', 'fault:context-length-400']);
    expectFailure(o, isAllStreamsExhaustedError, { code: 'ALL_STREAMS_EXHAUSTED', retryable: false }, '');
    const errors = (o.error as { errors: { code: string; fallbackIndex: number }[] }).errors;
    expect(errors.map((e) => [e.code, e.fallbackIndex])).toEqual([
      ['SERVER_ERROR', 0],
      ['SERVER_ERROR', 0],
      ['SERVER_ERROR', 0],
      ['CONTEXT_LENGTH_EXCEEDED', 1],
    ]);
    expect(requestsFor(ctx.server, 'fault:unavailable').length).toBe(3);
    expect(requestsFor(ctx.server, 'fault:context-length-400').length).toBe(1);
  });
});
