/** @test {withTimeouts} */
import { asyncScheduler, Observable, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { TokenTimeoutError, withTimeouts, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

/*
 * A source right before withTimeouts may say it read a chunk that produced no event yet (fromStream
 * does for a tool call's held argument fragments), through the subscriber method registered as
 * Symbol.for('l0-rx.sourceActive'). Here a hand-made source does it at given frames ('p' in the script).
 */
const ACTIVE = Symbol.for('l0-rx.sourceActive');
const values: Record<string, L0Event> = { a: { type: 'token', value: 'a' }, x: { type: 'complete', finishReason: 'stop' } };

/** One frame per character: `p` a held chunk (no event), a letter an event, `|` the end. */
function chunks(script: string, scheduler: SchedulerLike = asyncScheduler): Observable<L0Event> {
  return new Observable<L0Event>((subscriber) => {
    [...script].forEach((c, frame) => {
      if (c === '-') return;
      scheduler.schedule(() => {
        if (c === 'p') (subscriber as unknown as Record<symbol, (() => void) | undefined>)[ACTIVE]?.();
        else if (c === '|') subscriber.complete();
        else subscriber.next(values[c]!);
      }, frame);
    });
  });
}

describe('withTimeouts and a source\'s held chunks', () => {
  it('should restart the clock at each held chunk, so a long tool call streaming its fragments is not silence', () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(chunks('--p--p--p--ax|').pipe(withTimeouts({ initialToken: 4, interToken: 4 }))).toBe('-----------ax|', values);
    });
  });

  it('should still time out at the deadline once the held chunks stop, in the initial phase', () => {
    testScheduler().run(({ expectObservable }) => {
      const error = new TokenTimeoutError({ kind: 'initial', timeoutMs: 4, elapsedMs: 4, tokenCount: 0 });
      expectObservable(chunks('--p--p------a|').pipe(withTimeouts({ initialToken: 4, interToken: 2 }))).toBe('---------#', values, error);
    });
  });

  it('should keep the total budget whatever the source reads', () => {
    testScheduler().run(({ expectObservable }) => {
      const error = new TokenTimeoutError({ kind: 'total', timeoutMs: 7, elapsedMs: 7, tokenCount: 0 });
      expectObservable(chunks('-p-p-p-p-p-a|').pipe(withTimeouts({ initialToken: 3, total: 7 }))).toBe('-------#', values, error);
    });
  });

  it('should leave no scheduled action after the run ends', () => {
    const scheduler = testScheduler(); // classic mode: its actions are only the source's and the operator's
    let pending = -1;
    chunks('-p-p-ax|', scheduler).pipe(withTimeouts({ initialToken: 3, interToken: 3, scheduler })).subscribe({ complete: () => (pending = scheduler.actions.length) });
    scheduler.flush();
    expect(pending).toBe(0);
  });
});
