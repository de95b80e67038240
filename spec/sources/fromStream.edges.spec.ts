/** @test {fromStream}: stream shapes compatible servers and the SDKs produce at the edges (empty streams, index-less and nameless tool calls, an error first). */
import { describe, expect, it } from 'vitest';
import { fromStream, type L0Event } from 'l0-rx';
import { chunksOf, collect, collectError } from './streamHelpers.js';
import { fakeClient, sseText } from './adapters/openaiFake.js';

const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const chat = (delta: object, finish_reason: string | null = null) => ({
  id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason }],
});

describe('fromStream at the edges of the OpenAI formats', () => {
  it('should fail an OpenAI chat stream with no chunks at all as cut (INCOMPLETE_STREAM), not complete it empty', async () => {
    const client = fakeClient(() => '');
    const r = await collectError(fromStream(({ signal }) =>
      client.chat.completions.create({ model: 'm', messages: [], stream: true }, { signal })));
    expect(r.error.code).toBe('INCOMPLETE_STREAM');
  });

  it('should fail an OpenAI responses stream with no events as cut, not complete it empty', async () => {
    const client = fakeClient(() => '');
    const r = await collectError(fromStream(({ signal }) =>
      client.responses.create({ model: 'm', input: 'hi', stream: true }, { signal })));
    expect(r.error.code).toBe('INCOMPLETE_STREAM');
  });

  it('should fail a responses function_call item without a name as MALFORMED_CHUNK, not emit a nameless tool call', async () => {
    const r = await collectError(fromStream(() => chunksOf([
      { type: 'response.created', response: {} },
      { type: 'response.output_item.done', item: { type: 'function_call', call_id: 'c1', arguments: '{}' } },
      { type: 'response.completed', response: {} },
    ])));
    expect(r.error.code).toBe('MALFORMED_CHUNK');
  });

  it('should classify a responses error event that comes first by its code', async () => {
    const r = await collectError(fromStream(() => chunksOf([
      { type: 'error', code: 'context_length_exceeded', message: 'too long', param: null, sequence_number: 0 },
    ])));
    expect(r.error.code).toBe('CONTEXT_LENGTH_EXCEEDED');
  });

  it('should fail a chat stream that is only [DONE] as cut', async () => {
    const client = fakeClient(() => sseText([]));
    const r = await collectError(fromStream(({ signal }) =>
      client.chat.completions.create({ model: 'm', messages: [], stream: true }, { signal })));
    expect(r.error.code).toBe('INCOMPLETE_STREAM');
  });

  it('should not take an empty finish_reason on an intermediate chunk as the finish (a tool call is not split)', async () => {
    const events = await collect(fromStream(() => chunksOf([
      chat({ tool_calls: [{ index: 0, id: 'a', function: { name: 'f', arguments: '{"x":' } }] }, ''),
      chat({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }, ''),
      chat({}, 'tool_calls'),
    ])));
    expect(events).toEqual([start, { type: 'tool-call', id: 'a', name: 'f', arguments: '{"x":1}' }, { type: 'complete', finishReason: 'tool-calls' }]);
  });

  it('should keep parallel tool calls sent without index apart, by their ids', async () => {
    const events = await collect(fromStream(() => chunksOf([
      chat({ tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }, { id: 'b', type: 'function', function: { name: 'g', arguments: '{"y":2}' } }] }),
      chat({}, 'tool_calls'),
    ])));
    expect(events.filter((e) => e.type === 'tool-call')).toEqual([
      { type: 'tool-call', id: 'a', name: 'f', arguments: '{"x":1}' },
      { type: 'tool-call', id: 'b', name: 'g', arguments: '{"y":2}' },
    ]);
  });

  it('should continue the last call with a fragment that has neither index nor id', async () => {
    const events = await collect(fromStream(() => chunksOf([
      chat({ tool_calls: [{ id: 'a', function: { name: 'f', arguments: '{"x":' } }] }),
      chat({ tool_calls: [{ function: { arguments: '1}' } }] }),
      chat({ tool_calls: [{ id: 'b', function: { name: 'g', arguments: '{}' } }] }),
      chat({}, 'tool_calls'),
    ])));
    expect(events.filter((e) => e.type === 'tool-call')).toEqual([
      { type: 'tool-call', id: 'a', name: 'f', arguments: '{"x":1}' },
      { type: 'tool-call', id: 'b', name: 'g', arguments: '{}' },
    ]);
  });

  it('should fail a chat tool call that never got a name as MALFORMED_CHUNK', async () => {
    const { error } = await collectError(fromStream(() => chunksOf([chat({ tool_calls: [{ index: 0, id: 'a', function: { arguments: '{}' } }] }), chat({}, 'tool_calls')])));
    expect(error).toMatchObject({ code: 'MALFORMED_CHUNK', retryable: true, message: expect.stringMatching(/tool call a has no name/) });
  });
});
