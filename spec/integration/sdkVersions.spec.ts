/** @test {l0} */
import { describe, expect, it } from 'vitest';
import { isProviderError, isStreamAbortedError } from 'l0-rx';
import {
  PATIENT,
  REPLY,
  RETRY,
  abortAtToken,
  eventsBeforeRetry,
  expectClosedByClient,
  expectComplete,
  expectFailure,
  expectRetriedOnce,
  retriesOf,
  runL0,
  textOf,
  useFaultServer,
} from './harness.js';
import { MASTRA } from './mastraSdk.js';
import { RESPONSES, SDKS, type Sdk } from './sdks.js';

// The README supports `openai` 5 to 7 and `ai` 5 to 7: every major, installed side by side under
// aliases, runs the same faults through l0() (openai: Chat Completions and the Responses API). The
// adapters read each SDK's stream by shape, so a major that renamed a part or an error field, or that
// throws where another yields (openai 7 throws a Responses `error` event, 5 and 6 yield it), fails
// here, not in an app. A @mastra/core agent over the ai SDK's provider runs the same table.
// The same table runs structured output and tool-call arguments: structured.sdks.spec.ts, toolArguments.sdks.spec.ts.

const ctx = useFaultServer();
// no fault here needs a timeout, and a major's first call loads its code: under a loaded CI that took
// longer than the suite's 300 ms time to first token
const run = (sdk: Sdk, model: string) => runL0({ stream: sdk.via(ctx.server, model), retry: RETRY, timeout: PATIENT });

describe.each([...SDKS, ...RESPONSES, MASTRA])('l0() + $name', (sdk) => {
  it('should stream a clean answer with its usage', async () => {
    const o = await run(sdk, 'gpt-test');
    expectComplete(o, 'stop', REPLY);
    expect(o.state.usage).toMatchObject({ outputTokens: 9 });
  });

  it('should retry rate-limit after its Retry-After', async () => {
    const o = await run(sdk, 'fault:rate-limit:0.05*1');
    expectRetriedOnce(o, ctx.server, ['rate_limit', 50], { code: 'RATE_LIMITED', status: 429, retryAfterMs: 50 });
  });

  it('should retry server-error', async () => {
    const o = await run(sdk, 'fault:server-error*1');
    expectRetriedOnce(o, ctx.server, ['server_error', 5], { code: 'SERVER_ERROR', status: 500 });
  });

  it('should retry a cut stream as INCOMPLETE_STREAM and retract its text', async () => {
    const o = await run(sdk, 'fault:cut-after-n:3*1');
    expectRetriedOnce(o, ctx.server, ['incomplete_stream', 5], { code: 'INCOMPLETE_STREAM', retryable: true });
    expect(textOf(eventsBeforeRetry(o))).toBe('The quick brown');
  });

  it('should retry a stream without a finish reason as INCOMPLETE_STREAM', async () => {
    const o = await run(sdk, 'fault:no-done*1');
    expectRetriedOnce(o, ctx.server, ['incomplete_stream', 5], { code: 'INCOMPLETE_STREAM' });
  });

  it('should fail the attempt on a malformed chunk and retry', async () => {
    const o = await run(sdk, 'fault:malformed-chunk*1');
    expectRetriedOnce(o, ctx.server, ['malformed_chunk', 5], { code: 'MALFORMED_CHUNK' });
    expect(textOf(eventsBeforeRetry(o))).toBe('The quick');
  });

  it('should fail context-length-400 at once', async () => {
    const o = await run(sdk, 'fault:context-length-400');
    expectFailure(o, isProviderError, { code: 'CONTEXT_LENGTH_EXCEEDED', status: 400, retryable: false }, '');
    expect(retriesOf(o)).toEqual([]);
  });

  it('should assemble tool-call fragments into one call', async () => {
    const o = await run(sdk, 'fault:tool-call-fragments');
    expectComplete(o, 'tool-calls', '');
    // openai passes the fragments on as sent; the AI SDK re-serialises them
    expect(o.state.toolCalls.map((c) => ({ ...c, arguments: JSON.parse(c.arguments) as unknown }))).toEqual([
      { id: 'call_fault_1', name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius', days: 3 } },
    ]);
  });

  it('should close the request on a user abort mid-stream', async () => {
    const controller = new AbortController();
    const o = await runL0(
      { stream: sdk.via(ctx.server, 'fault:stall:3'), retry: RETRY, timeout: PATIENT, signal: controller.signal },
      abortAtToken(controller, 3),
    );
    expectFailure(o, isStreamAbortedError, { code: 'STREAM_ABORTED' }, 'The quick brown');
    await expectClosedByClient(ctx.server, 'fault:stall:3', 0);
  });
});

// What only the Responses API tells apart: its in-band `error` event (thrown by openai 7, yielded by 5
// and 6), `response.incomplete`, and refusal deltas.
describe.each(RESPONSES)('l0() + $name: Responses events', (sdk) => {
  it('should retry error-in-200 (an error event) as SERVER_ERROR', async () => {
    const o = await run(sdk, 'fault:error-in-200*1');
    expectRetriedOnce(o, ctx.server, ['server_error', 5], { code: 'SERVER_ERROR', retryable: true });
  });

  it('should complete content-filter (response.incomplete) with content-filter', async () => {
    expectComplete(await run(sdk, 'fault:content-filter'), 'content-filter', 'The quick brown');
  });

  it('should show a refusal (response.refusal.delta) as the answer', async () => {
    expectComplete(await run(sdk, 'fault:refusal:delta'), 'stop', "I'm sorry, but I cannot help with that.");
  });
});
