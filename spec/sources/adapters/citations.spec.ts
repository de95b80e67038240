/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import type { LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { simulateReadableStream, streamText } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { fromStream, type L0Event } from 'l0-rx';
import { collect } from '../streamHelpers.js';
import { fakeClient, sseText } from './openaiFake.js';

// Citations have no L0 event (DESIGN.md's event model: a token is only its text, and `data` is
// multimodal output): the adapters leave them out, as the README's adapter section says, and an
// answer that has them is read as the same answer without them, never a failed or empty one.
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const tok = (value: string): L0Event => ({ type: 'token', value });

describe('citations (left out: no L0 event carries them)', () => {
  it('should read a Responses answer with url and file citation annotations as its text', async () => {
    let sequence_number = 0;
    const at = { item_id: 'msg_1', output_index: 0, content_index: 0 };
    const annotation = (annotation: unknown, annotation_index: number) =>
      ({ type: 'response.output_text.annotation.added', ...at, annotation, annotation_index, sequence_number: sequence_number++ });
    const text = 'The fox is quick [1].';
    const url = { type: 'url_citation', url: 'https://example.com/fox', title: 'Foxes', start_index: 17, end_index: 20 };
    const file = { type: 'file_citation', file_id: 'file_1', filename: 'fox.pdf', index: 20 };
    const events = [
      { type: 'response.created', response: { id: 'resp_1', object: 'response', status: 'in_progress', output: [] }, sequence_number: sequence_number++ },
      { type: 'response.output_text.delta', ...at, delta: 'The fox is quick ', logprobs: [], sequence_number: sequence_number++ },
      { type: 'response.output_text.delta', ...at, delta: '[1].', logprobs: [], sequence_number: sequence_number++ },
      annotation(url, 0),
      annotation(file, 1),
      annotation(null, 2),
      { type: 'response.output_text.done', ...at, text, logprobs: [], sequence_number: sequence_number++ },
      { type: 'response.content_part.done', ...at, part: { type: 'output_text', text, annotations: [url, file], logprobs: [] }, sequence_number: sequence_number++ },
      { type: 'response.completed', response: { id: 'resp_1', object: 'response', status: 'completed', output: [] }, sequence_number: sequence_number++ },
    ] as ResponseStreamEvent[];
    const client = fakeClient(() => sseText(events, { done: false }));
    expect(await collect(fromStream(({ signal }) => client.responses.create({ model: 'm', input: 'fox', stream: true }, { signal })))).toEqual([
      start, tok('The fox is quick '), tok('[1].'), { type: 'complete', finishReason: 'stop' },
    ]);
  });

  it('should read a streamText answer with url and document source parts as its text', async () => {
    const parts: LanguageModelV4StreamPart[] = [
      { type: 'stream-start', warnings: [] },
      { type: 'source', sourceType: 'url', id: 's1', url: 'https://example.com/fox', title: 'Foxes' },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: 'Quick [1].' },
      { type: 'text-end', id: 't' },
      { type: 'source', sourceType: 'document', id: 's2', mediaType: 'application/pdf', title: 'Fox facts', filename: 'fox.pdf' },
      { type: 'finish', usage: { inputTokens: { total: 3, noCache: 3, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 2, text: 2, reasoning: 0 } }, finishReason: { unified: 'stop', raw: 'stop' } },
    ];
    const model = () => new MockLanguageModelV4({ doStream: { stream: simulateReadableStream({ chunks: parts, initialDelayInMs: null, chunkDelayInMs: null }) } });
    const seen: string[] = [];
    for await (const part of streamText({ model: model(), prompt: 'fox', maxRetries: 0 }).stream) seen.push(part.type);
    expect(seen.filter((type) => type === 'source')).toHaveLength(2); // the SDK hands both sources on
    let result: ReturnType<typeof streamText> | undefined;
    const events = await collect(fromStream(({ signal }) => (result = streamText({ model: model(), prompt: 'fox', abortSignal: signal, maxRetries: 0 }))));
    expect(events.filter((e) => e.type !== 'complete')).toEqual([start, tok('Quick [1].')]);
    expect(events.at(-1)).toMatchObject({ type: 'complete', finishReason: 'stop' });
    // as the README says, the SDK's own `sources` still resolves once the run has read the stream
    expect((await result!.sources).map((source) => source.id)).toEqual(['s1', 's2']);
  });
});
