/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { fromStream, isProviderError, type L0Event } from 'l0-rx';
import { chunksOf, collect, collectError, tick } from '../streamHelpers.js';
import { fakeClient, sseText, stallingBody, type FetchLog } from './openaiFake.js';

type Delta = ChatCompletionChunk.Choice.Delta;
type Finish = ChatCompletionChunk.Choice['finish_reason'];

const chunk = (delta: Delta, finish_reason: Finish = null, index = 0): ChatCompletionChunk => ({
  id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-test',
  choices: [{ index, delta, finish_reason }],
});
const usageChunk: ChatCompletionChunk = {
  id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-test', choices: [],
  usage: {
    prompt_tokens: 10, completion_tokens: 5, total_tokens: 15,
    completion_tokens_details: { reasoning_tokens: 2 }, prompt_tokens_details: { cached_tokens: 4 },
  },
};
const usage = { inputTokens: 10, outputTokens: 5, totalTokens: 15, reasoningTokens: 2, cachedInputTokens: 4 };
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const tok = (value: string): L0Event => ({ type: 'token', value });
const run = (chunks: readonly ChatCompletionChunk[]) => collect(fromStream(() => chunksOf(chunks)));

describe('openai-chat adapter', () => {
  it('should emit text deltas as tokens and complete with the usage that follows the finish reason', async () => {
    const events = await run([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), chunk({ content: 'lo' }), chunk({}, 'stop'), usageChunk]);
    expect(events).toEqual([start, tok('Hel'), tok('lo'), { type: 'complete', finishReason: 'stop', usage }]);
  });

  it('should assemble tool-call fragments keyed by index into one tool-call each, emitted right before complete', async () => {
    const events = await run([
      chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      chunk({}, 'tool_calls'),
      usageChunk,
    ]);
    expect(events).toEqual([
      start,
      { type: 'tool-call', id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'tool-call', id: 'call_b', name: 'get_time', arguments: '{}' },
      { type: 'complete', finishReason: 'tool-calls', usage },
    ]);
  });

  it('should keep calls apart when a new id comes at an index another call holds (every call at index 0, or a finish reason per call)', async () => {
    const events = await run([
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'write', arguments: '{"f":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"a"}' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'call_b', type: 'function', function: { name: 'write', arguments: '{"f":' } }] }, 'tool_calls'),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"b"}' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'call_c', type: 'function', function: { name: 'read', arguments: '{}' } }] }, 'tool_calls'),
      usageChunk,
    ]);
    expect(events).toEqual([
      start,
      { type: 'tool-call', id: 'call_a', name: 'write', arguments: '{"f":"a"}' },
      { type: 'tool-call', id: 'call_b', name: 'write', arguments: '{"f":"b"}' },
      { type: 'tool-call', id: 'call_c', name: 'read', arguments: '{}' },
      { type: 'complete', finishReason: 'tool-calls', usage },
    ]);
  });

  it('should hold tool calls back until the stream ends, so a stream that fails after its finish reason emits none', async () => {
    const call = chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] });
    // the socket is destroyed after the finish reason, before the usage chunk: the SDK throws undici's error
    async function* cutAfterFinish() {
      yield* chunksOf([call, chunk({}, 'tool_calls')]);
      throw new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    }
    const cut = await collectError(fromStream(() => cutAfterFinish()));
    // a consumer running tool calls would run this one, then the retry's again
    expect(cut.events).toEqual([start]);
    expect(cut.error).toMatchObject({ name: 'ProviderError', category: 'network', retryable: true });
    // fragments that follow the finish reason still belong to the call
    const late = chunk({ tool_calls: [{ index: 0, function: { arguments: ' ' } }] });
    expect(await run([call, chunk({}, 'tool_calls'), late, usageChunk])).toEqual([
      start,
      { type: 'tool-call', id: 'call_a', name: 'get_weather', arguments: '{} ' },
      { type: 'complete', finishReason: 'tool-calls', usage },
    ]);
  });

  it('should emit audio transcript deltas as tokens and leave the audio bytes out', async () => {
    const audio = (a: Delta['audio']) => chunk({ content: null, audio: a });
    const events = await run([
      chunk({ role: 'assistant', content: null }),
      audio({ id: 'audio_1', transcript: 'Hel' }),
      audio({ data: 'AAAA', transcript: 'lo' }),
      audio({ data: 'BBBB' }),
      chunk({}, 'stop'),
      audio({ expires_at: 1 }),
    ]);
    expect(events).toEqual([start, tok('Hel'), tok('lo'), { type: 'complete', finishReason: 'stop' }]);
  });

  it('should emit refusal text as tokens', async () => {
    const events = await run([chunk({ refusal: "I can't" }), chunk({ refusal: ' help.' }), chunk({}, 'stop')]);
    expect(events).toEqual([start, tok("I can't"), tok(' help.'), { type: 'complete', finishReason: 'stop' }]);
  });

  it('should emit reasoning_content / reasoning deltas as reasoning, never as text', async () => {
    const events = await run([
      chunk({ reasoning_content: 'think' } as Delta),
      chunk({ reasoning: 'ing' } as Delta),
      chunk({ content: '4' }, 'stop'),
    ]);
    expect(events).toEqual([start, { type: 'reasoning', value: 'think' }, { type: 'reasoning', value: 'ing' }, tok('4'), { type: 'complete', finishReason: 'stop' }]);
  });

  it.each<[Finish | 'model_length' | 'weird', string]>([
    ['length', 'length'],
    ['content_filter', 'content-filter'],
    ['function_call', 'tool-calls'],
    // Mistral's API: the model's context window, not max_tokens, cut the answer (@ai-sdk/mistral maps it to length too)
    ['model_length', 'length'],
    ['weird', 'other'],
  ])('should map finish_reason %s to %s', async (raw, mapped) => {
    const events = await run([chunk({ content: 'x' }, raw as Finish)]);
    expect(events.at(-1)).toEqual({ type: 'complete', finishReason: mapped });
  });

  it('should read only choice 0', async () => {
    const events = await run([chunk({ content: 'other' }, null, 1), chunk({ content: 'mine' }), chunk({}, 'stop')]);
    expect(events).toEqual([start, tok('mine'), { type: 'complete', finishReason: 'stop' }]);
  });

  it('should treat a stream that ends without a finish_reason as cut (retryable INCOMPLETE_STREAM)', async () => {
    const { events, error } = await collectError(fromStream(() => chunksOf([chunk({ content: 'Hel' })])));
    expect(events).toEqual([start, tok('Hel')]);
    expect(error).toMatchObject({ name: 'ProviderError', code: 'INCOMPLETE_STREAM', category: 'network', retryable: true, reason: 'incomplete_stream' });
  });

  it('should fail with MALFORMED_CHUNK when `choices` is not an array', async () => {
    const bad = { ...chunk({ content: 'a' }), choices: 'nope' } as unknown as ChatCompletionChunk;
    const { error } = await collectError(fromStream(() => chunksOf([chunk({ content: 'a' }), bad])));
    expect(error).toMatchObject({ name: 'ProviderError', code: 'MALFORMED_CHUNK', retryable: true });
  });

  it('should fail with the classified error of an in-band error frame', async () => {
    const frame = { error: { message: 'The server had an error', type: 'server_error' } };
    const { error } = await collectError(fromStream(() => chunksOf<unknown>([chunk({ content: 'a' }), frame])));
    expect(isProviderError(error) && error.code).toBe('SERVER_ERROR');
  });

  it.each([
    ['an error beside choices (OpenRouter)', { ...chunk({}, 'error' as Finish), error: { code: 429, message: 'Rate limited upstream' } }, { code: 'RATE_LIMITED', retryable: true }],
    ['an error on the choice', { ...chunk({}), choices: [{ index: 0, delta: {}, finish_reason: 'error', error: { code: 'context_length_exceeded', message: 'too long' } }] }, { code: 'CONTEXT_LENGTH_EXCEEDED', retryable: false }],
    ['finish_reason error alone', chunk({}, 'error' as Finish), { code: 'SERVER_ERROR', retryable: true }],
    // DeepSeek: its servers ran out of capacity and cut the answer (before: completed `other`, the cut answer taken as whole)
    ["DeepSeek's finish_reason insufficient_system_resource", chunk({}, 'insufficient_system_resource' as Finish), { code: 'SERVER_ERROR', retryable: true }],
  ])('should fail a generation that failed mid-stream, %s, with the classified error, never completing', async (_, last, fields) => {
    const { events, error } = await collectError(fromStream(() => chunksOf<unknown>([chunk({ content: 'a' }), last])));
    expect(events).toEqual([start, tok('a')]);
    expect(error).toMatchObject({ name: 'ProviderError', ...fields });
  });

  it('should read a chunk whose `error` is null as an ordinary chunk', async () => {
    expect((await collect(fromStream(() => chunksOf<unknown>([{ ...chunk({ content: 'a' }), error: null }, chunk({}, 'stop')])))).at(-1)).toEqual({ type: 'complete', finishReason: 'stop' });
  });

  describe('with the real openai SDK parsing SSE', () => {
    const sse = sseText([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hi' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }), chunk({}, 'tool_calls'), usageChunk]);

    it('should decode a Stream<ChatCompletionChunk> from client.chat.completions.create', async () => {
      const client = fakeClient(() => sse);
      const events = await collect(fromStream(({ signal }) =>
        client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true }, { signal })));
      expect(events).toEqual([
        start, tok('Hi'), { type: 'tool-call', id: 'call_1', name: 'f', arguments: '{"a":1}' },
        { type: 'complete', finishReason: 'tool-calls', usage },
      ]);
    });

    it("should read Groq's usage under x_groq on its last chunk", async () => {
      const groqUsage = { queue_time: 0.07, prompt_tokens: 23, prompt_time: 0.006, completion_tokens: 19, completion_time: 0.022, total_tokens: 42, total_time: 0.028 };
      const last = { ...chunk({}, 'stop'), x_groq: { id: 'req_1', usage: groqUsage } };
      const client = fakeClient(() => sseText([chunk({ role: 'assistant', content: 'Hi' }), last]));
      const events = await collect(fromStream(({ signal }) => client.chat.completions.create({ model: 'llama-3.3-70b-versatile', messages: [], stream: true }, { signal })));
      expect(events).toEqual([start, tok('Hi'), { type: 'complete', finishReason: 'stop', usage: { inputTokens: 23, outputTokens: 19, totalTokens: 42 } }]);
    });

    it("should read Mistral's content parts (its reasoning models stream `delta.content` as thinking, then text parts)", async () => {
      // the chunks of api.mistral.ai for magistral-medium-2509 (LiteLLM issue 16272): refused as MALFORMED_CHUNK, every attempt failed
      const mistral = (content: unknown, finish_reason: string | null = null) =>
        ({ id: 'c3c7', object: 'chat.completion.chunk', created: 1762355135, model: 'magistral-medium-2509', choices: [{ index: 0, delta: { content }, finish_reason }] });
      const client = fakeClient(() => sseText([
        { ...mistral(''), choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
        mistral([{ type: 'thinking', thinking: [{ type: 'text', text: "'s a greeting" }] }]),
        mistral([{ type: 'thinking', thinking: [{ type: 'text', text: ', I should' }] }]),
        mistral([{ type: 'text', text: 'Hello' }]),
        mistral('!'),
        mistral([{ type: 'reference', reference_ids: [1] }], 'stop'),
      ]));
      const events = await collect(fromStream(({ signal }) => client.chat.completions.create({ model: 'magistral-medium-2509', messages: [], stream: true }, { signal })));
      expect(events).toEqual([
        start, { type: 'reasoning', value: "'s a greeting" }, { type: 'reasoning', value: ', I should' }, tok('Hello'), tok('!'), { type: 'complete', finishReason: 'stop' },
      ]);
      const broken = fakeClient(() => sseText([mistral(['Hello']), mistral([], 'stop')]));
      const { error } = await collectError(fromStream(() => broken.chat.completions.create({ model: 'm', messages: [], stream: true })));
      expect([isProviderError(error) && error.code, error.message]).toEqual(['MALFORMED_CHUNK', expect.stringContaining('a `delta.content` part is not an object')]);
    });

    it('should fail a body that ends without [DONE] or a finish_reason with INCOMPLETE_STREAM', async () => {
      const client = fakeClient(() => sseText([chunk({ content: 'Hi' })], { done: false }));
      const { error } = await collectError(fromStream(() => client.chat.completions.create({ model: 'm', messages: [], stream: true })));
      expect(isProviderError(error) && error.code).toBe('INCOMPLETE_STREAM');
    });

    it('should fail malformed SSE JSON with MALFORMED_CHUNK', async () => {
      const client = fakeClient(() => sseText([chunk({ content: 'Hi' }), '{"broken":']));
      const { events, error } = await collectError(fromStream(() => client.chat.completions.create({ model: 'm', messages: [], stream: true })));
      expect(events).toEqual([start, tok('Hi')]);
      expect(isProviderError(error) && error.code).toBe('MALFORMED_CHUNK');
    });

    it('should abort the HTTP request of a stalled stream on unsubscribe, even without passing the signal', async () => {
      const log: FetchLog = { signals: [] };
      const client = fakeClient(() => stallingBody(sseText([chunk({ content: 'Hi' })], { done: false }), () => log.signals.at(-1)), log);
      const events: L0Event[] = [];
      const sub = fromStream(() => client.chat.completions.create({ model: 'm', messages: [], stream: true })).subscribe({
        next: (e) => events.push(e),
        error: (e: unknown) => events.push({ type: 'progress', message: String(e) }),
      });
      for (let i = 0; i < 20 && events.length < 2; i++) await tick();
      expect(events).toEqual([start, tok('Hi')]);
      sub.unsubscribe();
      expect(log.signals[0]?.aborted).toBe(true);
      await tick();
      expect(events).toHaveLength(2);
    });
  });
});
