/** @test {raceModels} @test {hedge} */
import { describe, it } from 'vitest';
import { hedge, raceModels, type L0Event, type StartEvent } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const start = (model?: string): StartEvent => ({ type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false, ...(model ? { model } : {}) });
const again = (model?: string): StartEvent => ({ type: 'start', attempt: 2, fallbackIndex: 0, isRetry: true, isFallback: false, ...(model ? { model } : {}) });
const retry: L0Event = { type: 'retry', attempt: 1, delayMs: 0, error: { name: 'Error', message: 'reset' }, reason: 'network_error', countsTowardAttempts: false } as L0Event;
const values = {
  s: start(), S: again(), r: retry,
  a: { type: 'token', value: 'a' } as L0Event,
  h: { type: 'token', value: 'hello' } as L0Event,
  x: { type: 'complete', finishReason: 'stop' } as L0Event,
};

describe('races and retracted content', () => {
  it('should not let a source win at its completion with content its own retry retracted', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const flaky = cold('s-a-r-S-x|', values); // 'a', retracted by the retry; the second attempt is empty
      const steady = cold('s---------h---x|', values);
      expectObservable(raceModels([flaky, steady], { winOn: { minChars: 5 } })).toBe('----------(sh)x|', values);
      expectSubscriptions(steady.subscriptions).toBe('^--------------!');
    });
  });

  it('should start the hedge at once when the primary completes with only retracted content', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const primary = cold('s-a-r-S-x|', values);
      const backup = cold('s-h---x|', values); // subscribed at 9, when the primary has failed
      expectObservable(primary.pipe(hedge(backup, { delay: 20, winOn: { minChars: 5 } }))).toBe('-----------(sh)x|', values);
    });
  });

  it('should name every start of the winner from a record, its retries\' included', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const gpt = cold('s-h---r-S-h-x|', values);
      const claude = cold('s------------h|', values);
      const named = { s: start('gpt'), S: again('gpt'), r: retry, h: values.h, x: values.x };
      expectObservable(raceModels({ gpt, claude })).toBe('--(sh)r-S-h-x|', named);
    });
  });

  it("should not name an unnamed winner's later starts after its first start's model (a fallback streams another model)", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const fallback: StartEvent = { type: 'start', attempt: 1, fallbackIndex: 1, isRetry: false, isFallback: true };
      const primary = cold('s-h-----f-h-x|', { ...values, s: start('gpt'), f: fallback });
      const other = cold('---------------h|', values);
      expectObservable(raceModels([primary, other])).toBe('--(sh)--f-h-x|', { ...values, s: start('gpt'), f: fallback });
    });
  });

  it("should not name an unnamed winner's held fallback start after its first start's model, nor its first after a fallback's", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // the held starts took the first model found among them: the fallback's start came out as model 'gpt', and in the second race the primary's as 'claude'
      const fallback: StartEvent = { type: 'start', attempt: 1, fallbackIndex: 1, isRetry: false, isFallback: true };
      const named = { ...values, g: start('gpt'), f: fallback, c: { ...fallback, model: 'claude' } };
      const other = cold('-----------h|', values);
      expectObservable(raceModels([cold('g-f-h------x|', named), other])).toBe('----(gfh)--x|', named);
      expectObservable(raceModels([cold('s-c-h------x|', named), other])).toBe('----(sch)--x|', named);
    });
  });
});
