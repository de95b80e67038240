import type { L0Event } from 'l0-rx';
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

/** A start event of attempt 1, the head of the token streams below. */
export const START: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };

/** Words that vary the sentences of {@link prose}. */
const KINDS = ['ordinary', 'plain', 'simple', 'common', 'usual', 'regular', 'typical'];

/**
 * `size` characters of prose that never repeats a sentence (a loop is drift): each one numbered,
 * and not one template counting along by one ("Sentence 7 is ordinary prose. Sentence 8 is
 * ordinary prose." is a loop too): its word varies, so each template's numbers step by 7.
 */
export function prose(size: number): string {
  const parts: string[] = [];
  for (let i = 0, length = 0; length < size; i++) length += parts[parts.push(`Sentence ${i} is ${KINDS[i % 7]} prose, with an emoji 🙂. `) - 1]!.length;
  return parts.join('').slice(0, size);
}

/** `text` as 16-character token events after `head`, then `complete`. */
export function tokens(text: string, head: readonly L0Event[] = [START]): L0Event[] {
  const events = [...head];
  for (let i = 0; i < text.length; i += 16) events.push({ type: 'token', value: text.slice(i, i + 16) });
  events.push({ type: 'complete', finishReason: 'stop' });
  return events;
}
