import { Observable, type Subscription } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { L0Event, StreamContext } from 'l0-rx';

/** One request of a watched factory: whether its script ended, whether it was left, and its signal. */
interface Request {
  ended: boolean;
  left: boolean;
  readonly signal: AbortSignal;
}

/**
 * Watches the requests of fake factories: {@link watch} wraps one, and {@link open} counts the
 * requests still running (subscribed, or left before their script ended without their signal
 * aborted). A request that delivered its `complete` event, or ended, is over.
 */
export function watchedRequests() {
  const requests: Request[] = [];
  const watch = (factory: (ctx: StreamContext) => Observable<L0Event>) => (ctx: StreamContext) => {
    const script = factory(ctx);
    return new Observable<L0Event>((subscriber) => {
      const request: Request = { ended: false, left: false, signal: ctx.signal };
      requests.push(request);
      const inner = script.subscribe({
        next: (e) => ((request.ended ||= e.type === 'complete'), subscriber.next(e)),
        error: (e: unknown) => ((request.ended = true), subscriber.error(e)),
        complete: () => ((request.ended = true), subscriber.complete()),
      });
      return () => {
        request.left = true;
        inner.unsubscribe();
      };
    });
  };
  const open = () => requests.filter((q) => !q.ended && !(q.left && q.signal.aborted)).length;
  return { watch, open };
}

/** What a run left behind once it ended (or was left): actions still scheduled, requests still open. */
export interface Leftover {
  readonly actions: number;
  readonly open: number;
}

/**
 * Subscribes `run` inside `ts.run()` and records every event with its frame; leaves it at
 * `unsubscribeAt` unless it ended first. Once it ended or was left, after that frame's work, it
 * reads what is left: `ts.actions` (every timer should be gone) and `open()` (every request over).
 */
export function runWatched(ts: TestScheduler, build: () => Observable<L0Event>, open: () => number, unsubscribeAt?: number) {
  const result = {
    timeline: [] as [number, L0Event][],
    error: undefined as unknown,
    end: undefined as number | undefined,
    leftover: undefined as Leftover | undefined,
  };
  let leave: Subscription | undefined = undefined;
  const settle = () => {
    leave?.unsubscribe(); // the run ended first: the consumer's leaving is not the run's
    ts.schedule(() => (result.leftover ??= { actions: ts.actions.length, open: open() }));
  };
  ts.run(() => {
    const sub = build().subscribe({
      next: (e) => result.timeline.push([ts.now(), e]),
      error: (e: unknown) => {
        result.error = e;
        result.end = ts.now();
        settle();
      },
      complete: () => {
        result.end = ts.now();
        settle();
      },
    });
    if (unsubscribeAt !== undefined && result.end === undefined) {
      leave = ts.schedule(() => {
        leave = undefined;
        sub.unsubscribe();
        settle();
      }, unsubscribeAt);
    }
  });
  return result;
}
