/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { isProviderError } from 'l0-rx';
import { eventsOf, expectComplete, expectFailure, PATIENT, REPLY, RETRY, runL0, useFaultServer } from './harness.js';
import { faultyFetch, RESPONSES, SDKS } from './sdks.js';

// The first chunk an openai SDK stream yields picks the adapter. What a server sends before its first real
// chunk (a keep-alive, a chunk that is no object) must not pick the wrong one, nor turn a server's fault into
// the user's: the same chunks later in the stream are skipped (a keep-alive) or a retryable MALFORMED_CHUNK.

const ctx = useFaultServer(1);
/** Sends `data` as an event of its own before the body's first event (chat: the role chunk; Responses: `response.created`). */
const before = (data: string) => {
  let first = true;
  return faultyFetch({ edit: (d) => (first ? ((first = false), `${data}\n\ndata: ${d}`) : d) });
};
const run = (sdk: (typeof SDKS)[number], data: string) => runL0({ stream: sdk.via(ctx.server, 'gpt-test', { fetch: before(data) }), retry: RETRY, timeout: PATIENT });

describe.each([...SDKS.filter((s) => s.kind === 'openai'), ...RESPONSES])('an openai SDK stream whose first chunk decides nothing + $name', (sdk) => {
  it('should skip a keep-alive {"type":"ping"} before the first chunk, as it skips one later, and stream the answer', async () => {
    // taken for an AI SDK part, it made the AI SDK decoder read the whole stream: MALFORMED_CHUNK (chat) or no text and INCOMPLETE_STREAM (Responses)
    const o = await run(sdk, '{"type":"ping"}');
    expectComplete(o, 'stop', REPLY);
    expect(eventsOf(o.events, 'retry')).toEqual([]);
    expect(ctx.server.requests).toHaveLength(1);
  });

  it.each(['null', '42', '[]', '"keep-alive"'])('should retry a first chunk %s as MALFORMED_CHUNK, as the same chunk later is (never the user\'s INVALID_STREAM)', async (data) => {
    const o = await run(sdk, data);
    expectComplete(o, 'stop', REPLY);
    expect(eventsOf(o.events, 'retry').map((r) => [r.reason, r.error.code])).toEqual([['malformed_chunk', 'MALFORMED_CHUNK']]);
    // a string was streamed as the answer's first token before the next chunk failed the run
    expect(eventsOf(o.events, 'token').some((t) => t.value === 'keep-alive')).toBe(false);
    expect(ctx.server.requests).toHaveLength(2);
  });
});

describe.each(RESPONSES)('a compatible server whose Responses stream begins with an error event without sequence_number + $name', (sdk) => {
  it('should fail with the error its code names (context_length_exceeded: CONTEXT_LENGTH_EXCEEDED, not retried), as with a sequence_number', async () => {
    // before: taken for an AI SDK error part with no `error`, a retryable SERVER_ERROR that lost the code and was retried
    const o = await run(sdk, '{"type":"error","code":"context_length_exceeded","message":"too long","param":null}');
    expectFailure(o, isProviderError, { code: 'CONTEXT_LENGTH_EXCEEDED', retryable: false, message: expect.stringContaining('too long') }, '');
    expect(ctx.server.requests).toHaveLength(1);
  });
});
