/** @test {zeroOutputRule} @test {detectZeroOutput} */
import { pipe, type MonoTypeOperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { budget, detectZeroOutput, guard, parseStructured, zeroOutputRule, type L0Event } from 'l0-rx';
import { done, runSync, start, tok } from './helpers.js';

/*
 * zeroOutputRule is the rule form of detectZeroOutput: on the same events the two agree. The rule
 * read a `result` event (the answer parseStructured validated) as no answer, and the `length`
 * completion of budget({onExceeded: 'complete'}) that cut the run as an empty one.
 */
const verdicts = (events: readonly L0Event[], before: MonoTypeOperatorFunction<L0Event>) => {
  const rule = runSync(events, pipe(before, guard([zeroOutputRule()])));
  const operator = runSync(events, pipe(before, detectZeroOutput()));
  return [rule.error === undefined && rule.violations.length === 0, operator.error === undefined];
};

describe('zeroOutputRule and detectZeroOutput agree', () => {
  it('should accept a validated result of punctuation only ([{}], [[]]) after parseStructured', () => {
    for (const answer of ['[{}]', '[[]]']) expect(verdicts([start(), tok(answer), done()], parseStructured({ schema: z.array(z.unknown()) }))).toEqual([true, true]);
    expect(verdicts([start(), tok('..'), done()], pipe())).toEqual([false, false]); // noise without a result is still zero output
  });

  it("should accept the length completion of budget({onExceeded: 'complete'}) that cut the run before its first token", () => {
    const cut = budget({ maxOutputTokens: 1, onExceeded: 'complete' });
    expect(verdicts([start(), tok('one two three four five six'), done()], cut)).toEqual([true, true]);
    expect(verdicts([start(), tok('..'), done('length')], pipe())).toEqual([false, false]); // a model's own length finish is judged
  });
});
