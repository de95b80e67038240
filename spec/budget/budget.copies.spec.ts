/** @test {budget} a ledger from another copy of the package */
import { describe, expect, it, vi } from 'vitest';
import { budget, Budget, BudgetExceededError, createBudget, type L0Event } from 'l0-rx';
import { MARBLE_VALUES } from '../helpers/marbleValues.js';
import { testScheduler } from '../helpers/testScheduler.js';

const values = MARBLE_VALUES;

/** A second copy of the module, as an app that loads both the ESM and the CJS build has. */
async function otherCopy(): Promise<typeof import('../../src/budget/budget.js') & typeof import('../../src/budget/budgetLedger.js')> {
  vi.resetModules();
  return { ...(await import('../../src/budget/budget.js')), ...(await import('../../src/budget/budgetLedger.js')) };
}

describe('budget with a ledger from another copy of the package', () => {
  it('should count into a ledger another copy made, and hold its limit, instead of reading it as options', async () => {
    const copy = await otherCopy();
    const ledger = copy.createBudget({ maxOutputTokens: 3 });
    expect(ledger).not.toBeInstanceOf(Budget);
    testScheduler().run(({ cold, expectObservable }) => {
      const over = new BudgetExceededError({ limit: 'maxOutputTokens', max: 3, reached: 4, outputTokens: 4 });
      expectObservable(cold('s-a-b|', values).pipe(budget(ledger))).toBe('s-a-b|', values);
      expectObservable(cold('------s-c-d|', values).pipe(budget(ledger))).toBe('------s-c-#', values, over);
    });
    expect(ledger.outputTokens).toBe(3);
  });

  it('should let a ledger of this copy be counted into by the other copy\'s operator', async () => {
    const copy = await otherCopy();
    const ledger = createBudget({ maxOutputTokens: 2, onExceeded: 'complete' });
    testScheduler().run(({ cold, expectObservable }) => {
      const L: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 2, inputTokens: 0 } };
      expectObservable(cold('s-a-b-c|', values).pipe(copy.budget(ledger))).toBe('s-a-b-(L|)', { ...values, L });
    });
    expect(ledger.outputTokens).toBe(2);
  });

  it('should still read an options object as options: a fresh count per subscription', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const run = cold('s-a-b|', values).pipe(budget({ maxOutputTokens: 2 }));
      expectObservable(run).toBe('s-a-b|', values);
      expectObservable(run).toBe('s-a-b|', values);
    });
  });

  it('should still check an options object that looks like a ledger as options', () => {
    expect(() => budget({ maxOutputTokens: 2, outputTokens: 0 } as never)).toThrow('budget(config): unknown option `outputTokens` (did you mean `maxOutputTokens`?)');
  });
});
