/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import type { LanguageModelV4StreamPart, LanguageModelV4Usage } from '@ai-sdk/provider';
import { simulateReadableStream } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { fromStream, type L0Event } from 'l0-rx';
import { collect, collectError, readableOf } from '../streamHelpers.js';

const v4Usage: LanguageModelV4Usage = {
  inputTokens: { total: 10, noCache: 6, cacheRead: 4, cacheWrite: undefined },
  outputTokens: { total: 5, text: 3, reasoning: 2 },
};
const usage = { inputTokens: 10, outputTokens: 5, totalTokens: 15, reasoningTokens: 2, cachedInputTokens: 4 };
const streamStart: LanguageModelV4StreamPart = { type: 'stream-start', warnings: [] };
const finish = (unified: Extract<LanguageModelV4StreamPart, { type: 'finish' }>['finishReason']['unified']): LanguageModelV4StreamPart => ({
  type: 'finish', usage: v4Usage, finishReason: { unified, raw: undefined },
});
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const tok = (value: string): L0Event => ({ type: 'token', value });
const run = (parts: readonly LanguageModelV4StreamPart[]) => collect(fromStream(() => readableOf(parts)));

describe('ai-sdk-provider adapter (LanguageModelV4StreamPart)', () => {
  it('should decode text (`delta`), reasoning and a string tool input, with nested usage', async () => {
    const events = await run([
      streamStart,
      { type: 'response-metadata', id: 'r1', modelId: 'm' },
      { type: 'reasoning-start', id: 'r' },
      { type: 'reasoning-delta', id: 'r', delta: 'hmm' },
      { type: 'reasoning-end', id: 'r' },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: 'Hi' },
      { type: 'text-end', id: 't' },
      { type: 'tool-input-start', id: 'call_1', toolName: 'f' },
      { type: 'tool-input-delta', id: 'call_1', delta: '{"a":' },
      { type: 'tool-input-delta', id: 'call_1', delta: '1}' },
      { type: 'tool-input-end', id: 'call_1' },
      { type: 'tool-call', toolCallId: 'call_1', toolName: 'f', input: '{"a":1}' },
      finish('tool-calls'),
    ]);
    expect(events).toEqual([
      start, { type: 'reasoning', value: 'hmm' }, tok('Hi'),
      { type: 'tool-call', id: 'call_1', name: 'f', arguments: '{"a":1}' },
      { type: 'complete', finishReason: 'tool-calls', usage },
    ]);
  });

  it('should detect a stream that starts with a provider-shaped text-delta', async () => {
    expect(await run([{ type: 'text-delta', id: 't', delta: 'x' }, finish('length')])).toEqual([
      start, tok('x'), { type: 'complete', finishReason: 'length', usage },
    ]);
  });

  it('should emit file parts as data: bytes as base64, and urls', async () => {
    const events = await run([
      streamStart,
      { type: 'file', mediaType: 'image/png', data: { type: 'data', data: new Uint8Array([104, 105]) } },
      { type: 'file', mediaType: 'audio/mpeg', data: { type: 'url', url: new URL('https://x.test/a.mp3') } },
      finish('stop'),
    ]);
    expect(events.slice(1, 3)).toEqual([
      { type: 'data', payload: { contentType: 'image', mimeType: 'image/png', base64: 'aGk=' } },
      { type: 'data', payload: { contentType: 'audio', mimeType: 'audio/mpeg', url: 'https://x.test/a.mp3' } },
    ]);
  });

  it('should read the { stream } object that doStream resolves to', async () => {
    const model = new MockLanguageModelV4({
      doStream: { stream: simulateReadableStream({ chunks: [streamStart, { type: 'text-delta', id: 't', delta: 'ok' }, finish('stop')], chunkDelayInMs: null }) },
    });
    const events = await collect(fromStream(({ signal }) => model.doStream({ prompt: [], abortSignal: signal })));
    expect(events).toEqual([start, tok('ok'), { type: 'complete', finishReason: 'stop', usage }]);
  });

  it('should treat a provider stream without finish as cut', async () => {
    const { events, error } = await collectError(fromStream(() => readableOf<LanguageModelV4StreamPart>([streamStart, { type: 'text-delta', id: 't', delta: 'a' }])));
    expect(events).toEqual([start, tok('a')]);
    expect(error).toMatchObject({ code: 'INCOMPLETE_STREAM', retryable: true });
  });

  it('should treat finish reason interrupted as cut', async () => {
    const { error } = await collectError(fromStream(() => readableOf([streamStart, finish('interrupted')])));
    expect(error).toMatchObject({ code: 'INCOMPLETE_STREAM' });
  });
});
