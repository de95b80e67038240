/** @test {fromStream} @test {openaiChatAdapter} @test {textAdapter} @test {aiSdkAdapter} @test {aiSdkProviderAdapter} @test {openaiResponsesAdapter} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LanguageModelV2, LanguageModelV2StreamPart } from '@ai-sdk/provider';
import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { simulateReadableStream, streamText, wrapLanguageModel } from 'ai';
import { fromStream, isInvalidStreamError, isProviderError, openaiChatAdapter, type L0Event } from 'l0-rx';
import { chunksOf, collect, collectError, readableOf } from '../streamHelpers.js';
import { fakeClient, sseText } from './openaiFake.js';
import { cut, Dice, diceArb, joined } from './streamScripts.js';
import { runs } from '../../helpers/propertyRuns.js';

// Edge cases of the provider adapters: streams that went wrong before their fix, and the guards beside them
// (what must stay text, what must still fail, the real SDK's own reading).
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const tok = (value: string): L0Event => ({ type: 'token', value });
const failure = async (events$: ReturnType<typeof fromStream>) => {
  const { error } = await collectError(events$);
  return [isProviderError(error) && error.code, error.retryable, error.message];
};
const malformed = (detail: string) => ['MALFORMED_CHUNK', true, expect.stringContaining(detail)];

describe('openai-chat: tool call `arguments` sent as a whole object', () => {
  const chunk = (fn: Record<string, unknown>, finish: string | null = null) => ({
    id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm',
    choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_x', type: 'function', function: fn }] }, finish_reason: finish }],
  });
  const viaSdk = (chunks: readonly unknown[]) => {
    const client = fakeClient(() => sseText(chunks));
    return fromStream(({ signal }) => client.chat.completions.create({ model: 'm', messages: [], stream: true }, { signal }));
  };

  it('should take the last object of a server that resends it whole in every chunk, never their concatenation', async () => {
    // cumulative (a snapshot per chunk, growing or repeated): read as fragments, the call was `{"city":"Lon"}{"city":"London"}{"city":"London"}`
    const events = await collect(viaSdk([
      chunk({ name: 'get_weather', arguments: '' }),
      chunk({ name: 'get_weather', arguments: { city: 'Lon' } }),
      chunk({ name: 'get_weather', arguments: { city: 'London' } }),
      chunk({ name: 'get_weather', arguments: { city: 'London' } }, 'tool_calls'),
    ]));
    expect(events).toEqual([start, { type: 'tool-call', id: 'call_x', name: 'get_weather', arguments: '{"city":"London"}' }, { type: 'complete', finishReason: 'tool-calls' }]);
  });

  it.each([
    ['string fragments, then an object', [{ name: 'f', arguments: '{"a":' }, { arguments: '1}' }, { arguments: { a: 1 } }]],
    ['an object, then a string fragment', [{ name: 'f', arguments: { a: 1 } }, { arguments: '}' }]],
  ])('should fail a call given %s with MALFORMED_CHUNK naming it (it was spliced into JSON no tool can read)', async (_, fns) => {
    const chunks = [...fns.map((fn) => chunk(fn)), chunk({}, 'tool_calls')];
    expect(await failure(viaSdk(chunks))).toEqual(malformed('tool call call_x: `arguments` as text and as an object'));
  });

  it('should take the same object sent again as silence, a grown one as activity (ChunkDecoder rule 6: a stalled server repeating it never keeps the answer alive)', () => {
    const decoder = openaiChatAdapter.create();
    const said = [{ name: 'f', arguments: { city: 'Lon' } }, { arguments: { city: 'London' } }, { arguments: { city: 'London' } }].map((fn) => decoder.push(chunk(fn), () => {}));
    expect(said).toEqual([true, true, false]);
  });
});

describe('text adapter: a wire-format line split across chunks', () => {
  const refused = async (chunks: readonly string[]) => {
    for (const body of [chunks, chunks.map((c) => new TextEncoder().encode(c))]) {
      const { error } = await collectError(fromStream(() => readableOf<string | Uint8Array>(body)));
      expect(isInvalidStreamError(error), `${JSON.stringify(chunks)}: ${String(error)}`).toBe(true);
      expect(error.message).toContain("began with an SDK's wire format");
    }
  };

  it.each([
    ['a keep-alive comment', [': pi', 'ng\n', '\ndata: {"id":"chatcmpl-1","choices":[]}\n\n']],
    ['a comment line of any length, in many pieces', [': ', ...Array.from({ length: 200 }, () => 'x'.repeat(50)), '\n\ndata: {"choices":[]}\n\n']],
    ['an event line', ['ev', 'ent: response.created\n', 'data: {"type":"response.created","sequence_number":0}\n\n']],
    ['the data line itself', ['data: ', '{"id":"chatcmpl-1","choices":[]}\n\n']],
    ['the data line after a CR LF keep-alive', [':\r', '\ndata:', '{"choices":[]}\r\n\r\n']],
    ["openai's toReadableStream() JSON line", ['{"id":"chatcmpl-1","obj', 'ect":"chat.completion.chunk","created":1,"choices":[]}\n']],
  ])('should refuse a body with %s split across chunks (the first piece passed for text, and the body streamed as the answer)', async (_, chunks) => {
    await refused(chunks);
  });

  it.each([
    ['a word that begins like a field name', ['e', 'very', 'thing is fine.\ndata: {"a":1}']],
    ['a JSON answer', ['{', '"answer": 42', '}']],
    ['a JSON line that names a chat chunk past the first 4096 characters', ['{"a":"', 'x'.repeat(4100), '","object":"chat.completion.chunk"}']],
    // of a long line the check keeps its first character and its last 31: a space between them, so no `{"type":"response.`
    ['a JSON answer whose first piece ends in a Responses event', [`{"a":"${'x'.repeat(40)}","b":{"type":"response.created","z":1`, '}}']],
    // the key on the answer's second line, in the piece that ends its first (a long JSON line)
    ['a JSON answer whose second line is a chat chunk', [`{"a":"${'x'.repeat(40)}"}`, '\n{"id":"c","object":"chat.completion.chunk"}']],
  ])('should stream %s split into pieces as text, as it streams whole', async (_, chunks) => {
    for (const body of [chunks, [chunks.join('')]]) {
      expect(await collect(fromStream(() => chunksOf(body)))).toEqual([start, ...body.map(tok), { type: 'complete', finishReason: 'stop' }]);
    }
  });
});

describe('text adapter: a first line split anywhere, refused as it is whole, with the same quote', () => {
  const chatChunk = (id: string) => `{"id":"${id}","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}\n`;
  /** The error a body gets, cut at `cuts` (positions, any order), as strings. */
  const refusal = async (body: string, cuts: readonly number[] = []) => {
    const at = [...new Set([0, ...cuts, body.length])].sort((a, b) => a - b);
    const chunks = at.slice(1).map((end, i) => body.slice(at[i], end));
    const { error } = await collectError(fromStream(() => chunksOf(chunks))).catch(() => ({ error: undefined }));
    return error !== undefined && isInvalidStreamError(error) ? error.message : undefined;
  };

  it.each([
    ['a long id', chatChunk(`chatcmpl-${'x'.repeat(300)}`)],
    // keys in alphabetical order (Azure's newer API versions, microsoft/autogen#6465): the delta's text comes first
    ['the choices first', `{"choices":[{"delta":{"content":"${'Hello. '.repeat(100)}","role":"assistant"},"index":0}],"created":1,"id":"c","model":"m","object":"chat.completion.chunk"}\n`],
  ])("should refuse openai's toReadableStream() JSON line whose `object` key comes after 256 characters (%s), cut anywhere", async (_, line) => {
    const whole = await refusal(line);
    expect(whole).toContain("began with an SDK's wire format");
    for (const cuts of [[300], [100, 400], Array.from({ length: line.length }, (__, i) => i)]) expect(await refusal(line, cuts)).toBe(whole);
  });

  it.each([
    ['a keep-alive comment', ': OPENROUTER PROCESSING\n\ndata: {"id":"gen-1","choices":[]}\n\n', [4, 30]],
    ['a CR LF between chunks', ': ping\r\n\r\ndata: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[]}\r\n\r\n', [7, 9]],
    ['an event line', 'event: response.created\ndata: {"type":"response.created","sequence_number":0}\n\n', [2, 24]],
  ])('should quote the body as it was received, as whole, after %s split across chunks (it quoted a line rebuilt from a field name)', async (_, body, cuts) => {
    const whole = await refusal(body);
    expect(whole).toContain(JSON.stringify(body.slice(0, 80)));
    expect(await refusal(body, cuts)).toBe(whole);
  });

  it('should refuse a JSON line exactly when it is refused whole, and quote the start of what was received, for any cut', async () => {
    // the bound is 4096 characters before the key: n past 4088 is text, split or whole; n and the cuts often near it, and
    // the line's `\n` not always right after the key (a piece without one is read past the line's start by a string search)
    const body = fc.tuple(fc.oneof(fc.nat(5000), fc.integer({ min: 4086, max: 4091 })), fc.constantFrom('', ': ping\r\n\r\n', 'event: x\n'), fc.constantFrom('}\n', '}', ',"created":1}\r\n'))
      .map(([n, before, end]) => `${before}{"id":"${'x'.repeat(n)}","object":"chat.completion.chunk"${end}`);
    // cuts anywhere, and some from 8 before the key to 40 after its start (inside it, right after it)
    const cutsArb = fc.tuple(fc.uniqueArray(fc.nat(6000), { maxLength: 4 }), fc.uniqueArray(fc.integer({ min: -8, max: 40 }), { maxLength: 2 }));
    await fc.assert(fc.asyncProperty(body, cutsArb, async (text, [anywhere, nearKey]) => {
      const cuts = [...anywhere, ...nearKey.map((d) => text.indexOf('"object"') + d)];
      const inside = cuts.filter((c) => c > 0 && c < text.length);
      const [whole, split] = [await refusal(text), await refusal(text, inside)];
      expect(split === undefined).toBe(whole === undefined);
      // refused on a piece that ends before character 80, it quotes what it has (the rest is yet to come)
      const quotes = [...inside, text.length].map((end) => whole?.replace(JSON.stringify(text.slice(0, 80)), JSON.stringify(text.slice(0, Math.min(80, end)))));
      expect(quotes).toContain(split);
    }), { numRuns: runs(60) });
  });

  it('should refuse a JSON line whose `object` key begins 4096 characters after its `{`, and stream it as text one character further, whole or split', async () => {
    // `"id":"`, n x and `",` come before the key: it begins n + 8 characters in (the property above rarely draws n near 4088)
    const line = (n: number) => `{"id":"${'x'.repeat(n)}","object":"chat.completion.chunk"}\n`;
    // a cut at 4130 leaves the key's piece without the line's `\n` (read past the line's start by a string search): the key
    // there whole, and straddling two pieces
    for (const cuts of [[], [100], [4000, 4090], [4095, 4097], [100, 4130], [4100, 4130]]) {
      expect(await refusal(line(4088), cuts)).toContain("began with an SDK's wire format");
      const text = [0, ...cuts, line(4089).length].map((end, i, at) => line(4089).slice(at[i - 1] ?? 0, end)).slice(1);
      expect(await collect(fromStream(() => chunksOf(text)))).toEqual([start, ...text.map(tok), { type: 'complete', finishReason: 'stop' }]);
    }
  });
});

describe('text adapter: any cut of a body', () => {
  /** Pieces of bodies: SSE lines without data, the wire format (SSE and JSON lines), text that looks like them, text. */
  const piece = fc.constantFrom(
    ': ping\n', ': OPENROUTER PROCESSING\r\n', '\n', '\r\n', 'event: response.created\n', 'id: 7\n', 'retry: 10\n', ':', 'e', 'i', '{', '\r',
    'data: {"choices":[]}\n', 'data:{"a":1}\n', '{"type":"response.created"}\n', '{"id":"c","object":"chat.completion.chunk"}\n',
    'data: [1, 2]\n', 'data: {x: 1}\n', 'data: the answer\n', '{"answer": 42}', 'every', 'Hello, ', 'ideas\n',
    // lines ended by a bare CR, JSON after more than one space, Azure's prompt-filter chunk, a byte order mark (dropped only first)
    ': ping\r', 'event: x\r', 'data:  {"a":1}\r', 'data:   ', '{"id":"","object":"","prompt_filter_results":[]}\n', '{"object":""}\n', '\uFEFF',
  );
  const refused = async (chunks: readonly (string | Uint8Array)[]) => {
    const { error } = await collectError(fromStream(() => readableOf(chunks))).catch(() => ({ error: undefined }));
    return error !== undefined && isInvalidStreamError(error);
  };

  it('should refuse it exactly when the whole body in one chunk is refused, and otherwise stream it as it is', async () => {
    await fc.assert(fc.asyncProperty(fc.array(piece, { maxLength: 6 }), diceArb, async (pieces, rolls) => {
      const body = pieces.join('');
      const chunks = cut(body, new Dice(rolls));
      const whole = await refused([body]);
      const bytes = chunks.map((c) => new TextEncoder().encode(c));
      // strings and bytes in turn (a `ReadableStream<string | Uint8Array>` may mix them): the decoder is made at the first bytes
      const mixed = chunks.map((c, i) => (i % 2 ? bytes[i]! : c));
      expect(await refused(chunks)).toBe(whole);
      expect(await refused(bytes)).toBe(whole);
      expect(await refused(mixed)).toBe(whole);
      const text = body.replace(/^\uFEFF/, '');
      if (!whole && text !== '') {
        const streamed = [start, tok(text), { type: 'complete', finishReason: 'stop' }];
        expect(joined(await collect(fromStream(() => chunksOf(chunks))))).toEqual(streamed);
        expect(joined(await collect(fromStream(() => readableOf(bytes))))).toEqual(streamed);
        expect(joined(await collect(fromStream(() => readableOf(mixed))))).toEqual(streamed);
      }
    }), { numRuns: runs(200) });
  });
});

describe('ai-sdk: a finish reason nested in `{unified}` twice (the SDK wraps a v3 one a model that says it is v2 sends)', () => {
  const usage = { inputTokens: 1, outputTokens: 2, totalTokens: 3 };
  const v3Finish = (unified: string, raw: string) => ({ type: 'finish', usage, finishReason: { unified, raw } }) as unknown as LanguageModelV2StreamPart;
  /** A v2 model (a plain object: the real interface) that sends a v3 finish reason: the SDK's v2 compatibility wraps it again. */
  const v2Model = (parts: readonly LanguageModelV2StreamPart[]): LanguageModelV2 => ({
    specificationVersion: 'v2', provider: 'p', modelId: 'm', supportedUrls: {},
    doGenerate: () => Promise.reject(new Error('not used')),
    doStream: () => Promise.resolve({ stream: simulateReadableStream({ chunks: [{ type: 'stream-start', warnings: [] }, ...parts], initialDelayInMs: null, chunkDelayInMs: null }) }),
  });
  const text: LanguageModelV2StreamPart[] = [{ type: 'text-start', id: 't' }, { type: 'text-delta', id: 't', delta: 'Hi' }, { type: 'text-end', id: 't' }];
  const provider = (parts: readonly LanguageModelV2StreamPart[]) =>
    fromStream(({ signal }) => wrapLanguageModel({ model: v2Model(parts), middleware: [] }).doStream({ prompt: [{ role: 'user', content: [{ type: 'text', text: 'p' }] }], abortSignal: signal }));

  it('should read it at the provider level (`model.doStream()`), where it was MALFORMED_CHUNK on every attempt', async () => {
    const call: LanguageModelV2StreamPart = { type: 'tool-call', toolCallId: 'c1', toolName: 'f', input: '{"a":1}' };
    expect(await collect(provider([...text, call, v3Finish('tool-calls', 'tool_calls')]))).toEqual([
      start, tok('Hi'), { type: 'tool-call', id: 'c1', name: 'f', arguments: '{"a":1}' }, { type: 'complete', finishReason: 'tool-calls', usage },
    ]);
  });

  it("should fail a nested provider finish reason `error` (OpenRouter's, mapped to other) with SERVER_ERROR", async () => {
    expect(await failure(provider([...text, v3Finish('other', 'error')]))).toEqual(['SERVER_ERROR', true, expect.any(String)]);
  });

  // a guard, not the fix's proof: streamText unwraps one level itself (its full stream), so this passed before
  it('should read it through the real streamText as well', async () => {
    const events = await collect(fromStream(({ signal }) => streamText({ model: v2Model([...text, v3Finish('length', 'length')]), prompt: 'p', abortSignal: signal, maxRetries: 0 })));
    expect(events.at(-1)).toMatchObject({ type: 'complete', finishReason: 'length' });
  });

  it.each([
    ['an object without `unified` inside', { unified: { reason: 'stop' }, raw: undefined }],
    ['a number inside', { unified: { unified: 7, raw: 'stop' }, raw: undefined }],
    ['a cycle', (() => { const r: Record<string, unknown> = { raw: 'stop' }; r['unified'] = r; return r; })()],
  ])('should still fail %s with MALFORMED_CHUNK naming the finish reason (never a loop without end)', async (_, finishReason) => {
    const parts = [{ type: 'stream-start', warnings: [] }, { type: 'text-delta', id: 't', delta: 'Hi' }, { type: 'finish', usage: {}, finishReason }];
    expect(await failure(fromStream(() => chunksOf(parts)))).toEqual(malformed('`finishReason` is not a string'));
  });

  it.each([
    ['without `unified`', { raw: 'error' }],
    ['with a null `unified`', { unified: null, raw: 'error' }],
  ])("should fail a provider finish reason `error` %s with SERVER_ERROR, as before the nesting was read (the provider's own verdict first)", async (_, finishReason) => {
    const parts = [{ type: 'stream-start', warnings: [] }, { type: 'text-delta', id: 't', delta: 'Hi' }, { type: 'finish', usage: {}, finishReason }];
    expect(await failure(fromStream(() => chunksOf(parts)))).toEqual(['SERVER_ERROR', true, 'The model stopped with finish reason "error"']);
  });
});

describe('openai-responses: `incomplete_details` of the wrong type', () => {
  const response = (over: Partial<Response>): Response => ({
    id: 'resp_1', access_programs: null, output_text: '', created_at: 1, error: null, incomplete_details: null, instructions: null,
    metadata: null, model: 'gpt-test', object: 'response', output: [], parallel_tool_calls: true, temperature: null,
    tool_choice: 'auto', tools: [], top_p: null, status: 'incomplete', ...over,
  });
  const answer = (type: 'response.incomplete' | 'response.completed', over: Partial<Response>): ResponseStreamEvent[] => [
    { type: 'response.output_text.delta', delta: 'Hi', item_id: 'msg_1', output_index: 0, content_index: 0, logprobs: [], sequence_number: 0 },
    { type, response: response(over), sequence_number: 1 } as ResponseStreamEvent,
  ];
  const viaSdk = (events: readonly ResponseStreamEvent[]) => {
    const client = fakeClient(() => sseText(events));
    return fromStream(({ signal }) => client.responses.create({ model: 'm', input: 'hi', stream: true }, { signal }));
  };

  it.each([
    ['a `reason` that is a number', { reason: 1 }, '`incomplete_details.reason` is not a string'],
    ['a `reason` that is an object', { reason: { type: 'max_output_tokens' } }, '`incomplete_details.reason` is not a string'],
    ['an `incomplete_details` that is a string', 'max_output_tokens', '`incomplete_details` is not an object'],
  ])('should fail %s with MALFORMED_CHUNK naming it (it completed as `other`)', async (_, details, detail) => {
    expect(await failure(viaSdk(answer('response.incomplete', { incomplete_details: details as never })))).toEqual(malformed(detail));
  });

  it('should read a null reason as none: a completed response stops (it was `other`)', async () => {
    const events = await collect(viaSdk(answer('response.completed', { status: 'completed', incomplete_details: { reason: null } as never })));
    expect(events).toEqual([start, tok('Hi'), { type: 'complete', finishReason: 'stop' }]);
  });
});
