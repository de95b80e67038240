/** @test {ofType} */
import { describe, expect, it } from 'vitest';
import { ofType, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

describe('ofType', () => {
  it('should keep only the listed event types', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const values: Record<string, L0Event> = {
        s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
        a: { type: 'token', value: 'a' },
        r: { type: 'reasoning', value: 'r' },
        c: { type: 'complete', finishReason: 'stop' },
      };
      expectObservable(cold('-s-a-r-c|', values).pipe(ofType('token', 'complete'))).toBe('---a---c|', values);
    });
  });

  it('should complete for an empty source and stay silent for a never source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<L0Event>('|').pipe(ofType('token'))).toBe('|');
      expectObservable(cold<L0Event>('-').pipe(ofType('token'))).toBe('');
    });
  });

  it('should unsubscribe from the source when the consumer leaves', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<L0Event>('-a-a-a-', { a: { type: 'token', value: 'a' } });
      expectObservable(source.pipe(ofType('token')), '^--!').toBe('-a-', { a: { type: 'token', value: 'a' } });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('should pass errors through', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<L0Event>('-#').pipe(ofType('token'))).toBe('-#');
    });
  });

  it.each([
    ['a misspelt type', ['tokens'], '`types[0]` must be one of L0_EVENT_TYPES, got "tokens"'],
    ['an array of types', [['token', 'complete']], '`types[0]` must be one of L0_EVENT_TYPES, got an array'],
    ['a later bad type', ['token', undefined], '`types[1]` must be one of L0_EVENT_TYPES, got undefined'],
  ])('should throw a TypeError naming %s, which would drop every event of it silently', (_, types, message) => {
    expect(() => ofType(...(types as ['token']))).toThrow(new TypeError(`ofType: ${message}`));
  });

  it('should throw a TypeError for no types at all, which would drop every event silently', () => {
    expect(() => ofType()).toThrow(new TypeError('ofType: `types` must list at least one of L0_EVENT_TYPES, got none'));
  });
});
