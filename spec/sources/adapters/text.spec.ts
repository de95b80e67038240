/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { fromStream, isInvalidStreamError, type L0Event } from 'l0-rx';
import { chunksOf, collect, collectError, readableOf } from '../streamHelpers.js';
import { fakeClient, sseText } from './openaiFake.js';
import { joined } from './streamScripts.js';

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


describe('text adapter: the wire format as SSE and the SDKs write it', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const refusal = "began with an SDK's wire format";
  /** A body's refusal message, or its events with the text joined. */
  const outcome = (chunks: readonly (string | Uint8Array)[]) =>
    collect(fromStream(() => readableOf(chunks))).then(joined, (e: unknown) => (isInvalidStreamError(e) ? e.message : String(e)));
  /** The body whole and cut at every character, as strings and as bytes. */
  const cuts = (body: string): (string | Uint8Array)[][] => [[body], Array.from(body), [enc(body)], Array.from(body, enc)];
  const sse = 'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[]}\n\n';
  const jsonLine = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"choices":[]}\n';

  describe('a byte order mark before the body', () => {
    const mark = '\uFEFF';
    /** `chunks` with the mark before them: in the first one, alone, as bytes, and as bytes cut inside the mark. */
    const marked = ([first = '', ...rest]: readonly string[]) => [
      [mark + first, ...rest], [mark, first, ...rest], [enc(mark + first), ...rest.map(enc)], [enc(mark).slice(0, 2), enc(mark).slice(2), ...[first, ...rest].map(enc)],
    ];

    it.each([['server-sent events', sse], ["openai's toReadableStream() JSON lines", jsonLine]])(
      'should refuse %s after it as without it, as strings and as bytes (TextDecoder drops it from bytes; a string streamed it as the answer)',
      async (_, wire) => {
        expect(await outcome([wire])).toContain(`${refusal}, ${JSON.stringify(wire.slice(0, 80))}`);
        for (const chunks of [[wire], Array.from(wire)]) {
          for (const withMark of marked(chunks)) expect(await outcome(withMark), JSON.stringify(withMark)).toBe(await outcome(chunks));
        }
      },
    );

    it('should stream text after it without it, as strings as bytes (only the first: a second mark is text, as TextDecoder reads it)', async () => {
      for (const text of ['Hello', '\uFEFFHi']) {
        for (const chunks of [[text], Array.from(text)]) {
          for (const withMark of marked(chunks)) expect(await outcome(withMark), JSON.stringify(withMark)).toEqual([start, tok(text), stop]);
        }
      }
    });

    it('should keep a mark that begins bytes read after strings, as it keeps one in a later string (only the body\'s first goes)', async () => {
      // the decoder is made at the first bytes, so TextDecoder's own dropping took a mark from the middle of the body
      expect(await outcome(['Hi', enc('\uFEFFthere')])).toEqual([start, tok('Hi\uFEFFthere'), stop]);
      expect(await outcome([mark, enc('\uFEFFHi')])).toEqual([start, tok('\uFEFFHi'), stop]);
      expect(await outcome([enc(mark), '\uFEFFHi'])).toEqual([start, tok('\uFEFFHi'), stop]);
    });
  });

  it.each([
    ['a keep-alive comment', ': OPENROUTER PROCESSING\r\rdata: {"id":"gen-1","choices":[]}\r\r'],
    ['an event line', 'event: response.created\rdata: {"type":"response.created","sequence_number":0}\r\r'],
    ['CR and CR LF mixed', 'id: 1\r\n: ping\r\rdata: {"choices":[]}\r\n\r\n'],
  ])('should refuse server-sent events whose lines end in a bare CR (SSE allows it) after %s, whole or cut anywhere', async (_, wire) => {
    expect(await outcome([wire])).toContain(`${refusal}, ${JSON.stringify(wire.slice(0, 80))}`);
    for (const chunks of cuts(wire)) expect(await outcome(chunks)).toContain(refusal);
  });

  it('should stream text whose lines end in a bare CR and only mention the wire format', async () => {
    const text = 'Step one:\rdata: the answer\r{"object":"chat.completion.chunk"}';
    for (const chunks of cuts(text)) expect(await outcome(chunks)).toEqual([start, tok(text), stop]);
  });

  it.each([
    ['two spaces', 'data:  {"choices":[]}\n\n'],
    ['a tab', 'data:\t{"choices":[]}\n\n'],
    ['25 spaces', `data:${' '.repeat(25)}{"choices":[]}\n\n`],
  ])('should refuse a data line with %s before its JSON object (SSE drops one space, JSON.parse the rest), whole or cut anywhere', async (_, wire) => {
    expect(await outcome([wire])).toContain(`${refusal}, ${JSON.stringify(wire.slice(0, 80))}`);
    for (const chunks of cuts(wire)) expect(await outcome(chunks)).toContain(refusal);
  });

  it('should read a data line with more spaces than the carried start of a line holds as text, whole and cut anywhere alike', async () => {
    const text = `data:${' '.repeat(26)}{"choices":[]}\n\n`;
    for (const chunks of cuts(text)) expect(await outcome(chunks)).toEqual([start, tok(text), stop]);
  });

  describe("Azure OpenAI's prompt-filter chunk (`\"object\":\"\"`, before the first chat chunk)", () => {
    const filter = { prompt_index: 0, content_filter_results: { hate: { filtered: false, severity: 'safe' } } };
    const chat = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: 'stop' }] };

    it.each([
      ['keys sorted (newer API versions)', { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [filter] }],
      ['id first', { id: '', object: '', created: 0, model: '', prompt_filter_results: [filter], choices: [] }],
    ])('should refuse the real SDK stream read through toReadableStream(), %s, which was streamed as the answer', async (_, first) => {
      const client = fakeClient(() => sseText([first, chat]));
      const { events, error } = await collectError(fromStream(async ({ signal }) =>
        (await client.chat.completions.create({ model: 'gpt-4o', messages: [], stream: true }, { signal })).toReadableStream()));
      expect(events).toEqual([start]);
      expect(isInvalidStreamError(error)).toBe(true);
      expect(error.message).toContain(`${refusal}, ${JSON.stringify(JSON.stringify(first).slice(0, 80))}`);
      for (const chunks of cuts(`${JSON.stringify(first)}\n`)) expect(await outcome(chunks)).toContain(refusal);
    });

    // a guard, not the fix's proof: the key named is Azure's `prompt_filter_results`, never an empty `object`, which an answer may hold
    it('should stream a JSON answer with an empty `object` of its own', async () => {
      const answer = '{"subject":"Alice","predicate":"waved","object":""}\n';
      for (const chunks of cuts(answer)) expect(await outcome(chunks)).toEqual([start, tok(answer), stop]);
    });

    it('should stream a JSON answer that holds `"prompt_filter_results"` as a value, not a key (the chunk is named by its key)', async () => {
      const answer = '{"fields":["id","object","prompt_filter_results"]}\n';
      for (const chunks of cuts(answer)) expect(await outcome(chunks)).toEqual([start, tok(answer), stop]);
    });
  });
});
