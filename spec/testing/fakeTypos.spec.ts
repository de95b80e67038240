/** @test {fakeModel} @test {fakeError} */
/* Inputs the fake model and fake errors took silently, or checked only when the script played: a misspelt key
   left at its default (a test asserting on a finish reason the fake never sent), a header Headers refuses. */
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fakeError, fakeModel, type FakeAttempt, type FakeModelOptions } from 'l0-rx/testing';

const ctx = { signal: new AbortController().signal, attempt: 1, fallbackIndex: 0 };

describe('fakeModel and fakeError: misspelt keys and bad headers', () => {
  it.each([
    [{ schedular: {} }, /fakeModel\(attempts, options\): unknown option `schedular` \(did you mean `scheduler`\?\)/],
    [{ finishreason: 'length' }, /unknown option `finishreason` \(did you mean `finishReason`\?\)/],
  ])('should throw a TypeError naming the unknown option %j', (options, message) => {
    expect(() => fakeModel('a|', options as FakeModelOptions)).toThrow(TypeError);
    expect(() => fakeModel('a|', options as FakeModelOptions)).toThrow(message);
  });

  it.each([
    [['a|', { items: ['a'], finishreason: 'length' }], /fakeModel: attempts\[1\]: unknown option `finishreason` \(did you mean `finishReason`\?\)/],
    [{ items: ['a'], usgae: { outputTokens: 1 } }, /fakeModel: attempts\[0\]: unknown option `usgae` \(did you mean `usage`\?\)/],
    [{ items: [{ toolCall: { name: 'f', arguments: '{}', idd: 'c1' } }] }, /attempts\[0\] item 0: toolCall: unknown option `idd` \(did you mean `id`\?\)/],
  ])('should throw a TypeError naming the unknown key of a script or a tool call: %j', (attempts, message) => {
    expect(() => fakeModel(attempts as FakeAttempt)).toThrow(TypeError);
    expect(() => fakeModel(attempts as FakeAttempt)).toThrow(message);
  });

  it('should still take every documented key', async () => {
    const model = fakeModel({ items: [{ toolCall: { id: 'c1', name: 'f', arguments: {}, fragments: 2 } }], finishReason: 'tool-calls', usage: { outputTokens: 1 } }, { finishReason: 'length' });
    await expect(lastValueFrom(model(ctx))).resolves.toEqual({ type: 'complete', finishReason: 'tool-calls', usage: { outputTokens: 1 } });
  });

  // the spec was checked, its headers were not: the stream errored with Headers' TypeError instead of the 429
  it('should refuse, when the script is made, a header name or value Headers refuses', () => {
    const script = { items: [{ error: { status: 429, headers: { 'retry after': '2' } } }] };
    expect(() => fakeModel(script)).toThrow(/fakeModel: attempts\[0\] item 0: headers: .*"retry after"/);
    expect(() => fakeError({ status: 429, headers: { 'retry-after': '2\r\nx-injected: 1' } })).toThrow(/fakeError: headers: /);
  });

  it('should throw a TypeError naming an unknown key of an in-band error', () => {
    expect(() => fakeError({ inBand: { type: 'server_error', mesage: 'x' } } as never)).toThrow(/fakeError: inBand has an unknown key "mesage"/);
  });
});
