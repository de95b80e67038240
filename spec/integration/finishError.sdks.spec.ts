/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { PATIENT, REPLY, RETRY, eventsBeforeRetry, expectRetriedOnce, runL0, textOf, useFaultServer } from './harness.js';
import { faultyFetch, SDKS, type Sdk } from './sdks.js';

// A generation that fails mid-stream on OpenRouter ends with a chunk whose choice has `finish_reason:
// "error"` (its `error` on the choice, not at the top, so no SDK throws it): the SDKs report a
// finish reason of `other` (the AI SDK) or pass the chunk on (openai). Completing with the text so far
// would be a silent short answer; it must fail the attempt like an in-band error frame, and be retried.
// ai 5 keeps no raw finish reason, so only its chat completions rows and ai 6 and 7 can tell.

const ctx = useFaultServer();

/** SSE event 2 (the second word) rewritten as OpenRouter's failed end, with or without the choice's error; the body ends there. */
function failedEnd(choiceError: object | undefined) {
  let event = 0;
  const edit = (data: string) => {
    if (event++ !== 2) return data;
    const chunk = JSON.parse(data) as { choices: Record<string, unknown>[] };
    chunk.choices[0] = { ...chunk.choices[0], finish_reason: 'error', ...(choiceError ? { error: choiceError } : {}) };
    return JSON.stringify(chunk);
  };
  return faultyFetch({ edit, keep: 3, ending: 'end' });
}

describe.each(SDKS.filter((s) => !s.name.startsWith('ai 5')))('finish reason error + $name', (sdk: Sdk) => {
  it.each([
    ['with the choice error', { code: 502, message: 'Provider disconnected unexpectedly' }],
    ['without an error', undefined],
  ])('should retry a chunk ending with finish_reason "error" (%s) as SERVER_ERROR', async (_, choiceError) => {
    const o = await runL0({ stream: sdk.via(ctx.server, 'gpt-test', { fetch: failedEnd(choiceError) }), retry: RETRY, timeout: PATIENT });
    expectRetriedOnce(o, ctx.server, ['server_error', 5], { code: 'SERVER_ERROR', category: 'server', retryable: true });
    expect(textOf(eventsBeforeRetry(o))).toBe(REPLY.split(' ').slice(0, 2).join(' '));
  });
});
