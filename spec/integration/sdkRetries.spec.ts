/** @test {l0} */
import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { streamText } from 'ai';
import { isProviderError, isTokenTimeoutError, type L0StreamFactory } from 'l0-rx';
import type { FaultServer } from 'l0-rx/testing';
import { faultProvider } from '../testing/sdkDrivers.js';
import { PATIENT, expectFailure, retriesOf, runL0, useFaultServer } from './harness.js';

// What the README's "Turn the SDK's own retries off" says happens when they are left on (both SDKs
// default to maxRetries: 2): every l0-rx attempt makes up to 3 requests, and the SDK's waits are
// silence to withTimeouts, which then hides the 429 behind an INITIAL_TOKEN_TIMEOUT.
const ctx = useFaultServer();
const quiet = { error() {}, warn() {}, info() {}, debug() {} };

/** The openai SDK with its default retries (only the logger silenced). */
const viaDefaultOpenAI = (server: FaultServer, model: string): L0StreamFactory => {
  const client = new OpenAI({ apiKey: 'test', baseURL: server.url, logger: quiet });
  return ({ signal }) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }], stream: true }, { signal });
};
/** The ai SDK's streamText with its default retries. */
const viaDefaultAiSdk = (server: FaultServer, model: string): L0StreamFactory => {
  const provider = faultProvider(server);
  return ({ signal }) => streamText({ model: provider.chatModel(model), prompt: 'Hi', abortSignal: signal, onError: () => {} });
};

describe("l0() + the SDKs' own default retries", () => {
  it('should make 3 openai requests per l0-rx attempt for a 503', async () => {
    const o = await runL0({ stream: viaDefaultOpenAI(ctx.server, 'fault:unavailable'), retry: { maxRetries: 1, backoff: 'fixed', baseDelay: 5 }, timeout: PATIENT });
    expectFailure(o, isProviderError, { code: 'SERVER_ERROR', status: 503 }, '');
    expect(retriesOf(o)).toEqual([['server_error', 5]]);
    expect(ctx.server.requests).toHaveLength(6);
  });

  it("should read an HTTP-date Retry-After behind the ai SDK's RetryError and, being over maxRetryAfter, fall back without retrying", async () => {
    // 90 s ahead: over the SDK's 60 s limit, so it waits its own 2 s backoff, asks again, and reports
    // AI_RetryError; the date is on its lastError's headers, read with the scheduler's clock
    const provider = faultProvider(ctx.server);
    const o = await runL0({
      stream: ({ signal }) => streamText({ model: provider.chatModel('fault:rate-limit-date:90'), prompt: 'Hi', abortSignal: signal, maxRetries: 1, onError: () => {} }),
      fallbackStreams: [viaDefaultAiSdk(ctx.server, 'gpt-fallback')],
      retry: { maxRetries: 2, backoff: 'fixed', baseDelay: 5, maxRetryAfter: 2000 },
      timeout: { initialToken: 5000, interToken: 2000 },
    });
    expect(retriesOf(o)).toEqual([]); // unread, the 5 ms backoff would have retried it twice
    expect(o.events.find((e) => e.type === 'fallback')).toMatchObject({ error: { code: 'RATE_LIMITED', status: 429 } });
    expect(o.events.at(-1)).toMatchObject({ type: 'complete', finishReason: 'stop' });
    expect(ctx.server.requests.map((r) => r.model)).toEqual(['fault:rate-limit-date:90', 'fault:rate-limit-date:90', 'gpt-fallback']);
  }, 15_000);

  it.each([
    ['openai', viaDefaultOpenAI],
    ['ai', viaDefaultAiSdk],
  ])("should hide a 429 behind INITIAL_TOKEN_TIMEOUT when the %s SDK's wait outlasts initialToken", async (_, via) => {
    const o = await runL0({ stream: via(ctx.server, 'fault:rate-limit:3'), retry: { maxRetries: 1, backoff: 'fixed', baseDelay: 5 }, timeout: { initialToken: 500 } });
    expectFailure(o, isTokenTimeoutError, { code: 'INITIAL_TOKEN_TIMEOUT' }, '');
    expect((o.error as { status?: number }).status).toBeUndefined(); // the 429 was never seen
    expect(retriesOf(o)).toEqual([['timeout', 5]]); // the backoff, not the server's 3 s
    expect(ctx.server.requests).toHaveLength(2); // each attempt's SDK was waiting the 3 s Retry-After when the timeout aborted it
  });
});
