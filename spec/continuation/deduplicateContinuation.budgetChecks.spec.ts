/** @test {deduplicateContinuation} */
import { describe, expect, it } from 'vitest';
import { concatMap, filter } from 'rxjs';
import { budget, checkpointEvery, createBudget, deduplicateContinuation, defineGuardrailRule, detectDrift, fromStream, l0, retryWithBackoff, type L0Event, type L0Options, type StreamContext } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

/*
 * The overlap deduplicateContinuation cuts from a resumed attempt's head was written and paid for: when
 * the attempt fails, the error brings it to a budget() (see deduplicateContinuation.budget.spec.ts). A
 * guardrail or drift detection after it that failed the attempt made an error that never passed it:
 * the cut went uncounted.
 */

const tok = (value: string): L0Event => ({ type: 'token', value });
const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const values = {
  a: tok('one '), b: tok('two '), c: tok('one '), e: tok('two '), f: tok('BAD'), g: tok('three'),
  m: tok('As an AI language model, I cannot say more. As an AI language model, I cannot help. '),
  x: { type: 'complete', finishReason: 'stop' } as L0Event,
};
const noBad = defineGuardrailRule({ name: 'no-bad', severity: 'error', check: (delta) => (delta.includes('BAD') ? { message: 'saw BAD' } : undefined) });

/** Runs l0() with continuation over `marbles` (attempt n streams marbles[n - 1]) into a shared ledger (a token a character). */
function run(where: 'runOperators' | 'attemptOperators', checks: Partial<L0Options>, ...marbles: string[]) {
  const ledger = createBudget({ maxOutputTokens: 10_000, estimateTokens: (text: string) => text.length });
  let content = '';
  const retried: string[] = [];
  testScheduler().run(({ cold, flush }) => {
    const stream = (ctx: StreamContext) => cold(marbles[ctx.attempt - 1]!, values, reset);
    l0({ stream, continueFromLastKnownGoodToken: true, checkpointInterval: 2, retry: { backoff: 'fixed', baseDelay: 1 }, [where]: [budget(ledger)], ...checks })
      .subscribe((e) => {
        if (e.type === 'token') content += e.value;
        else if (e.type === 'resume') content = e.checkpoint;
        else if (e.type === 'retry') {
          content = '';
          retried.push(e.reason);
        }
      });
    flush();
  });
  return { content, retried, outputTokens: ledger.outputTokens };
}

describe.each(['runOperators', 'attemptOperators'] as const)('deduplicateContinuation, a check that fails the attempt, and a budget() in l0()\'s %s', (where) => {
  it('should count the overlap cut from a resumed attempt a guardrail then failed', () => {
    // attempt 2 repeats 'one two ' (cut) and writes 'BAD' (before: 16, the cut 'one two ' never counted)
    expect(run(where, { guardrails: [noBad] }, '-a-b-#', '-c-e-f-#', '-g-(x|)')).toEqual({
      content: 'one two three', retried: ['network_error', 'guardrail_violation'], outputTokens: 8 + 11 + 5,
    });
  });

  it('should count the cut once when the check fails the attempt on the token the overlap ended in', () => {
    // attempt 2's one token repeats 'one two ' and writes 'BAD': cut to 'BAD', which the guardrail rejects
    const glued = { ...values, e: tok('one two BAD') };
    const ledger = createBudget({ maxOutputTokens: 10_000, estimateTokens: (text: string) => text.length });
    testScheduler().run(({ cold, flush }) => {
      l0({
        stream: (ctx) => cold(['-a-b-#', '-e-#', '-g-(x|)'][ctx.attempt - 1]!, glued, reset),
        continueFromLastKnownGoodToken: true, checkpointInterval: 2, retry: { backoff: 'fixed', baseDelay: 1 }, guardrails: [noBad], [where]: [budget(ledger)],
      }).subscribe();
      flush();
    });
    expect(ledger.outputTokens).toBe(8 + 11 + 5);
  });
});

describe.each(['inside the attempt', 'after the loop'] as const)('deduplicateContinuation, detectDrift after it, and a budget() %s', (where) => {
  it('should count the overlap cut from a resumed attempt drift detection then failed', () => {
    // checkpoints before the drift detector (not narrowed by it), so attempt 2 resumes from 'one two '
    const ledger = createBudget({ maxOutputTokens: 10_000, estimateTokens: (text: string) => text.length });
    const retried: string[] = [];
    testScheduler().run(({ cold, flush }) => {
      const inside = where === 'inside the attempt' ? [budget(ledger)] : [];
      const attempt = fromStream((ctx) => cold(['-a-b-#', '-c-e-m-#', '-g-(x|)'][ctx.attempt - 1]!, values, reset)).pipe(
        deduplicateContinuation(), checkpointEvery(2), detectDrift({ action: 'retry' }), ...(inside as []), retryWithBackoff({ backoff: 'fixed', baseDelay: 1 }),
      );
      (inside.length > 0 ? attempt : attempt.pipe(budget(ledger))).subscribe((e) => e.type === 'retry' && retried.push(e.reason));
      flush();
    });
    // attempt 2 repeats 'one two ' (cut) and writes meta commentary (before: 8 + meta + 5, the cut never counted)
    expect([retried, ledger.outputTokens]).toEqual([['network_error', 'drift'], 8 + 8 + (values.m as { value: string }).value.length + 5]);
  });
});

describe('deduplicateContinuation\'s overlap cut and another run started while the resumed text passes', () => {
  it('should count the cut of a run that completed in no other run, however that one fails', () => {
    // a next step subscribed on the first run's `complete` (an agent's chain) whose factory throws at once, one ledger for both
    const ledger = createBudget({ maxOutputTokens: 10_000, estimateTokens: (text: string) => text.length });
    let failed: unknown;
    testScheduler().run(({ cold, flush }) => {
      const first = l0({
        stream: (ctx) => cold(['-a-b-#', '-c-e-g-(x|)'][ctx.attempt - 1]!, values, reset),
        continueFromLastKnownGoodToken: true, checkpointInterval: 2, retry: { backoff: 'fixed', baseDelay: 1 }, runOperators: [budget(ledger)],
      });
      const next = () => l0({ stream: () => { throw new Error('no API key'); }, retry: false, runOperators: [budget(ledger)] });
      first.pipe(filter((e) => e.type === 'complete'), concatMap(next)).subscribe({ error: (e: unknown) => (failed = e) });
      flush();
    });
    // the first run: 'one two ' then 'three' (the repeated 'one two ' cut from a run that succeeded); the next step wrote nothing
    // (before: the next step's error took the first run's cut, 8 more)
    expect([failed, ledger.outputTokens]).toMatchObject([{ code: 'UNKNOWN_ERROR', cause: { message: 'no API key' } }, 8 + 5]);
  });
});
