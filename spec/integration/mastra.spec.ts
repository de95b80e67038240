/** @test {l0} */
import { beforeAll, describe, expect, it } from 'vitest';
import { startFaultServer, type FaultServer } from 'l0-rx/testing';
import { mastraAgent } from './mastraSdk.js';
import { faultyFetch, type BodyFault } from './sdks.js';
import { expectClosedByClient, expectComplete, expectRetriedOnce, PATIENT, retriesOf, RETRY, runL0, TIMEOUT, useFaultServer } from './harness.js';

// A real @mastra/core Agent whose model is @ai-sdk/openai-compatible on the fault server: what
// `mastraAdapter` decodes is Mastra's envelope of each AI SDK part, with provider errors as `error`
// chunks carrying the SDK's APICallError. The fault table every SDK runs (sdkVersions.spec.ts) has a
// Mastra row; here is what needs the agent's own timing or a cut body.
const ctx = useFaultServer();

// Mastra's first run loads much of its code: under a loaded CI that took longer than the suite's
// 300 ms time to first token, so one clean run warms it before the timed ones
beforeAll(async () => {
  const server = await startFaultServer({ tokenDelayMs: 1 });
  await runL0({ stream: viaMastra(server, 'gpt-test'), timeout: PATIENT }).finally(() => server.close());
});

/** An l0 factory streaming `model` through a Mastra agent, its signal passed on; `body` cuts the provider's first response. */
const viaMastra = (server: FaultServer, model: string, body?: BodyFault) => {
  const agent = mastraAgent(server, model, body && faultyFetch(body));
  return ({ signal }: { signal: AbortSignal }) => agent.stream('Tell me about the fox.', { abortSignal: signal, maxSteps: 1 });
};

describe('l0() + Mastra agent', () => {
  it('should time out stall, close its socket through the agent, retry and complete', async () => {
    const o = await runL0({ stream: viaMastra(ctx.server, 'fault:stall*1'), retry: RETRY, timeout: TIMEOUT });
    expectRetriedOnce(o, ctx.server, ['timeout', 5], { name: 'TokenTimeoutError', code: 'INTER_TOKEN_TIMEOUT' });
    await expectClosedByClient(ctx.server, 'fault:stall*1', 0);
  });

  it("should emit no tool call of a stream that ended mid-arguments (Mastra makes them {}), only the retry's", async () => {
    const o = await runL0({ stream: viaMastra(ctx.server, 'fault:tool-call-fragments', { keep: 3, ending: 'end' }), retry: RETRY, timeout: PATIENT });
    expectComplete(o, 'tool-calls', '');
    expect(retriesOf(o)).toEqual([['incomplete_stream', 5]]);
    expect(o.events.filter((e) => e.type === 'tool-call').map((e) => e.type === 'tool-call' && e.arguments)).toEqual(['{"city":"Paris","unit":"celsius","days":3}']);
  });

  it("should emit no tool call of a stream cut after its finish reason, before the usage chunk, only the retry's", async () => {
    const o = await runL0({ stream: viaMastra(ctx.server, 'fault:tool-call-fragments', { keep: 7, ending: 'cut' }), retry: RETRY, timeout: PATIENT });
    expectComplete(o, 'tool-calls', '');
    expect(retriesOf(o)).toEqual([['incomplete_stream', 5]]);
    expect(o.events.filter((e) => e.type === 'tool-call').map((e) => e.type === 'tool-call' && e.arguments)).toEqual(['{"city":"Paris","unit":"celsius","days":3}']);
  });
});
