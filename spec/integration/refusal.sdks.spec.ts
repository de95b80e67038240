/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { isZeroOutputError } from 'l0-rx';
import { PATIENT, RETRY, expectComplete, expectFailure, runL0, useFaultServer } from './harness.js';
import { MASTRA } from './mastraSdk.js';
import { RESPONSES, SDKS, type Sdk } from './sdks.js';

// One refusal on every route: chat's `delta.refusal` (finish reason `stop`), the Responses API's
// `response.refusal.delta` (`response.completed`), and the AI SDK (and Mastra on it), whose OpenAI
// providers report the same chat stream as `content-filter` with the provider's reason `stop`. Each
// ends `complete{stop}` with the refusal as the answer's text: a whole answer (guardrails decide it is
// a refusal), never one a content filter cut short.
const ctx = useFaultServer();
const REFUSAL = "I'm sorry, but I cannot help with that.";
const run = (sdk: Sdk, model: string) => runL0({ stream: sdk.via(ctx.server, model), retry: RETRY, timeout: PATIENT });
/** AI SDK 5's @ai-sdk/openai-compatible 1 does not read `delta.refusal` (see the last test). */
const READS_REFUSALS = [...SDKS, ...RESPONSES, MASTRA].filter((sdk) => !sdk.name.startsWith('ai 5'));

describe.each(READS_REFUSALS)('l0() + $name: a refusal', (sdk) => {
  it('should end a refusal (refusal:delta) with stop and the refusal as the text, in one request', async () => {
    expectComplete(await run(sdk, 'fault:refusal:delta'), 'stop', REFUSAL);
    expect(ctx.server.requests).toHaveLength(1);
  });

  it("should still end the provider's content filter with content-filter", async () => {
    expectComplete(await run(sdk, 'fault:content-filter'), 'content-filter', 'The quick brown');
  });
});

describe('l0() + ai 5 + @ai-sdk/openai-compatible 1: a refusal', () => {
  it('should see no text for a delta.refusal, which that provider drops: an empty answer, ZERO_OUTPUT after its content retry', async () => {
    const o = await run(SDKS.find((sdk) => sdk.name.startsWith('ai 5'))!, 'fault:refusal:delta');
    expectFailure(o, isZeroOutputError, { code: 'ZERO_OUTPUT' }, '');
  });
});
