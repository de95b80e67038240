/** @test {fromAttempt} */
import { EMPTY, Observable, of, take, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  fallbackTo,
  fromAttempt,
  fromStream,
  isInvalidStreamError,
  ProviderError,
  retryWithBackoff,
  type AttemptContext,
  type L0Event,
  type StartEvent,
} from 'l0-rx';
import { subscribeWithContext } from '../../src/attempt/attemptContext.js';
import { fakeModel } from 'l0-rx/testing';
import { runScenario } from '../helpers/runScenario.js';
import { testScheduler } from '../helpers/testScheduler.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const complete: L0Event = { type: 'complete', finishReason: 'stop' };
const start = (attempt = 1, fallbackIndex = 0, model?: string): StartEvent => ({
  type: 'start',
  attempt,
  fallbackIndex,
  isRetry: attempt > 1,
  isFallback: fallbackIndex > 0,
  ...(model === undefined ? {} : { model }),
});
const values = { s: start(), a: tok('a'), b: tok('b'), x: complete };
const networkError = () => new ProviderError('socket hang up', { code: 'NETWORK_ERROR', category: 'network', retryable: true, reason: 'network_error' });
const fixed = { backoff: 'fixed', baseDelay: 2 } as const;

/** Subscribes and records everything, synchronously. */
function collect(source: Observable<L0Event>) {
  const run = { events: [] as L0Event[], error: undefined as unknown, completed: false };
  const subscription = source.subscribe({
    next: (e) => run.events.push(e),
    error: (e: unknown) => (run.error = e),
    complete: () => (run.completed = true),
  });
  return Object.assign(run, { subscription });
}

/** A body that records the contexts it was called with and plays `make(ctx)`. */
function recordingBody(make: (ctx: AttemptContext) => Observable<L0Event>) {
  const contexts: AttemptContext[] = [];
  const body = (ctx: AttemptContext) => {
    contexts.push(ctx);
    return make(ctx);
  };
  return { body, contexts };
}

/** An endless "request" whose teardown aborts its signal, as an SDK call given the signal would be. */
function endlessRequest(signals: AbortSignal[]): Observable<L0Event> {
  return new Observable<L0Event>((subscriber) => {
    const controller = new AbortController();
    signals.push(controller.signal);
    subscriber.next(tok('a'));
    return () => controller.abort();
  });
}

describe('fromAttempt', () => {
  it('should emit start{attempt: 1, fallbackIndex: 0} then the body\'s events when no context was handed down', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const events = cold('-a-b-x|', values);
      expectObservable(fromAttempt(() => events)).toBe('sa-b-x|', values);
      expectSubscriptions(events.subscriptions).toBe('^-----!');
    });
  });

  it('should hand the body the context it was subscribed with and report it on start, then resume{checkpoint}', () => {
    const { body, contexts } = recordingBody(() => of(tok('c')));
    const events: L0Event[] = [];
    const ctx: AttemptContext = { attempt: 3, fallbackIndex: 2, checkpoint: 'ab' };
    subscribeWithContext(fromAttempt(body), { next: (e) => events.push(e) }, ctx);
    expect(contexts).toEqual([ctx]);
    expect(events).toEqual([start(3, 2), { type: 'resume', checkpoint: 'ab' }, tok('c')]);
  });

  it('should not emit resume for an empty checkpoint', () => {
    const events: L0Event[] = [];
    subscribeWithContext(fromAttempt(() => EMPTY), { next: (e) => events.push(e) }, { attempt: 2, fallbackIndex: 0, checkpoint: '' });
    expect(events).toEqual([start(2, 0)]);
  });

  it('should report `model` on every start', () => {
    const run = collect(fromAttempt(() => of(tok('a')), { model: 'gpt-4o-mini' }));
    expect(run.events[0]).toEqual(start(1, 0, 'gpt-4o-mini'));
  });

  it('should leave `model` out of start when none is given', () => {
    const run = collect(fromAttempt(() => of(tok('a'))));
    expect(run.events[0]).not.toHaveProperty('model');
  });

  it('should drop the body\'s own start events: fromAttempt owns the attempt\'s start', () => {
    const run = collect(fromAttempt(() => of(start(7, 7, 'other'), tok('a'), start(8, 8), complete), { model: 'm' }));
    expect(run.events).toEqual([start(1, 0, 'm'), tok('a'), complete]);
    expect(run.completed).toBe(true);
  });

  it('should call the body lazily, once per subscription', () => {
    const { body, contexts } = recordingBody(() => of(tok('a')));
    const source = fromAttempt(body);
    expect(contexts).toHaveLength(0);
    collect(source);
    collect(source);
    expect(contexts).toEqual([{ attempt: 1, fallbackIndex: 0 }, { attempt: 1, fallbackIndex: 0 }]);
  });

  it('should not call the body when the subscriber leaves on start', () => {
    const { body, contexts } = recordingBody(() => of(tok('a')));
    const run = collect(fromAttempt(body).pipe(take(1)));
    expect(run.events).toEqual([start()]);
    expect(contexts).toHaveLength(0);
  });

  describe('errors', () => {
    it('should error with what the body threw, after start', () => {
      const thrown = new Error('body broke');
      const run = collect(fromAttempt(() => { throw thrown; }));
      expect(run.events).toEqual([start()]);
      expect(run.error).toBe(thrown);
    });

    it('should error with an InvalidStreamError naming the value when the body returns something that is not an Observable', () => {
      const run = collect(fromAttempt((() => 'tokens') as never));
      expect(run.events).toEqual([start()]);
      expect(isInvalidStreamError(run.error)).toBe(true);
      expect((run.error as Error).message).toMatch(/fromAttempt: `body` must return an Observable<L0Event>, got a string "tokens"/);
    });

    it('should not retry a body that returns something that is not an Observable (a programming error)', () => {
      let calls = 0;
      const run = collect(fromAttempt((() => (calls++, 'tokens')) as never).pipe(retryWithBackoff({ baseDelay: 0 })));
      expect([calls, run.events.filter((e) => e.type === 'retry')]).toEqual([1, []]);
      expect(isInvalidStreamError(run.error)).toBe(true);
    });

    it.each([
      ['a string', 'body'],
      ['undefined', undefined],
      ['an object', { subscribe: () => undefined }],
    ])('should throw a TypeError naming `body` when it is %s, at once', (_what, body) => {
      expect(() => fromAttempt(body as never)).toThrow(/^fromAttempt\(body\) must be a function \(ctx\) => Observable<L0Event>, got /);
    });

    it.each([
      ['an empty string', { model: '' }, 'fromAttempt(body, {model}) must be a non-empty string, got ""'],
      ['a number', { model: 42 }, 'fromAttempt(body, {model}) must be a non-empty string, got 42'],
      ['a null config', null, 'fromAttempt(body, config) must be an object, got null'],
      ['a misspelled key', { modle: 'x' }, 'fromAttempt(body, config): unknown option `modle` (did you mean `model`?)'],
    ])('should throw a TypeError for %s as model/config, at once', (_what, config, message) => {
      expect(() => fromAttempt(() => EMPTY, config as never)).toThrow(TypeError);
      expect(() => fromAttempt(() => EMPTY, config as never)).toThrow(message);
    });
  });

  describe('rxjs checklist', () => {
    it('should emit start and complete for an empty body', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(fromAttempt(() => EMPTY)).toBe('(s|)', values);
      });
    });

    it('should emit start and nothing else for a never-emitting body', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const events = cold<L0Event>('-');
        expectObservable(fromAttempt(() => events)).toBe('s', values);
        expectSubscriptions(events.subscriptions).toBe('^');
      });
    });

    it('should pass one value through', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(fromAttempt(() => cold('--a|', values))).toBe('s-a|', values);
      });
    });

    it('should pass many values through in order', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(fromAttempt(() => cold('-a-b-a-b-x|', values))).toBe('sa-b-a-b-x|', values);
      });
    });

    it('should pass the body\'s error through untouched', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const error = networkError();
        const events = cold('-a-#', values, error);
        expectObservable(fromAttempt(() => events)).toBe('sa-#', values, error);
        expectSubscriptions(events.subscriptions).toBe('^--!');
      });
    });

    it('should unsubscribe a never-ending body on early unsubscription', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const events = cold('-a-b-a-b-', values);
        expectObservable(fromAttempt(() => events), '^----!').toBe('sa-b-', values);
        expectSubscriptions(events.subscriptions).toBe('^----!');
      });
    });

    it('should abort the body\'s request when the subscriber leaves', () => {
      const signals: AbortSignal[] = [];
      const run = collect(fromAttempt(() => endlessRequest(signals)));
      expect(run.events).toEqual([start(), tok('a')]);
      expect(signals.map((s) => s.aborted)).toEqual([false]);
      run.subscription.unsubscribe();
      expect(signals.map((s) => s.aborted)).toEqual([true]);
    });
  });

  it('should fire the signal of a fromStream factory inside the body when the subscriber leaves a never-ending attempt', () => {
    const model = fakeModel('a-b-c'); // no `|`: hangs after `c`
    const run = runScenario(() => fromAttempt(() => fromStream(model), { model: 'm' }), { unsubscribeAt: 6 });
    expect(run.events).toEqual([start(1, 0, 'm'), tok('a'), tok('b'), tok('c')]);
    expect(model.calls.map((c) => c.aborted)).toEqual([true]);
  });

  describe('under retryWithBackoff', () => {
    it('should receive attempt 2 on the retry and report it on start', () => {
      const seen: AttemptContext[] = [];
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const failing = cold('-a-#', values, networkError());
        const ok = cold('-b-x|', values);
        const body = (ctx: AttemptContext) => (seen.push(ctx), ctx.attempt === 1 ? failing : ok);
        const r = { type: 'retry', attempt: 1, delayMs: 2, reason: 'network_error', countsTowardAttempts: false, error: expect.objectContaining({ code: 'NETWORK_ERROR' }) };
        expectObservable(fromAttempt(body).pipe(retryWithBackoff(fixed))).toBe('sa-r-Sb-x|', { ...values, r, S: start(2, 0) });
        expectSubscriptions(failing.subscriptions).toBe('^--!');
        expectSubscriptions(ok.subscriptions).toBe('-----^---!');
      });
      expect(seen).toEqual([{ attempt: 1, fallbackIndex: 0 }, { attempt: 2, fallbackIndex: 0 }]);
    });

    it('should hand the retry the last checkpoint and emit resume{checkpoint} after its start', () => {
      const { body, contexts } = recordingBody((ctx) =>
        ctx.attempt === 1
          ? new Observable<L0Event>((s) => {
              s.next(tok('ab'));
              s.next({ type: 'checkpoint', content: 'ab', tokenCount: 1 });
              s.error(networkError());
            })
          : of(tok('c'), complete),
      );
      const events: L0Event[] = [];
      testScheduler().run(() => {
        fromAttempt(body, { model: 'm' }).pipe(retryWithBackoff(fixed)).subscribe((e) => events.push(e));
      });
      expect(contexts).toEqual([{ attempt: 1, fallbackIndex: 0 }, { attempt: 2, fallbackIndex: 0, checkpoint: 'ab' }]);
      expect(events.slice(events.findIndex((e) => e.type === 'retry') + 1)).toEqual([
        start(2, 0, 'm'),
        { type: 'resume', checkpoint: 'ab' },
        tok('c'),
        complete,
      ]);
    });
  });

  describe('under fallbackTo', () => {
    it('should receive fallbackIndex 1 as a fallback and report it, with its model, on start', () => {
      const seen: AttemptContext[] = [];
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const error = networkError();
        const primary = cold('-#', values, error);
        const backup = cold('----b-x|', values); // a group takes its width in frames: b at 5 lines up below
        const body = (ctx: AttemptContext) => (seen.push(ctx), backup);
        const f = { type: 'fallback', fromIndex: 0, toIndex: 1, error: expect.objectContaining({ code: 'NETWORK_ERROR', fallbackIndex: 0 }) };
        expectObservable(primary.pipe(fallbackTo(fromAttempt(body, { model: 'backup' })))).toBe('-(fS)b-x|', {
          ...values,
          f,
          S: start(1, 1, 'backup'),
        });
        expectSubscriptions(backup.subscriptions).toBe('-^------!');
      });
      expect(seen).toEqual([{ attempt: 1, fallbackIndex: 1 }]);
    });

    it('should receive attempt 2 of fallback 1, with the checkpoint, when the fallback has its own retries', () => {
      const { body: primaryBody } = recordingBody(() =>
        new Observable<L0Event>((s) => {
          s.next(tok('ab'));
          s.next({ type: 'checkpoint', content: 'ab', tokenCount: 1 });
          s.error(networkError());
        }),
      );
      const { body, contexts } = recordingBody((ctx) => (ctx.attempt === 1 ? throwError(networkError) : of(tok('c'), complete)));
      const events: L0Event[] = [];
      testScheduler().run(() => {
        fromAttempt(primaryBody)
          .pipe(fallbackTo(fromAttempt(body, { model: 'backup' }).pipe(retryWithBackoff(fixed))))
          .subscribe((e) => events.push(e));
      });
      expect(contexts).toEqual([
        { attempt: 1, fallbackIndex: 1, checkpoint: 'ab' },
        { attempt: 2, fallbackIndex: 1, checkpoint: 'ab' },
      ]);
      expect(events.filter((e) => e.type === 'start')).toEqual([start(1, 0), start(1, 1, 'backup'), start(2, 1, 'backup')]);
      expect(events.filter((e) => e.type === 'resume')).toEqual([
        { type: 'resume', checkpoint: 'ab' },
        { type: 'resume', checkpoint: 'ab' },
      ]);
      expect(events[events.length - 1]).toEqual(complete);
    });
  });

  it('should keep a body that never takes anything from seeing another run\'s context', () => {
    const seen: AttemptContext[] = [];
    const inner = fromAttempt((ctx) => (seen.push(ctx), of(tok('inner'))));
    // the outer body subscribes another fromAttempt: the context was already taken by the outer one
    const outer = fromAttempt(() => inner);
    subscribeWithContext(outer, {}, { attempt: 4, fallbackIndex: 2 });
    expect(seen).toEqual([{ attempt: 1, fallbackIndex: 0 }]);
  });
});
