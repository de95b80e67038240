import { expect } from 'vitest';

/**
 * Asserts that `timeFor(size)` grows linearly: 4x the input must take less than 8x the time
 * (linear: about 4x; a rescan or a copy of the whole text per token: 16x and more) and under 10 s
 * outright. A shared machine can pause one run (GC, another process), so each size keeps the best
 * of up to three measurements: linear code passes at once, quadratic code fails all three. Runs
 * below `floorMs` are too short to judge and pass.
 */
export function expectLinearTime(label: string, timeFor: (size: number) => number, small: number, floorMs = 200): void {
  timeFor(small / 16); // warm-up
  let smallMs = Infinity;
  let largeMs = Infinity;
  for (let round = 0; round < 3 && !(largeMs < Math.max(8 * smallMs, floorMs)); round++) {
    smallMs = Math.min(smallMs, timeFor(small));
    largeMs = Math.min(largeMs, timeFor(4 * small));
  }
  expect(largeMs, `${label}: ${small} ${smallMs.toFixed(0)} ms, ${4 * small} ${largeMs.toFixed(0)} ms`).toBeLessThan(Math.max(8 * smallMs, floorMs));
  expect(largeMs).toBeLessThan(10_000);
}
