/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { fromStream, type L0Event } from 'l0-rx';
import { collect } from '../streamHelpers.js';
import { fakeClient, sseText } from './openaiFake.js';

type ToolDelta = NonNullable<ChatCompletionChunk.Choice.Delta['tool_calls']>[number];

// Compatible servers that fill absent tool-call fields with "" (as the real SDK hands them over):
// DashScope / Qwen repeat `id: ""` on every continuation fragment, vLLM sends `name: ""` before the
// real name, Volcengine Ark `name: ""` after it.
const chunk = (tool_calls: ToolDelta[] | undefined, finish_reason: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk => ({
  id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'qwen-test',
  choices: [{ index: 0, delta: tool_calls ? { tool_calls } : {}, finish_reason }],
});
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const viaSdk = (chunks: readonly ChatCompletionChunk[]) => {
  const client = fakeClient(() => sseText(chunks));
  return collect(fromStream(({ signal }) => client.chat.completions.create({ model: 'm', messages: [], stream: true }, { signal })));
};

describe('openai-chat adapter: tool-call fragments with empty fields', () => {
  it('should keep continuation fragments with id "" in the call they continue (DashScope / Qwen)', async () => {
    const events = await viaSdk([
      chunk([{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }]),
      chunk([{ index: 0, id: '', type: 'function', function: { arguments: '{"city":' } }]),
      chunk([{ index: 0, id: '', type: 'function', function: { name: '', arguments: '"Paris"}' } }]),
      chunk([{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '' } }]),
      chunk([{ index: 1, id: '', type: 'function', function: { arguments: '{}' } }]),
      chunk(undefined, 'tool_calls'),
    ]);
    expect(events).toEqual([
      start,
      { type: 'tool-call', id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'tool-call', id: 'call_b', name: 'get_time', arguments: '{}' },
      { type: 'complete', finishReason: 'tool-calls' },
    ]);
  });

  it('should take the real name that follows a name "" (vLLM), never name a call ""', async () => {
    const events = await viaSdk([
      chunk([{ index: 0, id: '', type: 'function', function: { name: '', arguments: '' } }]),
      chunk([{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":' } }]),
      chunk([{ index: 0, function: { arguments: '"Paris"}' } }]),
      chunk(undefined, 'tool_calls'),
    ]);
    expect(events).toEqual([
      start,
      { type: 'tool-call', id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'complete', finishReason: 'tool-calls' },
    ]);
  });

  it('should take the name of a deprecated function_call that a name "" came before', async () => {
    const legacy = (function_call: { name?: string; arguments?: string }, finish_reason: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk => ({
      id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { function_call }, finish_reason }],
    });
    const events = await viaSdk([legacy({ name: '', arguments: '' }), legacy({ name: 'lookup', arguments: '{"q":' }), legacy({ name: '', arguments: '1}' }), legacy({}, 'function_call')]);
    expect(events).toEqual([start, { type: 'tool-call', id: 'lookup', name: 'lookup', arguments: '{"q":1}' }, { type: 'complete', finishReason: 'tool-calls' }]);
  });
});

// Servers that send no tool-call id at all (vLLM, NVIDIA NIM, GLM, StepFun: "Expected 'id' to be a
// string" in older AI SDKs): a retry gets the same stream, so failing would make tools unusable there.
describe('openai-chat adapter: tool calls without an id', () => {
  it('should give each call without an id the stand-in id call_<n>, n its position', async () => {
    const events = await viaSdk([
      chunk([{ index: 0, type: 'function', function: { name: 'get_weather', arguments: '{"city":' } }]),
      chunk([{ index: 0, function: { arguments: '"Paris"}' } }]),
      chunk([{ index: 1, type: 'function', function: { name: 'get_time', arguments: '{}' } }]),
      chunk(undefined, 'tool_calls'),
    ]);
    expect(events).toEqual([
      start,
      { type: 'tool-call', id: 'call_0', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'tool-call', id: 'call_1', name: 'get_time', arguments: '{}' },
      { type: 'complete', finishReason: 'tool-calls' },
    ]);
  });

  it('should keep whole calls sent with neither index nor id apart: a named fragment starts a call, as the AI SDK reads it', async () => {
    const events = await viaSdk([
      chunk([{ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }, { type: 'function', function: { name: 'get_time', arguments: '{}' } }] as ToolDelta[]),
      chunk([{ type: 'function', function: { name: 'get_news', arguments: '{"q":' } }] as ToolDelta[]),
      chunk([{ function: { arguments: '1}' } }] as ToolDelta[]),
      chunk(undefined, 'tool_calls'),
    ]);
    expect(events).toEqual([
      start,
      { type: 'tool-call', id: 'call_0', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'tool-call', id: 'call_1', name: 'get_time', arguments: '{}' },
      { type: 'tool-call', id: 'call_2', name: 'get_news', arguments: '{"q":1}' },
      { type: 'complete', finishReason: 'tool-calls' },
    ]);
  });
});
