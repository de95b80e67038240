/**
 * The longest delay a timer can hold, in one place: the platform timers of Node (which rxjs's
 * `asyncScheduler` uses) and of browsers treat a delay above 2^31 - 1 ms as 1 ms, so a
 * longer wait would fire at once. Options measured in scheduler time are checked against it when
 * the operator is made; delays the library computes (a backoff, a `calculateDelay` result, a replay
 * gap) are clamped to it.
 * @internal Never re-exported.
 */
import { optionError, type OptionPath } from './options.js';

/** 2^31 - 1 ms, about 24.8 days: the longest delay a platform timer waits for. */
export const MAX_TIMER_DELAY = 2_147_483_647;

/** What an option over the limit must be, in its message. */
export const TIMER_DELAY_LIMIT = `at most ${MAX_TIMER_DELAY} ms (about 24.8 days)`;

/**
 * Throws the option's TypeError (`<option> must be at most 2147483647 ms (about 24.8 days), got <value>`) when
 * `ms` is longer than a timer can wait. `Infinity` passes: an option that allows it means "never"
 * by it, and never hands it to a timer. Call it after the option's own checks.
 */
export function checkTimerDelay(path: OptionPath, key: string, ms: number): void {
  if (ms > MAX_TIMER_DELAY && ms !== Infinity) throw optionError(path, key, TIMER_DELAY_LIMIT, ms);
}

/** A computed delay as a timer can wait for it: at most {@link MAX_TIMER_DELAY} (the longest wait there is). */
export function clampTimerDelay(ms: number): number {
  return ms > MAX_TIMER_DELAY ? MAX_TIMER_DELAY : ms;
}
