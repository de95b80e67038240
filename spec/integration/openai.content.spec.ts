/** @test {l0} */
import { describe, expect, it } from 'vitest';
import { isZeroOutputError } from 'l0-rx';
import { REPLY, eventsOf, expectComplete, expectFailure, retriesOf, runOpenAIModel, useFaultServer } from './harness.js';

// Faults in what the model says (not in how it is delivered), through the real openai SDK and
// l0(): they complete truthfully (finish reason, exact text) or fail as content, never as transport.
const ctx = useFaultServer();

describe('l0() + openai SDK: content faults', () => {
  it('should stream a clean model word by word and complete with stop and the usage counts', async () => {
    const o = await runOpenAIModel(ctx.server, 'gpt-clean');
    expectComplete(o, 'stop', REPLY);
    expect(eventsOf(o.events, 'token').map((t) => t.value)).toEqual(['The', ' quick', ' brown', ' fox', ' jumps', ' over', ' the', ' lazy', ' dog.']);
    const usage = o.state.usage!;
    expect(usage.outputTokens).toBe(9);
    expect(usage.totalTokens).toBe(usage.inputTokens! + 9);
    expect(ctx.server.requests.length).toBe(1);
  });

  it('should complete content-filter with finishReason content-filter and the 3 words before it, not retried', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:content-filter');
    expectComplete(o, 'content-filter', 'The quick brown');
    expect(retriesOf(o)).toEqual([]);
    expect(ctx.server.requests.length).toBe(1);
  });

  it('should complete truncated-json with stop and exactly the cut JSON text (no schema check in l0())', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:truncated-json');
    expectComplete(o, 'stop', '{"name": "Ada Lovelace", "born": 1815, "languages": ["en", "');
    expect(ctx.server.requests.length).toBe(1);
  });

  it('should complete refusal (as content) with the refusal text', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:refusal');
    expectComplete(o, 'stop', "I'm sorry, but I cannot help with that.");
    expect(ctx.server.requests.length).toBe(1);
  });

  it('should show refusal:delta (delta.refusal) as text too', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:refusal:delta');
    expectComplete(o, 'stop', "I'm sorry, but I cannot help with that.");
    expect(ctx.server.requests.length).toBe(1);
  });

  it('should complete repetition-loop with finishReason length and every repetition', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:repetition-loop:3');
    expectComplete(o, 'length', 'I will keep saying the same thing. '.repeat(3));
    expect(ctx.server.requests.length).toBe(1);
  });

  it('should fail empty-completion with ZeroOutputError after one content retry (attempts: 1, not maxRetries: 2)', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:empty-completion');
    expectFailure(o, isZeroOutputError, { code: 'ZERO_OUTPUT', category: 'content', attempt: 2 }, '');
    expect(retriesOf(o)).toEqual([['zero_output', 5]]);
    expect(o.state.modelRetryCount).toBe(1);
    expect(ctx.server.requests.length).toBe(2);
  });

  it('should assemble tool-call-fragments into one tool call and complete with tool-calls', async () => {
    const o = await runOpenAIModel(ctx.server, 'fault:tool-call-fragments');
    expectComplete(o, 'tool-calls', '');
    expect(o.state.toolCalls).toEqual([{ id: 'call_fault_1', name: 'get_weather', arguments: '{"city": "Paris", "unit": "celsius", "days": 3}' }]);
    expect(eventsOf(o.events, 'tool-call').length).toBe(1);
    expect(ctx.server.requests.length).toBe(1);
  });
});
