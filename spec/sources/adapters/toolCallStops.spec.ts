/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import type { LanguageModelV4StreamPart } from '@ai-sdk/provider';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { isStepCount, jsonSchema, simulateReadableStream, streamText, tool } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { fromStream, isProviderError, type L0Event } from 'l0-rx';
import { chunksOf, collect, collectError, readableOf } from '../streamHelpers.js';
import { fakeClient, sseText } from './openaiFake.js';

// Where a model's answer stops on a tool call: the token limit cut it (`truncated`), or it waits for
// the user (`approvalId`). spec/integration/toolCallStops.sdks.spec.ts runs the SDKs on the fault server.
const calls = (events: readonly L0Event[]) => events.filter((e) => e.type === 'tool-call');

describe('openai-chat adapter: finish reason length', () => {
  const chunk = (delta: ChatCompletionChunk.Choice.Delta, finish_reason: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk => ({
    id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason }],
  });
  const fn = (index: number, id: string | undefined, args: string) => ({ tool_calls: [{ index, ...(id ? { id, type: 'function' as const } : {}), function: { ...(id ? { name: `f${index}` } : {}), arguments: args } }] });

  it('should mark only the last call, the one the limit cut', async () => {
    const client = fakeClient(() => sseText([chunk(fn(0, 'a', '{"x":1}')), chunk(fn(1, 'b', '{"y":')), chunk(fn(1, undefined, '"lo')), chunk({}, 'length')]));
    const events = await collect(fromStream(({ signal }) => client.chat.completions.create({ model: 'm', messages: [], stream: true }, { signal })));
    expect(calls(events)).toEqual([
      { type: 'tool-call', id: 'a', name: 'f0', arguments: '{"x":1}' },
      { type: 'tool-call', id: 'b', name: 'f1', arguments: '{"y":"lo', truncated: true },
    ]);
    expect(events.at(-1)).toEqual({ type: 'complete', finishReason: 'length' });
  });
});

describe('openai-responses adapter: an incomplete function_call item', () => {
  const response = (status: Response['status'], reason?: 'max_output_tokens'): Response => ({
    id: 'resp_1', access_programs: null, output_text: '', created_at: 1, error: null, incomplete_details: reason ? { reason } : null,
    instructions: null, metadata: null, model: 'gpt-test', object: 'response', output: [], parallel_tool_calls: true,
    temperature: null, tool_choice: 'auto', tools: [], top_p: null, status,
  });
  const item = (id: string, args: string, status: 'completed' | 'incomplete'): ResponseStreamEvent => ({
    type: 'response.output_item.done', output_index: 0, sequence_number: 2,
    item: { type: 'function_call', call_id: id, name: 'get_weather', arguments: args, id: `fc_${id}`, status },
  });

  it('should mark the call whose item the token limit closed incomplete', async () => {
    const events = await collect(fromStream(() => chunksOf<ResponseStreamEvent>([
      { type: 'response.created', response: response('in_progress'), sequence_number: 1 },
      item('call_1', '{"city":"Paris"}', 'completed'),
      item('call_2', '{"city":"Lo', 'incomplete'),
      { type: 'response.incomplete', response: response('incomplete', 'max_output_tokens'), sequence_number: 3 },
    ])));
    expect(calls(events)).toEqual([
      { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'tool-call', id: 'call_2', name: 'get_weather', arguments: '{"city":"Lo', truncated: true },
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'complete', finishReason: 'length' });
  });
});

describe('ai-sdk adapters: finish reason length and approval requests', () => {
  const finish = (unified: 'length' | 'tool-calls' | 'stop'): LanguageModelV4StreamPart => ({
    type: 'finish', usage: { inputTokens: { total: 3, noCache: 3, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 2, text: 2, reasoning: 0 } }, finishReason: { unified, raw: unified },
  });

  it('should mark the last call of a provider stream (doStream parts) that finished with length', async () => {
    const events = await collect(fromStream(() => readableOf<LanguageModelV4StreamPart>([
      { type: 'stream-start', warnings: [] },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'f', input: '{"a":1}' },
      { type: 'tool-call', toolCallId: 'c2', toolName: 'f', input: '{"a":' },
      finish('length'),
    ])));
    expect(calls(events)).toEqual([
      { type: 'tool-call', id: 'c1', name: 'f', arguments: '{"a":1}' },
      { type: 'tool-call', id: 'c2', name: 'f', arguments: '{"a":', truncated: true },
    ]);
  });

  it('should not mark a whole call of a step that finished with stop when the next step is cut by the limit (streamText), and emit it before that step\'s text', async () => {
    // a compatible server that finishes a step with calls as `stop` (the SDK runs them all the same)
    const stream = (chunks: LanguageModelV4StreamPart[]) => ({ stream: simulateReadableStream({ chunks, initialDelayInMs: null, chunkDelayInMs: null }) });
    const model = new MockLanguageModelV4({ doStream: [
      stream([{ type: 'stream-start', warnings: [] }, { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: '{"city":"Paris"}' }, finish('stop')]),
      stream([{ type: 'stream-start', warnings: [] }, { type: 'text-start', id: 't' }, { type: 'text-delta', id: 't', delta: 'Sunny and' }, finish('length')]),
    ] });
    const tools = { weather: tool({ inputSchema: jsonSchema<{ city: string }>({ type: 'object' }), execute: async () => ({ sunny: true }) }) };
    const events = await collect(fromStream(({ signal }) => streamText({ model, prompt: 'p', tools, stopWhen: isStepCount(2), abortSignal: signal, maxRetries: 0 })));
    expect(events.slice(1).map((e) => e.type)).toEqual(['tool-call', 'token', 'complete']);
    expect(calls(events)).toEqual([{ type: 'tool-call', id: 'c1', name: 'weather', arguments: '{"city":"Paris"}' }]);
    expect(events.at(-1)).toMatchObject({ type: 'complete', finishReason: 'length' });
  });

  it('should mark no call held past a step of another reason when the length step made none', async () => {
    const events = await collect(fromStream(() => chunksOf([
      { type: 'start' },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'f', input: { a: 1 } },
      { type: 'finish-step', finishReason: 'other' },
      { type: 'text-delta', id: 't', text: 'cut' },
      { type: 'finish-step', finishReason: 'length' },
      { type: 'finish', finishReason: 'length', totalUsage: {} },
    ])));
    expect(calls(events)).toEqual([{ type: 'tool-call', id: 'c1', name: 'f', arguments: '{"a":1}' }]);
    expect(events.at(-1)).toMatchObject({ type: 'complete', finishReason: 'length' });
  });

  it('should keep two calls that share an id apart (only an approval request replaces its call)', async () => {
    const events = await collect(fromStream(() => readableOf<LanguageModelV4StreamPart>([
      { type: 'stream-start', warnings: [] },
      { type: 'tool-call', toolCallId: 'call_0', toolName: 'f', input: '{"a":1}' },
      { type: 'tool-call', toolCallId: 'call_0', toolName: 'g', input: '{"b":2}' },
      finish('tool-calls'),
    ])));
    expect(calls(events).map((c) => c.type === 'tool-call' && c.name)).toEqual(['f', 'g']);
  });

  it('should fail a client tool\'s approval request without an approvalId with MALFORMED_CHUNK, never emit its call twice', async () => {
    const toolCall = { type: 'tool-call', toolCallId: 'c1', toolName: 'f', input: {} };
    const { events, error } = await collectError(fromStream(() => chunksOf([
      { type: 'start' }, toolCall, { type: 'tool-approval-request', toolCall }, { type: 'finish', finishReason: 'tool-calls', totalUsage: {} },
    ])));
    expect(calls(events)).toEqual([]);
    expect(isProviderError(error) && error.code).toBe('MALFORMED_CHUNK');
  });
});

describe('mastra adapter: calls that wait for the user, and the token limit', () => {
  const env = (type: string, payload: Record<string, unknown> = {}) => ({ type, runId: 'run-7', from: 'AGENT', payload });
  const args = { city: 'Paris', __mastraMetadata: { isStreaming: true } };

  it.each(['tool-call-approval', 'tool-call-suspended'])('should complete a run stopped by %s with tool-calls, its call carrying the run id', async (type) => {
    const events = await collect(fromStream(() => readableOf([
      env('start'),
      env('tool-call', { toolCallId: 'c1', toolName: 'get_weather', args }),
      env(type, { toolCallId: 'c1', toolName: 'get_weather', args, resumeSchema: '{}', ...(type === 'tool-call-suspended' ? { suspendPayload: {} } : {}) }),
    ])));
    expect(events.slice(1)).toEqual([
      { type: 'tool-call', id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}', approvalId: 'run-7', ...(type === 'tool-call-suspended' ? { suspendPayload: {} } : {}) },
      { type: 'complete', finishReason: 'tool-calls' },
    ]);
  });

  // the provider's own reasons that @mastra/core's bundled providers map to `length` / `content-filter`:
  // OpenAI's and Anthropic's token limit (`max_tokens`), Anthropic (`model_context_window_exceeded`, `refusal`), Mistral (`model_length`), Gemini (`MAX_TOKENS`, its safety verdicts)
  it.each([
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['model_length', 'length'],
    ['MAX_TOKENS', 'length'],
    ['refusal', 'content-filter'],
    ...['SAFETY', 'IMAGE_SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII'].map((raw) => [raw, 'content-filter']),
  ])('should finish a step Mastra says is tool-calls, its provider reason %s, with %s and mark its call', async (rawReason, finishReason) => {
    const step = { stepResult: { reason: 'tool-calls', rawReason }, output: { usage: {} }, metadata: {} };
    const events = await collect(fromStream(() => readableOf([
      env('tool-call', { toolCallId: 'c1', toolName: 'get_weather', args: {} }),
      env('step-finish', step),
      env('finish', { ...step, messages: {} }),
    ])));
    // before (all but max_tokens and MAX_TOKENS): tool-calls, the cut call `{}` unmarked: it would run
    expect(events.slice(1)).toEqual([
      { type: 'tool-call', id: 'c1', name: 'get_weather', arguments: '{}', truncated: true },
      { type: 'complete', finishReason },
    ]);
  });

  it.each(['stop', 'tool_use', 'STOP', 'end_turn'])('should leave a tool-calls step whose provider reason is %s as it is', async (rawReason) => {
    const step = { stepResult: { reason: 'tool-calls', rawReason }, output: { usage: {} }, metadata: {} };
    const events = await collect(fromStream(() => readableOf([
      env('tool-call', { toolCallId: 'c1', toolName: 'get_weather', args: { city: 'Paris' } }),
      env('step-finish', step),
      env('finish', { ...step, messages: {} }),
    ])));
    expect(events.slice(1)).toEqual([
      { type: 'tool-call', id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'complete', finishReason: 'tool-calls' },
    ]);
  });

  it.each([
    ['tripwire', 'content-filter'],
    ['retry', 'other'],
  ])('should keep Mastra\'s own %s verdict on a step the provider ended on the token limit (%s)', async (reason, finishReason) => {
    // Mastra's step reason is `retry`, `tripwire` or `error` before the model's, which stays in `rawReason`
    const step = { stepResult: { reason, rawReason: 'length' }, output: { usage: {} }, metadata: {} };
    const events = await collect(fromStream(() => readableOf([
      env('text-delta', { text: 'Cut sho' }),
      env('step-finish', step),
      env('finish', { ...step, messages: {} }),
    ])));
    expect(events.slice(1)).toEqual([{ type: 'token', value: 'Cut sho' }, { type: 'complete', finishReason }]);
  });

  it('should leave a call unmarked when a tripwire ends the run after it (content-filter, but no filter cut the call)', async () => {
    // a processor that blocks the tool's result: Mastra ran the call whole (spec/integration/toolCallStops.sdks.spec.ts)
    const events = await collect(fromStream(() => readableOf([
      env('tool-call', { toolCallId: 'c1', toolName: 'get_weather', args: { city: 'Paris' } }),
      env('tripwire', { reason: 'blocked', processorId: 'p' }),
    ])));
    // before: marked truncated, as a content filter's cut
    expect(events.slice(1)).toEqual([
      { type: 'tool-call', id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'complete', finishReason: 'content-filter' },
    ]);
  });

  it('should fail a step Mastra says errored even when the provider\'s own reason was the token limit', async () => {
    const step = { stepResult: { reason: 'error', rawReason: 'max_tokens' }, output: { usage: {} }, metadata: {} };
    const { events, error } = await collectError(fromStream(() => readableOf([
      env('tool-call', { toolCallId: 'c1', toolName: 'get_weather', args: {} }),
      env('step-finish', step),
      env('finish', { ...step, messages: {} }),
    ])));
    // a failed step's call is never run: the attempt fails as a retryable server error, its held call unsent
    expect(calls(events)).toEqual([]);
    expect(isProviderError(error) && [error.code, error.retryable]).toEqual(['SERVER_ERROR', true]);
  });
});
