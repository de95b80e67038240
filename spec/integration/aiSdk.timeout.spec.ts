/** @test {fromStream} */
import { beforeAll, describe, expect, it } from 'vitest';
import { streamText } from 'ai';
import { startFaultServer } from 'l0-rx/testing';
import { REPLY, RETRY, eventsBeforeRetry, expectClosedByClient, expectComplete, expectRetriedOnce, runL0, textOf, useFaultServer, viaAiSdk } from './harness.js';
import { faultProvider } from '../testing/sdkDrivers.js';

// The ai SDK's own timeouts (streamText `timeout`) and an AbortSignal.timeout() in `abortSignal` end a
// stalled stream with an `abort` part whose reason is the TimeoutError DOMException ("TimeoutError:
// Chunk timeout of 500ms exceeded"), then a normal end: a timeout, retried as one, not the user's cancel.
// l0's own timeouts are far out of reach here (5 s), so only the SDK's can fire. The SDK's are real
// timers racing the server's first two words (2 ms apart): they are wide (500 ms between chunks, 1 s
// for the signal) so that a loaded event loop still gets both words in first (with 100 and 300 ms it
// sometimes did not: the abort came before "quick"), and still 4 s before l0's could fire. A warm-up
// request first takes the SDK's cold start (code loaded on first use) out of that race.
const ctx = useFaultServer();
beforeAll(async () => {
  const server = await startFaultServer({ tokenDelayMs: 1 });
  try {
    expectComplete(await runL0({ stream: viaAiSdk(server, 'warm-up'), retry: { maxRetries: 0 }, timeout: false }), 'stop', REPLY);
  } finally {
    await server.close();
  }
});
const MODEL = 'fault:stall*1';
const L0_OUT_OF_REACH = Object.freeze({ initialToken: 5000, interToken: 5000 });

describe('l0() + ai SDK: the SDK timing a stalled stream out', () => {
  it.each([
    ['streamText timeout.chunkMs', (signal: AbortSignal) => ({ abortSignal: signal, timeout: { chunkMs: 500 } })],
    ['an AbortSignal.timeout() in abortSignal', (signal: AbortSignal) => ({ abortSignal: AbortSignal.any([signal, AbortSignal.timeout(1000)]) })],
  ])('should retry a stall that %s aborted, as a retryable timeout, and complete', async (_, options) => {
    const provider = faultProvider(ctx.server);
    let calls = 0;
    const o = await runL0({
      stream: ({ signal }) => streamText({ model: provider.chatModel(MODEL), prompt: 'Tell me about the fox.', maxRetries: 0, onError: () => {}, ...(calls++ === 0 ? options(signal) : { abortSignal: signal }) }),
      retry: RETRY,
      timeout: L0_OUT_OF_REACH,
    });
    expectRetriedOnce(o, ctx.server, ['timeout', 5], { name: 'ProviderError', category: 'timeout', retryable: true, message: expect.stringMatching(/^The AI SDK stream timed out \(TimeoutError: /) });
    expect(textOf(eventsBeforeRetry(o))).toBe('The quick');
    await expectClosedByClient(ctx.server, MODEL, 0, 2000);
  });
});
