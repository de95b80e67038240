/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { fromStream, isStreamAbortedError, type L0Event } from 'l0-rx';
import { collect, collectError, readableOf } from '../streamHelpers.js';

/**
 * A Mastra chunk envelope, written out for the chunks a real `Agent` on the fault server does not
 * send (files, tripwires, aborts); spec/integration/mastra.spec.ts runs the real one.
 */
const env = (type: string, payload: Record<string, unknown> = {}) => ({ type, runId: 'run-1', from: 'AGENT', payload });
const mastraUsage = { inputTokens: 10, outputTokens: 5, totalTokens: 15, reasoningTokens: 2, cachedInputTokens: 4 };
const finish = (reason: string) => env('finish', { stepResult: { reason }, output: { usage: mastraUsage }, metadata: {}, messages: {} });
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const tok = (value: string): L0Event => ({ type: 'token', value });
/** What `await agent.stream(...)` resolves to, reduced to what fromStream reads. */
const output = (chunks: readonly unknown[]) => ({ fullStream: readableOf(chunks), textStream: readableOf<string>([]) });

describe('mastra adapter', () => {
  it('should decode a Mastra output: text, reasoning, tool calls and finish with usage', async () => {
    const events = await collect(fromStream(async () => output([
      env('start'),
      env('step-start', { request: {} }),
      env('reasoning-delta', { id: 'r', text: 'hmm' }),
      env('text-start', { id: 't' }),
      env('text-delta', { id: 't', text: 'Hel' }),
      env('text-delta', { id: 't', text: 'lo' }),
      env('tool-call', { toolCallId: 'c1', toolName: 'f', args: { a: 1, __mastraMetadata: { isStreaming: true } } }),
      env('step-finish', { stepResult: { reason: 'tool-calls' }, output: { usage: mastraUsage }, metadata: {} }),
      finish('tool-calls'),
    ])));
    expect(events).toEqual([
      start, { type: 'reasoning', value: 'hmm' }, tok('Hel'), tok('lo'),
      { type: 'tool-call', id: 'c1', name: 'f', arguments: '{"a":1}' },
      { type: 'complete', finishReason: 'tool-calls', usage: mastraUsage },
    ]);
  });

  it('should emit file chunks as data', async () => {
    const events = await collect(fromStream(() => readableOf([env('file', { data: 'aGk=', mimeType: 'image/png' }), finish('stop')])));
    expect(events[1]).toEqual({ type: 'data', payload: { contentType: 'image', mimeType: 'image/png', base64: 'aGk=' } });
  });

  it('should fail with the normalised error of an error chunk', async () => {
    const http = Object.assign(new Error('Service Unavailable'), { statusCode: 503, isRetryable: true });
    const { events, error } = await collectError(fromStream(() => readableOf([env('text-delta', { text: 'a' }), env('error', { error: http })])));
    expect(events).toEqual([start, tok('a')]);
    expect(error).toMatchObject({ name: 'ProviderError', code: 'SERVER_ERROR' });
  });

  it('should fail an abort chunk with StreamAbortedError', async () => {
    const { error } = await collectError(fromStream(() => readableOf([env('start'), env('abort')])));
    expect(isStreamAbortedError(error)).toBe(true);
  });

  it('should end with content-filter when a processor trips the wire', async () => {
    const events = await collect(fromStream(() => readableOf([env('text-delta', { text: 'a' }), env('tripwire', { reason: 'blocked' })])));
    expect(events.at(-1)).toEqual({ type: 'complete', finishReason: 'content-filter' });
  });

  it("should end a refusal's content-filter (rawReason stop) as stop, and keep a filter's content-filter", async () => {
    const refused = (rawReason: string) => env('finish', { stepResult: { reason: 'content-filter', rawReason }, output: { usage: mastraUsage }, metadata: {}, messages: {} });
    const events = await collect(fromStream(() => readableOf([env('text-delta', { text: "I can't help" }), refused('stop')])));
    expect(events.at(-1)).toEqual({ type: 'complete', finishReason: 'stop', usage: mastraUsage });
    const filtered = await collect(fromStream(() => readableOf([env('text-delta', { text: 'The' }), refused('content_filter')])));
    expect(filtered.at(-1)).toEqual({ type: 'complete', finishReason: 'content-filter', usage: mastraUsage });
  });

  it("should fail an `other` with no provider reason nor usage (a v2 model's cut body, AI SDK 5's `unknown`) as INCOMPLETE_STREAM", async () => {
    // what Mastra 1 sends for it: usage zeros, over the provider's own usage with no number in it
    const none = { inputTokens: undefined, outputTokens: undefined, totalTokens: undefined, reasoningTokens: undefined, cachedInputTokens: undefined };
    const other = (stepResult: object, raw: object | undefined) =>
      env('finish', { stepResult, output: { usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, ...(raw ? { raw } : {}) } }, metadata: {}, messages: {} });
    const { error } = await collectError(fromStream(() => readableOf([env('text-delta', { text: 'The' }), other({ reason: 'other' }, none)])));
    // before: complete{other} with "The", never retried
    expect(error).toMatchObject({ code: 'INCOMPLETE_STREAM', retryable: true });
    // with the provider's usage, its own reason or no `raw` to tell (an older Mastra), it is the provider's `other`
    for (const finish of [other({ reason: 'other' }, { inputTokens: 3, outputTokens: 1, totalTokens: 4 }), other({ reason: 'other', rawReason: 'OTHER' }, none), other({ reason: 'other' }, undefined)]) {
      const events = await collect(fromStream(() => readableOf([env('text-delta', { text: 'The' }), finish])));
      expect(events.at(-1)).toMatchObject({ type: 'complete', finishReason: 'other' });
    }
  });

  it('should treat a stream without finish as cut', async () => {
    const { error } = await collectError(fromStream(() => readableOf([env('start'), env('text-delta', { text: 'a' })])));
    expect(error).toMatchObject({ code: 'INCOMPLETE_STREAM', retryable: true });
  });

  it('should fail a text-delta without payload.text with MALFORMED_CHUNK', async () => {
    const { error } = await collectError(fromStream(() => readableOf([env('text-delta', { delta: 'a' })])));
    expect(error).toMatchObject({ code: 'MALFORMED_CHUNK' });
  });
});
