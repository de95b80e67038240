/** @test {fakeModel} @test {fakeError} */
/* Inputs the fake model and fake errors took silently, or checked only when the script played: a misspelt key
   left at its default (a test asserting on a finish reason the fake never sent), a header Headers refuses. */
import { lastValueFrom, toArray } from 'rxjs';
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

describe('fakeModel: a tool call\'s fragments', () => {
  const script = (fragments: unknown, args: string | object = '{"a":1}') => ({ items: [{ toolCall: { name: 'f', arguments: args, fragments } }] }) as FakeAttempt;

  it.each([
    [['{"a":', '1}'], /attempts\[0\] item 0: toolCall\.fragments must be a whole number from 1 to 7 \(one per character of the arguments at most\), got an array \(a count of pieces, as the fault server's tool-call-fragments:k, not the pieces\)/],
    ['2', /toolCall\.fragments must be a whole number from 1 to 7 .*, got "2"$/],
    [0, /toolCall\.fragments must be a whole number from 1 to 7 .*, got 0$/],
    [1.5, /got 1\.5$/],
    [Number.NaN, /got NaN$/],
    [8, /from 1 to 7 .*, got 8$/],
  ])('should throw a TypeError naming fragments %j, which no count of the arguments\' pieces is', (fragments, message) => {
    expect(() => fakeModel(script(fragments))).toThrow(TypeError);
    expect(() => fakeModel(script(fragments))).toThrow(message);
  });

  it('should count an object\'s arguments by their JSON text, and take one piece for empty arguments', async () => {
    expect(() => fakeModel(script(3, { a: 1 }))).not.toThrow();
    expect(() => fakeModel(script(8, { a: 1 }))).toThrow(/from 1 to 7/);
    const events = await lastValueFrom(fakeModel(script(1, ''))(ctx).pipe(toArray()));
    expect(events[0]).toEqual({ type: 'tool-call', id: 'call_0', name: 'f', arguments: '' });
  });
});
