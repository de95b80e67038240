/** @test {l0} */
import { Mastra } from '@mastra/core';
import { Agent } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import { beforeAll, describe, expect, it } from 'vitest';
import { isProviderError, isStreamAbortedError, type L0StreamFactory } from 'l0-rx';
import { startFaultServer, type FaultServer } from 'l0-rx/testing';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { faultProvider } from '../testing/sdkDrivers.js';
import { faultyFetch, type BodyFault } from './sdks.js';
import {
  PATIENT,
  RETRY,
  TIMEOUT,
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
  type Calls,
} from './harness.js';

// A real @mastra/core Agent whose model is @ai-sdk/openai-compatible on the fault server (Mastra's
// own retries off, one step): what `mastraAdapter` decodes is Mastra's envelope of each AI SDK
// part, with provider errors as `error` chunks carrying the SDK's APICallError.
const ctx = useFaultServer();

// Mastra's first run loads much of its code: under a loaded CI that took longer than the suite's
// 300 ms time to first token, so one clean run warms it before the timed ones
beforeAll(async () => {
  const server = await startFaultServer({ tokenDelayMs: 1 });
  await runL0({ stream: viaMastra(server, 'gpt-test'), timeout: PATIENT }).finally(() => server.close());
});

/** An l0 factory streaming `model` through a Mastra agent; records each ctx in `calls`. */
function viaMastra(server: FaultServer, model: string, calls: Calls = [], body?: BodyFault): L0StreamFactory {
  // Mastra types its V4 model with its own copy of @ai-sdk/provider, whose doGenerate type differs
  // from the provider's; at runtime Mastra accepts the provider's model as it is
  const provider = body ? createOpenAICompatible({ name: 'fault', baseURL: server.url, apiKey: 'x', includeUsage: true, fetch: faultyFetch(body) }) : faultProvider(server);
  const llm = provider.chatModel(model) as unknown as MastraModelConfig;
  const agent = new Agent({ id: 'fox', name: 'fox', instructions: 'Answer briefly.', model: llm, maxRetries: 0 });
  // registering the agent with a Mastra whose logger is off keeps provider errors out of the test output
  new Mastra({ agents: { fox: agent }, logger: false });
  return (c) => {
    calls.push(c);
    return agent.stream('Tell me about the fox.', { abortSignal: c.signal, maxSteps: 1 });
  };
}

const runMastraModel = (server: FaultServer, model: string, calls: Calls = []) =>
  runL0({ stream: viaMastra(server, model, calls), retry: RETRY, timeout: TIMEOUT });

describe('l0() + Mastra agent', () => {
  it('should stream a clean answer with its usage', async () => {
    const o = await runMastraModel(ctx.server, 'gpt-test');
    expectComplete(o, 'stop', 'The quick brown fox jumps over the lazy dog.');
    expect(o.state.usage).toMatchObject({ outputTokens: 9 });
    expect(o.state.usage?.totalTokens).toBe((o.state.usage?.inputTokens ?? 0) + 9);
  });

  it('should retry rate-limit (error chunk with the 429 APICallError) after its Retry-After and complete', async () => {
    const o = await runMastraModel(ctx.server, 'fault:rate-limit:0.05*1');
    expectRetriedOnce(o, ctx.server, ['rate_limit', 50], { code: 'RATE_LIMITED', status: 429, retryAfterMs: 50 });
  });

  it('should retry server-error and complete', async () => {
    const o = await runMastraModel(ctx.server, 'fault:server-error*1');
    expectRetriedOnce(o, ctx.server, ['server_error', 5], { code: 'SERVER_ERROR', status: 500 });
  });

  it('should retry cut-after-n as INCOMPLETE_STREAM and retract the cut attempt', async () => {
    const o = await runMastraModel(ctx.server, 'fault:cut-after-n:3*1');
    expectRetriedOnce(o, ctx.server, ['incomplete_stream', 5], { code: 'INCOMPLETE_STREAM', retryable: true });
    expect(textOf(eventsBeforeRetry(o))).toBe('The quick brown');
  });

  it('should treat no-done (a stream without a finish reason) as INCOMPLETE_STREAM and retry', async () => {
    const o = await runMastraModel(ctx.server, 'fault:no-done*1');
    expectRetriedOnce(o, ctx.server, ['incomplete_stream', 5], { code: 'INCOMPLETE_STREAM' });
  });

  it('should fail the attempt on malformed-chunk instead of streaming past it, and retry', async () => {
    const o = await runMastraModel(ctx.server, 'fault:malformed-chunk*1');
    expectRetriedOnce(o, ctx.server, ['malformed_chunk', 5], { code: 'MALFORMED_CHUNK' });
    expect(textOf(eventsBeforeRetry(o))).toBe('The quick');
  });

  it('should fail context-length-400 at once, not retried', async () => {
    const o = await runMastraModel(ctx.server, 'fault:context-length-400');
    expectFailure(o, isProviderError, { code: 'CONTEXT_LENGTH_EXCEEDED', status: 400, retryable: false }, '');
    expect(retriesOf(o)).toEqual([]);
    expect(ctx.server.requests.length).toBe(1);
  });

  it('should time out stall, close its socket through the agent, retry and complete', async () => {
    const o = await runMastraModel(ctx.server, 'fault:stall*1');
    expectRetriedOnce(o, ctx.server, ['timeout', 5], { name: 'TokenTimeoutError', code: 'INTER_TOKEN_TIMEOUT' });
    await expectClosedByClient(ctx.server, 'fault:stall*1', 0);
  });

  it('should emit one tool call with its arguments and complete with tool-calls', async () => {
    const o = await runMastraModel(ctx.server, 'fault:tool-call-fragments');
    expectComplete(o, 'tool-calls', '');
    expect(o.state.toolCalls).toEqual([{ id: 'call_fault_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius","days":3}' }]);
    expect(ctx.server.requests.length).toBe(1);
  });

  it('should emit no tool call of a stream that ended mid-arguments (Mastra makes them {}), only the retry\'s', async () => {
    const o = await runL0({ stream: viaMastra(ctx.server, 'fault:tool-call-fragments', [], { keep: 3, ending: 'end' }), retry: RETRY, timeout: TIMEOUT });
    expectComplete(o, 'tool-calls', '');
    expect(retriesOf(o)).toEqual([['incomplete_stream', 5]]);
    expect(o.events.filter((e) => e.type === 'tool-call').map((e) => e.type === 'tool-call' && e.arguments)).toEqual(['{"city":"Paris","unit":"celsius","days":3}']);
  });

  it('should end a user abort mid-stream with StreamAbortedError, one request, socket closed', async () => {
    const controller = new AbortController();
    const o = await runL0(
      { stream: viaMastra(ctx.server, 'fault:stall:3'), retry: RETRY, timeout: PATIENT, signal: controller.signal },
      abortAtToken(controller, 3),
    );
    expectFailure(o, isStreamAbortedError, { code: 'STREAM_ABORTED' }, 'The quick brown');
    expect(retriesOf(o)).toEqual([]);
    expect(ctx.server.requests.length).toBe(1);
    await expectClosedByClient(ctx.server, 'fault:stall:3', 0);
  });
});
