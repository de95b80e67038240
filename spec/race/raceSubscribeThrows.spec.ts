/** @test {raceModels} @test {hedge} */
import { describe, expect, it } from 'vitest';
import { Observable, Subject, type Subscriber, type Subscription } from 'rxjs';
import { AllStreamsExhaustedError, hedge, raceModels, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false } as L0Event,
  a: { type: 'token', value: 'a' } as L0Event,
  x: { type: 'complete', finishReason: 'stop' } as L0Event,
};

/**
 * An entrant whose own subscribe (an Observable subclass's, which rxjs does not guard) starts a request on the subscriber
 * it is given and then throws: `log` records the request's start and its abort (its teardown).
 */
const startsThenThrows = (log: string[], thrown: unknown) => new (class extends Observable<L0Event> {
  override subscribe(subscriber?: unknown): Subscription {
    (subscriber as Subscriber<L0Event>).add(() => log.push('aborted'));
    log.push('requested');
    throw thrown;
  }
})();

describe('an entrant whose subscribe starts a request and then throws', () => {
  it('should abort that request at once, the other entrants racing on', () => {
    const log: string[] = [];
    const other = new Subject<L0Event>();
    const got: unknown[] = [];
    const sub = raceModels([startsThenThrows(log, new Error('subscribe')), other]).subscribe({ next: (e) => got.push(e.type), error: (e: unknown) => got.push(e) });
    // before: the request stayed open until the race ended
    expect(log).toEqual(['requested', 'aborted']);
    other.next(values.s);
    other.next(values.a);
    expect(got).toEqual(['start', 'token']);
    sub.unsubscribe();
    expect(log).toEqual(['requested', 'aborted']);
  });

  it('should abort it before the race fails when it was the last entrant, its throw in the errors', () => {
    const log: string[] = [];
    const own = new Error('subscribe');
    let error: unknown;
    raceModels([startsThenThrows(log, own)]).subscribe({ error: (e: unknown) => ((error = e), log.push('race failed')) });
    // before: its abort came after the race's error, in the race's teardown
    expect(log).toEqual(['requested', 'aborted', 'race failed']);
    expect(error).toBeInstanceOf(AllStreamsExhaustedError);
    expect((error as AllStreamsExhaustedError).errors).toEqual([own]);
  });

  it('should abort a hedge backup\'s request as the timer subscribes it, the primary racing on', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const log: string[] = [];
      const primary = cold('s-----a---x|', values);
      const backup = startsThenThrows(log, new Error('backup'));
      let atDelay: string[] = [];
      expectObservable(primary.pipe(hedge(backup, { delay: 3 }))).toBe('------(sa)x|', values);
      // read right after the backup was subscribed (frame 3), long before the race ends (frame 11)
      cold('----|').subscribe({ complete: () => (atDelay = [...log]) });
      flush();
      expect(atDelay).toEqual(['requested', 'aborted']);
    });
  });
});
