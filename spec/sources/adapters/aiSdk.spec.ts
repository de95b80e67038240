/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { APICallError, JSONParseError, type LanguageModelV4StreamPart, type LanguageModelV4Usage } from '@ai-sdk/provider';
import { DefaultGeneratedFile, jsonSchema, simulateReadableStream, streamText, tool, type LanguageModelUsage, type TextStreamPart, type ToolSet } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { fromStream, isProviderError, isStreamAbortedError, type L0Event } from 'l0-rx';
import { chunksOf, collect, collectError, tick } from '../streamHelpers.js';

type Part = TextStreamPart<ToolSet>;
const totalUsage: LanguageModelUsage = {
  inputTokens: 10, inputTokenDetails: { noCacheTokens: 6, cacheReadTokens: 4, cacheWriteTokens: 0 },
  outputTokens: 5, outputTokenDetails: { textTokens: 3, reasoningTokens: 2 }, totalTokens: 15,
};
const usage = { inputTokens: 10, outputTokens: 5, totalTokens: 15, reasoningTokens: 2, cachedInputTokens: 4 };
const finish = (finishReason: Part extends infer P ? (P extends { type: 'finish'; finishReason: infer F } ? F : never) : never): Part =>
  ({ type: 'finish', finishReason, rawFinishReason: finishReason, totalUsage });
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const tok = (value: string): L0Event => ({ type: 'token', value });
const run = (parts: readonly Part[]) => collect(fromStream(() => chunksOf(parts)));
const runError = (parts: readonly Part[]) => collectError(fromStream(() => chunksOf(parts)));

describe('ai-sdk adapter (streamText parts)', () => {
  it('should emit text and reasoning deltas and complete with totalUsage on finish', async () => {
    const events = await run([
      { type: 'start' },
      { type: 'reasoning-delta', id: 'r', text: 'think' },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', text: 'Hel' },
      { type: 'text-delta', id: 't', text: 'lo' },
      { type: 'text-end', id: 't' },
      finish('stop'),
    ]);
    expect(events).toEqual([start, { type: 'reasoning', value: 'think' }, tok('Hel'), tok('lo'), { type: 'complete', finishReason: 'stop', usage }]);
  });

  it('should emit a tool-call with its parsed input as JSON, ignoring the input deltas', async () => {
    const events = await run([
      { type: 'start' },
      { type: 'tool-input-start', id: 'call_1', toolName: 'get_weather' },
      { type: 'tool-input-delta', id: 'call_1', delta: '{"city":' },
      { type: 'tool-input-delta', id: 'call_1', delta: '"Paris"}' },
      { type: 'tool-input-end', id: 'call_1' },
      { type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather', input: { city: 'Paris' }, dynamic: true },
      finish('tool-calls'),
    ]);
    expect(events).toEqual([
      start,
      { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'complete', finishReason: 'tool-calls', usage },
    ]);
  });

  it('should hold a tool call back until finish, so a stream cut after it emits no call', async () => {
    // @ai-sdk/openai-compatible flushes an unfinished call, cut arguments and all, when the body ends early
    const call: Part = { type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather', input: '{"city": "Pa', dynamic: true };
    const cut = new APICallError({ message: 'Response stream ended without a finish reason.', url: 'u', requestBodyValues: {}, isRetryable: true });
    const { events } = await runError([{ type: 'start' }, call, { type: 'error', error: cut }]);
    expect(events).toEqual([start]);
    expect(await run([call, { type: 'text-delta', id: 't', text: 'Hi' }, finish('tool-calls')])).toEqual([
      start,
      tok('Hi'),
      { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city": "Pa' },
      { type: 'complete', finishReason: 'tool-calls', usage },
    ]);
  });

  it("should release a step's calls at its finish-step with tool-calls, before the next step's text (SDK-run tools)", async () => {
    const call: Part = { type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather', input: { city: 'Paris' } };
    const step = (finishReason: 'tool-calls' | 'stop'): Part =>
      ({ type: 'finish-step', finishReason, rawFinishReason: finishReason, usage: totalUsage, response: { id: 'r', timestamp: new Date(0), modelId: 'm' }, providerMetadata: undefined }) as unknown as Part;
    const events = await run([{ type: 'start-step', request: {}, warnings: [] } as unknown as Part, call, step('tool-calls'), { type: 'text-delta', id: 't', text: 'Sunny' }, step('stop'), finish('stop')]);
    expect(events.map((e) => e.type)).toEqual(['start', 'tool-call', 'token', 'complete']);
    // AI SDK 5 also finishes a cut step, as unknown: its calls stay held, and the attempt fails
    const cut = { ...step('stop'), finishReason: 'unknown', usage: {} } as unknown as Part;
    const failed = await runError([call, cut, { type: 'finish', finishReason: 'unknown', totalUsage: {} } as unknown as Part]);
    expect(failed.events).toEqual([start]);
    expect(failed.error).toMatchObject({ code: 'INCOMPLETE_STREAM' });
  });

  it('should emit a file part as data with its base64 and media type', async () => {
    const file = new DefaultGeneratedFile({ data: new Uint8Array([104, 105]), mediaType: 'image/png' });
    const events = await run([{ type: 'file', file }, finish('stop')]);
    expect(events[1]).toEqual({ type: 'data', payload: { contentType: 'image', mimeType: 'image/png', base64: 'aGk=' } });
  });

  it('should fail with the normalised error of an error part (429 -> RATE_LIMITED)', async () => {
    const http429 = new APICallError({ message: 'Too Many Requests', url: 'u', requestBodyValues: {}, statusCode: 429, isRetryable: true });
    const { events, error } = await runError([{ type: 'start' }, { type: 'error', error: http429 }]);
    expect(events).toEqual([start]);
    expect(isProviderError(error) && error.code).toBe('RATE_LIMITED');
  });

  it('should fail the attempt at a malformed chunk (AI_JSONParseError) with a retryable MALFORMED_CHUNK', async () => {
    const { events, error } = await runError([
      { type: 'text-delta', id: 't', text: 'a' },
      { type: 'error', error: new JSONParseError({ text: '{"bro', cause: new SyntaxError('x') }) },
      { type: 'text-delta', id: 't', text: 'b' },
      finish('stop'),
    ]);
    expect(events).toEqual([start, tok('a')]);
    expect(error).toMatchObject({ name: 'ProviderError', code: 'MALFORMED_CHUNK', retryable: true });
  });

  it('should fail an abort part we did not cause with StreamAbortedError', async () => {
    const { error } = await runError([{ type: 'start' }, { type: 'abort', reason: 'user' }]);
    expect(isStreamAbortedError(error)).toBe(true);
  });

  it('should fail finish reason error (SERVER_ERROR) and interrupted (INCOMPLETE_STREAM), both retryable', async () => {
    expect((await runError([finish('error')])).error).toMatchObject({ code: 'SERVER_ERROR', retryable: true });
    expect((await runError([finish('interrupted')])).error).toMatchObject({ code: 'INCOMPLETE_STREAM', retryable: true });
  });

  it("should fail a provider's own finish reason error, which the SDK reports as other (OpenRouter's failed generation), as SERVER_ERROR", async () => {
    expect((await runError([{ ...finish('other'), rawFinishReason: 'error' } as Part])).error).toMatchObject({ code: 'SERVER_ERROR', retryable: true });
    const providerPart = { type: 'finish', usage: { inputTokens: { total: 1 }, outputTokens: { total: 1 } }, finishReason: { unified: 'other', raw: 'error' } };
    expect((await collectError(fromStream(() => chunksOf<unknown>([providerPart])))).error).toMatchObject({ code: 'SERVER_ERROR', retryable: true });
    expect((await run([{ ...finish('other'), rawFinishReason: 'eos' } as Part])).at(-1)).toMatchObject({ type: 'complete', finishReason: 'other' });
    // DeepSeek's servers out of capacity cut the answer (@ai-sdk/openai-compatible reports it as other; before: complete other)
    expect((await runError([{ ...finish('other'), rawFinishReason: 'insufficient_system_resource' } as Part])).error).toMatchObject({ code: 'SERVER_ERROR', retryable: true });
  });

  it("should end a refusal's content-filter (the provider's own reason stop) as stop, as the openai routes do, and keep a filter's content-filter", async () => {
    // @ai-sdk/openai-compatible 2+ reports `delta.refusal` + `finish_reason: 'stop'` so (spec/integration/refusal.sdks.spec.ts)
    const refused = [{ type: 'text-delta', id: 't', text: "I can't help" }, { ...finish('content-filter'), rawFinishReason: 'stop' }] as Part[];
    expect((await run(refused)).at(-1)).toEqual({ type: 'complete', finishReason: 'stop', usage });
    const providerPart = { type: 'finish', usage: { inputTokens: { total: 1 }, outputTokens: { total: 1 } }, finishReason: { unified: 'content-filter', raw: 'stop' } };
    expect((await collect(fromStream(() => chunksOf<unknown>([providerPart])))).at(-1)).toMatchObject({ type: 'complete', finishReason: 'stop' });
    const filtered = [{ type: 'text-delta', id: 't', text: 'The' }, { ...finish('content-filter'), rawFinishReason: 'content_filter' }] as Part[];
    expect((await run(filtered)).at(-1)).toMatchObject({ type: 'complete', finishReason: 'content-filter' });
  });

  it("should keep a content-filter without the provider's own reason: a real filter of a provider that reports none looks the same as @ai-sdk/openai's Responses refusal", async () => {
    // @ai-sdk/openai 3+ Responses model: a refusal is `{unified: 'content-filter', raw: undefined}` (no incomplete_details);
    // AI SDK 5 has no rawFinishReason at all, and AI SDK 6+ wraps a v2 provider's finish reason with `raw: undefined` (Gemini's SAFETY included)
    const noRaw = [{ type: 'text-delta', id: 't', text: 'The' }, { ...finish('content-filter'), rawFinishReason: undefined }] as Part[];
    expect((await run(noRaw)).at(-1)).toEqual({ type: 'complete', finishReason: 'content-filter', usage });
    const providerPart = { type: 'finish', usage: { inputTokens: { total: 1 }, outputTokens: { total: 1 } }, finishReason: { unified: 'content-filter', raw: undefined } };
    expect((await collect(fromStream(() => chunksOf<unknown>([providerPart])))).at(-1)).toMatchObject({ type: 'complete', finishReason: 'content-filter' });
  });

  it("should fail AI SDK 5's finish reason unknown with no usage (a body that ended before its finish chunk) as INCOMPLETE_STREAM", async () => {
    // AI SDK 7's types no longer list it; AI SDK 5's streams send it (spec/integration/sdkVersions.spec.ts)
    const unknown = { type: 'finish', finishReason: 'unknown', totalUsage: {} } as unknown as Part;
    const { events, error } = await runError([{ type: 'text-delta', id: 't', text: 'The quick' }, unknown]);
    expect(events.filter((e) => e.type === 'complete')).toEqual([]);
    expect(error).toMatchObject({ code: 'INCOMPLETE_STREAM', retryable: true });
  });

  it("should complete AI SDK 5's finish reason unknown with usage as other (a finish reason it does not know, as \"eos\")", async () => {
    const unknown = { type: 'finish', finishReason: 'unknown', totalUsage } as unknown as Part;
    expect(await run([{ type: 'text-delta', id: 't', text: 'Done.' }, unknown])).toEqual([start, tok('Done.'), { type: 'complete', finishReason: 'other', usage }]);
  });

  it('should treat parts that end without finish as cut', async () => {
    const { error } = await runError([{ type: 'start' }, { type: 'text-delta', id: 't', text: 'a' }]);
    expect(error).toMatchObject({ code: 'INCOMPLETE_STREAM', category: 'network', retryable: true });
  });

  it('should fail a text-delta without text with MALFORMED_CHUNK', async () => {
    const { error } = await runError([{ type: 'text-delta', id: 't' } as unknown as Part]);
    expect(error).toMatchObject({ code: 'MALFORMED_CHUNK' });
  });

  describe('end to end with streamText and MockLanguageModelV4', () => {
    const v4Usage: LanguageModelV4Usage = {
      inputTokens: { total: 10, noCache: 6, cacheRead: 4, cacheWrite: undefined },
      outputTokens: { total: 5, text: 3, reasoning: 2 },
    };
    const v4: LanguageModelV4StreamPart[] = [
      { type: 'stream-start', warnings: [] },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: 'Hi ' },
      { type: 'text-delta', id: 't', delta: 'there' },
      { type: 'text-end', id: 't' },
      { type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather', input: '{"city":"Paris"}' },
      { type: 'finish', usage: v4Usage, finishReason: { unified: 'tool-calls', raw: 'tool_calls' } },
    ];
    const tools = { get_weather: tool({ inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } }) }) };
    const model = (doStream: ConstructorParameters<typeof MockLanguageModelV4>[0] extends infer O ? O extends { doStream?: infer D } ? D : never : never) =>
      new MockLanguageModelV4({ doStream });

    it('should turn a real streamText result into events (reading result.stream)', async () => {
      const m = model({ stream: simulateReadableStream({ chunks: v4, initialDelayInMs: null, chunkDelayInMs: null }) });
      const events = await collect(fromStream(({ signal }) => streamText({ model: m, prompt: 'hi', tools, abortSignal: signal, maxRetries: 0 })));
      expect(events).toEqual([
        start, tok('Hi '), tok('there'),
        { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'complete', finishReason: 'tool-calls', usage },
      ]);
    });

    it('should fail with RATE_LIMITED when the call fails with a 429', async () => {
      const m = model(async () => {
        throw new APICallError({ message: 'Too Many Requests', url: 'u', requestBodyValues: {}, statusCode: 429, isRetryable: true });
      });
      const { events, error } = await collectError(fromStream(({ signal }) =>
        streamText({ model: m, prompt: 'hi', abortSignal: signal, maxRetries: 0, onError: () => {} })));
      expect(events).toEqual([start]);
      expect(isProviderError(error) && error.code).toBe('RATE_LIMITED');
    });

    it('should abort the model call when the subscriber leaves mid-stream', async () => {
      let modelSignal: AbortSignal | undefined;
      const m = model(async (options) => {
        modelSignal = options.abortSignal;
        return { stream: new ReadableStream<LanguageModelV4StreamPart>({ start: (c) => {
          c.enqueue({ type: 'text-start', id: 't' });
          c.enqueue({ type: 'text-delta', id: 't', delta: 'a' });
        } }) };
      });
      const events: L0Event[] = [];
      const sub = fromStream(({ signal }) => streamText({ model: m, prompt: 'hi', abortSignal: signal, maxRetries: 0 })).subscribe((e) => events.push(e));
      for (let i = 0; i < 20 && events.length < 2; i++) await tick();
      expect(events).toEqual([start, tok('a')]);
      sub.unsubscribe();
      expect(modelSignal?.aborted).toBe(true);
      await tick();
      expect(events).toHaveLength(2);
    });
  });
});
