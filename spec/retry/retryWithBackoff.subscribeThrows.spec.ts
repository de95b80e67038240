/** @test {retryWithBackoff} */
import { describe, expect, it } from 'vitest';
import { Observable, type Subscriber, type Subscription } from 'rxjs';
import { isUnknownError, retryWithBackoff, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { networkError } from './retryHelpers.js';

/**
 * A source (an Observable subclass, whose own subscribe rxjs does not guard) whose first attempt fails after a frame and
 * whose later ones start a request on the subscriber they are given and then throw: `log` records the request and its abort.
 */
const throwsOnRetry = (log: string[], thrown: unknown, failing: Observable<L0Event>, now: () => number) => new (class extends Observable<L0Event> {
  private calls = 0;
  override subscribe(subscriber?: unknown): Subscription {
    if (this.calls++ === 0) return failing.subscribe(subscriber as Subscriber<L0Event>);
    (subscriber as Subscriber<L0Event>).add(() => log.push(`aborted at ${now()}`));
    log.push(`requested at ${now()}`);
    throw thrown;
  }
})();

describe('retryWithBackoff: a retry whose subscribe throws', () => {
  // subscribed on the retry's timer, the throw went to the scheduler (a TestScheduler's flush threw it, the async one
  // reported it unhandled): the run never ended and the request it started stayed open
  it('should end the run with the throw, typed, its request aborted at once', () => {
    const ts = testScheduler();
    const log: string[] = [];
    const got: unknown[] = [];
    const thrown = new Error('subscribe');
    ts.run(({ cold, flush }) => {
      const source = throwsOnRetry(log, thrown, cold('-#', undefined, networkError()), () => ts.now());
      source.pipe(retryWithBackoff({ backoff: 'fixed', baseDelay: 2, maxRetries: 3 })).subscribe({
        next: (e) => got.push(`${e.type} at ${ts.now()}`),
        error: (e: unknown) => got.push(e),
      });
      flush();
    });
    expect(got.slice(0, 1)).toEqual(['retry at 1']);
    const error = got[1];
    expect([got.length, isUnknownError(error) && error.cause]).toEqual([2, thrown]);
    expect(log).toEqual(['requested at 3', 'aborted at 3']);
  });
});
