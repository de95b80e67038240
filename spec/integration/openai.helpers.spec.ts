/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { fromStream, isProviderError } from 'l0-rx';
import { PATIENT, RETRY, expectRetriedOnce, openaiClient, runL0, useFaultServer } from './harness.js';
import { collectError } from '../sources/streamHelpers.js';
import { fakeClient } from '../sources/adapters/openaiFake.js';

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
