/** @test {guard} */
import { of, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { guard, isGuardrailViolationError, type GuardRule, type L0Event } from 'l0-rx';
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

  it('should report an async rule that misses its timeout as a warning and complete', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const rule: GuardRule = { name: 'slow', timeout: 5, complete: () => new Promise(() => undefined) };
      const warn: L0Event = { type: 'violation', violation: { ruleId: 'slow', message: 'Rule execution failed: timed out after 5 ms', severity: 'warning', recoverable: true } };
      expectObservable(cold('a-x|', values).pipe(guard([rule]))).toBe('a------(wx|)', { ...values, w: warn });
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

  it('should wait as long as an async rule takes with timeout: Infinity (no timer, which would fire at once)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const rule: GuardRule = { name: 'slow', timeout: Infinity, complete: () => new Promise(() => undefined) };
      expectObservable(cold('a-x|', values).pipe(guard([rule])), '^ 10000000ms !').toBe('a-------', values);
    });
  });
});
