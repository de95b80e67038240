/** @test {retryWithBackoff} */
import { NEVER, Observable, of, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromAttempt, isL0Error, L0Error, retryWithBackoff, type L0Event } from 'l0-rx';
import { subscribeWithContext } from '../../src/attempt/attemptContext.js';
import { testScheduler } from '../helpers/testScheduler.js';
import { attemptSource, authError, collect, networkError, retries, retryEvent, tok, values, virtualScheduler } from './retryHelpers.js';

const fixed = (baseDelay: number, maxRetries = 6) => ({ backoff: 'fixed' as const, baseDelay, maxRetries });

describe('retryWithBackoff', () => {
  it('should retry nothing with maxRetries 0 or an empty retryOn, yet type the error and list it in attemptErrors', () => {
    for (const config of [{ maxRetries: 0 }, { retryOn: [] }]) {
      const { source, calls } = attemptSource([() => throwError(() => new Error('boom'))]);
      const run = collect(source.pipe(retryWithBackoff(config)));
      expect(calls()).toBe(1);
      expect(isL0Error(run.error)).toBe(true);
      expect((run.error as L0Error).attemptErrors).toHaveLength(1);
      expect((run.error as L0Error).attemptErrors[0]).toMatchObject({ name: 'UnknownError', cause: expect.objectContaining({ message: 'boom' }), attempt: 1, fallbackIndex: 0 });
    }
  });

  describe('rxjs checklist', () => {
    it('should mirror a never-emitting source', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold<L0Event>('-');
        expectObservable(source.pipe(retryWithBackoff())).toBe('-');
        expectSubscriptions(source.subscriptions).toBe('^');
      });
    });

    it('should complete with an empty source', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold<L0Event>('|');
        expectObservable(source.pipe(retryWithBackoff())).toBe('|');
        expectSubscriptions(source.subscriptions).toBe('(^!)');
      });
    });

    it('should pass one value and many values through with a single subscription', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const one = cold('-a|', values);
        const many = cold('-a-b-c-C|', values);
        expectObservable(one.pipe(retryWithBackoff())).toBe('-a|', values);
        expectObservable(many.pipe(retryWithBackoff())).toBe('-a-b-c-C|', values);
        expectSubscriptions(many.subscriptions).toBe('^-------!');
      });
    });

    it('should emit retry, wait the delay, then resubscribe, until maxRetries is used up', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const err = networkError();
        const source = cold('-a-#', values, err);
        const r1 = retryEvent(1, 2, 'network_error', { code: 'NETWORK_ERROR', attempt: 1 });
        const r2 = retryEvent(2, 2, 'network_error', { code: 'NETWORK_ERROR', attempt: 2 });
        expectObservable(source.pipe(retryWithBackoff(fixed(2, 2)))).toBe('-a-r--a-s--a-#', { ...values, r: r1, s: r2 }, err);
        expectSubscriptions(source.subscriptions).toBe(['^--!', '-----^--!', '----------^--!']);
      });
    });

    it('should emit retry before resubscribing, even with a delay of 0', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const err = networkError();
        const source = cold('-a-#', values, err);
        const r = retryEvent(1, 0, 'network_error', { code: 'NETWORK_ERROR' });
        expectObservable(source.pipe(retryWithBackoff(fixed(0, 1)))).toBe('-a-ra-#', { ...values, r }, err);
        expectSubscriptions(source.subscriptions).toBe(['^--!', '---^--!']);
      });
    });

    it('should rethrow a non-retryable error at once', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const err = authError();
        const source = cold('-a-#', values, err);
        expectObservable(source.pipe(retryWithBackoff(fixed(2)))).toBe('-a-#', values, err);
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('should succeed after a retry and complete', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const failing = cold('-a-#', values, networkError());
        const ok = cold('-b-C|', values);
        const { source } = attemptSource([() => failing, () => ok]);
        const r = retryEvent(1, 3, 'network_error', { code: 'NETWORK_ERROR' });
        expectObservable(source.pipe(retryWithBackoff(fixed(3)))).toBe('-a-r---b-C|', { ...values, r });
        expectSubscriptions(failing.subscriptions).toBe('^--!');
        expectSubscriptions(ok.subscriptions).toBe('------^---!');
      });
    });

    it('should unsubscribe the running attempt on early unsubscription', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-c|', values);
        expectObservable(source.pipe(retryWithBackoff()), '^--!').toBe('-a-', values);
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('should cancel the wait on unsubscription and never resubscribe', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-#', values, networkError());
        const r = retryEvent(1, 5, 'network_error', {});
        expectObservable(source.pipe(retryWithBackoff(fixed(5))), '^-----!').toBe('-a-r--', { ...values, r });
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('should leave no scheduled action after unsubscribing during the wait', () => {
      const ts = virtualScheduler();
      const { source, calls } = attemptSource([() => throwError(() => networkError())]);
      const run = collect(source.pipe(retryWithBackoff({ ...fixed(50), scheduler: ts })));
      expect(ts.actions.length).toBe(1);
      run.subscription.unsubscribe();
      expect(ts.actions.length).toBe(0);
      ts.flush();
      expect(calls()).toBe(1);
    });

    it('should leave no scheduled action and no live attempt after unsubscribing at any frame', () => {
      for (let frame = 0; frame <= 20; frame++) {
        const ts = virtualScheduler();
        let live = 0;
        const source = new Observable<L0Event>((s) => {
          live += 1;
          const work = ts.schedule(() => s.error(networkError()), 2);
          return () => {
            live -= 1;
            work.unsubscribe();
          };
        });
        const sub = source.pipe(retryWithBackoff({ ...fixed(3, 4), scheduler: ts })).subscribe({ error: () => undefined });
        ts.maxFrames = frame;
        ts.flush();
        sub.unsubscribe();
        expect(ts.actions.length, `actions after unsubscribing at frame ${frame}`).toBe(0);
        expect(live, `live attempts after unsubscribing at frame ${frame}`).toBe(0);
      }
    });

    it('should not start the wait when the consumer unsubscribes on the retry event', () => {
      const ts = virtualScheduler();
      const failLater = () => new Observable<L0Event>((s) => ts.schedule(() => s.error(networkError()), 1));
      const { source, calls } = attemptSource([failLater]);
      const sub = source.pipe(retryWithBackoff({ ...fixed(5), scheduler: ts })).subscribe({
        next: (e) => e.type === 'retry' && sub.unsubscribe(),
      });
      ts.flush();
      expect(calls()).toBe(1);
      expect(ts.actions.length).toBe(0);
    });
  });

  describe('attempt context', () => {
    it('should number attempts and keep the outer fallback index and checkpoint', () => {
      const ts = virtualScheduler();
      const { source, contexts } = attemptSource([() => throwError(() => networkError()), () => of(tok('x'))]);
      const out: L0Event[] = [];
      subscribeWithContext(source.pipe(retryWithBackoff({ ...fixed(1), scheduler: ts })), { next: (e) => out.push(e) }, {
        attempt: 1,
        fallbackIndex: 2,
        checkpoint: 'Once',
      });
      ts.flush();
      expect(contexts).toEqual([
        { attempt: 1, fallbackIndex: 2, checkpoint: 'Once' },
        { attempt: 2, fallbackIndex: 2, checkpoint: 'Once' },
      ]);
    });

    it('should hand the latest checkpoint to the next attempt', () => {
      const ts = virtualScheduler();
      const { source, contexts } = attemptSource([
        () => new Observable<L0Event>((s) => {
          s.next(tok('ab'));
          s.next({ type: 'checkpoint', content: 'ab', tokenCount: 1 });
          s.next(tok('c'));
          s.error(networkError());
        }),
        () => new Observable<L0Event>((s) => {
          s.next({ type: 'resume', checkpoint: 'ab' });
          s.next({ type: 'checkpoint', content: 'abde', tokenCount: 2 });
          s.error(networkError());
        }),
        () => of(tok('!')),
      ]);
      collect(source.pipe(retryWithBackoff({ ...fixed(1), scheduler: ts })));
      ts.flush();
      expect(contexts).toEqual([
        { attempt: 1, fallbackIndex: 0 },
        { attempt: 2, fallbackIndex: 0, checkpoint: 'ab' },
        { attempt: 3, fallbackIndex: 0, checkpoint: 'abde' },
      ]);
    });

    it('should make its first attempt the one an outer loop hands it (nested in that loop\'s attempt 3)', () => {
      const ts = virtualScheduler();
      const { source, contexts } = attemptSource([() => throwError(() => networkError()), () => of(tok('x'))]);
      subscribeWithContext(source.pipe(retryWithBackoff({ ...fixed(1), scheduler: ts })), {}, { attempt: 3, fallbackIndex: 0 });
      ts.flush();
      expect(contexts).toEqual([{ attempt: 3, fallbackIndex: 0 }, { attempt: 4, fallbackIndex: 0 }]);
    });

    it('should number its retry and its next attempt after the later attempts a nested loop reported', () => {
      const ts = virtualScheduler();
      const asked: number[] = [];
      // attempts 1 and 2 fail (the inner loop retries once, then gives up); attempt 3 answers
      const inner = fromAttempt((ctx) => (ctx.attempt <= 2 ? throwError(() => networkError()) : of(tok('x'))))
        .pipe(retryWithBackoff({ ...fixed(1, 1), scheduler: ts }));
      const run = collect(inner.pipe(retryWithBackoff({ ...fixed(1), scheduler: ts, shouldRetry: (_, ctx) => (asked.push(ctx.attempt), true) })));
      ts.flush();
      const seen = run.events.flatMap((e) => (e.type === 'start' || e.type === 'retry' ? [`${e.type} ${e.attempt}`] : []));
      expect(seen).toEqual(['start 1', 'retry 1', 'start 2', 'retry 2', 'start 3']);
      expect(asked).toEqual([2]); // the outer loop's veto is asked about attempt 2, the one that failed last
      expect(run.completed).toBe(true);
    });

    it('should not leak its context to sources subscribed later', () => {
      const ts = virtualScheduler();
      const { source, contexts } = attemptSource([() => NEVER]);
      collect(source.pipe(retryWithBackoff({ scheduler: ts })));
      const later = attemptSource([() => NEVER]);
      collect(later.source);
      expect(contexts).toEqual([{ attempt: 1, fallbackIndex: 0 }]);
      expect(later.contexts).toEqual([undefined]);
    });
  });

  describe('errors', () => {
    it('should give up with a copy of the last error carrying attempt, fallback index and every attempt\'s error, leaving the errors unchanged', () => {
      const ts = virtualScheduler();
      const thrown = [networkError('one'), networkError('two'), networkError('three')];
      const { source } = attemptSource(thrown.map((e) => () => throwError(() => e)));
      const out: { error?: unknown } = {};
      subscribeWithContext(source.pipe(retryWithBackoff({ ...fixed(1, 2), scheduler: ts })), { error: (e: unknown) => (out.error = e) }, {
        attempt: 1,
        fallbackIndex: 1,
      });
      ts.flush();
      expect(out.error).toMatchObject({ message: 'three', code: 'NETWORK_ERROR', attempt: 3, fallbackIndex: 1 });
      const listed = (out.error as L0Error).attemptErrors as L0Error[];
      expect(listed.map((e) => [e.message, e.attempt, e.fallbackIndex])).toEqual([['one', 1, 1], ['two', 2, 1], ['three', 3, 1]]);
      expect(thrown.map((e) => [e.attempt, e.fallbackIndex, e.attemptErrors.length])).toEqual([[undefined, undefined, 0], [undefined, undefined, 0], [undefined, undefined, 0]]);
    });

    it('should type a raw error no source typed as an UnknownError (the original as cause), retried through attempts', () => {
      // Provider errors are typed where they happen (fromStream); retryWithBackoff reads l0-rx errors
      // by their fields and never loads the provider tables, so a raw socket error here is `unknown`.
      const ts = virtualScheduler();
      const raw = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      const { source, calls } = attemptSource([() => throwError(() => raw)]);
      const run = collect(source.pipe(retryWithBackoff({ ...fixed(1, 1), scheduler: ts })));
      ts.flush();
      expect(run.error).toMatchObject({ name: 'UnknownError', code: 'UNKNOWN_ERROR', cause: raw, attempt: 2 });
      expect(calls()).toBe(2);
      expect(retries(run.events)).toEqual([
        retryEvent(1, 1, 'unknown', { name: 'UnknownError', category: 'unknown', cause: expect.objectContaining({ code: 'ECONNRESET' }) }),
      ]);
    });

    // an unknown error marked not retryable was retried anyway, through `attempts`: the category overrode the error's own word
    it('should not retry an error of category unknown that says it is not retryable, while an UnknownError still is', () => {
      const ts = virtualScheduler();
      const final = new L0Error('the tool was removed', { code: 'TOOL_GONE', category: 'unknown', retryable: false });
      const gone = attemptSource([() => throwError(() => final)]);
      const run = collect(gone.source.pipe(retryWithBackoff({ ...fixed(1, 3), scheduler: ts })));
      const plain = attemptSource([() => throwError(() => new Error('boom'))]);
      collect(plain.source.pipe(retryWithBackoff({ ...fixed(1, 3), scheduler: ts })));
      ts.flush();
      expect([gone.calls(), retries(run.events), run.error]).toEqual([1, [], expect.objectContaining({ code: 'TOOL_GONE', attempt: 1 })]);
      expect(plain.calls()).toBe(4);
    });

    it('should read a foreign AbortError as an abort: never retried', () => {
      const abort = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
      const { source, calls } = attemptSource([() => throwError(() => abort)]);
      const run = collect(source.pipe(retryWithBackoff(fixed(1, 3))));
      expect(calls()).toBe(1);
      expect(run.error).toMatchObject({ name: 'StreamAbortedError', cause: abort });
    });

    it('should keep budgets per subscription', () => {
      const ts = virtualScheduler();
      const op = retryWithBackoff({ ...fixed(1, 1), scheduler: ts });
      const first = alwaysNetwork();
      const second = alwaysNetwork();
      collect(first.source.pipe(op));
      collect(second.source.pipe(op));
      ts.flush();
      expect([first.calls(), second.calls()]).toEqual([2, 2]);
    });
  });
});

function alwaysNetwork() {
  return attemptSource([() => throwError(() => networkError())]);
}
