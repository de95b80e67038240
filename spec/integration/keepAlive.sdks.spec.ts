/** @test {withTimeouts} */
import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { streamText } from 'ai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { fromStream, isTokenTimeoutError, withTimeouts, type L0Event, type StreamFactory } from 'l0-rx';

// A provider that answers one word, then only chunks with nothing in them (empty deltas and
// usage-only chunks, 20 ms apart) for as long as the connection stays open: a stalled answer kept
// looking alive. Only chunks that hold content back (a tool call's fragments) restart the clock of
// withTimeouts (toolCallSilence.sdks.spec.ts); before, these did too, and only `total` ended the run.

const chunk = (choices: unknown[], usage?: unknown) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices, ...(usage ? { usage } : {}) })}\n\n`;
const EMPTY = chunk([{ index: 0, delta: { content: '' }, finish_reason: null }]);
const USAGE = chunk([], { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 });

/**
 * A `fetch` whose every answer sends `first`, then `next(n)` every `ms` (n from 0) until it gives
 * undefined (the body ends there); `state.cancelled` once the client let it go.
 */
function tickingFetch(first: string, next: (n: number) => string | undefined, ms = 20) {
  const state = { cancelled: false };
  const fetch: typeof globalThis.fetch = async () => {
    let timer: ReturnType<typeof setInterval> | undefined;
    let n = 0;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const enc = new TextEncoder();
        controller.enqueue(enc.encode(first));
        timer = setInterval(() => {
          const frame = next(n++);
          if (frame !== undefined) return controller.enqueue(enc.encode(frame));
          clearInterval(timer);
          controller.close();
        }, ms);
      },
      cancel() {
        state.cancelled = true;
        clearInterval(timer);
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  };
  return { fetch, state };
}
const HI = chunk([{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }]);
/** That stream: one word, then empty chunks for as long as the connection stays open. */
const keepAliveFetch = () => tickingFetch(HI, (n) => (n % 2 === 0 ? EMPTY : USAGE));

const BASE = 'http://127.0.0.1:9/v1'; // never dialled: the fetch above answers
const ROUTES: readonly { name: string; via: (fetch: typeof globalThis.fetch) => StreamFactory }[] = [
  {
    name: 'openai chat',
    via: (fetch) => {
      const client = new OpenAI({ apiKey: 'x', baseURL: BASE, fetch, maxRetries: 0 });
      return ({ signal }) => client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'p' }], stream: true }, { signal });
    },
  },
  {
    name: 'ai 7 streamText with raw chunks',
    via: (fetch) => {
      const model = createOpenAICompatible({ name: 'k', baseURL: BASE, apiKey: 'x', fetch, includeUsage: true }).chatModel('m');
      return ({ signal }) => streamText({ model, prompt: 'p', abortSignal: signal, maxRetries: 0, includeRawChunks: true, onError: () => {} });
    },
  },
];

describe.each(ROUTES)('a stalled answer that keeps sending empty chunks + $name', ({ via }) => {
  it('should time out on interToken, not live on until total', async () => {
    const { fetch, state } = keepAliveFetch();
    const events: L0Event[] = [];
    const error = await new Promise<unknown>((resolve) => {
      fromStream(via(fetch)).pipe(withTimeouts({ interToken: 150, total: 3000 })).subscribe({
        next: (e) => events.push(e),
        error: resolve,
        complete: () => resolve(undefined),
      });
    });
    expect(events.filter((e) => e.type === 'token')).toEqual([{ type: 'token', value: 'Hi' }]);
    expect(isTokenTimeoutError(error) && error.code).toBe('INTER_TOKEN_TIMEOUT');
    await expect.poll(() => state.cancelled).toBe(true);
  });
});

// n: 2: the first choice answers one word and finishes, the second one streams on (20 ms apart, 300 ms
// in all) before the stream ends. Its chunks are not read, but they are the provider at work: the
// run completes (before: an INTER_TOKEN_TIMEOUT at 150 ms, its second choice taken for silence).
describe('an answer whose second choice (n: 2) streams on after the first finished + openai chat', () => {
  it('should complete with the first choice, the second one\'s chunks keeping withTimeouts from firing', async () => {
    const { fetch } = tickingFetch(`${HI}${chunk([{ index: 0, delta: {}, finish_reason: 'stop' }])}`, (n) => {
      if (n < 15) return chunk([{ index: 1, delta: { content: 'word ' }, finish_reason: null }]);
      return n === 15 ? `${chunk([{ index: 1, delta: {}, finish_reason: 'stop' }])}data: [DONE]\n\n` : undefined;
    });
    const client = new OpenAI({ apiKey: 'x', baseURL: BASE, fetch, maxRetries: 0 });
    const events: L0Event[] = [];
    const error = await new Promise<unknown>((resolve) => {
      fromStream(({ signal }) => client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'p' }], n: 2, stream: true }, { signal }))
        .pipe(withTimeouts({ interToken: 150, total: 3000 }))
        .subscribe({ next: (e) => events.push(e), error: resolve, complete: () => resolve(undefined) });
    });
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'token' || e.type === 'complete')).toEqual([{ type: 'token', value: 'Hi' }, { type: 'complete', finishReason: 'stop' }]);
  });
});

// llama.cpp reading a long prompt (`return_progress: true`): role-only chunks with `prompt_progress`, 40 ms
// apart and `processed` growing, 800 ms in all, before the first token. The server reports its work: the run
// completes under a 400 ms initialToken (before: INITIAL_TOKEN_TIMEOUT, every chunk taken for silence).
describe('a local server reporting its prompt processing before the first token + openai chat', () => {
  it('should complete: growing prompt_progress keeps initialToken from firing', async () => {
    const progress = (processed: number) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: null }, finish_reason: null }], prompt_progress: { total: 20_480, cache: 0, processed, time_ms: processed } })}\n\n`;
    const { fetch } = tickingFetch(progress(0), (n) => {
      if (n < 20) return progress((n + 1) * 1024);
      return n === 20 ? `${HI}${chunk([{ index: 0, delta: {}, finish_reason: 'stop' }])}data: [DONE]\n\n` : undefined;
    }, 40);
    const client = new OpenAI({ apiKey: 'x', baseURL: BASE, fetch, maxRetries: 0 });
    const events: L0Event[] = [];
    const error = await new Promise<unknown>((resolve) => {
      fromStream(({ signal }) => client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'p' }], stream: true }, { signal }))
        .pipe(withTimeouts({ initialToken: 400, total: 5000 }))
        .subscribe({ next: (e) => events.push(e), error: resolve, complete: () => resolve(undefined) });
    });
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'token' || e.type === 'complete')).toEqual([{ type: 'token', value: 'Hi' }, { type: 'complete', finishReason: 'stop' }]);
  });
});
