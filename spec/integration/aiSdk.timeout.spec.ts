/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { streamText } from 'ai';
import { PATIENT, RETRY, eventsBeforeRetry, expectClosedByClient, expectRetriedOnce, runL0, textOf, useFaultServer } from './harness.js';
import { faultProvider } from '../testing/sdkDrivers.js';

// The ai SDK's own timeouts (streamText `timeout`) and an AbortSignal.timeout() in `abortSignal` end a
// stalled stream with an `abort` part whose reason is the TimeoutError DOMException ("TimeoutError:
// Chunk timeout of 100ms exceeded"), then a normal end: a timeout, retried as one, not the user's cancel.
// l0's own timeouts are PATIENT here, so only the SDK's can fire.
const ctx = useFaultServer();
const MODEL = 'fault:stall*1';

describe('l0() + ai SDK: the SDK timing a stalled stream out', () => {
  it.each([
    ['streamText timeout.chunkMs', (signal: AbortSignal) => ({ abortSignal: signal, timeout: { chunkMs: 100 } })],
    ['an AbortSignal.timeout() in abortSignal', (signal: AbortSignal) => ({ abortSignal: AbortSignal.any([signal, AbortSignal.timeout(300)]) })],
  ])('should retry a stall that %s aborted, as a retryable timeout, and complete', async (_, options) => {
    const provider = faultProvider(ctx.server);
    let calls = 0;
    const o = await runL0({
      stream: ({ signal }) => streamText({ model: provider.chatModel(MODEL), prompt: 'Tell me about the fox.', maxRetries: 0, onError: () => {}, ...(calls++ === 0 ? options(signal) : { abortSignal: signal }) }),
      retry: RETRY,
      timeout: PATIENT,
    });
    expectRetriedOnce(o, ctx.server, ['timeout', 5], { name: 'ProviderError', category: 'timeout', retryable: true, message: expect.stringMatching(/^The AI SDK stream timed out \(TimeoutError: /) });
    expect(textOf(eventsBeforeRetry(o))).toBe('The quick');
    await expectClosedByClient(ctx.server, MODEL, 0);
  });
});
