/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import type { Response, ResponseStreamEvent, ResponseUsage } from 'openai/resources/responses/responses';
import { detectZeroOutput, fromStream, isProviderError, isZeroOutputError, type L0Event } from 'l0-rx';
import { chunksOf, collect, collectError } from '../streamHelpers.js';
import { fakeClient, sseText } from './openaiFake.js';

const responseUsage: ResponseUsage = {
  input_tokens: 10, output_tokens: 5, total_tokens: 15,
  input_tokens_details: { cached_tokens: 4, cache_write_tokens: 0 }, output_tokens_details: { reasoning_tokens: 2 },
};
const usage = { inputTokens: 10, outputTokens: 5, totalTokens: 15, reasoningTokens: 2, cachedInputTokens: 4 };

const response = (over: Partial<Response> = {}): Response => ({
  id: 'resp_1', access_programs: null, output_text: '', created_at: 1, error: null, incomplete_details: null,
  instructions: null, metadata: null, model: 'gpt-test', object: 'response', output: [], parallel_tool_calls: true,
  temperature: null, tool_choice: 'auto', tools: [], top_p: null, status: 'in_progress', ...over,
});

let seq = 0;
const created: ResponseStreamEvent = { type: 'response.created', response: response(), sequence_number: seq++ };
const text = (delta: string): ResponseStreamEvent => ({
  type: 'response.output_text.delta', delta, item_id: 'msg_1', output_index: 0, content_index: 0, logprobs: [], sequence_number: seq++,
});
const completed = (over: Partial<Response> = {}): ResponseStreamEvent => ({
  type: 'response.completed', response: response({ status: 'completed', usage: responseUsage, ...over }), sequence_number: seq++,
});
/** An answer spoken with `modalities` audio: base64 audio pieces and transcript deltas, each closed by its `done` event. */
const audioAnswer = (transcript: readonly string[]): ResponseStreamEvent[] => [
  { type: 'response.audio.delta', delta: 'UklGRg==', sequence_number: seq++ },
  ...transcript.map((delta): ResponseStreamEvent => ({ type: 'response.audio.transcript.delta', delta, sequence_number: seq++ })),
  { type: 'response.audio.delta', delta: 'AAAA', sequence_number: seq++ },
  { type: 'response.audio.done', sequence_number: seq++ },
  { type: 'response.audio.transcript.done', sequence_number: seq++ },
];
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const tok = (value: string): L0Event => ({ type: 'token', value });
const run = (events: readonly ResponseStreamEvent[]) => collect(fromStream(() => chunksOf(events)));
const runError = (events: readonly ResponseStreamEvent[]) => collectError(fromStream(() => chunksOf(events)));

describe('openai-responses adapter', () => {
  it('should emit output_text deltas as tokens and complete with usage on response.completed', async () => {
    expect(await run([created, text('Hel'), text('lo'), completed()])).toEqual([
      start, tok('Hel'), tok('lo'), { type: 'complete', finishReason: 'stop', usage },
    ]);
  });

  it('should emit reasoning and refusal deltas', async () => {
    const events = await run([
      created,
      { type: 'response.reasoning_summary_text.delta', delta: 'hmm', item_id: 'rs_1', output_index: 0, summary_index: 0, sequence_number: seq++ },
      { type: 'response.reasoning_text.delta', delta: '!', item_id: 'rs_1', output_index: 0, content_index: 0, sequence_number: seq++ },
      { type: 'response.refusal.delta', delta: 'No.', item_id: 'msg_1', output_index: 1, content_index: 0, sequence_number: seq++ },
      completed(),
    ]);
    expect(events.slice(1, 4)).toEqual([{ type: 'reasoning', value: 'hmm' }, { type: 'reasoning', value: '!' }, tok('No.')]);
  });

  it('should emit audio transcript deltas as tokens and leave the audio bytes and done events out', async () => {
    expect(await run([created, ...audioAnswer(['Hel', 'lo']), completed()])).toEqual([
      start, tok('Hel'), tok('lo'), { type: 'complete', finishReason: 'stop', usage },
    ]);
  });

  it('should fail an audio transcript delta that is not a string with MALFORMED_CHUNK', async () => {
    const bad = { type: 'response.audio.transcript.delta', delta: null, sequence_number: seq++ } as unknown as ResponseStreamEvent;
    const { error } = await runError([created, bad]);
    expect(error).toMatchObject({ code: 'MALFORMED_CHUNK' });
  });

  it('should pass zero-output detection for an audio answer with a transcript, and not for audio bytes alone', async () => {
    const spoken = fromStream(() => chunksOf([created, ...audioAnswer(['4']), completed()]));
    expect((await collect(spoken.pipe(detectZeroOutput()))).at(-1)).toMatchObject({ type: 'complete', finishReason: 'stop' });
    // without a transcript nothing says what was spoken: the answer is empty to every check, as a chat audio answer is
    const silent = fromStream(() => chunksOf([created, ...audioAnswer([]), completed()]));
    expect(isZeroOutputError((await collectError(silent.pipe(detectZeroOutput()))).error)).toBe(true);
  });

  it('should emit one tool-call per finished function_call item, whose arguments streamed in pieces', async () => {
    const events = await run([
      created,
      {
        type: 'response.output_item.added', output_index: 0, sequence_number: seq++,
        item: { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '', id: 'fc_1', status: 'in_progress' },
      },
      { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 0, delta: '{"city":', sequence_number: seq++ },
      { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 0, delta: '"Paris"}', sequence_number: seq++ },
      {
        type: 'response.output_item.done', output_index: 0, sequence_number: seq++,
        item: { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', id: 'fc_1', status: 'completed' },
      },
      completed(),
    ]);
    expect(events).toEqual([
      start,
      { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'complete', finishReason: 'tool-calls', usage },
    ]);
  });

  it('should hold a finished function_call back until response.completed, so a failed or cut response emits no call', async () => {
    const call = (id: string): ResponseStreamEvent => ({
      type: 'response.output_item.done', output_index: 0, sequence_number: seq++,
      item: { type: 'function_call', call_id: id, name: 'get_weather', arguments: '{"city":"Paris"}', id: `fc_${id}`, status: 'completed' },
    });
    const failed: ResponseStreamEvent = {
      type: 'response.failed', sequence_number: seq++,
      response: response({ status: 'failed', error: { code: 'server_error', message: 'oops' } }),
    };
    // a consumer that runs tool calls (onToolCall) would run this one, then the retry's again
    const cut = await runError([created, call('call_1')]);
    expect(cut.events).toEqual([start]);
    expect(cut.error).toMatchObject({ code: 'INCOMPLETE_STREAM', retryable: true });
    const failedRun = await runError([created, call('call_1'), failed]);
    expect(failedRun.events).toEqual([start]);
    expect(failedRun.error).toMatchObject({ code: 'SERVER_ERROR', retryable: true });
    const incomplete: ResponseStreamEvent = {
      type: 'response.incomplete', sequence_number: seq++,
      response: response({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }),
    };
    expect(await run([created, call('call_1'), text('a'), call('call_2'), incomplete])).toEqual([
      start,
      tok('a'),
      { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      // the response's last output item, which the token limit ended: cut (toolCallStops.spec.ts)
      { type: 'tool-call', id: 'call_2', name: 'get_weather', arguments: '{"city":"Paris"}', truncated: true },
      { type: 'complete', finishReason: 'length' },
    ]);
  });

  it('should map response.incomplete for max_output_tokens to length', async () => {
    const incomplete: ResponseStreamEvent = {
      type: 'response.incomplete', sequence_number: seq++,
      response: response({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }),
    };
    expect((await run([created, text('a'), incomplete])).at(-1)).toEqual({ type: 'complete', finishReason: 'length' });
  });

  it('should fail response.failed with a rate limit as a retryable RATE_LIMITED', async () => {
    const failed: ResponseStreamEvent = {
      type: 'response.failed', sequence_number: seq++,
      response: response({ status: 'failed', error: { code: 'rate_limit_exceeded', message: 'Slow down' } }),
    };
    const { events, error } = await runError([created, text('a'), failed]);
    expect(events).toEqual([start, tok('a')]);
    expect(error).toMatchObject({ name: 'ProviderError', code: 'RATE_LIMITED', retryable: true });
  });

  it('should fail response.failed with invalid input as a non-retryable BAD_REQUEST', async () => {
    const failed: ResponseStreamEvent = {
      type: 'response.failed', sequence_number: seq++,
      response: response({ status: 'failed', error: { code: 'invalid_image', message: 'bad image' } }),
    };
    const { error } = await runError([created, failed]);
    expect(error).toMatchObject({ code: 'BAD_REQUEST', retryable: false });
  });

  it.each([
    ['context_length_exceeded', { code: 'CONTEXT_LENGTH_EXCEEDED', category: 'bad-request', reason: 'context_length_exceeded', retryable: false }],
    ['insufficient_quota', { code: 'RATE_LIMITED', category: 'rate-limit', reason: 'rate_limit', retryable: false }],
  ])('should type response.failed with %s as every other route does, through the real SDK', async (code, fields) => {
    const failed: ResponseStreamEvent = {
      type: 'response.failed', sequence_number: seq++,
      response: response({ status: 'failed', error: { code, message: 'no' } as unknown as Response['error'] }),
    };
    const client = fakeClient(() => sseText([created, text('a'), failed], { done: false }));
    const { events, error } = await collectError(fromStream(({ signal }) => client.responses.create({ model: 'm', input: 'hi', stream: true }, { signal })));
    expect(events).toEqual([start, tok('a')]);
    expect(error).toMatchObject({ name: 'ProviderError', ...fields });
    // the same failure as an `error` event is typed the same
    const asEvent = await runError([created, { type: 'error', code, message: 'no', param: null, sequence_number: seq++ }]);
    expect(asEvent.error).toMatchObject(fields);
  });

  it('should fail an error event with the classified error', async () => {
    const { error } = await runError([created, { type: 'error', code: 'server_error', message: 'oops', param: null, sequence_number: seq++ }]);
    expect(isProviderError(error) && error.code).toBe('SERVER_ERROR');
  });

  it('should treat a stream that ends without response.completed as cut', async () => {
    const { events, error } = await runError([created, text('Hel')]);
    expect(events).toEqual([start, tok('Hel')]);
    expect(error).toMatchObject({ code: 'INCOMPLETE_STREAM', retryable: true });
  });

  it('should fail a delta that is not a string with MALFORMED_CHUNK', async () => {
    const bad = { ...text('x'), delta: 5 } as unknown as ResponseStreamEvent;
    const { error } = await runError([created, bad]);
    expect(error).toMatchObject({ code: 'MALFORMED_CHUNK' });
  });

  it('should decode the real SDK stream from client.responses.create', async () => {
    const client = fakeClient(() => sseText([created, text('Hi'), completed()]));
    const events = await collect(fromStream(({ signal }) => client.responses.create({ model: 'm', input: 'hi', stream: true }, { signal })));
    expect(events).toEqual([start, tok('Hi'), { type: 'complete', finishReason: 'stop', usage }]);
  });

  it('should decode an audio answer through the real SDK stream from client.responses.create', async () => {
    const client = fakeClient(() => sseText([created, ...audioAnswer(['Hi', ' there']), completed()]));
    const events = await collect(fromStream(({ signal }) => client.responses.create({ model: 'm', input: 'hi', stream: true }, { signal })));
    expect(events).toEqual([start, tok('Hi'), tok(' there'), { type: 'complete', finishReason: 'stop', usage }]);
  });
});
