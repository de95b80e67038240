/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { fromStream, isInvalidStreamError } from 'l0-rx';
import { expectClosedByClient, useFaultServer } from './harness.js';
import { collectError } from '../sources/streamHelpers.js';

// A factory that returns the raw HTTP body of a streaming request (fetch's `response.body`: bytes of
// server-sent events) instead of the SDK's stream: refused at its first chunk, naming what it is,
// never streamed as the answer; the request is cancelled.
const ctx = useFaultServer();

describe('fromStream + the raw HTTP body of a streaming request', () => {
  it.each([
    ['chat/completions', { messages: [{ role: 'user', content: 'Hi' }] }, 'data: {'],
    ['responses', { input: 'Hi' }, 'event: response.created\\ndata: {'],
  ])('should refuse the server-sent events of %s with InvalidStreamError and cancel the request', async (path, body, begins) => {
    const model = `gpt-test-${path.replace('/', '-')}`;
    const { events, error } = await collectError(fromStream(async ({ signal }) => {
      const response = await fetch(`${ctx.server.url}/${path}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, stream: true, ...body }), signal,
      });
      return response.body!;
    }));
    expect(events.map((e) => e.type)).toEqual(['start']);
    expect(isInvalidStreamError(error)).toBe(true);
    expect(error.message).toContain(`began with an SDK's wire format, "${begins}`);
    await expectClosedByClient(ctx.server, model);
  });
});
