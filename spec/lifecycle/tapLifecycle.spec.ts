/** @test {tapLifecycle} */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { concat, identity, lastValueFrom, of, Subject, takeUntil, throwError, toArray, type Observable } from 'rxjs';
import {
  AllStreamsExhaustedError,
  budget,
  ProviderError,
  serializeError,
  StreamAbortedError,
  isL0Error,
  isProviderError,
  tapLifecycle,
  TokenTimeoutError,
  type ErrorReason,
  type L0Event,
  type LifecycleCallbacks,
} from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { ev } from '../helpers/attemptSource.js';
import { unhandledDuring } from '../helpers/unhandled.js';

const { start, tok, resume, checkpoint, complete } = ev;
const boom = new Error('boom');
const retryEv = (attempt: number, error: unknown = boom, reason: ErrorReason = 'unknown'): L0Event => ({
  type: 'retry', attempt, delayMs: 0, error: serializeError(error), reason,
  countsTowardAttempts: reason === 'unknown' || reason === 'zero_output',
});
const fallbackEv = (toIndex: number, error: unknown = boom): L0Event => ({
  type: 'fallback', fromIndex: toIndex - 1, toIndex, error: serializeError(error),
});
const timeoutError = () => new TokenTimeoutError({ kind: 'inter', timeoutMs: 100, elapsedMs: 100, tokenCount: 1 });

/** Records every callback call as [name, ...args]. */
function recorder(extra: Partial<LifecycleCallbacks> = {}) {
  const calls: unknown[][] = [];
  const names = ['onEvent', 'onStart', 'onRetry', 'onFallback', 'onResume', 'onCheckpoint', 'onViolation', 'onDrift',
    'onToolCall', 'onTimeout', 'onAbort', 'onError', 'onComplete'] as const;
  const callbacks = Object.fromEntries(names.map((n) => [n, (...args: unknown[]) => calls.push([n, ...args])]));
  return { calls, callbacks: { ...callbacks, ...extra } as LifecycleCallbacks };
}
const drain = (o: Observable<L0Event>) => lastValueFrom(o.pipe(toArray())).catch((e: unknown) => e);
const named = (calls: unknown[][], ...names: string[]) => calls.filter((c) => names.includes(c[0] as string));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('tapLifecycle', () => {
  it('should be the identity without callbacks', () => {
    expect(tapLifecycle({})).toBe(identity);
    expect(tapLifecycle({ onCallbackError: () => {} })).toBe(identity);
  });

  it('should throw a TypeError naming a callback that is not a function', () => {
    expect(() => tapLifecycle({ onStart: 1 } as unknown as LifecycleCallbacks)).toThrow(
      new TypeError('tapLifecycle({onStart}) must be a function, got 1'),
    );
  });

  it('should reject a misspelled callback name and suggest the closest one', () => {
    expect(() => tapLifecycle({ onRetries: () => {} } as LifecycleCallbacks)).toThrow(
      new TypeError('tapLifecycle(callbacks): unknown option `onRetries` (did you mean `onRetry`?)'),
    );
    expect(() => tapLifecycle({ oncomplete: () => {} } as LifecycleCallbacks)).toThrow('did you mean `onComplete`?');
    // a capital On (a C# or React habit) was ignored as state, so the callback never ran
    expect(() => tapLifecycle({ OnComplete: () => {} } as LifecycleCallbacks)).toThrow('unknown option `OnComplete` (did you mean `onComplete`?)');
  });

  it('should ignore keys that are not `onX` names, as tap does', () => {
    const holder = { count: 0, stream: 'not a callback', onStart: () => {} };
    expect(() => tapLifecycle(holder)).not.toThrow();
  });

  it('should throw a TypeError for callbacks that are not an object', () => {
    expect(() => tapLifecycle(null as never)).toThrow(new TypeError('tapLifecycle(callbacks) must be an object, got null'));
  });

  it('should pass every event through untouched, at the same time', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const values = { s: start(), a: tok('a'), x: complete() };
      const source = cold('-s-a-x|', values);
      expectObservable(source.pipe(tapLifecycle(recorder().callbacks))).toBe('-s-a-x|', values);
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
  });

  it('should call onStart (1,f,f), (2,t,f), (1,f,t) and onRetry, onFallback in order (L0 L4)', async () => {
    const { calls, callbacks } = recorder();
    await drain(of(start(), tok('x'), retryEv(1), start(2), tok('y'), fallbackEv(1), start(1, 1), tok('ok'), complete())
      .pipe(tapLifecycle(callbacks)));
    expect(named(calls, 'onStart', 'onRetry', 'onFallback')).toEqual([
      ['onStart', 1, false, false], ['onRetry', 1, 'unknown'], ['onStart', 2, true, false],
      ['onFallback', 0, 'unknown'], ['onStart', 1, false, true],
    ]);
  });

  it('should call onError(false, true) -> onFallback -> onResume -> onComplete on a resumed fallback (L0 L6)', async () => {
    const { calls, callbacks } = recorder();
    await drain(of(start(), tok('A'), checkpoint('A', 1), tok('B'), fallbackEv(1), start(1, 1), resume('A'), tok('C'), complete())
      .pipe(tapLifecycle(callbacks)));
    const order = calls.filter((c) => c[0] !== 'onEvent' && c[0] !== 'onCheckpoint' && c[0] !== 'onStart');
    expect(order.map((c) => c[0])).toEqual(['onError', 'onFallback', 'onResume', 'onComplete']);
    // rebuilt from the event's plain error, typed: the same in a replay as in the live run
    expect(order[0]!.slice(1)).toEqual([expect.objectContaining({ name: 'Error', message: 'boom', code: 'UNKNOWN_ERROR' }), false, true]);
    expect(isL0Error(order[0]![1])).toBe(true);
    expect(order[2]).toEqual(['onResume', 'A', 2]);
    expect(order[3]![1]).toMatchObject({ content: 'AC', tokenCount: 1, fallbackIndex: 1, status: 'complete' });
  });

  it('should call onEvent first, for every event', async () => {
    const { calls, callbacks } = recorder();
    const events = [start(), tok('a'), complete()];
    await drain(of(...events).pipe(tapLifecycle(callbacks)));
    expect(calls.map((c) => c[0])).toEqual(['onEvent', 'onStart', 'onEvent', 'onEvent', 'onComplete']);
    expect(named(calls, 'onEvent').map((c) => c[1])).toEqual(events);
  });

  it('should hand onError a typed error with its code and category, rebuilt from the event or the run\'s own (L0 L7)', async () => {
    const err = new ProviderError('down', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
    const { calls, callbacks } = recorder();
    await drain(concat(of(start(), retryEv(1, err, 'server_error'), start(2)), throwError(() => err)).pipe(tapLifecycle(callbacks)));
    const fromEvent = expect.objectContaining({ name: 'ProviderError', message: 'down', code: 'SERVER_ERROR', category: 'server', status: 503 });
    expect(named(calls, 'onError')).toEqual([['onError', fromEvent, true, false], ['onError', err, false, false]]);
    expect(isProviderError(named(calls, 'onError')[0]![1])).toBe(true);
  });

  it('should call onCheckpoint, onViolation, onDrift and onToolCall with their fields', async () => {
    const violation = { ruleId: 'r', message: 'm', severity: 'warning', recoverable: true } as const;
    const { calls, callbacks } = recorder();
    const events: L0Event[] = [start(), checkpoint('ab', 2), { type: 'violation', violation }, { type: 'drift', types: ['tone'], confidence: 0.8 },
      { type: 'tool-call', id: 'c1', name: 'get', arguments: '{"a":1}' }, { type: 'tool-call', id: 'c2', name: 'pay', arguments: '{"n":', approvalId: 'ap', truncated: true }];
    await drain(of(...events).pipe(tapLifecycle(callbacks)));
    expect(named(calls, 'onCheckpoint', 'onViolation', 'onDrift', 'onToolCall')).toEqual([
      ['onCheckpoint', 'ab', 2], ['onViolation', violation], ['onDrift', ['tone'], 0.8], ['onToolCall', 'get', 'c1', '{"a":1}', events[4]],
      ['onToolCall', 'pay', 'c2', '{"n":', events[5]],
    ]);
    // the call itself: a callback user sees a call waiting for approval and one the token limit cut
    expect(named(calls, 'onToolCall')[1]![4]).toMatchObject({ approvalId: 'ap', truncated: true });
  });

  it('should call onTimeout for retried, fallen-back and final token timeouts', async () => {
    const { calls, callbacks } = recorder();
    const [t1, t2, t3] = [timeoutError(), timeoutError(), timeoutError()];
    await drain(concat(of(start(), retryEv(1, t1, 'timeout'), start(2), fallbackEv(1, t2), start(1, 1)), throwError(() => new AllStreamsExhaustedError([t1, t2, t3])))
      .pipe(tapLifecycle(callbacks)));
    expect(named(calls, 'onTimeout')).toEqual([['onTimeout', 'inter', 100], ['onTimeout', 'inter', 100], ['onTimeout', 'inter', 100]]);
    expect(named(calls, 'onTimeout', 'onError', 'onRetry').map((c) => c[0])).toEqual(
      ['onTimeout', 'onError', 'onRetry', 'onTimeout', 'onError', 'onTimeout', 'onError']);
  });

  it('should call onComplete once, at complete, with the folded state', async () => {
    const { calls, callbacks } = recorder();
    await drain(of(start(), tok('bad'), retryEv(1), start(2), tok('good'), complete()).pipe(tapLifecycle(callbacks)));
    const done = named(calls, 'onComplete');
    expect(done).toHaveLength(1);
    expect(done[0]![1]).toMatchObject({ content: 'good', attempt: 2, modelRetryCount: 1, status: 'complete' });
  });

  it('should call onComplete at completion for a source without a complete event', async () => {
    const { calls, callbacks } = recorder();
    await drain(of(start(), tok('a')).pipe(tapLifecycle(callbacks)));
    expect(named(calls, 'onComplete')[0]![1]).toMatchObject({ content: 'a' });
  });

  describe('abort (L0 A1, A2)', () => {
    it('should call onAbort(tokenCount, contentLength) then onError(false, false) for a StreamAbortedError', async () => {
      const { calls, callbacks } = recorder();
      const abort = new StreamAbortedError();
      await drain(concat(of(start(), ...['a', 'bb', 'c', 'd', 'e'].map(tok)), throwError(() => abort)).pipe(tapLifecycle(callbacks)));
      expect(named(calls, 'onAbort', 'onError')).toEqual([['onAbort', 5, 6], ['onError', abort, false, false]]);
    });

    it('should call onAbort then onError(false, false) for a budget() cut too, as the README says of an abort-category error', async () => {
      const { calls, callbacks } = recorder();
      const error = await drain(of(start(), tok('abcd'), tok('efgh'), tok('ijkl'), complete()).pipe(budget({ maxOutputTokens: 2 }), tapLifecycle(callbacks)));
      expect(error).toMatchObject({ code: 'BUDGET_EXCEEDED', category: 'abort' });
      expect(named(calls, 'onAbort', 'onError', 'onComplete')).toEqual([['onAbort', 2, 8], ['onError', error, false, false]]);
    });

    it('should call onAbort once when unsubscribed mid-stream, and unsubscribe the source', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions, flush }) => {
        const { calls, callbacks } = recorder();
        const source = cold('-s-a-a-a-a-a-a-', { s: start(), a: tok('ab') });
        expectObservable(source.pipe(tapLifecycle(callbacks)), '^-----------!').toBe('-s-a-a-a-a-a', { s: start(), a: tok('ab') });
        expectSubscriptions(source.subscriptions).toBe('^-----------!');
        flush();
        expect(named(calls, 'onAbort', 'onComplete', 'onError')).toEqual([['onAbort', 5, 10]]);
      });
    });

    it('should call onAbort for a hung source when unsubscribed (L0 A2)', () => {
      testScheduler().run(({ cold, expectObservable, flush }) => {
        const { calls, callbacks } = recorder();
        expectObservable(cold('-s-a', { s: start(), a: tok('a') }).pipe(tapLifecycle(callbacks)), '^-------!').toBe('-s-a', { s: start(), a: tok('a') });
        flush();
        expect(named(calls, 'onAbort')).toEqual([['onAbort', 1, 1]]);
      });
    });

    it('should call nothing after onAbort when a callback makes the consumer unsubscribe, the event\'s own callbacks included', () => {
      testScheduler().run(({ cold, expectObservable, flush }) => {
        const stop = new Subject<void>();
        const { calls, callbacks } = recorder({ onEvent: (e) => { calls.push(['onEvent', e.type]); if (e.type === 'complete') stop.next(); } });
        const source = cold('-s-a-x|', { s: start(), a: tok('ab'), x: complete() });
        expectObservable(source.pipe(tapLifecycle(callbacks), takeUntil(stop))).toBe('-s-a-|', { s: start(), a: tok('ab') });
        flush();
        expect(calls.filter((c) => c[0] !== 'onStart')).toEqual([['onEvent', 'start'], ['onEvent', 'token'], ['onEvent', 'complete'], ['onAbort', 1, 2]]);
      });
    });

    it('should call nothing after the run\'s error when a callback causes it mid-event (no onError(e, true), onRetry after it)', () => {
      const { calls, callbacks } = recorder();
      const abort = new StreamAbortedError();
      const source = new Subject<L0Event>();
      const op = tapLifecycle({ ...callbacks, onEvent: (e) => e.type === 'retry' && source.error(abort) });
      const errors: unknown[] = [];
      source.pipe(op).subscribe({ error: (e: unknown) => errors.push(e) });
      source.next(start());
      source.next(retryEv(1));
      expect(errors).toEqual([abort]);
      expect(calls).toEqual([['onStart', 1, false, false], ['onAbort', 0, 0], ['onError', abort, false, false]]);
    });

    it('should not call onAbort when unsubscribed after complete', () => {
      testScheduler().run(({ cold, expectObservable, flush }) => {
        const { calls, callbacks } = recorder();
        expectObservable(cold('-s-x-', { s: start(), x: complete() }).pipe(tapLifecycle(callbacks)), '^---!').toBe('-s-x', { s: start(), x: complete() });
        flush();
        expect(named(calls, 'onAbort')).toEqual([]);
      });
    });
  });

  describe('throwing callbacks (L0 L5)', () => {
    it('should deliver every event and report each throw to onCallbackError', () => {
      testScheduler().run(({ cold, expectObservable, flush }) => {
        const reported: unknown[][] = [];
        const values = { s: start(), a: tok('a'), x: complete() };
        const callbacks: LifecycleCallbacks = {
          onEvent: () => { throw boom; },
          onComplete: () => { throw boom; },
          onCallbackError: (error, name) => reported.push([error, name]),
        };
        expectObservable(cold('-s-a-x|', values).pipe(tapLifecycle(callbacks))).toBe('-s-a-x|', values);
        flush();
        expect(reported).toEqual([[boom, 'onEvent'], [boom, 'onEvent'], [boom, 'onEvent'], [boom, 'onComplete']]);
      });
    });

    it('should warn once per callback name by default, and never rethrow', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const op = tapLifecycle({ onEvent: () => { throw boom; }, onStart: () => { throw boom; } });
      const events = [start(), tok('a'), complete()];
      expect(await drain(of(...events).pipe(op))).toEqual(events);
      expect(await drain(of(...events).pipe(op))).toEqual(events);
      expect(warn.mock.calls.map((c) => String(c[0]).match(/`(\w+)`/)?.[1])).toEqual(['onEvent', 'onStart']);
    });

    it('should report a callback whose promise rejects (an async callback) to onCallbackError, never leaving the rejection unhandled', async () => {
      const reported: unknown[][] = [];
      const unhandled: unknown[] = [];
      const onUnhandled = (e: unknown) => unhandled.push(e);
      process.on('unhandledRejection', onUnhandled);
      try {
        const op = tapLifecycle({
          onStart: async () => { throw boom; },
          onComplete: () => Promise.reject(boom),
          onCallbackError: (error, name) => reported.push([error, name]),
        } as LifecycleCallbacks);
        expect(await drain(of(start(), complete()).pipe(op))).toEqual([start(), complete()]);
        await new Promise((resolve) => setImmediate(resolve)); // past the microtasks where an unhandled rejection is detected
        expect(reported).toEqual([[boom, 'onStart'], [boom, 'onComplete']]);
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });

    it('should warn once for a rejected async callback by default', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const op = tapLifecycle({ onEvent: async () => { throw boom; } } as LifecycleCallbacks);
      await drain(of(start(), tok('a'), complete()).pipe(op));
      await new Promise((resolve) => setImmediate(resolve));
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toBe('l0-rx tapLifecycle: the `onEvent` callback threw or rejected; the stream goes on.'); // it said "threw" of a rejection
    });

    // some test set-ups make console.warn throw: the throw became the stream's error ("a malformed start event")
    it('should keep the stream\'s outcome when the default console.warn throws, for a throw and a rejection alike', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => { throw new Error('warnings fail this test'); });
      const unhandled = await unhandledDuring(async () => {
        const op = tapLifecycle({ onStart: () => { throw boom; }, onComplete: () => Promise.reject(boom) } as LifecycleCallbacks);
        expect(await drain(of(start(), tok('a'), complete()).pipe(op))).toEqual([start(), tok('a'), complete()]);
        expect(await drain(throwError(() => boom).pipe(tapLifecycle({ onError: () => { throw boom; } })))).toBe(boom);
      });
      expect(unhandled).toEqual([]);
      expect(warn).toHaveBeenCalledTimes(3);
    });

    // a console.warn replaced by an async logger that rejects: its rejection was left unhandled
    it('should leave no rejection unhandled when the default console.warn is async and rejects', async () => {
      // a plain function, not vi.spyOn: a spy handles the promise it records, hiding the rejection
      const { warn } = console;
      const calls: unknown[][] = [];
      console.warn = (...args: unknown[]) => {
        calls.push(args);
        return Promise.reject(new Error('logger down'));
      };
      try {
        const unhandled = await unhandledDuring(async () => {
          expect(await drain(of(start(), complete()).pipe(tapLifecycle({ onStart: () => { throw boom; } })))).toEqual([start(), complete()]);
        });
        expect(unhandled).toEqual([]);
        expect(calls).toHaveLength(1);
      } finally {
        console.warn = warn;
      }
    });

    it('should ignore an onCallbackError that throws', async () => {
      const op = tapLifecycle({ onStart: () => { throw boom; }, onCallbackError: () => { throw boom; } });
      expect(await drain(of(start(), complete()).pipe(op))).toEqual([start(), complete()]);
    });

    it('should ignore an async onCallbackError that rejects, leaving nothing unhandled', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (e: unknown) => unhandled.push(e);
      process.on('unhandledRejection', onUnhandled);
      try {
        const op = tapLifecycle({ onStart: () => { throw boom; }, onCallbackError: async () => { throw boom; } } as LifecycleCallbacks);
        expect(await drain(of(start(), complete()).pipe(op))).toEqual([start(), complete()]);
        await new Promise((resolve) => setImmediate(resolve));
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });
  });

  it('should keep state per subscription', async () => {
    const states: unknown[] = [];
    const op = tapLifecycle({ onComplete: (s) => states.push(s.content) });
    const source = of(start(), tok('a'), complete());
    await drain(source.pipe(op));
    await drain(source.pipe(op));
    expect(states).toEqual(['a', 'a']);
  });

  describe('rxjs checklist', () => {
    it('should never emit for a never source', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold<L0Event>('-');
        expectObservable(source.pipe(tapLifecycle(recorder().callbacks))).toBe('-');
        expectSubscriptions(source.subscriptions).toBe('^');
      });
    });

    it('should complete for an empty source', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<L0Event>('|').pipe(tapLifecycle(recorder().callbacks))).toBe('|');
      });
    });

    it('should pass errors through after calling onError(false, false)', () => {
      testScheduler().run(({ cold, expectObservable, flush }) => {
        const { calls, callbacks } = recorder();
        expectObservable(cold('-s-#', { s: start() }, boom).pipe(tapLifecycle(callbacks))).toBe('-s-#', { s: start() }, boom);
        flush();
        expect(named(calls, 'onError', 'onAbort')).toEqual([['onError', boom, false, false]]);
      });
    });
  });
});
