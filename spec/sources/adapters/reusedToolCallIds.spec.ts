/** @test {fromStream} @test {aiSdkAdapter} @test {mastraAdapter} */
import { describe, expect, it } from 'vitest';
import type { LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { simulateReadableStream, streamText } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { fromStream } from 'l0-rx';
import { chunksOf, collect } from '../streamHelpers.js';

/*
 * Some servers give every parallel call of a step the same id (DeepSeek, Zhipu GLM, Kimi: "providers
 * may reuse IDs across parallel calls", as the AI SDK's own tool-call tracker says). The official
 * @ai-sdk/openai-compatible 1 to 3 give the second call an id of its own; a provider that passes the
 * server's ids on (a community one, a custom model) streams two parts under one id. Two parallel calls
 * of one tool with the same arguments (roll a die twice) were then taken for one replayed part and
 * emitted once: the tool ran once. Each call streams its own input first (`tool-input-start`); a
 * replayed part has none of its own.
 */

const roll = (id: string): LanguageModelV4StreamPart[] => [
  { type: 'tool-input-start', id, toolName: 'roll_die' },
  { type: 'tool-input-delta', id, delta: '{"sides":6}' },
  { type: 'tool-input-end', id },
  { type: 'tool-call', toolCallId: id, toolName: 'roll_die', input: '{"sides":6}' },
];
const finish: LanguageModelV4StreamPart = {
  type: 'finish', usage: { inputTokens: { total: 3, noCache: 3, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 2, text: 2, reasoning: 0 } }, finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
};
const calls = (events: readonly { type: string }[]) => events.filter((e) => e.type === 'tool-call');

describe('ai-sdk and mastra: parallel calls with the same id and arguments', () => {
  it('should emit both calls, each streamed with its own input, through the real streamText', async () => {
    const model = new MockLanguageModelV4({ doStream: { stream: simulateReadableStream({ chunks: [{ type: 'stream-start', warnings: [] }, ...roll('call_0'), ...roll('call_0'), finish], initialDelayInMs: null, chunkDelayInMs: null }) } });
    const events = await collect(fromStream(({ signal }) => streamText({ model, prompt: 'p', abortSignal: signal, maxRetries: 0 })));
    expect(calls(events)).toEqual([1, 2].map(() => ({ type: 'tool-call', id: 'call_0', name: 'roll_die', arguments: '{"sides":6}' })));
  });

  it('should still emit a replayed part once: no input of its own streamed before it', async () => {
    const model = new MockLanguageModelV4({ doStream: { stream: simulateReadableStream({ chunks: [{ type: 'stream-start', warnings: [] }, ...roll('call_0'), roll('call_0')[3]!, finish], initialDelayInMs: null, chunkDelayInMs: null }) } });
    const events = await collect(fromStream(({ signal }) => streamText({ model, prompt: 'p', abortSignal: signal, maxRetries: 0 })));
    expect(calls(events)).toHaveLength(1);
  });

  it('should emit both Mastra calls, each after its own input-streaming start', async () => {
    const env = (type: string, payload: Record<string, unknown> = {}) => ({ type, runId: 'run-1', from: 'AGENT', payload });
    const call = [env('tool-call-input-streaming-start', { toolCallId: 'c0', toolName: 'roll_die' }), env('tool-call', { toolCallId: 'c0', toolName: 'roll_die', args: { sides: 6 } })];
    const events = await collect(fromStream(() => chunksOf([env('start'), ...call, ...call, env('step-finish', { stepResult: { reason: 'tool-calls' } }), env('finish', { stepResult: { reason: 'tool-calls' } })])));
    expect(calls(events)).toHaveLength(2);
  });
});
