/** @test {fromStream} @test {aiSdkAdapter} @test {mastraAdapter} @test {openaiChatAdapter} @test {openaiResponsesAdapter} @test {textAdapter} */
import { describe, expect, it } from 'vitest';
import type { LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { simulateReadableStream, streamText } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { aiSdkAdapter, fromStream, isInvalidStreamError, isProviderError, openaiChatAdapter, type L0Event } from 'l0-rx';
import { chunksOf, collect, collectError, readableOf } from '../streamHelpers.js';
import { fakeClient, sseText } from './openaiFake.js';

// Gaps in the stream adapters, each proven by a stream that went wrong before its fix.
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const tok = (value: string): L0Event => ({ type: 'token', value });
const malformed = async (chunks: readonly unknown[], detail: string) => {
  const { error } = await collectError(fromStream(() => chunksOf(chunks)));
  expect([isProviderError(error) && error.code, error.retryable, error.message]).toEqual(['MALFORMED_CHUNK', true, expect.stringContaining(detail)]);
};

describe('ai-sdk and mastra: a tool call replayed in its step', () => {
  const finish = (unified: 'stop' | 'tool-calls'): LanguageModelV4StreamPart => ({
    type: 'finish', usage: { inputTokens: { total: 3, noCache: 3, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 2, text: 2, reasoning: 0 } }, finishReason: { unified, raw: unified },
  });
  const call = (toolCallId: string, input = '{"city":"Paris"}'): LanguageModelV4StreamPart => ({ type: 'tool-call', toolCallId, toolName: 'weather', input });
  const run = (parts: LanguageModelV4StreamPart[]) => {
    const model = new MockLanguageModelV4({ doStream: { stream: simulateReadableStream({ chunks: [{ type: 'stream-start', warnings: [] }, ...parts], initialDelayInMs: null, chunkDelayInMs: null }) } });
    return collect(fromStream(({ signal }) => streamText({ model, prompt: 'p', abortSignal: signal, maxRetries: 0 })));
  };

  // a provider that sends a call twice (vercel/ai#3953: @ai-sdk/openai emitted a call again for an empty arguments
  // fragment after it): streamText passes both on, and the call ran twice
  it('should emit a tool-call part sent twice in one step once, through the real streamText', async () => {
    const events = await run([call('call_1'), call('call_1'), finish('tool-calls')]);
    expect(events).toEqual([start, { type: 'tool-call', id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }, expect.objectContaining({ type: 'complete', finishReason: 'tool-calls' })]);
  });

  it('should keep two calls with other ids, or one id with other arguments, as two calls', async () => {
    const events = await run([call('call_1'), call('call_2'), call('call_2', '{"city":"Rome"}'), finish('tool-calls')]);
    expect(events.filter((e) => e.type === 'tool-call').map((e) => e.type === 'tool-call' && [e.id, e.arguments])).toEqual([
      ['call_1', '{"city":"Paris"}'], ['call_2', '{"city":"Paris"}'], ['call_2', '{"city":"Rome"}'],
    ]);
  });

  it('should drop a call replayed after its approval request, keeping the approvalId (ai-sdk parts)', async () => {
    const toolCall = { type: 'tool-call', toolCallId: 'call_1', toolName: 'delete_file', input: { path: 'a.txt' } } as const;
    const events = await collect(fromStream(() => chunksOf([
      { type: 'start' }, toolCall, { type: 'tool-approval-request', approvalId: 'ap_1', toolCall }, toolCall,
      { type: 'finish', finishReason: 'tool-calls', rawFinishReason: 'tool_calls', totalUsage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } },
    ])));
    expect(events.slice(1, -1)).toEqual([{ type: 'tool-call', id: 'call_1', name: 'delete_file', arguments: '{"path":"a.txt"}', approvalId: 'ap_1' }]);
  });

  it('should take the replayed part for silence, not for the provider at work (ChunkDecoder rule 6)', () => {
    const decoder = aiSdkAdapter.create();
    const part = { type: 'tool-call', toolCallId: 'call_1', toolName: 'weather', input: { city: 'Paris' } };
    expect([decoder.push({ type: 'start' }, () => {}), decoder.push(part, () => {}), decoder.push({ ...part }, () => {})]).toEqual([false, true, false]);
  });

  it('should emit a Mastra tool-call chunk sent twice once, and a call of the same id in a later step again', async () => {
    const env = (type: string, payload: Record<string, unknown> = {}) => ({ type, runId: 'run-1', from: 'AGENT', payload });
    const toolCall = env('tool-call', { toolCallId: 'c1', toolName: 'f', args: { a: 1 } });
    const stepEnd = env('step-finish', { stepResult: { reason: 'tool-calls' } });
    const events = await collect(fromStream(() => chunksOf([env('start'), toolCall, toolCall, stepEnd, toolCall, stepEnd, env('finish', { stepResult: { reason: 'tool-calls' } })])));
    expect(events.filter((e) => e.type === 'tool-call')).toEqual([1, 2].map(() => ({ type: 'tool-call', id: 'c1', name: 'f', arguments: '{"a":1}' })));
  });
});

describe('text adapter: a body whose first chunks are server-sent-event lines without data', () => {
  it.each([
    ['OpenRouter keep-alive comments', [': OPENROUTER PROCESSING\n\n', ': OPENROUTER PROCESSING\n\n', 'data: {"id":"gen-1","choices":[]}\n\n']],
    ['an event line flushed before its data', ['event: response.created\n', 'data: {"type":"response.created","sequence_number":0}\n\n']],
  ])('should refuse %s, which streamed the raw body as the answer (only the first chunk was checked)', async (_, chunks) => {
    for (const body of [chunks, chunks.map((c) => new TextEncoder().encode(c))]) {
      const { error } = await collectError(fromStream(() => readableOf<string | Uint8Array>(body)));
      expect(isInvalidStreamError(error), String(error)).toBe(true);
      expect(error.message).toContain("began with an SDK's wire format");
    }
  });

  it('should stream an answer that begins with a blank line and later quotes server-sent events', async () => {
    const chunks = ['\n', 'Here is one:', '\ndata: {"a":1}\n'];
    expect(await collect(fromStream(() => chunksOf(chunks)))).toEqual([start, ...chunks.map(tok), { type: 'complete', finishReason: 'stop' }]);
  });
});

describe('openai-chat: tool call `arguments` sent as an object (some OpenAI-compatible gateways, rig#1829)', () => {
  const chunk = (tool: Record<string, unknown>, finish: string | null = null) => ({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { tool_calls: [tool] }, finish_reason: finish }] });

  it('should read it as its JSON text, through the real openai SDK (it was MALFORMED_CHUNK on every attempt)', async () => {
    const client = fakeClient(() => sseText([
      chunk({ index: 0, id: 'call_x', type: 'function', function: { name: 'list_dir', arguments: {} } }),
      chunk({ index: 1, id: 'call_y', type: 'function', function: { name: 'get_weather', arguments: { city: 'London', days: [1, 2] } } }, 'tool_calls'),
    ]));
    const events = await collect(fromStream(({ signal }) => client.chat.completions.create({ model: 'm', messages: [], stream: true }, { signal })));
    expect(events).toEqual([
      start,
      { type: 'tool-call', id: 'call_x', name: 'list_dir', arguments: '{}' },
      { type: 'tool-call', id: 'call_y', name: 'get_weather', arguments: '{"city":"London","days":[1,2]}' },
      { type: 'complete', finishReason: 'tool-calls' },
    ]);
  });

  it('should read a legacy `function_call` with object arguments the same way', async () => {
    const legacy = { object: 'chat.completion.chunk', choices: [{ index: 0, delta: { function_call: { name: 'f', arguments: { a: 1 } } }, finish_reason: 'function_call' }] };
    expect((await collect(fromStream(() => chunksOf([legacy]))))[1]).toEqual({ type: 'tool-call', id: 'f', name: 'f', arguments: '{"a":1}' });
  });

  it('should still fail arguments of another type, and an in-process object no JSON holds, naming them', async () => {
    await malformed([chunk({ index: 0, id: 'c', function: { name: 'f', arguments: 7 } }, 'tool_calls')], '`arguments` is not a string');
    await malformed([chunk({ index: 0, id: 'c', function: { name: 'f', arguments: { n: 1n } } }, 'tool_calls')], 'a tool input that is not JSON data');
  });
});

describe('a finish reason of the wrong type', () => {
  const usage = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };
  it.each([
    ['a number', 5],
    ['an object', { reason: 'stop' }],
    ['a provider-level one whose `unified` is a number', { unified: 1, raw: 'stop' }],
  ])('should fail an AI SDK finish part whose finishReason is %s with MALFORMED_CHUNK (it completed as `other`)', async (_, finishReason) => {
    await malformed([{ type: 'start' }, { type: 'text-delta', id: 't', text: 'Hi' }, { type: 'finish', finishReason, totalUsage: usage }], '`finishReason` is not a string');
  });

  it('should complete a finish part with none as `other`, as the SDK resolves result.finishReason', async () => {
    const events = await collect(fromStream(() => chunksOf([{ type: 'start' }, { type: 'text-delta', id: 't', text: 'Hi' }, { type: 'finish', totalUsage: usage }])));
    expect(events.at(-1)).toMatchObject({ type: 'complete', finishReason: 'other' });
  });

  it('should fail a Mastra finish whose stepResult.reason is no string, and a chat finish_reason that is none', async () => {
    const env = (type: string, payload: Record<string, unknown>) => ({ type, runId: 'run-1', from: 'AGENT', payload });
    await malformed([env('text-delta', { text: 'Hi' }), env('finish', { stepResult: { reason: 7 }, output: { usage } })], '`finishReason` is not a string');
    // ignored before, the answer ended as a cut stream (INCOMPLETE_STREAM), retried for a chunk it had
    const chat = (finish_reason: unknown) => ({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason }] });
    await malformed([chat(null), chat(1)], '`finish_reason` is not a string');
  });
});

describe('openai-chat: Mistral thinking parts without text', () => {
  it('should emit nothing for them (the decoder emitted an empty reasoning event)', () => {
    const decoder = openaiChatAdapter.create();
    const events: L0Event[] = [];
    const parts = [{ type: 'thinking', thinking: [{ type: 'text' }, { type: 'text', text: '' }, { type: 'text', text: 'hmm' }] }, { type: 'text', text: '' }, { type: 'text', text: 'Hi' }];
    decoder.push({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: parts }, finish_reason: 'stop' }] }, (e) => events.push(e));
    decoder.end((e) => events.push(e));
    expect(events).toEqual([{ type: 'reasoning', value: 'hmm' }, tok('Hi'), { type: 'complete', finishReason: 'stop' }]);
  });
});

describe('openai-responses: in-process events no JSON holds', () => {
  const created = { type: 'response.created', sequence_number: 0, response: { id: 'r', status: 'in_progress', output: [] } };
  const completed = { type: 'response.completed', sequence_number: 9, response: { id: 'r', status: 'completed', output: [] } };

  it('should take an item added with a BigInt (a BigInt-aware JSON parser) as activity, not a TypeError', async () => {
    const added = { type: 'response.output_item.added', sequence_number: 1n, output_index: 0n, item: { type: 'message', id: 'm' } };
    const text = { type: 'response.output_text.delta', sequence_number: 2, item_id: 'm', output_index: 0, content_index: 0, delta: 'Hi' };
    expect(await collect(fromStream(() => chunksOf([created, added, text, completed])))).toEqual([start, tok('Hi'), { type: 'complete', finishReason: 'stop' }]);
  });

  it('should fail a client action whose fields hold a BigInt with MALFORMED_CHUNK (its arguments: a raw TypeError)', async () => {
    const action = { type: 'response.output_item.done', sequence_number: 1, output_index: 0, item: { type: 'computer_call', id: 'cu_1', call_id: 'call_1', action: { type: 'scroll', x: 1n }, pending_safety_checks: [], status: 'completed' } };
    await malformed([created, action, completed], 'a tool input that is not JSON data');
  });
});
