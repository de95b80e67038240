/** @test {guard} */
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { guard, isGuardrailViolationError, type GuardPhaseEvent, type GuardRule } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { runSync, text } from './helpers.js';

/* G5 of l0-tests-and-bench.md section 7.8: L0's guardrail phase events, as the `onPhase` observer of guard(). */

const passing: GuardRule = { name: 'first', complete: () => undefined };
const failing: GuardRule = { name: 'second', complete: () => ({ message: 'no' }) };
const streamingOnly: GuardRule = { name: 'streaming', check: () => undefined };

function phasesOf(rules: readonly GuardRule[]) {
  const phases: GuardPhaseEvent[] = [];
  const r = runSync(text('a', 'b'), guard(rules, { onPhase: (e) => phases.push(e), scheduler: testScheduler() }));
  return { ...r, phases };
}

describe('guard({onPhase}) (G5)', () => {
  it('should report phase start, each completion rule start and end, then phase end, at completion', () => {
    const { phases } = phasesOf([passing, streamingOnly, { ...passing, name: 'third' }]);
    expect(phases).toEqual([
      { type: 'phase-start', phase: 'complete', ruleCount: 2, tokenCount: 2 },
      { type: 'rule-start', phase: 'complete', index: 0, ruleId: 'first' },
      { type: 'rule-end', phase: 'complete', index: 0, ruleId: 'first', passed: true, durationMs: 0 },
      { type: 'rule-start', phase: 'complete', index: 2, ruleId: 'third' },
      { type: 'rule-end', phase: 'complete', index: 2, ruleId: 'third', passed: true, durationMs: 0 },
      { type: 'phase-end', phase: 'complete', passed: true, violations: [], durationMs: 0 },
    ]);
  });

  it('should end a failing rule and the phase with passed false and the violations, before the violation events', () => {
    const { phases, out, error } = phasesOf([passing, failing]);
    expect(phases.filter((e) => e.type === 'rule-end').map((e) => e.type === 'rule-end' && e.passed)).toEqual([true, false]);
    expect(phases.at(-1)).toMatchObject({ type: 'phase-end', passed: false, violations: [{ ruleId: 'second', message: 'no', severity: 'error' }] });
    expect(out.map((e) => e.type)).toEqual(['token', 'token', 'violation']);
    expect(isGuardrailViolationError(error)).toBe(true);
  });

  it('should pass a phase whose only findings are warnings, and count a throwing rule as one', () => {
    const { phases } = phasesOf([{ name: 'w', severity: 'warning', complete: () => ({ message: 'meh' }) }, { name: 'x', complete: () => { throw new Error('kaput'); } }]);
    expect(phases.at(-1)).toMatchObject({ type: 'phase-end', passed: true });
    expect(phases.filter((e) => e.type === 'rule-end')).toHaveLength(2);
  });

  it('should end an async rule when it settles, with as many starts as ends', async () => {
    const phases: GuardPhaseEvent[] = [];
    const slow: GuardRule = { name: 'slow', complete: async () => ({ message: 'late', severity: 'warning' }) };
    await lastValueFrom(from(text('a')).pipe(guard([slow, passing], { onPhase: (e) => phases.push(e) }), toArray()));
    expect(phases.map((e) => e.type)).toEqual(['phase-start', 'rule-start', 'rule-start', 'rule-end', 'rule-end', 'phase-end']);
    expect(phases.filter((e) => e.type === 'rule-end').map((e) => e.type === 'rule-end' && e.ruleId)).toEqual(['first', 'slow']);
  });

  it('should fail the attempt with the rejection of an async onPhase while the checks run, and leave none unhandled', async () => {
    const unhandled: unknown[] = [];
    const record = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', record);
    try {
      let finish!: () => void;
      const slow: GuardRule = { name: 'slow', complete: () => new Promise<undefined>((resolve) => (finish = () => resolve(undefined))) };
      let error: unknown;
      const told: string[] = [];
      const onPhase = (e: GuardPhaseEvent) => (told.push(e.type), e.type === 'phase-start' ? Promise.reject(new Error('observer')) : undefined);
      from(text('a')).pipe(guard([slow], { onPhase })).subscribe({ error: (e: unknown) => (error = e) });
      await Promise.resolve();
      expect((error as Error).message).toBe('observer');
      finish();
      // the failure cancelled the check in flight: its end is told to no one
      await new Promise((resolve) => setImmediate(resolve));
      expect(told).toEqual(['phase-start', 'rule-start']);
      // a rejection after the attempt ended (a synchronous phase) has nothing left to fail
      expect(runSync(text('a'), guard([passing], { onPhase: () => Promise.reject(new Error('late')) })).completed).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  it('should fail the attempt with the error of an onPhase that throws, and tell it nothing more', () => {
    const seen: string[] = [];
    const r = runSync(text('a'), guard([passing], { onPhase: (e) => { seen.push(e.type); throw new Error('observer'); } }));
    expect((r.error as Error).message).toBe('observer');
    expect(seen).toEqual(['phase-start']);
    expect(() => guard([passing], { onPhase: 'log' as never })).toThrow('guard(rules, {onPhase}) must be a function');
  });

  it('should fail the attempt with the throw of the then of a thenable onPhase returns as with a throwing onPhase, and tell it nothing more', () => {
    const seen: string[] = [];
    const thenable = { then: () => { throw new Error('then broke'); } };
    const r = runSync(text('a'), guard([passing, { ...passing, name: 'second' }], { onPhase: (e) => (seen.push(e.type), thenable as never) }));
    // before, the throw was read as a rejection while the checks ran: the attempt failed, and every later phase was still told
    expect([(r.error as Error).message, seen]).toEqual(['then broke', ['phase-start']]);
  });
});
