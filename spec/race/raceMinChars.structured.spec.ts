/** @test {raceModels} */
import { describe, it } from 'vitest';
import { raceModels, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

describe('minChars with structured output', () => {
  it('should not let a partial win before the attempt text reaches minChars', () => {
    const v = {
      s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false } as L0Event,
      o: { type: 'token', value: '{' } as L0Event, // structured() parses `{` into the partial {}
      p: { type: 'partial', value: {} } as L0Event,
      h: { type: 'token', value: '{"name":"Ada Lovelace"}' } as L0Event,
      x: { type: 'complete', finishReason: 'stop' } as L0Event,
    };
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow = cold('s-(op)--------x|', v); // 1 char of JSON at 2, nothing more for a while
      const fast = cold('s-----h---x|', v);      // 23 chars at 6
      expectObservable(raceModels([slow, fast], { winOn: { minChars: 10 } })).toBe('------(sh)x|', v);
      expectSubscriptions(slow.subscriptions).toBe('^-----!');
    });
  });
});
