/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { generateText } from 'ai';
import { fromStream, isInvalidStreamError } from 'l0-rx';
import { faultProvider } from '../testing/sdkDrivers.js';
import { collectError } from '../sources/streamHelpers.js';
import { openaiClient, useFaultServer } from './harness.js';

// A factory that makes a non-streaming call gets a complete answer object, not a stream: fromStream must
// say what was forgotten, not only that the value is not a stream. Real SDKs against the fault server.
const ctx = useFaultServer();

describe('fromStream with a non-streaming SDK call', () => {
  it('should tell an openai user who forgot `stream: true` to add it', async () => {
    const client = openaiClient(ctx.server);
    const { events, error } = await collectError(
      fromStream(({ signal }) => client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] }, { signal })),
    );
    expect(ctx.server.requests).toHaveLength(1);
    expect(ctx.server.requests[0]).toMatchObject({ stream: false });
    expect(events.map((e) => e.type)).toEqual(['start']);
    expect(isInvalidStreamError(error)).toBe(true);
    expect(error.message).toContain('complete OpenAI `chat.completion` object');
    expect(error.message).toContain('did you forget `stream: true`?');
  });

  it('should tell an AI SDK user to use streamText, not generateText', async () => {
    const model = faultProvider(ctx.server).chatModel('gpt-test');
    const { error } = await collectError(fromStream(({ signal }) => generateText({ model, prompt: 'Hi', abortSignal: signal, maxRetries: 0 })));
    expect(ctx.server.requests).toHaveLength(1);
    expect(isInvalidStreamError(error)).toBe(true);
    expect(error.message).toContain('use streamText, not generateText');
  });

  it('should tell an OpenAI Responses user who forgot `stream: true` to add it', async () => {
    const client = openaiClient(ctx.server);
    const { error } = await collectError(fromStream(({ signal }) => client.responses.create({ model: 'gpt-test', input: 'Hi' }, { signal })));
    expect(ctx.server.requests).toMatchObject([{ route: 'responses', stream: false }]);
    expect(isInvalidStreamError(error)).toBe(true);
    expect(error.message).toContain('did you forget `stream: true`?');
  });
});
