/* The breaker's store rounds: promise-or-value answers, one read-then-write round at a time, and the wait for a store that does not answer. @internal */
import { from, Observable, ReplaySubject, Subscription, type SchedulerLike } from 'rxjs';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import { armClockLater } from '../internal/laterClock.js';

/** A store answer, a value or a promise of one, as an Observable (synchronous for a value). */
export function defer$<T>(get: () => T | PromiseLike<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const v = get();
    if (!isPromiseLike(v)) {
      subscriber.next(v);
      subscriber.complete();
      return undefined;
    }
    return from(Promise.resolve(v)).subscribe(subscriber);
  });
}

/** Read-then-write rounds of one breaker (a store without `update`), one at a time. */
export class RoundQueue {
  /** Rounds waiting for the one under way; `undefined`: none under way. */
  private waiting: (() => void)[] | undefined = undefined;

  /**
   * Runs `work` once the round under way has ended (at once when none is: a synchronous store stays
   * synchronous). Its values are passed on after the next round may start, so a callback reacting
   * to a change can start a call of its own, but before a round queued behind it starts: one whose
   * store answers at once (a synchronous `get`, nothing to write) would otherwise report first the
   * change this round made, in its own call's stream (none, for a call it refuses).
   */
  run<T>(work: () => Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      let inner: Subscription | undefined;
      let state: 'queued' | 'running' | 'ended' = 'queued';
      const end = (): void => {
        if (state === 'ended') return;
        const wasRunning = state === 'running';
        state = 'ended';
        if (!wasRunning) return void this.waiting?.splice(this.waiting.indexOf(run) >>> 0, 1);
        const next = this.waiting?.shift();
        if (next) next();
        else this.waiting = undefined;
      };
      const run = (): void => {
        state = 'running';
        const values: T[] = [];
        inner = work().subscribe({
          next: (v) => values.push(v),
          error: (err: unknown) => (end(), subscriber.error(err)),
          complete: () => {
            // a round queued behind starts once these are passed on (answered at once, it would report first); with
            // none queued the round ends first, so a callback can start a call of its own at once (the second end() is then a no-op)
            if (this.waiting!.length === 0) end();
            for (const v of values) subscriber.next(v);
            end();
            subscriber.complete();
          },
        });
      };
      if (this.waiting === undefined) {
        this.waiting = [];
        run();
      } else this.waiting.push(run);
      return () => {
        inner?.unsubscribe();
        end();
      };
    });
  }
}

/**
 * Starts `round` (it runs to its end, whoever listens) and gives its answer, or `fallback` when
 * none came within `ms` of `scheduler` time (a store that hangs: a Redis client queueing commands
 * while it reconnects). An answer that comes after the fallback goes to `late`; `abandon` drops the
 * round at the timeout instead (a queued read-then-write round, so the rounds behind it may run).
 * A round answered synchronously (the memory store) schedules nothing. The clock starts a
 * microtask after the answer is listened for, once the store's promise had its own reactions
 * ({@link armClockLater}, as the event log's `storeTimeout`): a virtual scheduler's flush runs every
 * action at once, and a clock armed in it would beat a real store's answer.
 */
export function withinStoreTimeout<T>(
  round: Observable<T>,
  ms: number,
  scheduler: SchedulerLike,
  fallback: T,
  late: ((value: T) => void) | undefined,
  abandon: boolean,
): Observable<T> {
  const answer = new ReplaySubject<T>(1);
  let answered = false;
  const running: Subscription = round.subscribe({
    next: (v) => answer.next(v),
    error: (e: unknown) => answer.error(e),
    complete: () => ((answered = true), answer.complete()),
  });
  if (answered || ms === Infinity) return answer;
  return new Observable<T>((subscriber) => {
    const timer = new Subscription();
    const relay = answer.subscribe({
      next: (v) => subscriber.next(v),
      error: (e: unknown) => subscriber.error(e),
      complete: () => {
        timer.unsubscribe();
        subscriber.complete();
      },
    });
    armClockLater(timer, scheduler, ms, () => {
      relay.unsubscribe();
      if (abandon) running.unsubscribe();
      else if (late) answer.subscribe({ next: late, error: () => undefined });
      subscriber.next(fallback);
      subscriber.complete();
    });
    return () => {
      timer.unsubscribe();
      relay.unsubscribe();
    };
  });
}
