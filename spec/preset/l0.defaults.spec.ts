/** @test {l0} */
import { describe, expect, it } from 'vitest';
import { l0, L0_DEFAULTS, RETRY_WITH_BACKOFF_DEFAULTS, type CheckpointEvent, type RetryEvent } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { runScenario, typesOf } from '../helpers/runScenario.js';

/* The documented defaults of l0() (README table, L0_DEFAULTS), each observable on virtual time. */

describe('l0() defaults', () => {
  it('should document the defaults it applies', () => {
    expect(L0_DEFAULTS).toEqual({
      retry: RETRY_WITH_BACKOFF_DEFAULTS,
      timeout: { initialToken: 5000, interToken: 10_000 },
      detectZeroTokens: true,
      continueFromLastKnownGoodToken: false,
      checkpointInterval: 10,
      deduplicateContinuation: true,
    });
  });

  it('should time out a silent model after 5000 ms by default', () => {
    const run = runScenario(() => l0({ stream: fakeModel(['-']), retry: { maxRetries: 0 } }));
    expect(run.errorFrame).toBe(5000);
    expect(run.error).toMatchObject({ code: 'INITIAL_TOKEN_TIMEOUT' });
  });

  it('should time out 10000 ms after the last token by default', () => {
    const run = runScenario(() => l0({ stream: fakeModel(['a']), retry: { maxRetries: 0 } }));
    expect(run.errorFrame).toBe(10_000);
    expect(run.error).toMatchObject({ code: 'INTER_TOKEN_TIMEOUT' });
  });

  it('should checkpoint every 10 tokens once continuation is on', () => {
    const model = fakeModel(['abcdefghijkl|']);
    const run = runScenario(() => l0({ stream: model, continueFromLastKnownGoodToken: true }));
    const checkpoints = run.events.filter((e): e is CheckpointEvent => e.type === 'checkpoint');
    expect(checkpoints).toEqual([{ type: 'checkpoint', content: 'abcdefghij', tokenCount: 10 }]);
  });

  it('should emit no checkpoint without continuation', () => {
    const run = runScenario(() => l0({ stream: fakeModel(['abcdefghijkl|']) }));
    expect(typesOf(run.events)).not.toContain('checkpoint');
  });

  it('should retry a network failure after the fixed-jitter base delay of 1000-1500 ms, at most 6 times', () => {
    const model = fakeModel(['#']);
    const run = runScenario(() => l0({ stream: model, random: () => 0 }));
    const retries = run.events.filter((e): e is RetryEvent => e.type === 'retry');
    expect(retries.map((r) => r.delayMs)).toEqual([1000, 1000, 1000, 1000, 1000, 1000]);
    expect(model.callCount).toBe(7);
  });
});
