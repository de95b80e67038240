/* The bound on a promise's answer, in scheduler time, for every caller that waits for one. @internal */
import type { SchedulerLike, Subscription } from 'rxjs';

/**
 * Adds to `clock` a timer that runs `onTimeout` after `ms` of `scheduler` time, armed a microtask
 * from now: once the promise the caller is waiting for (subscribed before this call) had its own
 * reactions. A virtual scheduler's flush (`TestScheduler.run`) runs every action at once, and a
 * clock armed inside it would beat a promise that settles by itself, a real store's answer. An
 * answer, or the caller leaving, unsubscribes `clock` (before it is armed: nothing is scheduled).
 * `Infinity`: no timer, the caller waits forever.
 *
 * Used by the event log's store calls' `storeTimeout` and the circuit breaker's. Two arm theirs the
 * same way, inline: `retryWithBackoff`'s wait for an async `shouldRetry` (it is in the browser
 * bundles, and this import grows them: the browser consumer's by 0.03 KB min+gzip), and the
 * recorder's append watch (logWriter.ts: one timer for appends that follow each other, re-armed
 * for what a later append has left and counted from its arming at the latest, where this arms one
 * timer per answer).
 */
export function armClockLater(clock: Subscription, scheduler: SchedulerLike, ms: number, onTimeout: () => void): void {
  if (ms === Infinity) return;
  void Promise.resolve().then(() => clock.closed || clock.add(scheduler.schedule(onTimeout, ms)));
}
