/** @test {withTimeouts} */
import { Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { isTokenTimeoutError, withTimeouts, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const TOKENS = 1_000_000;
const token: L0Event = { type: 'token', value: 'x' };

/**
 * A source that emits `TOKENS` tokens in one loop inside its subscribe, never yielding to the
 * scheduler, while the clock it runs on advances one frame per token (the time its work takes).
 * `politely` sources stop when their subscriber closes; the others keep going regardless.
 */
function flood(ts: TestScheduler, politely: boolean, log: { emitted: number }) {
  return new Observable<L0Event>((subscriber) => {
    for (let i = 0; i < TOKENS && !(politely && subscriber.closed); i++) {
      ts.frame += 1;
      log.emitted += 1;
      subscriber.next(token);
    }
    subscriber.complete();
  });
}

function run(politely: boolean) {
  const ts = testScheduler();
  const log = { emitted: 0 };
  let received = 0;
  let error: unknown;
  let completed = false;
  flood(ts, politely, log)
    .pipe(withTimeouts({ total: 100, scheduler: ts }))
    .subscribe({ next: () => received++, error: (e: unknown) => (error = e), complete: () => (completed = true) });
  ts.flush();
  return { error, completed, received, emitted: log.emitted };
}

describe('withTimeouts against a synchronous flood', () => {
  // token n is read at frame n: the one at the deadline (100) is in time, the first one read after it (101) the last passed on
  it('should error with a total TokenTimeoutError past the deadline although the source never yields', () => {
    const { error, completed, received } = run(true);
    expect(completed).toBe(false);
    expect(isTokenTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TOTAL_TIMEOUT', info: { kind: 'total', timeoutMs: 100, elapsedMs: 101, tokenCount: 101 } });
    expect(received).toBe(101);
  });

  it('should close the source subscriber inside its subscribe, so a source that checks `closed` stops', () => {
    expect(run(true).emitted).toBe(101);
  });

  it('should pass nothing on after the timeout when the source ignores `closed`', () => {
    const { error, received, emitted } = run(false);
    expect(error).toMatchObject({ code: 'TOTAL_TIMEOUT' });
    expect(received).toBe(101);
    expect(emitted).toBe(TOKENS);
  });

  it('should let a flood that ends before the deadline complete', () => {
    const ts = testScheduler();
    const events: L0Event[] = [];
    let completed = false;
    new Observable<L0Event>((subscriber) => {
      for (let i = 0; i < 99; i++) {
        ts.frame += 1;
        subscriber.next(token);
      }
      subscriber.complete();
    })
      .pipe(withTimeouts({ total: 100, interToken: 5, scheduler: ts }))
      .subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
    ts.flush();
    expect(completed).toBe(true);
    expect(events).toHaveLength(99);
  });
});
