/** @test {l0} */
import { describe, expect, it, vi } from 'vitest';
import OpenAI5 from 'openai5';
import OpenAI6 from 'openai6';
import OpenAI7 from 'openai';
import { streamText as streamText5 } from 'ai5';
import { streamText as streamText6 } from 'ai6';
import { streamText as streamText7 } from 'ai';
import { createOpenAICompatible as compatible1 } from 'openai-compatible1';
import { createOpenAICompatible as compatible2 } from 'openai-compatible2';
import { createOpenAICompatible as compatible3 } from '@ai-sdk/openai-compatible';
import { isProviderError, isStreamAbortedError, type L0StreamFactory, type StreamInput } from 'l0-rx';
import type { FaultServer } from 'l0-rx/testing';
import {
  PATIENT,
  REPLY,
  RETRY,
  abortAtToken,
  eventsBeforeRetry,
  expectClosedByClient,
  expectComplete,
  expectFailure,
  expectRetriedOnce,
  retriesOf,
  runL0,
  textOf,
  useFaultServer,
} from './harness.js';

// The README supports `openai` 5 to 7 and `ai` 5 to 7: every major, installed side by side under
// aliases, runs the same faults through l0() (Chat Completions: the fault server has no Responses
// route; the Responses adapter reads the real SDK's stream in its unit specs). The adapters read each
// SDK's stream by shape, so a major that renamed a part or an error field fails here, not in an app.

/** Any major's client constructor: the options these specs pass are the same in 5, 6 and 7. */
type OpenAIClass = new (options: { apiKey: string; baseURL: string; maxRetries: number; logger: unknown }) => {
  chat: { completions: { create(body: object, options: { signal: AbortSignal }): Promise<StreamInput> } };
};
type StreamText = (options: { model: never; prompt: string; abortSignal: AbortSignal; maxRetries: number; onError: () => void }) => StreamInput;
type Compatible = (options: { name: string; baseURL: string; apiKey: string; includeUsage: boolean }) => { chatModel(id: string): unknown };

interface Sdk {
  readonly name: string;
  /** A factory for `model` on `server`, with the SDK's own retries off. */
  readonly via: (server: FaultServer, model: string) => L0StreamFactory;
}

const quiet = () => { const f = vi.fn(); return { error: f, warn: f, info: f, debug: f }; };
const openaiChat = (name: string, OpenAI: OpenAIClass): Sdk => ({
  name,
  via: (server, model) => {
    const client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0, logger: quiet() });
    return ({ signal }) => client.chat.completions.create(
      { model, messages: [{ role: 'user', content: 'Tell me about the fox.' }], stream: true, stream_options: { include_usage: true } },
      { signal },
    );
  },
});
const aiSdk = (name: string, streamText: StreamText, compatible: Compatible): Sdk => ({
  name,
  via: (server, model) => {
    const chat = compatible({ name: 'fault', baseURL: server.url, apiKey: 'x', includeUsage: true }).chatModel(model);
    return ({ signal }) => streamText({ model: chat as never, prompt: 'Tell me about the fox.', abortSignal: signal, maxRetries: 0, onError: () => {} });
  },
});

const SDKS: readonly Sdk[] = [
  openaiChat('openai 5 chat', OpenAI5 as unknown as OpenAIClass),
  openaiChat('openai 6 chat', OpenAI6 as unknown as OpenAIClass),
  openaiChat('openai 7 chat', OpenAI7 as unknown as OpenAIClass),
  aiSdk('ai 5 + @ai-sdk/openai-compatible 1', streamText5 as unknown as StreamText, compatible1 as unknown as Compatible),
  aiSdk('ai 6 + @ai-sdk/openai-compatible 2', streamText6 as unknown as StreamText, compatible2 as unknown as Compatible),
  aiSdk('ai 7 + @ai-sdk/openai-compatible 3', streamText7 as unknown as StreamText, compatible3 as unknown as Compatible),
];
const ctx = useFaultServer();
// no fault here needs a timeout, and a major's first call loads its code: under a loaded CI that took
// longer than the suite's 300 ms time to first token
const run = (sdk: Sdk, model: string) => runL0({ stream: sdk.via(ctx.server, model), retry: RETRY, timeout: PATIENT });

describe.each(SDKS)('l0() + $name', (sdk) => {
  it('should stream a clean answer with its usage', async () => {
    const o = await run(sdk, 'gpt-test');
    expectComplete(o, 'stop', REPLY);
    expect(o.state.usage).toMatchObject({ outputTokens: 9 });
  });

  it('should retry rate-limit after its Retry-After', async () => {
    const o = await run(sdk, 'fault:rate-limit:0.05*1');
    expectRetriedOnce(o, ctx.server, ['rate_limit', 50], { code: 'RATE_LIMITED', status: 429, retryAfterMs: 50 });
  });

  it('should retry server-error', async () => {
    const o = await run(sdk, 'fault:server-error*1');
    expectRetriedOnce(o, ctx.server, ['server_error', 5], { code: 'SERVER_ERROR', status: 500 });
  });

  it('should retry a cut stream as INCOMPLETE_STREAM and retract its text', async () => {
    const o = await run(sdk, 'fault:cut-after-n:3*1');
    expectRetriedOnce(o, ctx.server, ['incomplete_stream', 5], { code: 'INCOMPLETE_STREAM', retryable: true });
    expect(textOf(eventsBeforeRetry(o))).toBe('The quick brown');
  });

  it('should retry a stream without a finish reason as INCOMPLETE_STREAM', async () => {
    const o = await run(sdk, 'fault:no-done*1');
    expectRetriedOnce(o, ctx.server, ['incomplete_stream', 5], { code: 'INCOMPLETE_STREAM' });
  });

  it('should fail the attempt on a malformed chunk and retry', async () => {
    const o = await run(sdk, 'fault:malformed-chunk*1');
    expectRetriedOnce(o, ctx.server, ['malformed_chunk', 5], { code: 'MALFORMED_CHUNK' });
    expect(textOf(eventsBeforeRetry(o))).toBe('The quick');
  });

  it('should fail context-length-400 at once', async () => {
    const o = await run(sdk, 'fault:context-length-400');
    expectFailure(o, isProviderError, { code: 'CONTEXT_LENGTH_EXCEEDED', status: 400, retryable: false }, '');
    expect(retriesOf(o)).toEqual([]);
  });

  it('should assemble tool-call fragments into one call', async () => {
    const o = await run(sdk, 'fault:tool-call-fragments');
    expectComplete(o, 'tool-calls', '');
    // openai passes the fragments on as sent; the AI SDK re-serialises them
    expect(o.state.toolCalls.map((c) => ({ ...c, arguments: JSON.parse(c.arguments) as unknown }))).toEqual([
      { id: 'call_fault_1', name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius', days: 3 } },
    ]);
  });

  it('should close the request on a user abort mid-stream', async () => {
    const controller = new AbortController();
    const o = await runL0(
      { stream: sdk.via(ctx.server, 'fault:stall:3'), retry: RETRY, timeout: PATIENT, signal: controller.signal },
      abortAtToken(controller, 3),
    );
    expectFailure(o, isStreamAbortedError, { code: 'STREAM_ABORTED' }, 'The quick brown');
    await expectClosedByClient(ctx.server, 'fault:stall:3', 0);
  });
});
