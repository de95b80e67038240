/** @test {l0} */
import { describe, expect, it } from 'vitest';
import { l0, type L0Options } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { framesOf, runScenario } from '../helpers/runScenario.js';

// The README states how long the Quick start settings let a bad primary hold a run before the
// fallback starts. These are those settings, on virtual time, with the jitter at its maximum
// (fixed-jitter: base 1000 ms + up to 500 ms, rounded down: 1499 ms).
const QUICK_START: Omit<L0Options, 'stream'> = {
  retry: 'recommended',
  timeout: { initialToken: 5_000, interToken: 10_000 },
  random: () => 0.9999,
};

describe('l0() worst case with the Quick start settings', () => {
  it('should start the fallback after 7 x interToken + 6 waits (78,994 ms) when the primary keeps stalling mid-answer', () => {
    const primary = fakeModel('a'); // one token, then silence, every time
    const run = runScenario(() => l0({ ...QUICK_START, stream: primary, fallbackStreams: [fakeModel('ok|')] }));
    expect(primary.callCount).toBe(7);
    expect(framesOf(run, 'fallback')).toEqual([7 * 10_000 + 6 * 1_499]);
    expect(run.error).toBeUndefined();
  });

  it('should start the fallback after 7 x initialToken + 6 waits (43,994 ms) when the primary never sends a first token', () => {
    const primary = fakeModel('-'); // silence from the start, every time
    const run = runScenario(() => l0({ ...QUICK_START, stream: primary, fallbackStreams: [fakeModel('ok|')] }));
    expect(primary.callCount).toBe(7);
    expect(framesOf(run, 'fallback')).toEqual([7 * 5_000 + 6 * 1_499]);
  });
});
