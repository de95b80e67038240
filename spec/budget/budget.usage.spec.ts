/** @test {budget} */
import { describe, expect, it } from 'vitest';
import { of } from 'rxjs';
import { budget, createBudget, isBudgetExceededError, type L0Event } from 'l0-rx';

/*
 * Provider usage replaces the estimate when an attempt completes. A usage number that is no finite
 * count >= 0 (NaN, negative, Infinity: a custom source, a replayed or relayed event) used to be
 * taken as is: NaN made the ledger NaN, which is never over a limit, and a negative count credited
 * it, so a shared ledger let every later run through.
 */

const tok = (value: string): L0Event => ({ type: 'token', value });
const done = (usage: Record<string, number>): L0Event => ({ type: 'complete', finishReason: 'stop', usage });

describe('budget with provider usage that is no count', () => {
  it.each([
    ['NaN output', { outputTokens: NaN }],
    ['negative output', { outputTokens: -100 }],
    ['Infinity output', { outputTokens: Infinity }],
    ['null output (as before)', { outputTokens: null as unknown as number }],
    ['NaN input', { outputTokens: 2, inputTokens: NaN }],
    ['negative input', { outputTokens: 2, inputTokens: -100 }],
  ])('should keep the estimate for %s, so the ledger stays a count and its limit holds', (_, usage) => {
    const ledger = createBudget({ maxTotalTokens: 5, inputTokens: 1 });
    of(tok('a'), tok('b'), done(usage)).pipe(budget(ledger)).subscribe();
    expect([ledger.outputTokens, ledger.inputTokens]).toEqual([2, 1]);
    let error: unknown;
    const seen: string[] = [];
    // 3 counted, a second prompt makes 4: c makes 5, d would make 6
    of(tok('c'), tok('d')).pipe(budget(ledger)).subscribe({ next: (e) => seen.push(e.type === 'token' ? e.value : e.type), error: (e: unknown) => (error = e) });
    expect(seen).toEqual(['c']);
    expect(isBudgetExceededError(error)).toBe(true);
  });
});
