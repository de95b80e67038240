/** @test {budget} */
import { describe, expect, it } from 'vitest';
import { concatMap, lastValueFrom, NEVER, of, take, timer } from 'rxjs';
import { budget, BudgetExceededError, createBudget, hedge, isBudgetExceededError, raceModels, type L0Event } from 'l0-rx';
import { flood } from '../helpers/flood.js';
import { unhandledDuring } from '../helpers/unhandled.js';
import { testScheduler } from '../helpers/testScheduler.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const values = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false } as L0Event,
  a: tok('a'), b: tok('b'), c: tok('c'), d: tok('d'), L: tok('a long delta of forty characters here...'),
  x: { type: 'complete', finishReason: 'stop' } as L0Event,
  r: { type: 'retry', attempt: 1, delayMs: 0, error: { name: 'Error', message: 'x' }, reason: 'unknown', countsTowardAttempts: true } as unknown as L0Event,
};
const over = (limit: BudgetExceededError['info']['limit'], max: number, reached: number, outputTokens = reached) => new BudgetExceededError({ limit, max, reached, outputTokens });

describe('budget', () => {
  describe('creation', () => {
    it('should throw a TypeError without any limit', () => {
      expect(() => budget({})).toThrow(/at least one limit/);
    });

    it('should throw a TypeError for maxCost without pricing', () => {
      expect(() => budget({ maxCost: 1 })).toThrow(/pricing/);
    });

    it('should throw a TypeError for an unknown option, with a suggestion', () => {
      expect(() => budget({ maxOutputToken: 5 } as never)).toThrow(/did you mean `maxOutputTokens`/);
    });

    it.each([['-1', -1], ['NaN', NaN], ['"2.5"', '2.5']])('should throw a TypeError naming a price of %s (it would turn maxCost off)', (shown, bad) => {
      expect(() => budget({ maxCost: 1, pricing: { inputPerMillion: 1, outputPerMillion: bad as number } }))
        .toThrow(`budget({pricing: {outputPerMillion}}) must be a finite number >= 0, got ${shown}`);
    });

    it('should suggest the price meant by a misspelt pricing key', () => {
      expect(() => budget({ maxCost: 1, pricing: { inputPerMilion: 2 } as never })).toThrow(/did you mean `inputPerMillion`/);
    });

    it('should throw a TypeError for maxCost with pricing that has no price', () => {
      expect(() => budget({ maxCost: 1, pricing: {} })).toThrow(/budget\(\{pricing\}\) must be \{inputPerMillion, outputPerMillion\} \(at least one\)/);
    });
  });

  it('should pass a run within budget through untouched', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('s-a-b-x|', values).pipe(budget({ maxOutputTokens: 2 }))).toBe('s-a-b-x|', values);
    });
  });

  it('should error at the delta that would cross the limit, and unsubscribe the source then', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const run = cold('s-a-b-c-d-x|', values);
      expectObservable(run.pipe(budget({ maxOutputTokens: 3 }))).toBe('s-a-b-c-#', values, over('maxOutputTokens', 3, 4));
      expectSubscriptions(run.subscriptions).toBe('^-------!');
    });
  });

  it('should end with complete{finishReason: length} and the partial result with onExceeded complete', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const L: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 2, inputTokens: 0 } };
      expectObservable(cold('s-a-b-c|', values).pipe(budget({ maxOutputTokens: 2, onExceeded: 'complete' }))).toBe('s-a-b-(L|)', { ...values, L });
    });
  });

  it('should estimate long deltas at about four characters a token', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('s-L|', values).pipe(budget({ maxOutputTokens: 9 }))).toBe('s-#', values, over('maxOutputTokens', 9, 10));
    });
  });

  it('should keep counting the tokens of a failed attempt after a retry', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('s-a-b-r-s-c-d|', values).pipe(budget({ maxOutputTokens: 3 }))).toBe('s-a-b-r-s-c-#', values, over('maxOutputTokens', 3, 4));
    });
  });

  it('should pass the retry that crosses a limit on, so the failed attempt is retracted, before completing with onExceeded complete', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      // the prompt (2 tokens) sent again for the retry would make 2 + 2 + 2 = 6 > 5: the failed
      // attempt's 'ab' must not become the answer
      const L: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 2, inputTokens: 2 } };
      const run = cold('s-a-b-r-s-c|', values);
      expectObservable(run.pipe(budget({ maxTotalTokens: 5, inputTokens: 2, onExceeded: 'complete' }))).toBe('s-a-b-(rL|)', { ...values, L });
      expectSubscriptions(run.subscriptions).toBe('^-----!');
    });
  });

  it('should pass the fallback that crosses a limit on before completing with onExceeded complete', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const f = { type: 'fallback', fromIndex: 0, toIndex: 1, error: { name: 'Error', message: 'x' } } as unknown as L0Event;
      const L: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 1, inputTokens: 3 } };
      const run = cold('s-a-f-s-c|', { ...values, f });
      expectObservable(run.pipe(budget({ maxTotalTokens: 6, inputTokens: 3, onExceeded: 'complete' }))).toBe('s-a-(fL|)', { ...values, f, L });
    });
  });

  // a tool call is output too: an agent's answer made of tool calls was never counted without provider usage
  it('should count a tool call\'s name and arguments, and not emit the one that would cross the limit', () => {
    const call = (args: string): L0Event => ({ type: 'tool-call', id: '1', name: 'write', arguments: args });
    testScheduler().run(({ cold, expectObservable }) => {
      const v = { ...values, t: call('{"a":1}'), T: call(JSON.stringify({ code: 'x'.repeat(100) })) };
      // 'write{"a":1}': 12 characters, 3 tokens; the second call 28 more
      expectObservable(cold('s-t-T-x|', v).pipe(budget({ maxOutputTokens: 10 }))).toBe('s-t-#', v, over('maxOutputTokens', 10, 3 + 29));
    });
    const ledger = createBudget({ maxOutputTokens: 100 });
    of(values.s, call('{"a":1}'), values.x).pipe(budget(ledger)).subscribe();
    expect(ledger.outputTokens).toBe(3);
  });

  it('should use the provider\'s usage in place of the estimate when the attempt completes', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const u: L0Event = { type: 'complete', finishReason: 'stop', usage: { inputTokens: 100, outputTokens: 2 } };
      const run = cold('s-a-r-s-b-u|', { ...values, u }).pipe(budget({ maxTotalTokens: 110, inputTokens: 5 }));
      expectObservable(run).toBe('s-a-r-s-b-u|', { ...values, u }); // (1 + 5) + (2 + 100) = 108
    });
  });

  it('should stop on cost, from pricing per million tokens', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const pricing = { inputPerMillion: 1_000_000, outputPerMillion: 2_000_000 }; // 1 per input token, 2 per output token
      const run = cold('s-a-b-x|', values).pipe(budget({ maxCost: 4, pricing, inputTokens: 1 }));
      expectObservable(run).toBe('s-a-#', values, over('maxCost', 4, 5, 2));
    });
  });

  it('should stop a synchronous source at the limit', () => {
    const seen: string[] = [];
    of(values.s, values.a, values.b, values.c).pipe(budget({ maxOutputTokens: 1 })).subscribe({ next: (e) => seen.push(e.type), error: (e: Error) => seen.push(e.name) });
    expect(seen).toEqual(['start', 'token', 'BudgetExceededError']);
  });

  it('should be an abort that is never retried', () => {
    const e = over('maxOutputTokens', 1, 2);
    expect([isBudgetExceededError(e), e.category, e.retryable]).toEqual([true, 'abort', false]);
  });

  describe('a shared budget (createBudget)', () => {
    it('should count every stream piped through it into one limit', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const shared = createBudget({ maxOutputTokens: 3 });
        expectObservable(cold('s-a-b|', values).pipe(budget(shared))).toBe('s-a-b|', values);
        expectObservable(cold('-------s-c-d|', values).pipe(budget(shared))).toBe('-------s-c-#', values, over('maxOutputTokens', 3, 4));
      });
    });

    it('should count a race loser\'s tokens, which were paid for even though never shown', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const shared = createBudget({ maxOutputTokens: 3 });
        const wins = cold('s-a-b----c-d|', values).pipe(budget(shared));
        const loses = cold('s--a-b-c-d|', values).pipe(budget(shared));
        // `wins` has a at 2 and b at 4, `loses` a at 3: `wins` wins at 4 with 3 tokens counted; its c at 9 makes 4
        expectObservable(raceModels([wins, loses], { winOn: { minChars: 2 } })).toBe('----(sab)#', values, over('maxOutputTokens', 3, 4));
      });
    });

    it('should cover a hedge: primary and backup count into the same budget', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const shared = createBudget({ maxOutputTokens: 1 });
        const primary = cold('s----a|', values).pipe(budget(shared));
        const backup = cold('s-b---c|', values).pipe(budget(shared)); // subscribed at 1: b at 3 wins, c at 7 is one too many
        expectObservable(primary.pipe(hedge(backup, { delay: 1 }))).toBe('---(sb)#', values, over('maxOutputTokens', 1, 2));
      });
    });

    it('should report a cut run\'s own usage in its complete, not the ledger\'s total', () => {
      const shared = createBudget({ maxOutputTokens: 3, inputTokens: 5, onExceeded: 'complete' });
      testScheduler().run(({ cold, expectObservable }) => {
        // the first run spends a and b (2 of 3); the second has room for c only, and has sent its own prompt
        const L: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 1, inputTokens: 5 } };
        expectObservable(cold('s-a-b-x|', values).pipe(budget(shared))).toBe('s-a-b-x|', values);
        expectObservable(cold('--------s-c-d|', values).pipe(budget(shared))).toBe('--------s-c-(L|)', { ...values, L });
      });
      expect([shared.outputTokens, shared.inputTokens]).toEqual([3, 10]); // the ledger still holds both runs
    });

    it('should never send a request once the ledger is spent: the source is not subscribed', () => {
      const shared = createBudget({ maxOutputTokens: 2 });
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const first = cold('s-a-b-x|', values);
        const second = cold('s-c|', values);
        expectObservable(first.pipe(budget(shared))).toBe('s-a-b-x|', values);
        expectObservable(timer(10).pipe(concatMap(() => second.pipe(budget(shared))))).toBe('----------#', values, over('maxOutputTokens', 2, 3));
        expectSubscriptions(second.subscriptions).toBe([]);
      });
    });

    it('should complete at once with length and zero usage when spent, with onExceeded complete', () => {
      const shared = createBudget({ maxTotalTokens: 10, inputTokens: 6, onExceeded: 'complete' });
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const first = cold('s-a-x|', values);
        const second = cold('s-c|', values);
        const L: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 0, inputTokens: 0 } };
        expectObservable(first.pipe(budget(shared))).toBe('s-a-x|', values);
        // 6 + 1 spent: a second prompt of 6 and one token would make 13
        expectObservable(timer(10).pipe(concatMap(() => second.pipe(budget(shared))))).toBe('----------(L|)', { L });
        expectSubscriptions(second.subscriptions).toBe([]);
      });
      expect([shared.outputTokens, shared.inputTokens]).toEqual([1, 6]); // the refused run paid for nothing
    });

    it('should not send a request whose prompt alone is over the limit', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('s-a|', values);
        expectObservable(source.pipe(budget({ maxTotalTokens: 100, inputTokens: 100 }))).toBe('#', values, over('maxTotalTokens', 100, 101, 1));
        expectSubscriptions(source.subscriptions).toBe([]);
      });
    });

    it('should report what was spent', () => {
      const shared = createBudget({ maxCost: 10, pricing: { outputPerMillion: 1_000_000 } });
      testScheduler().run(({ cold, flush }) => {
        cold('s-a-b|', values).pipe(budget(shared)).subscribe();
        flush();
      });
      expect([shared.outputTokens, shared.cost]).toEqual([2, 2]);
    });
  });

  describe('rxjs checklist', () => {
    it('should pass never and empty through', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(NEVER.pipe(budget({ maxOutputTokens: 1 }))).toBe('-');
        expectObservable(cold<L0Event>('|').pipe(budget({ maxOutputTokens: 1 }))).toBe('|');
      });
    });

    it('should pass errors through', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('s-#', values).pipe(budget({ maxOutputTokens: 1 }))).toBe('s-#', values);
      });
    });

    it('should error when estimateTokens throws', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const boom = new Error('estimate');
        expectObservable(cold('s-a|', values).pipe(budget({ maxOutputTokens: 1, estimateTokens: () => { throw boom; } }))).toBe('s-#', values, boom);
      });
    });

    it.each([['"1"', '1'], ['null', null], ['true', true]])('should error with a TypeError naming it when estimateTokens returns the non-number %s (a string would be concatenated into the ledger)', (shown, bad) => {
      testScheduler().run(({ cold, expectObservable }) => {
        const out = cold('s-a|', values).pipe(budget({ maxOutputTokens: 100, estimateTokens: () => bad as unknown as number }));
        expectObservable(out).toBe('s-#', values, new TypeError(`budget({estimateTokens}): returned ${shown} for a delta; it must return a finite number of tokens >= 0`));
      });
    });

    it.each([NaN, -1, Infinity, undefined])('should error with a TypeError naming it when estimateTokens returns %s (it would turn the limits off)', (bad) => {
      testScheduler().run(({ cold, expectObservable }) => {
        const out = cold('s-a|', values).pipe(budget({ maxOutputTokens: 100, estimateTokens: () => bad as number }));
        expectObservable(out).toBe('s-#', values, new TypeError(`budget({estimateTokens}): returned ${String(bad)} for a delta; it must return a finite number of tokens >= 0`));
      });
    });

    it('should error with a TypeError naming an async estimateTokens, and leave its rejection handled', async () => {
      const unhandled = await unhandledDuring(async () => {
        const error = await lastValueFrom(of(values.s, values.a).pipe(budget({ maxOutputTokens: 100, estimateTokens: (() => Promise.reject(new Error('no'))) as never }))).catch((e: unknown) => e);
        expect(error).toEqual(new TypeError('budget({estimateTokens}): returned a Promise for a delta; it must return a finite number of tokens >= 0'));
      });
      expect(unhandled).toEqual([]);
    });

    it('should error with the TypeError naming estimateTokens, not the throw of its then, when it returns a thenable whose then throws', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const thenable = { then: () => { throw new Error('then broke'); } };
        const out = cold('s-a|', values).pipe(budget({ maxOutputTokens: 100, estimateTokens: (() => thenable) as never }));
        expectObservable(out).toBe('s-#', values, new TypeError('budget({estimateTokens}): returned an object for a delta; it must return a finite number of tokens >= 0'));
      });
    });

    it('should stop listening to a synchronous source when the consumer leaves during its subscribe', () => {
      const f = flood(values.a);
      const seen: L0Event[] = [];
      f.source.pipe(budget({ maxOutputTokens: 1e6 }), take(2)).subscribe((e) => seen.push(e));
      expect([seen.length, f.emitted]).toEqual([2, 2]);
    });

    it('should stop a synchronous source that never ends at the limit', () => {
      const f = flood(values.a);
      let error: unknown;
      f.source.pipe(budget({ maxOutputTokens: 3 })).subscribe({ error: (e: unknown) => (error = e) });
      expect(isBudgetExceededError(error)).toBe(true);
      expect(f.emitted).toBe(4);
    });

    it('should keep state per subscription', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const run = cold('s-a-b|', values).pipe(budget({ maxOutputTokens: 2 }));
        expectObservable(run).toBe('s-a-b|', values);
        expectObservable(run).toBe('s-a-b|', values);
      });
    });
  });
});
