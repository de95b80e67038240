/** @test {guard} */
import { defer, map, of, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { guard, GuardrailViolationError, isGuardrailViolationError, retryWithBackoff, type GuardRule, type L0Event, type Violation } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { done, tok } from './helpers.js';

/* guard's rules whose completion check is async: held `complete`, time budgets, fail-open or closed, cancelled on unsubscribe. */

const values: Record<string, L0Event> = { a: tok('a'), x: done() };

describe('guard: async completion checks', () => {
  it('should hold `complete` until an async rule answers, then fail with its finding', async () => {
    const rule: GuardRule = { name: 'judge', complete: () => Promise.resolve({ message: 'no' }) };
    const out: string[] = [];
    const error = await new Promise<unknown>((resolve) => {
      of(tok('a'), done()).pipe(guard([rule])).subscribe({ next: (e) => out.push(e.type), error: resolve, complete: () => resolve(undefined) });
      expect(out).toEqual(['token']);
    });
    expect(out).toEqual(['token', 'violation']);
    expect(isGuardrailViolationError(error)).toBe(true);
  });

  it('should report the completion findings in the rules\' order, whichever async check answers first', async () => {
    const answers: (() => void)[] = [];
    const later = (name: string): GuardRule => ({ name, complete: () => new Promise((resolve) => answers.push(() => resolve({ message: `${name} says no` }))) });
    const now: GuardRule = { name: 'C', complete: () => ({ message: 'C says no' }) };
    const seen: string[] = [];
    const ended = new Promise<unknown>((resolve) => {
      of(tok('a'), done()).pipe(guard([later('A'), later('B'), now])).subscribe({ next: (e) => e.type === 'violation' && seen.push(e.violation.ruleId), error: resolve });
    });
    // B answers before A
    answers[1]!();
    await Promise.resolve();
    answers[0]!();
    const error = await ended;
    expect(seen).toEqual(['A', 'B', 'C']);
    expect(isGuardrailViolationError(error) && [error.message, error.info.violations.map((v) => v.ruleId)]).toEqual(['Guardrail violation (A): A says no', ['A', 'B', 'C']]);
  });

  it('should report an async rule that misses its timeout as a warning and complete', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const rule: GuardRule = { name: 'slow', timeout: 5, complete: () => new Promise(() => undefined) };
      const warn: L0Event = { type: 'violation', violation: { ruleId: 'slow', message: 'Rule execution failed: timed out after 5 ms', severity: 'warning', recoverable: true } };
      expectObservable(cold('a-x|', values).pipe(guard([rule]))).toBe('a------(wx|)', { ...values, w: warn });
    });
  });

  it('should fail the attempt, releasing nothing held, when an async rule with onRuleError closed misses its timeout', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const rule: GuardRule = { name: 'slow', timeout: 5, onRuleError: 'closed', complete: () => new Promise(() => undefined) };
      const failed: Violation = { ruleId: 'slow', message: 'Rule execution failed: timed out after 5 ms', severity: 'error', recoverable: true };
      const error = new GuardrailViolationError({ violations: [failed] }, '');
      expectObservable(cold('a-x|', values).pipe(guard([rule], { mode: 'hold-back' }))).toBe('-------(w#)', { w: { type: 'violation', violation: failed } }, error);
    });
  });

  it('should ignore a completion check that rejects after missing its timeout: one timeout warning, no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onRejection = (e: unknown) => void unhandled.push(e);
    process.on('unhandledRejection', onRejection);
    try {
      let reject!: (e: Error) => void;
      const rule: GuardRule = { name: 'slow', timeout: 5, complete: () => new Promise((_, no) => (reject = no)) };
      testScheduler().run(({ cold, expectObservable }) => {
        const warn: L0Event = { type: 'violation', violation: { ruleId: 'slow', message: 'Rule execution failed: timed out after 5 ms', severity: 'warning', recoverable: true } };
        expectObservable(cold('a-x|', values).pipe(guard([rule], { mode: 'hold-back' }))).toBe('-------(wax|)', { ...values, w: warn });
      });
      reject(new Error('too late'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('should cancel a pending completion check on unsubscribe (a retry or fallback ends the attempt so): its verdict reaches no one, the held text never goes out', async () => {
    let judge!: (findings: { message: string }) => void;
    const rule: GuardRule = { name: 'judge', complete: () => new Promise((resolve) => (judge = resolve)) };
    const events$ = new Subject<L0Event>();
    const seen: string[] = [];
    const onViolation = () => void seen.push('onViolation');
    const sub = events$.pipe(guard([rule], { mode: 'hold-back', onViolation })).subscribe({ next: (e) => seen.push(e.type), error: () => seen.push('error'), complete: () => seen.push('end') });
    events$.next(tok('held'));
    events$.next(done());
    sub.unsubscribe();
    expect(events$.observed).toBe(false);
    judge({ message: 'no' });
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual([]);
  });

  // `complete` is the last event of a run (DESIGN.md): every source of the library ends at it, and an operator that judges
  // the attempt (guard, detectZeroOutput, detectDrift, parseStructured) emits `complete` or its error, never both, so no
  // retry reaches a guard after the loop once it has seen `complete`. A source that breaks this (its `complete`, then an
  // error the loop retries: retryWithBackoff's JSDoc warns of it) is out of contract: the guard, judging the attempt
  // that completed, drops what follows, and ends with that verdict once the loop has ended.
  it('should drop what follows `complete` while its completion check is pending, a retry of an out-of-contract source included', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const rule: GuardRule = { name: 'slow', timeout: 10, complete: () => new Promise(() => undefined) };
      const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      let attempts = 0;
      // attempt 1 completes at 2 and errors at 4 (out of contract); the loop retries at 4, attempt 2 runs from 5 to 8
      const source = defer(() => (++attempts === 1 ? cold('a-x-#', values, reset) : cold('a-x|', values)));
      const run$ = source.pipe(retryWithBackoff({ maxRetries: 1, backoff: 'fixed', baseDelay: 1 }), guard([rule]));
      // w: the check's timeout warning at 12, then `complete`: the retry and attempt 2's token and complete are dropped
      expectObservable(run$.pipe(map((e) => (e.type === 'violation' ? 'w' : e.type === 'complete' ? 'x' : e.type)))).toBe('a-----------(wx|)', { a: 'token', w: 'w', x: 'x' });
    });
  });

  it('should wait as long as an async rule takes with timeout: Infinity (no timer, which would fire at once)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const rule: GuardRule = { name: 'slow', timeout: Infinity, complete: () => new Promise(() => undefined) };
      expectObservable(cold('a-x|', values).pipe(guard([rule])), '^ 10000000ms !').toBe('a-------', values);
    });
  });
});
