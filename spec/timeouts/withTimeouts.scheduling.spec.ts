/** @test {withTimeouts} */
import { Observable, Subject, Subscription, type SchedulerLike } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { isTokenTimeoutError, withTimeouts, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const tok = (value: string): L0Event => ({ type: 'token', value });

/** Emits `tok(value)` at each absolute frame, then completes at `end`; records its unsubscription. */
function timedSource(ts: TestScheduler, frames: readonly number[], end: number, log: { unsubscribed: boolean }) {
  return new Observable<L0Event>((subscriber) => {
    const subs = new Subscription();
    frames.forEach((frame, i) => subs.add(ts.schedule(() => subscriber.next(tok(`t${i}`)), frame)));
    subs.add(ts.schedule(() => subscriber.complete(), end));
    subs.add(() => (log.unsubscribed = true));
    return subs;
  });
}

/**
 * A pull source, like an async iterator: it asks for the next chunk `gap` frames after the
 * consumer's `next` returned, so a slow consumer delays the source too.
 */
function pullSource(ts: TestScheduler, count: number, gap: number) {
  return new Observable<L0Event>((subscriber) => {
    let i = 0;
    return ts.schedule(function step() {
      subscriber.next(tok(`t${i}`));
      if (++i === count) subscriber.complete();
      else this.schedule(undefined, gap);
    }, gap);
  });
}

describe('withTimeouts scheduling', () => {
  it('should never time out because of a slow subscriber (T3)', () => {
    const ts = testScheduler();
    const got: string[] = [];
    let error: unknown;
    pullSource(ts, 5, 10)
      .pipe(withTimeouts({ initialToken: 100, interToken: 100, scheduler: ts }))
      .subscribe({
        next: (e) => {
          got.push(e.type === 'token' ? e.value : e.type);
          ts.frame += 150; // the consumer blocks for 150 ms per event
        },
        error: (e: unknown) => (error = e),
        complete: () => got.push('|'),
      });
    ts.flush();
    expect(error).toBeUndefined();
    expect(got).toEqual(['t0', 't1', 't2', 't3', 't4', '|']);
  });

  it('should not count a slow subscriber\'s time against total either', () => {
    // it failed TOTAL_TIMEOUT after 1 token: the source took 50 ms, its consumer 750
    const ts = testScheduler();
    ts.maxFrames = Infinity;
    const got: string[] = [];
    let error: unknown;
    pullSource(ts, 5, 10)
      .pipe(withTimeouts({ total: 100, scheduler: ts }))
      .subscribe({
        next: (e) => {
          got.push(e.type === 'token' ? e.value : e.type);
          ts.frame += 150;
        },
        error: (e: unknown) => (error = e),
        complete: () => got.push('|'),
      });
    ts.flush();
    expect(error).toBeUndefined();
    expect(got).toEqual(['t0', 't1', 't2', 't3', 't4', '|']);
  });

  it('should still end a slow subscriber\'s run at total once the source has used it up', () => {
    const ts = testScheduler();
    ts.maxFrames = Infinity;
    let received = 0;
    let error: unknown;
    pullSource(ts, 20, 10)
      .pipe(withTimeouts({ total: 100, scheduler: ts }))
      .subscribe({
        next: () => {
          received++;
          ts.frame += 150;
        },
        error: (e: unknown) => (error = e),
      });
    ts.flush();
    // the source's 10th token came at 100 ms of its own time (in time), its 11th would come at 110
    expect(received).toBe(10);
    expect(isTokenTimeoutError(error) && error.info).toEqual({ kind: 'total', timeoutMs: 100, elapsedMs: 100, tokenCount: 10 });
  });

  it('should count the time of a consumer whose next makes the source emit again (re-entrant) once, and as the consumer\'s', () => {
    // it failed TOTAL_TIMEOUT at t1 (inside t0's next, before t0's time was taken off), or, t1 emitted first, counted
    // t1's 150 ms twice and let t2 through at 450
    for (const reentersFirst of [false, true]) {
      const ts = testScheduler();
      ts.maxFrames = Infinity;
      const source = new Subject<L0Event>();
      const got: string[] = [];
      let error: unknown;
      let erroredAt = -1;
      source.pipe(withTimeouts({ total: 100, scheduler: ts })).subscribe({
        next: (e) => {
          const value = e.type === 'token' ? e.value : e.type;
          got.push(value);
          if (value === 't0' && reentersFirst) source.next(tok('t1'));
          ts.frame += 150;
          if (value === 't0' && !reentersFirst) source.next(tok('t1'));
        },
        error: (e: unknown) => ((error = e), (erroredAt = ts.frame)),
      });
      ts.schedule(() => {
        source.next(tok('t0'));
        ts.schedule(() => source.next(tok('t2')), 150);
      });
      ts.flush();
      // t0 and t1 came at 0 ms of the source's time, the consumer took 300: total runs out at 400, before t2
      expect([got, erroredAt, isTokenTimeoutError(error) && error.info]).toEqual([
        ['t0', 't1'],
        400,
        { kind: 'total', timeoutMs: 100, elapsedMs: 100, tokenCount: 2 },
      ]);
    }
  });

  it('should count a re-entrant event nested twice, and the events after it in the same next, once', () => {
    // t0's next emits t1, whose next emits t2; back in t0's next come a checkpoint and t3 (each next takes 50 ms). No spec
    // failed when a control event inside a next added its time again, or an event restored "inside" as false for the next one
    const ts = testScheduler();
    const source = new Subject<L0Event>();
    const checkpoint: L0Event = { type: 'checkpoint', content: '', tokenCount: 0 };
    let error: unknown;
    let erroredAt = -1;
    source.pipe(withTimeouts({ total: 100, scheduler: ts })).subscribe({
      next: (e) => {
        ts.frame += 50;
        if (e.type !== 'token') return;
        if (e.value === 't0') [tok('t1'), checkpoint, tok('t3')].forEach((inner) => source.next(inner));
        if (e.value === 't1') source.next(tok('t2'));
      },
      error: (e: unknown) => ((error = e), (erroredAt = ts.frame)),
    });
    ts.schedule(() => source.next(tok('t0')));
    ts.flush();
    // all came at 0 ms of the source's time; t0's next returned at 250: total runs out at 350
    expect([erroredAt, isTokenTimeoutError(error) && error.info]).toEqual([350, { kind: 'total', timeoutMs: 100, elapsedMs: 100, tokenCount: 4 }]);
  });

  it('should stop timing when the source completes, or the consumer unsubscribes, from inside a next', () => {
    for (const inside of ['complete', 'unsubscribe'] as const) {
      const ts = testScheduler();
      const source = new Subject<L0Event>();
      const got: string[] = [];
      let error: unknown;
      const subscription = source.pipe(withTimeouts({ initialToken: 50, interToken: 50, total: 100, scheduler: ts })).subscribe({
        next: (e) => {
          got.push(e.type === 'token' ? e.value : e.type);
          ts.frame += 10;
          if (e.type !== 'token') return;
          if (inside === 'complete') source.next({ type: 'complete', finishReason: 'stop' });
          else subscription.unsubscribe();
        },
        error: (e: unknown) => (error = e),
      });
      ts.schedule(() => source.next(tok('t0')), 20);
      ts.flush();
      // the next that was running when timing stopped re-armed no deadline (an inter timeout at 90 after the complete)
      expect([got, error, source.observed]).toEqual([inside === 'complete' ? ['t0', 'complete'] : ['t0'], undefined, inside === 'complete']);
    }
  });

  it('should restart the silence when the consumer of a control event returns, if the source emitted content from inside it', () => {
    // it shifted the silence t0 began by the whole time of the start's next, 40 ms of it before t0: the timeout came at 210
    const ts = testScheduler();
    const source = new Subject<L0Event>();
    let error: unknown;
    let erroredAt = -1;
    source.pipe(withTimeouts({ initialToken: 50, interToken: 50, scheduler: ts })).subscribe({
      next: (e) => {
        ts.frame += 40;
        if (e.type === 'start') source.next(tok('t0'));
      },
      error: (e: unknown) => ((error = e), (erroredAt = ts.frame)),
    });
    ts.schedule(() => source.next({ type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false }));
    ts.flush();
    // both nexts returned at 80: the source's silence since then runs out at 130
    expect([erroredAt, isTokenTimeoutError(error) && error.info]).toEqual([130, { kind: 'inter', timeoutMs: 50, elapsedMs: 50, tokenCount: 1 }]);
  });

  it('should still time out a silent source whose consumer is fast', () => {
    const ts = testScheduler();
    let error: unknown;
    pullSource(ts, 5, 150)
      .pipe(withTimeouts({ initialToken: 200, interToken: 100, scheduler: ts }))
      .subscribe({ error: (e: unknown) => (error = e) });
    ts.flush();
    expect(isTokenTimeoutError(error) && error.info).toEqual({ kind: 'inter', timeoutMs: 100, elapsedMs: 100, tokenCount: 1 });
    expect(ts.frame).toBe(250);
  });

  it('should not count time the consumer spends on control events as silence', () => {
    const ts = testScheduler();
    let error: unknown;
    const source = new Observable<L0Event>((subscriber) => {
      subscriber.next({ type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false });
      return ts.schedule(() => subscriber.next(tok('a')), 20);
    });
    source.pipe(withTimeouts({ initialToken: 50, scheduler: ts })).subscribe({
      next: (e) => {
        if (e.type === 'start') ts.frame += 40; // slow to render the start
      },
      error: (e: unknown) => (error = e),
    });
    ts.flush();
    expect(error).toBeUndefined();
  });

  it('should carry kind, budget, elapsed time and token count on the error', () => {
    const ts = testScheduler();
    let error: unknown;
    const log = { unsubscribed: false };
    timedSource(ts, [1, 2, 3], 50, log)
      .pipe(withTimeouts({ interToken: 7, scheduler: ts }))
      .subscribe({ error: (e: unknown) => (error = e) });
    ts.flush();
    expect(isTokenTimeoutError(error)).toBe(true);
    expect(isTokenTimeoutError(error) && [error.code, error.category, error.retryable, error.info]).toEqual([
      'INTER_TOKEN_TIMEOUT',
      'timeout',
      true,
      { kind: 'inter', timeoutMs: 7, elapsedMs: 7, tokenCount: 3 },
    ]);
    expect(log.unsubscribed).toBe(true);
  });

  it('should schedule once per subscription, not once per token', () => {
    const ts = testScheduler();
    let scheduled = 0;
    const counting: SchedulerLike = {
      now: () => ts.now(),
      schedule: (...args: Parameters<SchedulerLike['schedule']>) => {
        scheduled += 1;
        return ts.schedule(...args);
      },
    };
    const frames = Array.from({ length: 200 }, (_, i) => i + 1);
    let count = 0;
    timedSource(ts, frames, 201, { unsubscribed: false })
      .pipe(withTimeouts({ initialToken: 500, interToken: 5, total: 1000, scheduler: counting }))
      .subscribe({ next: () => (count += 1) });
    ts.flush();
    expect(count).toBe(200);
    expect(scheduled).toBeLessThanOrEqual(2); // the initial arm, and one re-arm at the first token
  });

  it('should keep at most one scheduled action per subscription', () => {
    const ts = testScheduler();
    const subject = new Subject<L0Event>();
    let error: unknown;
    subject.pipe(withTimeouts({ initialToken: 4, interToken: 3, total: 200, scheduler: ts })).subscribe({
      error: (e: unknown) => (error = e),
    });
    for (let frame = 1; frame <= 60; frame++) {
      ts.maxFrames = frame;
      ts.flush();
      ts.frame = frame;
      if (frame % 2 === 1) subject.next(tok('x')); // a token every 2 frames
      expect(ts.actions.length, `pending actions at frame ${frame}`).toBeLessThanOrEqual(1);
    }
    expect(error).toBeUndefined();
  });

  it('should leave no scheduled action and no source subscription after unsubscribing at any frame', () => {
    for (let frame = 0; frame <= 14; frame++) {
      const ts = testScheduler();
      const log = { unsubscribed: false };
      const sub = timedSource(ts, [2, 3, 5], 20, log)
        .pipe(withTimeouts({ initialToken: 3, interToken: 4, total: 12, scheduler: ts }))
        .subscribe({ error: () => undefined });
      ts.maxFrames = frame;
      ts.flush();
      sub.unsubscribe();
      expect(ts.actions.length, `after unsubscribing at frame ${frame}`).toBe(0);
      expect(log.unsubscribed, `source unsubscribed at frame ${frame}`).toBe(true);
    }
  });
});
