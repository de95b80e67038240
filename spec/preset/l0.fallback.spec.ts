/** @test {l0} */
import { describe, expect, it } from 'vitest';
import { GuardrailViolationError, isGuardrailViolationError, l0, type AllStreamsExhaustedError } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { finalState, runScenario, typesOf } from '../helpers/runScenario.js';

/* L0 acceptance scenarios F1-F5 (reference/l0-tests-and-bench.md 7.6), through the l0() preset on virtual time. */

const fast = { backoff: 'fixed', baseDelay: 1 } as const;
const authFailure = () => fakeModel({ items: [{ error: { status: 401 } }] });

describe('l0() fallbacks (F1-F5)', () => {
  it('should never subscribe a fallback when the primary succeeds (F1)', () => {
    const fb = fakeModel('F|');
    const run = runScenario(() => l0({ stream: fakeModel('ok|'), fallbackStreams: [fb] }));
    expect(fb.callCount).toBe(0);
    expect(finalState(run.events)).toMatchObject({ content: 'ok', fallbackIndex: 0, status: 'complete' });
  });

  it('should call the fallback once after a failing primary with attempts 0 (F1)', () => {
    const primary = fakeModel({ items: [{ error: new Error('boom') }] });
    const fb = fakeModel('F|');
    const log: unknown[][] = [];
    const run = runScenario(() =>
      l0({
        stream: primary,
        fallbackStreams: [fb],
        retry: { attempts: 0 },
        onError: (_e, willRetry, willFallback) => log.push(['error', willRetry, willFallback]),
        onStart: (...args) => log.push(['start', ...args]),
      }),
    );
    expect([primary.callCount, fb.callCount]).toEqual([1, 1]);
    expect(fb.calls[0]).toMatchObject({ attempt: 1, fallbackIndex: 1 });
    expect(log).toEqual([['start', 1, false, false], ['error', false, true], ['start', 1, false, true]]);
    expect(typesOf(run.events)).toEqual(['start', 'fallback', 'start', 'token', 'complete']);
    expect(finalState(run.events)).toMatchObject({ content: 'F', fallbackIndex: 1 });
  });

  it('should fail with ALL_STREAMS_EXHAUSTED holding every error when all streams fail (F2)', () => {
    const models = [authFailure(), authFailure(), authFailure()];
    const run = runScenario(() => l0({ stream: models[0]!, fallbackStreams: models.slice(1) }));
    // Decision: AllStreamsExhaustedError (L0 rethrows the last stream's own error).
    expect(models.map((m) => m.callCount)).toEqual([1, 1, 1]);
    expect(run.error).toMatchObject({ name: 'AllStreamsExhaustedError', code: 'ALL_STREAMS_EXHAUSTED', fallbackIndex: 2 });
    const errors = (run.error as AllStreamsExhaustedError).errors;
    expect(errors).toHaveLength(3);
    expect(errors.map((e) => (e as { fallbackIndex: number }).fallbackIndex)).toEqual([0, 1, 2]);
    expect(errors.every((e) => (e as { code: string }).code === 'AUTH_ERROR')).toBe(true);
    expect(typesOf(run.events)).toEqual(['start', 'fallback', 'start', 'fallback', 'start']);
    expect(finalState(run.events).fallbackIndex).toBe(2);
  });

  it('should give each fallback its own retry budget: primary 2 calls, fb1 2 calls (F3)', () => {
    const primary = fakeModel({ items: [{ error: new Error('primary down') }] });
    const fb1 = fakeModel({ items: [{ error: new Error('fb1 down') }] });
    const run = runScenario(() =>
      l0({
        stream: primary,
        fallbackStreams: [fb1],
        retry: { attempts: 1, retryOn: ['unknown'], ...fast },
      }),
    );
    // Decision: per-fallback budgets (L0 shares one model-retry budget: 3 calls in total).
    expect([primary.callCount, fb1.callCount]).toEqual([2, 2]);
    expect(fb1.calls.map((c) => [c.attempt, c.fallbackIndex])).toEqual([[1, 1], [2, 1]]);
    expect(run.events.filter((e) => e.type === 'start')).toMatchObject([
      { attempt: 1, fallbackIndex: 0 },
      { attempt: 2, fallbackIndex: 0, isRetry: true },
      { attempt: 1, fallbackIndex: 1, isFallback: true },
      { attempt: 2, fallbackIndex: 1, isRetry: true, isFallback: true },
    ]);
    const errors = (run.error as AllStreamsExhaustedError).errors as Error[];
    expect(errors.map((e) => (e.cause as Error).message)).toEqual(['primary down', 'primary down', 'fb1 down', 'fb1 down']);
  });

  it('should keep only the fallback\'s data and progress in the final state (F4)', () => {
    const primary = fakeModel({
      items: [{ data: { contentType: 'image', url: 'p.png' } }, { progress: { percent: 50 } }, { error: { status: 401 } }],
    });
    const fb = fakeModel({ items: [{ data: { contentType: 'image', url: 'f.png' } }, { progress: { percent: 100 } }] });
    const run = runScenario(() => l0({ stream: primary, fallbackStreams: [fb] }));
    const state = finalState(run.events);
    expect(state.data).toEqual([{ contentType: 'image', url: 'f.png' }]);
    expect(state.progress).toMatchObject({ percent: 100 });
    expect(state.status).toBe('complete');
  });

  it('should reset data and progress on a retry the same way (F4)', () => {
    const model = fakeModel([
      { items: [{ data: { contentType: 'image', url: 'p.png' } }, { progress: { percent: 50 } }, { error: { network: 'ECONNRESET' } }] },
      { items: [{ data: { contentType: 'image', url: 'r.png' } }, { progress: { percent: 100 } }] },
    ]);
    const run = runScenario(() => l0({ stream: model, retry: fast }));
    const state = finalState(run.events);
    expect(model.callCount).toBe(2);
    expect(state.data).toEqual([{ contentType: 'image', url: 'r.png' }]);
    expect(state.progress).toMatchObject({ percent: 100 });
  });

  // F5 with a fatal GuardrailViolationError thrown by the source (the guard operator is not built yet).
  it('should skip retries and go straight to the fallback on a fatal guardrail violation (F5)', () => {
    const fatal = new GuardrailViolationError({
      violations: [{ ruleId: 'no-secrets', message: 'leaked a key', severity: 'fatal', recoverable: false }],
    });
    const primary = fakeModel({ items: ['partial', { error: fatal }] });
    const fb = fakeModel({ items: ['safe answer'] });
    const run = runScenario(() => l0({ stream: primary, fallbackStreams: [fb], retry: { attempts: 2, ...fast } }));
    expect([primary.callCount, fb.callCount]).toEqual([1, 1]);
    expect(typesOf(run.events)).not.toContain('retry');
    expect(run.events.find((e) => e.type === 'fallback')).toMatchObject({
      error: { code: 'FATAL_GUARDRAIL_VIOLATION', category: 'content', retryable: false },
    });
    expect(finalState(run.events).content).toBe('safe answer');
  });

  it('should fail with the fatal violation itself, unretried, when there is no fallback (F5)', () => {
    const fatal = new GuardrailViolationError({
      violations: [{ ruleId: 'no-secrets', message: 'leaked a key', severity: 'error', recoverable: false }],
    });
    const primary = fakeModel({ items: [{ error: fatal }] });
    const run = runScenario(() => l0({ stream: primary, retry: { attempts: 2, ...fast } }));
    expect(primary.callCount).toBe(1);
    // the violation itself (same class, code and message), as a copy that says where it ended the run
    expect(isGuardrailViolationError(run.error)).toBe(true);
    expect(run.error).toMatchObject({ code: fatal.code, message: fatal.message, attempt: 1, fallbackIndex: 0 });
    expect((run.error as GuardrailViolationError).attemptErrors).toHaveLength(1);
    expect(fatal.attempt).toBeUndefined();
  });
});
