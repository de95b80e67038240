/** @test {deduplicateContinuation} */
import { describe, it } from 'vitest';
import { deduplicateContinuation, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const t = (value: string): L0Event => ({ type: 'token', value });

describe('deduplicateContinuation with reasoning before the text', () => {
  it('should remove the repeated head of a resumed attempt that starts with a reasoning delta', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const values: Record<string, L0Event> = {
        r: { type: 'resume', checkpoint: 'Hello world' },
        z: { type: 'reasoning', value: 'Continuing the greeting.' },
        a: t('world'),
        b: t(' is great'),
        x: { type: 'complete', finishReason: 'stop' },
      };
      const source = cold('-r-z-a-b-x|', values);
      // reasoning is its own channel: it does not change the text, so the head 'world' is still the overlap
      expectObservable(source.pipe(deduplicateContinuation())).toBe('-r-z---b-x|', values);
    });
  });
});
