/** @test {l0} */
import { describe, expect, it, vi } from 'vitest';
import { isDriftDetectedError, l0, type DriftEvent } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { finalState, runScenario, subsequence } from '../helpers/runScenario.js';

/* Scenarios D1-D2 of l0-tests-and-bench.md section 7.9 through l0() under virtual time (D3: detectDrift.spec.ts). */

const fast = { backoff: 'fixed', baseDelay: 1 } as const;
const META = { items: ['As an AI language model, ', 'I cannot do that.'] };
const CLEAN = { items: ['The capital of France ', 'is Paris.'] };

describe('l0({detectDrift}) (D1-D2)', () => {
  it('D1: should retry a drifting attempt with detectDrift: true and end with the clean attempt', () => {
    const onDrift = vi.fn();
    const run = runScenario(() => l0({ stream: fakeModel([META, CLEAN]), detectDrift: true, retry: { ...fast, attempts: 1 }, onDrift }));
    expect(run.error).toBeUndefined();
    const drift = run.events.find((e): e is DriftEvent => e.type === 'drift')!;
    expect(drift.types).toContain('meta_commentary');
    expect(drift.confidence).toBeGreaterThanOrEqual(0.9);
    expect(subsequence(run.events, ['drift', 'retry', 'start'])).toEqual(['start', 'drift', 'retry', 'start']);
    expect(finalState(run.events).content).toBe('The capital of France is Paris.');
    expect(onDrift).toHaveBeenCalledTimes(1);
    expect(onDrift).toHaveBeenCalledWith(['meta_commentary'], 0.9);
  });

  it('D2: should fail with DRIFT_DETECTED when every attempt drifts, never accepting the drifting text', () => {
    const run = runScenario(() => l0({ stream: fakeModel([META]), detectDrift: true, retry: { ...fast, attempts: 1 } }));
    expect(isDriftDetectedError(run.error) && run.error.code).toBe('DRIFT_DETECTED');
    expect(subsequence(run.events, ['complete'])).toEqual([]);
  });

  it('D2: should fall back when every attempt of the primary drifts', () => {
    const run = runScenario(() => l0({ stream: fakeModel([META]), fallbackStreams: [fakeModel([CLEAN])], detectDrift: true, retry: { ...fast, attempts: 1 } }));
    expect(run.error).toBeUndefined();
    expect(finalState(run.events)).toMatchObject({ content: 'The capital of France is Paris.', fallbackIndex: 1 });
  });

  it('should only report drift with action: warn', () => {
    const run = runScenario(() => l0({ stream: fakeModel([META]), detectDrift: { action: 'warn' } }));
    expect(run.error).toBeUndefined();
    expect(subsequence(run.events, ['drift', 'complete'])).toEqual(['drift', 'complete']);
  });

  it('should retry with detectDrift options that leave action undefined, as with {}', () => {
    for (const detectDrift of [{}, { action: undefined }, { minConfidence: 0.8, action: undefined }]) {
      const run = runScenario(() => l0({ stream: fakeModel([META, CLEAN]), detectDrift, retry: { ...fast, attempts: 1 } }));
      expect(subsequence(run.events, ['drift', 'retry'])).toEqual(['drift', 'retry']);
      expect(finalState(run.events).content).toBe('The capital of France is Paris.');
    }
  });

  it('should reject a detectDrift that is neither a boolean nor an object', () => {
    expect(() => l0({ stream: fakeModel('a|'), detectDrift: 'yes' as never })).toThrow('l0({detectDrift}) must be a boolean or an object');
  });
});
