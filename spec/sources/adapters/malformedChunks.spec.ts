/** @test {fromStream} @test {openaiChatAdapter} @test {openaiResponsesAdapter} @test {aiSdkAdapter} */
import { describe, expect, it } from 'vitest';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses';
import type { TextStreamPart, ToolSet } from 'ai';
import { fromStream, isProviderError, type L0Event } from 'l0-rx';
import { chunksOf, collect, collectError } from '../streamHelpers.js';
import { fakeClient, sseText } from './openaiFake.js';

/*
 * Chunks of a known format with a field of the wrong type: each was read as if the field were absent,
 * which lost the chunk's text or a piece of a call's arguments while the answer completed whole-looking.
 * Each now fails the attempt with a retryable MALFORMED_CHUNK naming the field.
 */

const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const tok = (value: string): L0Event => ({ type: 'token', value });
const chat = (delta: ChatCompletionChunk.Choice.Delta, finish: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk => ({
  id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-test', choices: [{ index: 0, delta, finish_reason: finish }],
});
/** `chunk` with the value at `path` replaced: a compatible server's chunk of the wrong shape. */
const withField = <T>(chunk: T, path: readonly (string | number)[], value: unknown): T => {
  const copy = structuredClone(chunk) as Record<string | number, unknown>;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path.at(-1)!] = value;
  return copy as T;
};
const malformed = async (chunks: readonly unknown[], detail: string) => {
  const { events, error } = await collectError(fromStream(() => chunksOf(chunks)));
  expect([isProviderError(error) && error.code, error.retryable, error.message]).toEqual(['MALFORMED_CHUNK', true, expect.stringContaining(detail)]);
  return events;
};

describe('openai-chat: a field of the wrong type', () => {
  const call = chat({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":' } }] });
  const more = chat({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] });

  it.each([
    ['"0"', '0'],
    ['-1', -1],
    ['1.5', 1.5],
  ])('should fail a choice at index %s (taken for another choice, its text was lost and the answer completed without it)', async (_, index) => {
    const events = await malformed([chat({ content: 'Hel' }), withField(chat({ content: 'lo' }), ['choices', 0, 'index'], index), chat({}, 'stop')], '`index` is not an integer >= 0');
    expect(events).toEqual([start, tok('Hel')]);
  });

  it.each([
    ['`function` a string', ['function'], '{"city":"Paris"}', '`function` is not an object'],
    ['`arguments` a number', ['function', 'arguments'], 7, '`arguments` is not a string'],
    ['`arguments` an array', ['function', 'arguments'], ['"Paris"}'], '`arguments` is not a string'],
    ['`index` a string', ['index'], '0', '`index` is not an integer >= 0'],
    ['`id` a number', ['id'], 12, '`id` is not a string'],
  ] as const)('should fail a tool call fragment with %s (dropped or read without it, the call completed with cut arguments or was spliced)', async (_, path, value, detail) => {
    await malformed([call, withField(more, ['choices', 0, 'delta', 'tool_calls', 0, ...path], value), chat({}, 'tool_calls')], detail);
  });

  it.each([
    ['`refusal` a number', chat({ refusal: ' help.' }), ['refusal'], 7, '`refusal` is not a string'],
    ['`audio.transcript` an object', chat({ audio: { id: 'a', data: '', expires_at: 1, transcript: ' help.' } }), ['audio', 'transcript'], { text: ' help.' }, '`transcript` is not a string'],
  ] as const)('should fail a delta with %s (dropped, the answer lost that text and completed whole-looking)', async (_, chunk, path, value, detail) => {
    const events = await malformed([chat({ refusal: "I can't" }), withField(chunk, ['choices', 0, 'delta', ...path], value), chat({}, 'stop')], detail);
    expect(events).toEqual([start, tok("I can't")]);
  });

  it('should read the nulls real servers send as absent: vLLM\'s `id`, `type` and `name` null on later fragments, Gemini\'s calls without `index`', async () => {
    const vllm: unknown[] = [
      { object: 'chat.completion.chunk', choices: [{ index: 0, delta: { tool_calls: [{ id: 'chatcmpl-tool-1', type: 'function', index: 0, function: { name: 'record', arguments: null } }] }, finish_reason: null }] },
      { object: 'chat.completion.chunk', choices: [{ index: 0, delta: { tool_calls: [{ id: null, type: null, index: 0, function: { name: null, arguments: '{"amount": 300}' } }] }, logprobs: null, finish_reason: 'tool_calls', stop_reason: 154829, token_ids: null }] },
    ];
    const gemini: unknown[] = [
      { object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [{ id: 'f1', type: 'function', function: { name: 'record', arguments: '{"amount":300}' } }] }, finish_reason: 'tool_calls' }] },
    ];
    for (const [chunks, id] of [[vllm, 'chatcmpl-tool-1'], [gemini, 'f1']] as const) {
      expect(await collect(fromStream(() => chunksOf(chunks)))).toEqual([
        start, { type: 'tool-call', id, name: 'record', arguments: expect.stringMatching(/^\{"amount": ?300\}$/) }, { type: 'complete', finishReason: 'tool-calls' },
      ]);
    }
  });

  it("should read Envoy AI Gateway's Bedrock reasoning objects, never failing a healthy answer over reasoning", async () => {
    // Envoy AI Gateway streams Bedrock's reasoning as `reasoning_content: {text, signature, redacted_content}`
    // (its AWS Bedrock guide): refused as MALFORMED_CHUNK, every attempt of such an answer failed the same way
    const bedrock = (reasoning: object) => ({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', reasoning_content: reasoning } }] });
    const events = await collect(fromStream(() => chunksOf([
      bedrock({ text: 'I need to calculate', signature: null, redacted_content: null }),
      bedrock({ text: ' 27 * 453.' }),
      bedrock({ signature: 'abc123' }),
      bedrock({ redacted_content: 'ZW5jcnlwdGVk' }),
      chat({ reasoning: ['a shape no format documents'] } as never),
      chat({ content: '12231' }),
      chat({}, 'stop'),
    ])));
    expect(events).toEqual([
      start, { type: 'reasoning', value: 'I need to calculate' }, { type: 'reasoning', value: ' 27 * 453.' }, tok('12231'), { type: 'complete', finishReason: 'stop' },
    ]);
  });

  it('should skip a typed chunk without choices (a proxy\'s keep-alive ping, or another format\'s event), as the other formats skip unknown events', async () => {
    const part: TextStreamPart<ToolSet> = { type: 'text-delta', id: 't', text: 'lo' };
    expect(await collect(fromStream(() => chunksOf([chat({ content: 'Hel' }), { type: 'ping' }, part, chat({ content: 'lo' }, 'stop')])))).toEqual([
      start, tok('Hel'), tok('lo'), { type: 'complete', finishReason: 'stop' },
    ]);
  });

  it('should fail such a chunk read by the real openai SDK from a compatible server\'s SSE body', async () => {
    const client = fakeClient(() => sseText([chat({ content: 'Hel' }), withField(chat({ content: 'lo' }), ['choices', 0, 'index'], '0'), chat({}, 'stop')]));
    const { events, error } = await collectError(fromStream(({ signal }) => client.chat.completions.create({ model: 'm', messages: [], stream: true }, { signal })));
    expect([events, isProviderError(error) && error.code]).toEqual([[start, tok('Hel')], 'MALFORMED_CHUNK']);
  });
});

describe('openai-responses: an output item of the wrong shape', () => {
  const response = (over: Partial<Response>): Response => ({
    id: 'resp_1', access_programs: null, output_text: '', created_at: 1, error: null, incomplete_details: null, instructions: null,
    metadata: null, model: 'gpt-test', object: 'response', output: [], parallel_tool_calls: true, temperature: null,
    tool_choice: 'auto', tools: [], top_p: null, status: 'in_progress', ...over,
  });
  const item = { type: 'function_call' as const, id: 'fc_1', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' as const };
  const done: ResponseStreamEvent = { type: 'response.output_item.done', output_index: 1, item, sequence_number: 2 };
  const events = (middle: ResponseStreamEvent): ResponseStreamEvent[] => [
    { type: 'response.created', response: response({}), sequence_number: 0 },
    { type: 'response.output_text.delta', delta: 'Hi', item_id: 'msg_1', output_index: 0, content_index: 0, logprobs: [], sequence_number: 1 },
    middle,
    { type: 'response.completed', response: response({ status: 'completed' }), sequence_number: 3 },
  ];

  it.each([
    ['no `item`', ['item'], null],
    ['an `item` that is a string', ['item'], 'function_call'],
    ['an item of no type', ['item', 'type'], null],
  ] as const)('should fail an item done with %s (it was skipped: the call was lost and the answer completed with `stop`)', async (_, path, value) => {
    expect(await malformed(events(withField(done, path, value)), 'an item with no `type`')).toEqual([start, tok('Hi')]);
  });

  it('should emit a call whose item done comes again (a replayed event) once, never twice (its tool would run twice)', async () => {
    const replayed = events(done);
    replayed.splice(3, 0, { ...done, sequence_number: 3 });
    const { id, name, arguments: args } = { ...item, id: item.call_id };
    expect(await collect(fromStream(() => chunksOf(replayed)))).toEqual([
      start, tok('Hi'), { type: 'tool-call', id, name, arguments: args }, { type: 'complete', finishReason: 'tool-calls' },
    ]);
  });

  it('should fail another call under a held call id, which no answer could tell from it', async () => {
    const second = events(done);
    second.splice(3, 0, withField(withField(done, ['item', 'arguments'], '{"city":"Rome"}'), ['item', 'id'], 'fc_2'));
    await malformed(second, 'a second call under the call id call_a');
  });

  it('should fail a function call whose `call_id` is not a string (its item id would answer another call)', async () => {
    await malformed(events(withField(done, ['item', 'call_id'], 42)), 'without a call id');
  });
});

describe('ai-sdk: a tool input no JSON holds (a custom model\'s parts)', () => {
  it.each([
    ['a BigInt', { count: 10n }],
    ['a function', () => 'x'],
    ['a cycle', (() => { const o: Record<string, unknown> = {}; o['self'] = o; return o; })()],
  ])('should fail a tool call whose input holds %s with MALFORMED_CHUNK (was an UnknownError TypeError, or a call with no arguments)', async (_, input) => {
    const parts: TextStreamPart<ToolSet>[] = [
      { type: 'start' },
      { type: 'tool-call', toolCallId: 'call_a', toolName: 'f', input },
      { type: 'finish', finishReason: 'tool-calls', rawFinishReason: 'tool_calls', totalUsage: { inputTokens: 1, inputTokenDetails: { noCacheTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 }, outputTokens: 1, outputTokenDetails: { textTokens: 1, reasoningTokens: 0 }, totalTokens: 2 } },
    ];
    await malformed(parts, 'a tool input that is not JSON data');
  });
});
