/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import type { LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { lastValueFrom } from 'rxjs';
import { simulateReadableStream, streamText } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { accumulate, fromStream, isInvalidStreamError, isProviderError, type L0Event, type StreamAdapter } from 'l0-rx';
import { chunksOf, collect, collectError, readableOf } from '../streamHelpers.js';

// Calls that wait for the user: a request asked again, a request for a tool waiting inside the call
// (Mastra nested approvals), and what a suspended tool asks (`suspendPayload`).
const calls = (events: readonly L0Event[]) => events.filter((e) => e.type === 'tool-call');
const finish: LanguageModelV4StreamPart = {
  type: 'finish', usage: { inputTokens: { total: 3, noCache: 3, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 2, text: 2, reasoning: 0 } }, finishReason: { unified: 'stop', raw: 'stop' },
};
/** A Mastra chunk envelope of run `run-7`. */
const env = (type: string, payload: Record<string, unknown> = {}) => ({ type, runId: 'run-7', from: 'AGENT', payload });

describe('an approval request asked again for one call', () => {
  it('should emit the call once when streamText passes the same request twice (a replayed provider part)', async () => {
    const approval: LanguageModelV4StreamPart = { type: 'tool-approval-request', approvalId: 'mcpr_1', toolCallId: 'mcp_1' };
    const model = new MockLanguageModelV4({ doStream: { stream: simulateReadableStream({ chunks: [
      { type: 'stream-start', warnings: [] },
      { type: 'tool-call', toolCallId: 'mcp_1', toolName: 'mcp', input: '{}', providerExecuted: true },
      approval, approval, finish,
    ] as LanguageModelV4StreamPart[], initialDelayInMs: null, chunkDelayInMs: null }) } });
    const events = await collect(fromStream(({ signal }) => streamText({ model, prompt: 'p', abortSignal: signal, maxRetries: 0 })));
    // before: the same request was a second call, which a UI showed (and answered) twice
    expect(calls(events)).toEqual([{ type: 'tool-call', id: 'mcpr_1', name: 'tool-approval-request', arguments: expect.any(String), approvalId: 'mcpr_1' }]);
  });

  it('should emit a Mastra call once when its tool-call-approval chunk comes twice', async () => {
    const args = { path: 'a.txt' };
    const events = await collect(fromStream(() => readableOf([
      env('tool-call', { toolCallId: 'c1', toolName: 'delete_file', args }),
      env('tool-call-approval', { toolCallId: 'c1', toolName: 'delete_file', args }),
      env('tool-call-approval', { toolCallId: 'c1', toolName: 'delete_file', args }),
    ])));
    expect(calls(events)).toEqual([{ type: 'tool-call', id: 'c1', name: 'delete_file', arguments: '{"path":"a.txt"}', approvalId: 'run-7' }]);
  });

  it('should fail with MALFORMED_CHUNK, naming both ids, when a call is asked for approval under a second approvalId', async () => {
    const toolCall = { type: 'tool-call', toolCallId: 'c1', toolName: 'delete_file', input: {} };
    const { events, error } = await collectError(fromStream(() => chunksOf([
      { type: 'start' }, toolCall,
      { type: 'tool-approval-request', approvalId: 'a1', toolCall },
      { type: 'tool-approval-request', approvalId: 'a2', toolCall },
      { type: 'finish', finishReason: 'tool-calls', totalUsage: {} },
    ])));
    expect(calls(events)).toEqual([]);
    expect(isProviderError(error) && [error.code, error.retryable]).toEqual(['MALFORMED_CHUNK', true]);
    expect(error.message).toMatch(/tool call c1 asked for approval as "a1", then as "a2"/);
  });
});

describe('an approval request that comes after its call was emitted (its step had ended)', () => {
  // before: the request was held as a call of its own, and the call came out twice (once without, once with its approvalId)
  it('should emit the call once, then fail with MALFORMED_CHUNK naming it (AI SDK parts)', async () => {
    const toolCall = { type: 'tool-call', toolCallId: 'c1', toolName: 'delete_file', input: { path: 'a.txt' } };
    const { events, error } = await collectError(fromStream(() => chunksOf([
      { type: 'start' }, toolCall,
      { type: 'finish-step', finishReason: 'tool-calls', usage: {} },
      { type: 'tool-approval-request', approvalId: 'a1', toolCall },
      { type: 'finish', finishReason: 'tool-calls', totalUsage: {} },
    ])));
    expect(calls(events)).toEqual([{ type: 'tool-call', id: 'c1', name: 'delete_file', arguments: '{"path":"a.txt"}' }]);
    expect(isProviderError(error) && [error.code, error.retryable]).toEqual(['MALFORMED_CHUNK', true]);
    expect(error.message).toMatch(/tool call c1 asked for approval \(a1\) after it was emitted/);
  });

  it('should do the same for a Mastra tool-call-approval after its step-finish', async () => {
    const args = { path: 'a.txt' };
    const { events, error } = await collectError(fromStream(() => readableOf([
      env('tool-call', { toolCallId: 'c1', toolName: 'delete_file', args }),
      env('step-finish', { stepResult: { reason: 'tool-calls' } }),
      env('tool-call-approval', { toolCallId: 'c1', toolName: 'delete_file', args }),
    ])));
    expect(calls(events)).toEqual([{ type: 'tool-call', id: 'c1', name: 'delete_file', arguments: '{"path":"a.txt"}' }]);
    expect(isProviderError(error) && error.code).toBe('MALFORMED_CHUNK');
  });

  it('should still take a request that comes before its step ended (the usual order)', async () => {
    const toolCall = { type: 'tool-call', toolCallId: 'c1', toolName: 'delete_file', input: {} };
    const events = await collect(fromStream(() => chunksOf([
      { type: 'start' }, toolCall, { type: 'tool-approval-request', approvalId: 'a1', toolCall },
      { type: 'finish-step', finishReason: 'tool-calls', usage: {} },
      { type: 'tool-approval-request', approvalId: 'a1', toolCall },
      { type: 'finish', finishReason: 'tool-calls', totalUsage: {} },
    ])));
    expect(calls(events)).toEqual([{ type: 'tool-call', id: 'c1', name: 'delete_file', arguments: '{}', approvalId: 'a1' }]);
  });
});

describe('mastra adapter: what a waiting call asks the user', () => {
  it('should keep the outer call of a nested approval (a tool waiting inside an agent-as-tool) and carry the inner call', async () => {
    // Mastra's raiseToolSuspension (dist/agent-*.js): the outer call's `toolCallId`, the inner tool's name and args
    const events = await collect(fromStream(() => readableOf([
      env('tool-call', { toolCallId: 'c1', toolName: 'agent-helper', args: { prompt: 'Tidy up' } }),
      env('tool-call-approval', { toolCallId: 'c1', toolName: 'delete_file', args: { path: 'a.txt' }, resumeSchema: '{}' }),
    ])));
    // before: the call was named delete_file with its arguments, under the outer call's id
    expect(events.slice(1)).toEqual([
      { type: 'tool-call', id: 'c1', name: 'agent-helper', arguments: '{"prompt":"Tidy up"}', approvalId: 'run-7', suspendPayload: { toolName: 'delete_file', arguments: '{"path":"a.txt"}' } },
      { type: 'complete', finishReason: 'tool-calls' },
    ]);
  });

  // resumeStream restarts the run at its tool step: the outer call's chunk was in the first stream. The request
  // alone cannot tell a tool waiting inside the call from the call itself, so it is taken as the call
  it('should take a request with no call before it (a resumed stream) as the call it names, waiting for the run', async () => {
    const events = await collect(fromStream(() => readableOf([
      env('tool-call-approval', { toolCallId: 'c1', toolName: 'delete_file', args: { path: 'a.txt' }, resumeSchema: '{}' }),
    ])));
    expect(events.slice(1)).toEqual([
      { type: 'tool-call', id: 'c1', name: 'delete_file', arguments: '{"path":"a.txt"}', approvalId: 'run-7' },
      { type: 'complete', finishReason: 'tool-calls' },
    ]);
  });

  it('should carry a suspended tool\'s suspendPayload, kept by accumulate', async () => {
    const state = await lastValueFrom(fromStream(() => readableOf([
      env('tool-call', { toolCallId: 'c1', toolName: 'get_weather', args: { city: 'Paris' } }),
      env('tool-call-suspended', { toolCallId: 'c1', toolName: 'get_weather', args: { city: 'Paris' }, suspendPayload: { ask: 'which day?' } }),
    ])).pipe(accumulate()));
    expect(state.toolCalls).toEqual([{ id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}', approvalId: 'run-7', suspendPayload: { ask: 'which day?' } }]);
  });
});

describe('suspendPayload from a custom adapter', () => {
  const adapter = (suspendPayload: unknown): StreamAdapter => ({
    name: 'custom',
    detect: () => true,
    create: () => ({
      push: (_chunk, emit) => emit({ type: 'tool-call', id: 'c1', name: 'f', arguments: '{}', approvalId: 'r', suspendPayload }),
      end: () => {},
    }),
  });

  it('should keep JSON data', async () => {
    const events = await collect(fromStream(() => chunksOf([1]), { adapters: [adapter(['which day?', 2, true, null])] }));
    expect(calls(events)).toMatchObject([{ suspendPayload: ['which day?', 2, true, null] }]);
  });

  it.each([() => 1, Symbol('s'), 1n])('should fail a suspendPayload that is no JSON data (%s) with InvalidStreamError', async (payload) => {
    const { error } = await collectError(fromStream(() => chunksOf([1]), { adapters: [adapter(payload)] }));
    expect(isInvalidStreamError(error) && error.message).toMatch(/`suspendPayload` JSON data/);
  });
});
