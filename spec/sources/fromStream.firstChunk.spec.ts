/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { fromStream, type L0Event, type StreamAdapter } from 'l0-rx';
import { chunksOf, collect, collectError } from './streamHelpers.js';
import { fakeClient, sseText } from './adapters/openaiFake.js';

// What picks the adapter when the first chunk decides nothing (the real-SDK runs: spec/integration/firstChunk.sdks.spec.ts).
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const chat = (content: string, finish_reason: string | null = null) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason }] });
const viaSdk = (payloads: unknown[], config = {}) => {
  const client = fakeClient(() => sseText(payloads));
  return fromStream(({ signal }) => client.chat.completions.create({ model: 'm', messages: [], stream: true }, { signal }), config);
};
/** Takes every stream, a token per chunk (JSON). */
const everything: StreamAdapter = { name: 'everything', detect: () => true, create: () => ({ push: (c, emit) => emit({ type: 'token', value: JSON.stringify(c) }), end: () => {} }) };

describe('fromStream: a first chunk that decides no format', () => {
  it('should skip keep-alives before AI SDK parts of a plain iterable, as its decoder skips them later', async () => {
    const parts = [{ type: 'ping' }, { type: 'ping' }, { type: 'start' }, { type: 'text-delta', id: '1', text: 'Hi' }, { type: 'ping' }, { type: 'finish', finishReason: 'stop' }];
    expect(await collect(fromStream(() => chunksOf(parts)))).toEqual([start, { type: 'token', value: 'Hi' }, { type: 'complete', finishReason: 'stop' }]);
  });

  it('should fail an SDK stream that ends after keep-alives only as INCOMPLETE_STREAM, as an empty one', async () => {
    const { events, error } = await collectError(viaSdk([{ type: 'ping' }]));
    expect([events, error.code, error.retryable]).toEqual([[start], 'INCOMPLETE_STREAM', true]);
  });

  it('should leave both chunks to a custom adapter that takes them', async () => {
    expect(await collect(viaSdk([{ type: 'ping' }, null], { adapters: [everything] }))).toEqual([
      start, { type: 'token', value: '{"type":"ping"}' }, { type: 'token', value: 'null' }, { type: 'complete', finishReason: 'stop' },
    ]);
  });

  it('should keep a first chunk that is not an object from a plain iterable the user\'s INVALID_STREAM (no SDK sent it)', async () => {
    const { error } = await collectError(fromStream(() => chunksOf([null, chat('Hi', 'stop')])));
    expect([error.code, error.retryable]).toEqual(['INVALID_STREAM', false]);
  });

  it('should fail an SDK stream\'s first chunk that is not an object with a retryable MALFORMED_CHUNK naming it', async () => {
    const { events, error } = await collectError(viaSdk([42, chat('Hi', 'stop')]));
    expect([events, error.code, error.retryable, error.message]).toEqual([[start], 'MALFORMED_CHUNK', true, 'fromStream: malformed chunk (not an object): number 42']);
  });
});
