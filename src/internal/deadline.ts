/* The end of a time budget, for `parallel`'s per-run and `pipeline`'s whole `timeout`. @internal */
import { Observable, type SchedulerAction, type SchedulerLike } from 'rxjs';

/**
 * Emits once, `ms` of `scheduler` time after it is subscribed, after whatever else is due at that
 * instant: a run that ends right at its deadline ended in time, whichever timer was armed first (a
 * budget armed before its run, as `pipeline`'s is, or a source that schedules its end later than the
 * budget's timer, as a fake model does, would otherwise lose to it in virtual time). At the deadline it
 * schedules itself once more with no delay, which a virtual scheduler runs after the actions already
 * due then (a platform timer, at the next turn). Unsubscribing cancels it. @internal
 */
export function deadline(ms: number, scheduler: SchedulerLike): Observable<void> {
  return new Observable<void>((subscriber) =>
    scheduler.schedule(function (this: SchedulerAction<boolean>, late) {
      if (late) subscriber.next();
      else this.schedule(true, 0);
    }, ms, false),
  );
}
