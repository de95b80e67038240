/** @test {withTimeouts} */
import { identity } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { TokenTimeoutError, withTimeouts, type L0Event, type TimeoutKind } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const values: Record<string, L0Event> = {
  a: tok('a'),
  b: tok('b'),
  c: tok('c'),
  d: tok('d'),
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  k: { type: 'checkpoint', content: 'a', tokenCount: 1 },
  C: { type: 'complete', finishReason: 'stop' },
  r: { type: 'reasoning', value: 'hm' },
  x: { type: 'tool-call', id: '1', name: 'f', arguments: '{}' },
  D: { type: 'data', payload: { contentType: 'json', json: {} } },
  p: { type: 'progress', percent: 50 },
};
const timeout = (kind: TimeoutKind, timeoutMs: number, elapsedMs: number, tokenCount: number) =>
  new TokenTimeoutError({ kind, timeoutMs, elapsedMs, tokenCount });

describe('withTimeouts', () => {
  describe('initialToken', () => {
    it('should error at the deadline when the first token is late (T1), and unsubscribe the source', () => {
      testScheduler().run(({ cold, time, expectObservable, expectSubscriptions }) => {
        const source = cold('----------a|', values);
        const initialToken = time('-----|');
        expectObservable(source.pipe(withTimeouts({ initialToken }))).toBe('-----#', values, timeout('initial', 5, 5, 0));
        expectSubscriptions(source.subscriptions).toBe('^----!');
      });
    });

    it('should fire even if the source never emits', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold<L0Event>('-');
        expectObservable(source.pipe(withTimeouts({ initialToken: 3 }))).toBe('---#', values, timeout('initial', 3, 3, 0));
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('should not count control events as the first token', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('s-k------a|', values);
        expectObservable(source.pipe(withTimeouts({ initialToken: 4 }))).toBe('s-k-#', values, timeout('initial', 4, 4, 0));
      });
    });

    it('should stop timing after the first token when no interToken is set', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('--a------------b|', values);
        expectObservable(source.pipe(withTimeouts({ initialToken: 4 }))).toBe('--a------------b|', values);
      });
    });
  });

  describe('interToken', () => {
    it('should error at the last token + interToken, not when the next chunk arrives (T2)', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a---------b|', values);
        expectObservable(source.pipe(withTimeouts({ interToken: 3 }))).toBe('-a--#', values, timeout('inter', 3, 3, 1));
        expectSubscriptions(source.subscriptions).toBe('^---!');
      });
    });

    it('should not time out while gaps stay below interToken (T3)', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-a-b--c--d-a--b|', values);
        expectObservable(source.pipe(withTimeouts({ initialToken: 2, interToken: 3 }))).toBe('-a-b--c--d-a--b|', values);
      });
    });

    it('should switch to the shorter inter-token deadline after the first token', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-a--------b|', values);
        expectObservable(source.pipe(withTimeouts({ initialToken: 10, interToken: 3 }))).toBe('-a--#', values, timeout('inter', 3, 3, 1));
      });
    });

    it('should extend to the longer inter-token deadline after the first token', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-a---b---------c|', values);
        expectObservable(source.pipe(withTimeouts({ initialToken: 2, interToken: 5 }))).toBe('-a---b----#', values, timeout('inter', 5, 5, 2));
      });
    });

    it('should count reasoning, tool calls, data and progress as activity', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-r-x-D-p-a|', values);
        expectObservable(source.pipe(withTimeouts({ initialToken: 2, interToken: 2 }))).toBe('-r-x-D-p-a|', values);
      });
    });

    it('should not restart the clock on control events', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-a-k-k-k-b|', values);
        expectObservable(source.pipe(withTimeouts({ interToken: 3 }))).toBe('-a-k#', values, timeout('inter', 3, 3, 1));
      });
    });
  });

  describe('total', () => {
    it('should bound the whole attempt from subscription', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-d-a-b|', values);
        expectObservable(source.pipe(withTimeouts({ interToken: 3, total: 6 }))).toBe('-a-b-c#', values, timeout('total', 6, 6, 3));
        expectSubscriptions(source.subscriptions).toBe('^-----!');
      });
    });

    it('should report total when it ties with another deadline', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold<L0Event>('-');
        expectObservable(source.pipe(withTimeouts({ initialToken: 4, total: 4 }))).toBe('----#', values, timeout('total', 4, 4, 0));
      });
    });
  });

  describe('completion', () => {
    it('should stop timing at a complete event', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const source = cold('-a-C-------', values);
        expectObservable(source.pipe(withTimeouts({ initialToken: 2, interToken: 3, total: 5 }))).toBe('-a-C-------', values);
      });
    });

    it('should pass an empty source through', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<L0Event>('|').pipe(withTimeouts({ initialToken: 2 }))).toBe('|');
      });
    });

    it('should pass a single value through', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a|', values).pipe(withTimeouts({ initialToken: 2, interToken: 2 }))).toBe('-a|', values);
      });
    });

    it('should pass a source error through and unsubscribe', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const err = new Error('boom');
        const source = cold('-a-#', values, err);
        expectObservable(source.pipe(withTimeouts({ interToken: 5, total: 9 }))).toBe('-a-#', values, err);
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('should let a never-ending source that keeps emitting run', () => {
      testScheduler().run(({ hot, expectObservable }) => {
        const source = hot('-a-b-c-d-a-b-c-d-a-b-c-d-a-b-c-d-', values);
        const unsub = '^-------------------------------!';
        expectObservable(source.pipe(withTimeouts({ initialToken: 3, interToken: 3 })), unsub).toBe('-a-b-c-d-a-b-c-d-a-b-c-d-a-b-c-d', values);
      });
    });

    it('should unsubscribe the source on early unsubscription', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c-d|', values);
        expectObservable(source.pipe(withTimeouts({ initialToken: 5, interToken: 5 })), '^--!').toBe('-a-', values);
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });
  });

  describe('config', () => {
    it('should return identity when every budget is undefined', () => {
      expect(withTimeouts({})).toBe(identity);
      expect(withTimeouts({ initialToken: undefined, interToken: undefined, total: undefined })).toBe(identity);
    });

    it('should return identity when every budget is false or Infinity', () => {
      expect(withTimeouts({ initialToken: false, interToken: Infinity, total: false })).toBe(identity);
    });

    it.each([false, Infinity] as const)('should keep the initial-token budget with the inter-token one turned off by %s', (off) => {
      testScheduler().run(({ cold, time, expectObservable }) => {
        const source = cold('  --a----------b|', values);
        const late = cold('    -----a|', values);
        const initialToken = time('---|');
        expectObservable(source.pipe(withTimeouts({ initialToken, interToken: off }))).toBe('--a----------b|', values);
        expectObservable(late.pipe(withTimeouts({ initialToken, interToken: off }))).toBe('---#', values, timeout('initial', 3, 3, 0));
      });
    });

    it.each([
      ['initialToken', 0],
      ['interToken', 0],
      ['total', 0],
      ['initialToken', -1],
      ['interToken', Number.NaN],
      ['total', -Infinity],
      ['interToken', '100'],
      ['initialToken', true],
    ])('should throw a TypeError naming %s for %s', (option, value) => {
      expect(() => withTimeouts({ [option]: value } as never)).toThrow(TypeError);
      expect(() => withTimeouts({ [option]: value } as never)).toThrow(`withTimeouts({${option}}) must be`);
    });

    it.each(['initialToken', 'interToken', 'total'])('should throw a TypeError for %s above 2147483647 ms, which a timer would fire at once', (option) => {
      expect(() => withTimeouts({ [option]: 3e9 })).toThrow(TypeError);
      expect(() => withTimeouts({ [option]: 3e9 })).toThrow(`withTimeouts({${option}}) must be at most 2147483647 ms (about 24.8 days), got 3000000000`);
      expect(withTimeouts({ [option]: 2_147_483_647 })).toBeTypeOf('function');
    });

    it('should show a wrong string value quoted', () => {
      expect(() => withTimeouts({ interToken: '100' } as never)).toThrow('withTimeouts({interToken}) must be a number of ms > 0 (false, Infinity or undefined: no limit), got "100"');
    });

    it('should reject a misspelled option and suggest the closest one', () => {
      expect(() => withTimeouts({ intialToken: 5000 } as never)).toThrow(
        new TypeError('withTimeouts(config): unknown option `intialToken` (did you mean `initialToken`?)'),
      );
    });

    it.each([
      ['null', null],
      ['a number', 5000],
      ['a string', 'fast'],
      ['an array', [5000]],
    ])('should throw a TypeError for a config that is %s', (_, config) => {
      expect(() => withTimeouts(config as never)).toThrow(/^withTimeouts\(config\) must be an object, got /);
    });

    it('should throw a TypeError for a scheduler that is not a SchedulerLike', () => {
      expect(() => withTimeouts({ total: 5, scheduler: {} as never })).toThrow('withTimeouts({scheduler}) must be a SchedulerLike, got an object');
    });
  });
});
