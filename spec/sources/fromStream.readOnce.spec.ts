/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { retry } from 'rxjs';
import { fromStream, isInvalidStreamError, type L0Event } from 'l0-rx';
import { chunksOf, collect, collectError } from './streamHelpers.js';
import { fakeClient, sseText } from './adapters/openaiFake.js';

// A factory must make a new stream per subscription. One that hands back the same generator or SDK
// stream every time gave a retry an exhausted source: an empty answer that completed `stop`, or an
// unclassified (retryable) failure, every retry alike. It is refused, naming the source.
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const tok = (value: string): L0Event => ({ type: 'token', value });
const stop: L0Event = { type: 'complete', finishReason: 'stop' };
const READ = 'which an earlier subscription already read; a stream can be read once, so the factory must return a new one on every call';

describe('fromStream: a source that can be read once, returned again', () => {
  it('should refuse an async generator an earlier subscription read, with InvalidStreamError', async () => {
    const generator = chunksOf(['Hel', 'lo']);
    const events$ = fromStream(() => generator);
    expect(await collect(events$)).toEqual([start, tok('Hel'), tok('lo'), stop]);
    const { events, error } = await collectError(events$);
    expect(events).toEqual([start]);
    expect(isInvalidStreamError(error)).toBe(true);
    expect(error.message).toContain(READ);
  });

  it('should refuse it on a retry that follows a failure, instead of completing the retry empty', async () => {
    async function* failing() {
      yield 'Hel';
      throw new Error('boom');
    }
    const generator = failing();
    const { events, error } = await collectError(fromStream(() => generator).pipe(retry(1)));
    expect(events).toEqual([start, tok('Hel'), start]);
    expect(isInvalidStreamError(error)).toBe(true);
  });

  it('should refuse an openai Stream an earlier subscription read (the real SDK), with InvalidStreamError', async () => {
    const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: 'stop' }] };
    const stream = await fakeClient(() => sseText([chunk])).chat.completions.create({ model: 'm', messages: [], stream: true });
    const events$ = fromStream(() => stream);
    expect(await collect(events$)).toEqual([start, tok('Hi'), stop]);
    const { error } = await collectError(events$);
    expect(isInvalidStreamError(error)).toBe(true);
    expect(error.message).toContain(READ);
  });

  it('should read an iterable that makes a new iterator each time on every subscription', async () => {
    const iterable: AsyncIterable<string> = { [Symbol.asyncIterator]: () => chunksOf(['a', 'b']) };
    const events$ = fromStream(() => iterable);
    expect(await collect(events$)).toEqual([start, tok('a'), tok('b'), stop]);
    expect(await collect(events$)).toEqual([start, tok('a'), tok('b'), stop]);
  });
});
