/** @test {deduplicateContinuation} */
import { describe, expect, it } from 'vitest';
import { budget, createBudget, l0, type L0Event, type StreamContext } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

/*
 * A resumed attempt's head is held back while the overlap with the checkpoint is undecided, and the
 * overlap is cut from it: the model wrote those tokens and they were paid for. When the attempt then
 * failed, they went nowhere: a budget() never counted them (a hold-back guard's held tokens, by
 * contrast, come with the attempt's error; see heldOutput).
 */

const tok = (value: string): L0Event => ({ type: 'token', value });
const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const values = {
  a: tok('one '), b: tok('two '), c: tok('one '), d: tok('tw'), e: tok('two '), f: tok('six'), g: tok('three'),
  x: { type: 'complete', finishReason: 'stop' } as L0Event,
};
/** One token a character, so the count is the text's length. */
const chars = (text: string) => text.length;

/** Runs l0() with continuation over `marbles` (attempt n streams marbles[n - 1]) into a shared ledger; the content and the ledger's count. */
function run(where: 'runOperators' | 'attemptOperators', ...marbles: string[]) {
  const ledger = createBudget({ maxOutputTokens: 1000, estimateTokens: chars });
  let content = '';
  testScheduler().run(({ cold, flush }) => {
    const stream = (ctx: StreamContext) => cold(marbles[ctx.attempt - 1]!, values, reset);
    l0({ stream, continueFromLastKnownGoodToken: true, checkpointInterval: 2, retry: { backoff: 'fixed', baseDelay: 1 }, [where]: [budget(ledger)] })
      .subscribe((e) => {
        if (e.type === 'token') content += e.value;
        else if (e.type === 'resume') content = e.checkpoint;
        else if (e.type === 'retry') content = '';
      });
    flush();
  });
  return { content, outputTokens: ledger.outputTokens };
}

describe.each(['runOperators', 'attemptOperators'] as const)('deduplicateContinuation and a budget() in l0()\'s %s', (where) => {
  it('should count the head held back from a resumed attempt that failed before the overlap was decided', () => {
    // attempt 2 resumes from 'one two ' and writes 'one tw' (held: it may repeat the checkpoint) before the connection drops
    // (before: 13, the held 'one tw' never counted)
    expect(run(where, '-a-b-#', '-c-d-#', '-g-(x|)')).toEqual({ content: 'one two three', outputTokens: 8 + 6 + 5 });
  });

  it('should count the overlap cut from a resumed attempt that failed later', () => {
    // attempt 2 repeats 'one two ' (cut) and writes 'six' before the connection drops (before: 16, the cut 'one two ' never counted)
    expect(run(where, '-a-b-#', '-c-e-f-#', '-g-(x|)')).toEqual({ content: 'one two three', outputTokens: 8 + 11 + 5 });
  });

  it('should count each attempt\'s text once when nothing is held or cut', () => {
    expect(run(where, '-a-b-#', '-g-(x|)')).toEqual({ content: 'one two three', outputTokens: 8 + 5 });
  });
});
