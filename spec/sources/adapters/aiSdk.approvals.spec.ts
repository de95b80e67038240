/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import type { LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { lastValueFrom } from 'rxjs';
import { isStepCount, jsonSchema, simulateReadableStream, streamText, tool } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { accumulate, detectZeroOutput, fromStream, type L0Event } from 'l0-rx';
import { chunksOf, collect } from '../streamHelpers.js';

// Tool calls that wait for the user's approval, through the real streamText.
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const finish = (unified: 'stop' | 'tool-calls' | 'length'): LanguageModelV4StreamPart => ({
  type: 'finish', usage: { inputTokens: { total: 3, noCache: 3, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 2, text: 2, reasoning: 0 } }, finishReason: { unified, raw: unified },
});
const model = (parts: LanguageModelV4StreamPart[]) =>
  new MockLanguageModelV4({ doStream: { stream: simulateReadableStream({ chunks: parts, initialDelayInMs: null, chunkDelayInMs: null }) } });

describe('ai-sdk adapter: tool approval requests', () => {
  it('should emit the approval request of a call the provider runs (OpenAI MCP through @ai-sdk/openai) as a tool call, not an empty answer', async () => {
    // the provider's call is not emitted (nothing for the client to run), so the request was all the answer held: ZERO_OUTPUT, retried
    const m = model([
      { type: 'stream-start', warnings: [] },
      { type: 'tool-call', toolCallId: 'mcp_1', toolName: 'mcp', input: '{"sides":6}', providerExecuted: true },
      { type: 'tool-approval-request', approvalId: 'mcpr_1', toolCallId: 'mcp_1' },
      finish('stop'),
    ]);
    const events = await collect(fromStream(({ signal }) => streamText({ model: m, prompt: 'p', abortSignal: signal, maxRetries: 0 })).pipe(detectZeroOutput()));
    const toolCall = { type: 'tool-call', toolCallId: 'mcp_1', toolName: 'mcp', input: { sides: 6 }, providerExecuted: true };
    expect(events.slice(0, 2)).toEqual([start, { type: 'tool-call', id: 'mcpr_1', name: 'tool-approval-request', arguments: expect.any(String), approvalId: 'mcpr_1' }]);
    expect(JSON.parse((events[1] as { arguments: string }).arguments)).toMatchObject(toolCall);
    expect(events.slice(2)).toMatchObject([{ type: 'complete', finishReason: 'stop' }]);
  });

  it('should emit the call of a client tool that needs approval once, carrying the approvalId of its request (the UI answers with it)', async () => {
    const m = () => model([
      { type: 'stream-start', warnings: [] },
      { type: 'tool-call', toolCallId: 'call_1', toolName: 'delete_file', input: '{"path":"a.txt"}' },
      finish('tool-calls'),
    ]);
    const tools = { delete_file: tool({ inputSchema: jsonSchema<{ path: string }>({ type: 'object', properties: { path: { type: 'string' } } }), needsApproval: true }) };
    const parts: string[] = [];
    for await (const part of streamText({ model: m(), prompt: 'p', tools, maxRetries: 0 }).stream) parts.push(part.type);
    expect(parts).toContain('tool-approval-request'); // the SDK asks, after the call
    const state = await lastValueFrom(fromStream(({ signal }) => streamText({ model: m(), prompt: 'p', tools, abortSignal: signal, maxRetries: 0 })).pipe(accumulate()));
    // the SDK makes the approval id up: a UI answers `{ type: 'tool-approval-response', approvalId, approved }` with it
    expect(state.toolCalls).toEqual([{ id: 'call_1', name: 'delete_file', arguments: '{"path":"a.txt"}', approvalId: expect.stringMatching(/^aitxt-/) }]);
    expect(state.finishReason).toBe('tool-calls');
  });

  it.each(['approved', 'denied'] as const)('should emit a call the SDK %s itself (toolApproval, an automatic request) without an approvalId: it waits for nobody', async (verdict) => {
    const m = () => new MockLanguageModelV4({ doStream: [
      { stream: simulateReadableStream({ chunks: [{ type: 'stream-start', warnings: [] }, { type: 'tool-call', toolCallId: 'call_1', toolName: 'weather', input: '{"city":"Paris"}' }, finish('tool-calls')] as LanguageModelV4StreamPart[], initialDelayInMs: null, chunkDelayInMs: null }) },
      { stream: simulateReadableStream({ chunks: [{ type: 'stream-start', warnings: [] }, { type: 'text-start', id: 't' }, { type: 'text-delta', id: 't', delta: 'Sunny' }, finish('stop')] as LanguageModelV4StreamPart[], initialDelayInMs: null, chunkDelayInMs: null }) },
    ] });
    const tools = { weather: tool({ inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } }), execute: async () => ({ sunny: true }) }) };
    const options = { prompt: 'p', tools, toolApproval: { weather: verdict }, stopWhen: isStepCount(2), maxRetries: 0 };
    const requests: unknown[] = [];
    for await (const part of streamText({ model: m(), ...options }).stream) if (part.type === 'tool-approval-request') requests.push(part.isAutomatic);
    expect(requests).toEqual([true]); // the SDK asks and answers at once
    const state = await lastValueFrom(fromStream(({ signal }) => streamText({ model: m(), ...options, abortSignal: signal })).pipe(accumulate()));
    expect(state.toolCalls).toEqual([{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }]);
    expect([state.content, state.finishReason]).toEqual(['Sunny', 'stop']);
  });

  // a compatible server that numbers its calls per step (`call_0` in every step): before, the approval of step 2's
  // call_0 was taken for a late request of step 1's call_0, already emitted, and the run failed MALFORMED_CHUNK
  it('should take the approval of a later step\'s call that reuses an earlier step\'s call id', async () => {
    const step = (toolName: string, input: string, reason: 'tool-calls' | 'stop') => ({ stream: simulateReadableStream({ chunks: [
      { type: 'stream-start', warnings: [] }, { type: 'tool-call', toolCallId: 'call_0', toolName, input }, finish(reason),
    ] as LanguageModelV4StreamPart[], initialDelayInMs: null, chunkDelayInMs: null }) });
    const m = () => new MockLanguageModelV4({ doStream: [step('weather', '{"city":"Paris"}', 'tool-calls'), step('delete_file', '{"path":"a.txt"}', 'tool-calls')] });
    const tools = {
      weather: tool({ inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } }), execute: async () => ({ sunny: true }) }),
      delete_file: tool({ inputSchema: jsonSchema<{ path: string }>({ type: 'object', properties: { path: { type: 'string' } } }), needsApproval: true }),
    };
    const state = await lastValueFrom(fromStream(({ signal }) => streamText({ model: m(), prompt: 'p', tools, stopWhen: isStepCount(3), abortSignal: signal, maxRetries: 0 })).pipe(accumulate()));
    expect(state.toolCalls).toEqual([
      { id: 'call_0', name: 'weather', arguments: '{"city":"Paris"}' },
      { id: 'call_0', name: 'delete_file', arguments: '{"path":"a.txt"}', approvalId: expect.stringMatching(/^aitxt-/) },
    ]);
    expect([state.status, state.finishReason]).toEqual(['complete', 'tool-calls']);
  });

  it('should emit a provider-level approval request (doStream parts) with the id of the call it is for', async () => {
    const events = await collect(fromStream(() => chunksOf<LanguageModelV4StreamPart>([
      { type: 'stream-start', warnings: [] },
      { type: 'tool-call', toolCallId: 'mcp_1', toolName: 'mcp', input: '{}', providerExecuted: true },
      { type: 'tool-approval-request', approvalId: 'mcpr_1', toolCallId: 'mcp_1' },
      finish('stop'),
    ])));
    expect(events.slice(0, 2)).toEqual([start, { type: 'tool-call', id: 'mcpr_1', name: 'tool-approval-request', arguments: '{"toolCallId":"mcp_1"}', approvalId: 'mcpr_1' }]);
  });
});
