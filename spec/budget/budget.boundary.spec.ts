/** @test {budget} */
import { describe, expect, it } from 'vitest';
import { of } from 'rxjs';
import { budget, createBudget, isBudgetExceededError, type L0Event } from 'l0-rx';

/*
 * A limit is crossed only past it: a run may reach it exactly. For tokens that held; for cost, a
 * price with no exact binary form (0.1 per million) made three tokens cost 3.0000000000000004e-7,
 * "over" a maxCost of 3e-7, so the run was cut one token short of what it may spend.
 */

const tok = (value: string): L0Event => ({ type: 'token', value });

/** Which of `tokens` a fresh ledger passes, and whether it ended with BudgetExceededError. */
function spend(tokens: string[], config: Parameters<typeof createBudget>[0]) {
  const seen: string[] = [];
  let cut = false;
  of(...tokens.map(tok)).pipe(budget(createBudget(config))).subscribe({ next: (e) => seen.push(e.type === 'token' ? e.value : e.type), error: (e: unknown) => (cut = isBudgetExceededError(e)) });
  return { seen, cut };
}

describe('budget at the limit', () => {
  it.each([
    ['maxOutputTokens 3', { maxOutputTokens: 3 }],
    ['maxTotalTokens 5 with a prompt of 2', { maxTotalTokens: 5, inputTokens: 2 }],
    ['maxCost 3e-7 at 0.1 per million', { maxCost: 3e-7, pricing: { outputPerMillion: 0.1 } }],
    ['maxCost 1.5e-6 at 0.15 in and 0.4 out per million, a prompt of 2', { maxCost: 1.5e-6, inputTokens: 2, pricing: { inputPerMillion: 0.15, outputPerMillion: 0.4 } }],
  ])('should pass the token that reaches %s exactly, and cut the one past it', (_, config) => {
    expect(spend(['a', 'b', 'c', 'd'], config)).toEqual({ seen: ['a', 'b', 'c'], cut: true });
  });
});
