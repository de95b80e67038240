/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { fromStream, isInvalidStreamError, type L0Event } from 'l0-rx';
import { chunksOf, collect, collectError, readableOf } from '../streamHelpers.js';

const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const tok = (value: string): L0Event => ({ type: 'token', value });
const stop: L0Event = { type: 'complete', finishReason: 'stop' };

describe('text adapter', () => {
  it('should emit each string as a token and complete with stop', async () => {
    expect(await collect(fromStream(() => chunksOf(['a', 'b'])))).toEqual([start, tok('a'), tok('b'), stop]);
  });

  it('should keep a multi-byte character split over byte chunks whole', async () => {
    const bytes = new TextEncoder().encode('😀');
    const events = await collect(fromStream(() => readableOf([bytes.slice(0, 2), bytes.slice(2)])));
    expect(events).toEqual([start, tok('😀'), stop]);
  });

  it('should flush an incomplete trailing byte sequence at the end', async () => {
    const events = await collect(fromStream(() => readableOf([new Uint8Array([0x61, 0xc3])])));
    expect(events).toEqual([start, tok('a'), tok('\uFFFD'), stop]);
  });

  it('should accept strings, byte views and ArrayBuffers mixed', async () => {
    const b = new TextEncoder().encode('b');
    const events = await collect(fromStream(() => chunksOf<string | Uint8Array | ArrayBuffer>(['a', b, b.buffer.slice(0)])));
    expect(events).toEqual([start, tok('a'), tok('b'), tok('b'), stop]);
  });

  it('should fail with InvalidStreamError naming a chunk that is not text', async () => {
    const { events, error } = await collectError(fromStream(() => chunksOf<unknown>(['a', { x: 1 }])));
    expect(events).toEqual([start, tok('a')]);
    expect(isInvalidStreamError(error)).toBe(true);
    expect(error.message).toContain('an object with keys [x]');
  });

  it.each([
    ['an HTTP body of chat chunks', 'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[]}\n\n'],
    ['an HTTP body of Responses events', 'event: response.created\ndata: {"type":"response.created","sequence_number":0}\n\n'],
    ['server-sent events after a comment line', ': OPENROUTER PROCESSING\n\ndata: {"choices":[]}\n\n'],
    ["openai's toReadableStream() JSON lines", '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"choices":[]}\n'],
  ])('should refuse %s, with InvalidStreamError naming it, instead of streaming it as the answer', async (_, wire) => {
    for (const chunk of [wire, new TextEncoder().encode(wire)]) {
      const { events, error } = await collectError(fromStream(() => readableOf([chunk])));
      expect(events).toEqual([start]);
      expect(isInvalidStreamError(error)).toBe(true);
      expect(error.message).toContain(`began with an SDK's wire format, ${JSON.stringify(wire.slice(0, 80))}`);
    }
  });

  it("should name what reads l0-rx's own server-sent events (fromServerSentEvents takes a URL, never a provider's body)", async () => {
    const ownFrames = 'id: 1\nevent: start\ndata: {"type":"start","attempt":1}\n\n';
    const { error } = await collectError(fromStream(() => readableOf([ownFrames])));
    expect(isInvalidStreamError(error)).toBe(true);
    expect(error.message).toMatch(/parse the body first \(openai's Stream\.fromSSEResponse\); l0-rx's own events: fromServerSentEvents\(url\)$/);
  });

  it('should stream text that only mentions data: or JSON, and a later chunk that looks like the wire format', async () => {
    const chunks = ['data: the answer', '\n{"object":"chat.completion.chunk"}', '\ndata: {"a":1}'];
    expect(await collect(fromStream(() => chunksOf(chunks)))).toEqual([start, ...chunks.map(tok), stop]);
    expect(await collect(fromStream(() => chunksOf(['{"answer":"data: {"}'])))).toEqual([start, tok('{"answer":"data: {"}'), stop]);
  });

  it.each([
    ['a YAML file read whole (a flow sequence)', 'data: [1, 2, 3]\nname: primes\n'],
    ['a YAML document after an id key (a flow mapping)', 'id: 7\ndata: {x: 1, y: 2}\n'],
    ['an answer in set-builder notation', 'data: {x | x > 0} is the set of positive readings.'],
  ])('should stream %s that begins with data: [ or data: { (no JSON object, so no server-sent events)', async (_, text) => {
    for (const chunk of [text, new TextEncoder().encode(text)]) {
      expect(await collect(fromStream(() => readableOf([chunk])))).toEqual([start, tok(text), stop]);
    }
  });
});

