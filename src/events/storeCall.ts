/* The event log's bound on a store that does not answer: `storeTimeout`, in scheduler time. @internal */
import { mergeMap, Observable, Subscription, type SchedulerLike } from 'rxjs';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import { EventLogError } from './EventLogError.js';
import { describeOption, isSchedulerLike, optionError, type OptionPath } from '../internal/options.js';
import { checkTimerDelay } from '../internal/timerDelay.js';
import { armClockLater } from '../internal/laterClock.js';

/**
 * How long the event log waits for one store call, in ms, by default: far above what a healthy
 * store takes (a Redis round trip, a JSONL append with `fsync`, a JSONL read of a file of some
 * hundreds of MiB), far below forever. Events never wait for the store, so a finite bound costs a
 * live run nothing; it only ends what would otherwise hang.
 */
export const STORE_TIMEOUT = 30_000;

/** What `storeTimeout` accepts, in its TypeError. */
const WHAT = 'a number of ms > 0 (Infinity: wait for the store forever)';

/** Checks a `storeTimeout` option (or another bound on the store, `name`): > 0, at most the longest timer delay, or `Infinity`. */
export function checkStoreTimeout(path: OptionPath, value: unknown, name = 'storeTimeout'): number {
  if (typeof value !== 'number' || !(value > 0)) throw optionError(path, name, WHAT, value);
  checkTimerDelay(path, name, value);
  return value;
}

/**
 * Checks the options every store call of the event log is bounded by: `storeTimeout` (see
 * {@link checkStoreTimeout}), then `scheduler`, its clock. One check for `recordEvents`,
 * `replayEvents` and `createStoreReplaySource`, so they refuse the same values with the same words.
 */
export function checkStoreCall(path: OptionPath, storeTimeout: unknown, scheduler: unknown): void {
  checkStoreTimeout(path, storeTimeout);
  if (!isSchedulerLike(scheduler)) throw optionError(path, 'scheduler', 'a SchedulerLike', scheduler);
}

/** Why a call timed out, for a message: `the event store did not answer read("a") within 50 ms (storeTimeout)`. */
export function noAnswer(call: string, ms: number): string {
  return `the event store did not answer ${call} within ${ms} ms (storeTimeout)`;
}

/**
 * A store's answer as an Observable: a value at once (a synchronous store stays synchronous and
 * schedules nothing), a promise's value when it resolves, or an `EventLogError` `STORE_TIMEOUT`
 * naming `call()` when it has not settled within `ms` of `scheduler` time (`Infinity`: never).
 * The clock starts once the promise had its own reactions ({@link armClockLater}, as
 * `retryWithBackoff`'s `shouldRetry` bound): a virtual scheduler's flush runs every action at
 * once, and a clock armed in it would beat a real store's answer.
 */
function storeAnswer<T>(answer: PromiseLike<T>, ms: number, scheduler: SchedulerLike, streamId: string, call: () => string): Observable<T> {
  return new Observable<T>((subscriber) => {
    const clock = new Subscription();
    answer.then(
      (value) => {
        clock.unsubscribe();
        subscriber.next(value);
        subscriber.complete();
      },
      (e: unknown) => {
        clock.unsubscribe();
        subscriber.error(e);
      },
    );
    armClockLater(clock, scheduler, ms, () => subscriber.error(new EventLogError('STORE_TIMEOUT', streamId, `Stream ${streamId}: ${noAnswer(call(), ms)}`)));
    return clock;
  });
}

/**
 * `next` of a store call's result: at once for a value (a synchronous store stays synchronous, so
 * marbles hold), within `ms` for a promise ({@link storeAnswer}).
 */
export function afterStore<T, R>(
  result: T | PromiseLike<T>,
  ms: number,
  scheduler: SchedulerLike,
  streamId: string,
  call: () => string,
  next: (value: T) => Observable<R>,
): Observable<R> {
  return isPromiseLike(result) ? storeAnswer(result, ms, scheduler, streamId, call).pipe(mergeMap(next)) : next(result);
}

/** How a call is named in a `STORE_TIMEOUT` message: `read("a", {"fromSeq":3})`, as the user would write it. */
export function callName(method: string, ...args: readonly unknown[]): string {
  return `${method}(${args.filter((a) => a !== undefined).map((a) => JSON.stringify(a)).join(', ')})`;
}

/** A store's answer to `call` when it is an array (the contract), else a TypeError naming `who` and the call (a store of your own answering `undefined` for an unknown stream). */
export function answered<T>(value: readonly T[], who: string, call: string): readonly T[] {
  if (Array.isArray(value)) return value;
  throw new TypeError(`${who}(store): store.${call} must answer an array, got ${describeOption(value)}`);
}
