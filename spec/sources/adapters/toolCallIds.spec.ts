/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { streamText } from 'ai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { fromStream, type L0Event } from 'l0-rx';
import { chunksOf, collect, collectError } from '../streamHelpers.js';
import { fakeClient, sseText } from './openaiFake.js';

// What each adapter does with a tool call that has no id or no name (the README's adapter section).
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };

describe('tool calls without an id or a name', () => {
  // a server that sends no tool-call id (vLLM, NVIDIA NIM, GLM...)
  const noIds: ChatCompletionChunk[] = [
    { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }, finish_reason: null }] },
    { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
  ];

  it('should run an OpenAI chat call without an id, as the AI SDK does over the same body (it makes an id up)', async () => {
    const client = fakeClient(() => sseText(noIds));
    expect(await collect(fromStream(({ signal }) => client.chat.completions.create({ model: 'm', messages: [], stream: true }, { signal })))).toEqual([
      start, { type: 'tool-call', id: 'call_0', name: 'get_weather', arguments: '{"city":"Paris"}' }, { type: 'complete', finishReason: 'tool-calls' },
    ]);
    const fetch = async () => new Response(sseText(noIds), { status: 200, headers: { 'content-type': 'text/event-stream' } });
    const provider = createOpenAICompatible({ name: 'ids', baseURL: 'http://127.0.0.1', apiKey: 'x', fetch });
    const events = await collect(fromStream(({ signal }) => streamText({ model: provider.chatModel('m'), prompt: 'p', abortSignal: signal, maxRetries: 0 })));
    expect(events.filter((e) => e.type === 'tool-call')).toEqual([{ type: 'tool-call', id: expect.stringMatching(/./), name: 'get_weather', arguments: '{"city":"Paris"}' }]);
  });

  const responseWith = (item: object): ResponseStreamEvent[] => [
    { type: 'response.output_item.done', output_index: 0, item, sequence_number: 1 } as ResponseStreamEvent,
    { type: 'response.completed', response: { id: 'r', status: 'completed', output: [] }, sequence_number: 2 } as unknown as ResponseStreamEvent,
  ];

  it("should take a Responses function_call's item id when it has no call_id, and fail one with neither or no name as MALFORMED_CHUNK", async () => {
    const call = { type: 'function_call', id: 'fc_1', name: 'get_weather', arguments: '{}' };
    expect(await collect(fromStream(() => chunksOf(responseWith(call))))).toEqual([
      start, { type: 'tool-call', id: 'fc_1', name: 'get_weather', arguments: '{}' }, { type: 'complete', finishReason: 'tool-calls' },
    ]);
    const { id: _id, ...anonymous } = call;
    const { name: _name, ...nameless } = { ...call, call_id: 'call_1' };
    for (const item of [anonymous, nameless]) {
      const { events, error } = await collectError(fromStream(() => chunksOf(responseWith(item))));
      expect(events).toEqual([start]);
      expect(error).toMatchObject({ code: 'MALFORMED_CHUNK', retryable: true });
    }
  });

  it('should fail an AI SDK tool-call part without toolCallId or toolName (the SDK always sets both) as MALFORMED_CHUNK', async () => {
    for (const part of [{ type: 'tool-call', toolName: 'f', input: {} }, { type: 'tool-call', toolCallId: 'c1', input: {} }]) {
      const { error } = await collectError(fromStream(() => chunksOf([{ type: 'start' }, part])));
      expect(error).toMatchObject({ code: 'MALFORMED_CHUNK', retryable: true, message: expect.stringMatching(/tool call without `toolCallId` \/ `toolName`/) });
    }
  });
});
