/* The end of a time budget: `parallel`'s per-run and `pipeline`'s whole `timeout`, a hedge's `delay`. @internal */
import { Observable, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * Calls `fn` once, `ms` of `scheduler` time from now, after whatever else is due at that instant: a
 * run that ends right at its deadline ended in time, whichever timer was armed first (a budget armed
 * before its run, as `pipeline`'s is, or a source that schedules its end later than the budget's
 * timer, as a fake model does, would otherwise lose to it in virtual time). At the deadline it
 * schedules itself once more with no delay, which a virtual scheduler runs after the actions already
 * due then (a platform timer, at the next turn). Unsubscribing cancels it. @internal
 */
export const atDeadline = (ms: number, scheduler: SchedulerLike, fn: () => void): Subscription =>
  scheduler.schedule(function (this: SchedulerAction<boolean>, late) {
    if (late) fn();
    else this.schedule(true, 0);
  }, ms, false);

/** {@link atDeadline} as an Observable: emits once at the deadline. @internal */
export const deadline = (ms: number, scheduler: SchedulerLike): Observable<void> =>
  new Observable<void>((subscriber) => atDeadline(ms, scheduler, () => subscriber.next()));
