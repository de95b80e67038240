/** @test {fallbackTo} */
import { describe, expect, it } from 'vitest';
import { concat, identity, lastValueFrom, of, throwError, toArray, type Observable } from 'rxjs';
import {
  accumulate,
  AllStreamsExhaustedError,
  checkpointEvery,
  deduplicateContinuation,
  fallbackTo,
  GuardrailViolationError,
  isAllStreamsExhaustedError,
  isL0Error,
  isProviderError,
  L0Error,
  ProviderError,
  retryWithBackoff,
  serializeError,
  StreamAbortedError,
  tapLifecycle,
  UnknownError,
  type L0Event,
} from 'l0-rx';
import type { AttemptContext } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { attemptSource, ev } from '../helpers/attemptSource.js';

const { start, tok, checkpoint, complete } = ev;
/** The fallback event for a stream that failed with `error`: typed (an UnknownError for a plain one), with its fallbackIndex. */
const typed = (error: unknown, fallbackIndex: number) => (isL0Error(error) ? error : new UnknownError(error)).withRunInfo({ fallbackIndex });
const fb = (toIndex: number, error: unknown, fromIndex = toIndex - 1): L0Event => ({
  type: 'fallback', fromIndex, toIndex, error: serializeError(typed(error, fromIndex)),
});
const values = { s: start(), S: start(1, 1), T: start(1, 2), a: tok('a'), b: tok('b'), x: complete() };
const boom = new Error('boom');
const collect = (o: Observable<L0Event>) => lastValueFrom(o.pipe(toArray()));
const failure = (o: Observable<unknown>) => lastValueFrom(o).then(() => expect.fail('should error'), (e: unknown) => e);

describe('fallbackTo', () => {
  it('should be the identity without fallbacks', () => {
    expect(fallbackTo()).toBe(identity);
  });

  it('should throw a TypeError naming a fallback that is not an Observable, with the value', () => {
    expect(() => fallbackTo(of(start()), {} as Observable<L0Event>)).toThrow(new TypeError('fallbackTo: `fallbacks[1]` must be an Observable, got an object'));
    // a factory passed where its stream belongs (fromStream forgotten)
    expect(() => fallbackTo((() => of(start())) as never)).toThrow(/^fallbackTo: `fallbacks\[0\]` must be an Observable, got a function /);
  });

  it('should never subscribe a fallback when the primary succeeds (L0 F1)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold('-s-a-x|', values);
      const fallback = cold('S-b-x|', values);
      expectObservable(primary.pipe(fallbackTo(fallback))).toBe('-s-a-x|', values);
      expectSubscriptions(primary.subscriptions).toBe('^-----!');
      expectSubscriptions(fallback.subscriptions).toBe([]);
    });
  });

  it('should emit fallback, then subscribe the next stream at the error (L0 F1)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold('-s-a-#', values, boom);
      const fallback = cold('S---b-x|', values);
      expectObservable(primary.pipe(fallbackTo(fallback))).toBe('-s-a-(fS)b-x|', { ...values, f: fb(1, boom) });
      expectSubscriptions(primary.subscriptions).toBe('^----!');
      expectSubscriptions(fallback.subscriptions).toBe('-----^------!');
    });
  });

  it('should walk every fallback in order, from index to index (L0 L4)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const e1 = new Error('one');
      const e2 = new Error('two');
      const primary = cold('-s-#', values, e1);
      const fb1 = cold('S---#', values, e2);
      const fb2 = cold('T---x|', values);
      expectObservable(primary.pipe(fallbackTo(fb1, fb2))).toBe('-s-(fS)(gT)x|', { ...values, f: fb(1, e1), g: fb(2, e2) });
      expectSubscriptions(fb1.subscriptions).toBe('---^---!');
      expectSubscriptions(fb2.subscriptions).toBe('-------^----!');
    });
  });

  it('should error with AllStreamsExhaustedError when every stream fails (L0 F2)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const [e1, e2, e3] = [new Error('a'), new Error('b'), new Error('c')];
      const streams = [cold<L0Event>('-#', {}, e1), cold<L0Event>('-#', {}, e2), cold<L0Event>('-#', {}, e3)];
      expectObservable(streams[0]!.pipe(fallbackTo(streams[1]!, streams[2]!))).toBe(
        '-fg#', { f: fb(1, e1), g: fb(2, e2) }, new AllStreamsExhaustedError([e1, e2, e3].map((e, i) => typed(e, i))),
      );
    });
  });

  it('should hold every attempt error, oldest first, as copies with fallbackIndex set, leaving the errors unchanged (L0 F2)', async () => {
    const net = (m: string) => new ProviderError(m, { code: 'NETWORK_ERROR', category: 'network', retryable: true });
    const [p1, f1] = [net('p1'), net('f1')];
    const p2 = net('p2');
    const p2Exhausted = p2.withRunInfo({ attemptErrors: [p1, p2] }); // as retryWithBackoff gives up
    const err = await failure(throwError(() => p2Exhausted).pipe(fallbackTo(throwError(() => f1))));
    expect(isAllStreamsExhaustedError(err)).toBe(true);
    const exhausted = err as AllStreamsExhaustedError;
    expect(exhausted.errors.map((e) => (e as ProviderError).message)).toEqual(['p1', 'p2', 'f1']);
    expect(exhausted.errors.map((e) => (e as ProviderError).fallbackIndex)).toEqual([0, 0, 1]);
    expect(exhausted.errors.every(isProviderError)).toBe(true);
    expect([p1.fallbackIndex, p2.fallbackIndex, f1.fallbackIndex]).toEqual([undefined, undefined, undefined]);
    expect(exhausted.fallbackIndex).toBe(1);
    expect(exhausted.attemptErrors).toEqual(exhausted.errors);
    expect(exhausted.code).toBe('ALL_STREAMS_EXHAUSTED');
  });

  it('should pass an abort through untouched, without a fallback', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const abort = new StreamAbortedError();
      const primary = cold('-s-#', values, abort);
      const fallback = cold('S|', values);
      expectObservable(primary.pipe(fallbackTo(fallback))).toBe('-s-#', values, abort);
      expectSubscriptions(fallback.subscriptions).toBe([]);
    });
  });

  it('should pass an abort of a fallback through, not as AllStreamsExhaustedError', async () => {
    const abort = new StreamAbortedError();
    const error = (await failure(throwError(() => boom).pipe(fallbackTo(throwError(() => abort))))) as L0Error;
    expect([error.name, error.code, error.message, error.cause]).toEqual([abort.name, abort.code, abort.message, abort.cause]);
  });

  it('should list the failed streams before an abort in its attemptErrors, on a copy', async () => {
    const abort = new StreamAbortedError();
    const error = (await failure(throwError(() => boom).pipe(fallbackTo(throwError(() => abort))))) as L0Error;
    expect(error.attemptErrors.map((e) => [(e as L0Error).code, (e as L0Error).fallbackIndex])).toEqual([
      ['UNKNOWN_ERROR', 0],
      ['STREAM_ABORTED', 1],
    ]);
    expect(error.fallbackIndex).toBe(1);
    expect([abort.attemptErrors, abort.fallbackIndex]).toEqual([[], undefined]); // the error itself is never changed
  });

  it('should fall back on auth errors and fatal guardrail violations (L0 F5)', async () => {
    const auth = new ProviderError('401', { code: 'AUTH_ERROR', category: 'auth', retryable: false, status: 401 });
    const fatal = new GuardrailViolationError({
      violations: [{ ruleId: 'r', message: 'no', severity: 'error', recoverable: false }],
    });
    for (const err of [auth, fatal]) {
      const out = await collect(concat(of(start()), throwError(() => err)).pipe(fallbackTo(of(start(1, 1), tok('F'), complete()))));
      expect(out.map((e) => e.type)).toEqual(['start', 'fallback', 'start', 'token', 'complete']);
    }
  });

  it('should subscribe each fallback with {attempt: 1, fallbackIndex} and no checkpoint before one (L0 C3)', async () => {
    const calls: AttemptContext[] = [];
    const primary = attemptSource(() => concat(of(tok('a'), tok('b')), throwError(() => boom)), calls);
    const fallback = attemptSource(() => of(tok('Fresh'), complete()), calls);
    const out = await collect(primary.pipe(fallbackTo(fallback)));
    expect(calls).toEqual([{ attempt: 1, fallbackIndex: 0 }, { attempt: 1, fallbackIndex: 1 }]);
    expect(out.map((e) => e.type)).not.toContain('resume');
    expect((await lastValueFrom(of(...out).pipe(accumulate()))).content).toBe('Fresh');
  });

  it('should hand the latest checkpoint to the fallback, which resumes from it', async () => {
    const calls: AttemptContext[] = [];
    const primary = attemptSource(() => concat(of(tok('A'), checkpoint('A', 1), tok('B'), checkpoint('AB', 2), tok('C')), throwError(() => boom)), calls);
    const fallback = attemptSource(() => of(tok('D'), complete()), calls);
    const out = await collect(primary.pipe(fallbackTo(fallback)));
    expect(calls[1]).toEqual({ attempt: 1, fallbackIndex: 1, checkpoint: 'AB' });
    expect(out.slice(-4)).toEqual([start(1, 1), { type: 'resume', checkpoint: 'AB' }, tok('D'), complete()]);
  });

  it('should continue a fallback from the primary\'s checkpoint without the overlap (L0 C5)', async () => {
    const attempt = (tokens: string[], ok: boolean) =>
      attemptSource(() => concat(of(...tokens.map(tok)), ok ? of(complete()) : throwError(() => boom))).pipe(
        deduplicateContinuation(),
        checkpointEvery(1),
      );
    const out = await collect(attempt(['Primary', ' content', ' here'], false).pipe(fallbackTo(attempt(['here', ' and more'], true))));
    const types = out.map((e) => e.type);
    expect(types.indexOf('fallback')).toBeLessThan(types.indexOf('resume'));
    expect(types.indexOf('start', 1)).toBeLessThan(types.indexOf('resume'));
    expect((await lastValueFrom(of(...out).pipe(accumulate()))).content).toBe('Primary content here and more');
  });

  it('should keep only the fallback\'s outputs in the final state (L0 F4)', async () => {
    const data = (n: string): L0Event => ({ type: 'data', payload: { contentType: 'json', json: n } });
    const primary = concat(of(start(), data('p'), { type: 'progress', percent: 50 } as L0Event), throwError(() => boom));
    const fallback = of(start(1, 1), data('f'), { type: 'progress', percent: 100 } as L0Event, complete());
    const state = await lastValueFrom(primary.pipe(fallbackTo(fallback), accumulate()));
    expect(state.data).toEqual([{ contentType: 'json', json: 'f' }]);
    expect(state.progress?.percent).toBe(100);
    expect(state.fallbackIndex).toBe(1);
  });

  describe('with retryWithBackoff per stream', () => {
    const attempt = (calls: AttemptContext[], body: () => Observable<L0Event> = () => throwError(() => boom)) =>
      attemptSource(body, calls).pipe(retryWithBackoff({ attempts: 1, retryOn: ['unknown'], backoff: 'fixed', baseDelay: 10 }));

    it('should give each fallback its own retry budget and collect every attempt error (L0 F3)', () => {
      testScheduler().run(({ flush }) => {
        const calls: AttemptContext[] = [];
        const types: string[] = [];
        let err: unknown;
        attempt(calls).pipe(fallbackTo(attempt(calls))).subscribe({ next: (e) => types.push(e.type), error: (e) => (err = e) });
        flush();
        expect(calls.map((c) => [c.attempt, c.fallbackIndex])).toEqual([[1, 0], [2, 0], [1, 1], [2, 1]]);
        expect(types).toEqual(['start', 'retry', 'start', 'fallback', 'start', 'retry', 'start']);
        const errors = isAllStreamsExhaustedError(err) ? (err.errors as L0Error[]) : [];
        expect(errors.map((e) => [e.name, e.cause, e.attempt, e.fallbackIndex])).toEqual([
          ['UnknownError', boom, 1, 0], ['UnknownError', boom, 2, 0], ['UnknownError', boom, 1, 1], ['UnknownError', boom, 2, 1],
        ]);
      });
    });

    it('should call onStart (1,f,f), (2,t,f), (1,f,t) and end with the fallback content (L0 L4)', () => {
      testScheduler().run(({ flush }) => {
        const starts: unknown[] = [];
        let content = '';
        const ok = () => of(tok('fallback-success'), complete());
        attempt([], () => concat(of(tok('x')), throwError(() => boom)))
          .pipe(fallbackTo(attempt([], ok)), tapLifecycle({ onStart: (...a) => starts.push(a) }), accumulate())
          .subscribe((s) => (content = s.content));
        flush();
        expect(starts).toEqual([[1, false, false], [2, true, false], [1, false, true]]);
        expect(content).toBe('fallback-success');
      });
    });
  });

  it('should handle streams that fail synchronously', async () => {
    const out = await collect(throwError(() => boom).pipe(fallbackTo(throwError(() => boom), of(start(1, 2), complete()))));
    expect(out).toEqual([fb(1, boom), fb(2, boom), start(1, 2), complete()]);
  });

  it('should keep state per subscription', async () => {
    const calls: AttemptContext[] = [];
    let n = 0;
    const primary = attemptSource(() => concat(of(tok('x'), checkpoint(`x${n++}`, 1)), throwError(() => new Error('p'))));
    const run = primary.pipe(fallbackTo(attemptSource(() => throwError(() => new Error('f')), calls)));
    const [e1, e2] = [await failure(run), await failure(run)];
    expect((e1 as AllStreamsExhaustedError).errors).toHaveLength(2);
    expect((e2 as AllStreamsExhaustedError).errors).toHaveLength(2);
    expect(calls.map((c) => c.checkpoint)).toEqual(['x0', 'x1']);
  });

  describe('rxjs checklist', () => {
    it('should never emit for a never source', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const primary = cold<L0Event>('-');
        const fallback = cold('S|', values);
        expectObservable(primary.pipe(fallbackTo(fallback))).toBe('-');
        expectSubscriptions(fallback.subscriptions).toBe([]);
      });
    });

    it('should complete for an empty source', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<L0Event>('|').pipe(fallbackTo(cold('S|', values)))).toBe('|');
      });
    });

    it('should pass a single value', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-s|', values).pipe(fallbackTo(cold('S|', values)))).toBe('-s|', values);
      });
    });

    it('should unsubscribe the primary when unsubscribed early', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const primary = cold('-s-a-a-a-', values);
        const fallback = cold('S|', values);
        expectObservable(primary.pipe(fallbackTo(fallback)), '^----!').toBe('-s-a-', values);
        expectSubscriptions(primary.subscriptions).toBe('^----!');
        expectSubscriptions(fallback.subscriptions).toBe([]);
      });
    });

    it('should unsubscribe the current fallback when unsubscribed early', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const primary = cold('-#', values, boom);
        const fallback = cold('S---b-b-', values);
        expectObservable(primary.pipe(fallbackTo(fallback)), '^---!').toBe('-(fS)', { ...values, f: fb(1, boom) });
        expectSubscriptions(fallback.subscriptions).toBe('-^--!');
      });
    });

    it('should report an L0Error of a fallback with its own fallbackIndex, on a copy', async () => {
      const e = new L0Error('x', { code: 'X', category: 'server', retryable: true });
      const err = (await failure(throwError(() => boom).pipe(fallbackTo(throwError(() => e))))) as AllStreamsExhaustedError;
      expect((err.errors[1] as L0Error).fallbackIndex).toBe(1);
      expect(err.fallbackIndex).toBe(1);
      expect(e.fallbackIndex).toBeUndefined();
    });
  });
});
