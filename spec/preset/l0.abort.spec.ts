/** @test {l0} */
import { NEVER, tap, throwError } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { l0, type L0Error, type L0Options, type L0StreamContext } from 'l0-rx';
import { fakeModel, type FakeModel } from 'l0-rx/testing';
import { framesOf, runScenario, tokenText, typesOf } from '../helpers/runScenario.js';

/* L0 acceptance scenarios A1-A2 (reference/l0-tests-and-bench.md 7.16), cancellation leaks and option validation. */

const everyTenMs = (n: number) => fakeModel({ items: Array.from({ length: n }, (_, i) => [{ delay: 10 }, `t${i + 1} `]).flat() });

describe('l0() abort and cancellation (A1-A2)', () => {
  it('should end with STREAM_ABORTED right after the 5th token, cancel the source at once and never retry or fall back (A1)', () => {
    const controller = new AbortController();
    const model = everyTenMs(20);
    const fb = fakeModel('fb|');
    const log: unknown[][] = [];
    let abortedInTick: boolean | undefined;
    let tokens = 0;
    const run = runScenario(
      () =>
        l0({
          stream: model,
          fallbackStreams: [fb],
          signal: controller.signal,
          onAbort: (...args) => log.push(['abort', ...args]),
          onError: (e, willRetry, willFallback) => log.push(['error', (e as Error).name, willRetry, willFallback]),
        }),
      {
        onEvent: (e) => {
          if (e.type !== 'token' || ++tokens < 5) return;
          controller.abort();
          abortedInTick = model.calls[0]!.aborted;
        },
      },
    );
    expect(tokenText(run.events)).toBe('t1 t2 t3 t4 t5 ');
    expect(run.error).toMatchObject({ name: 'StreamAbortedError', code: 'STREAM_ABORTED' });
    expect(run.errorFrame).toBe(50);
    expect(abortedInTick).toBe(true);
    expect(typesOf(run.events)).not.toContain('retry');
    expect(typesOf(run.events)).not.toContain('fallback');
    expect([model.callCount, fb.callCount]).toEqual([1, 0]);
    expect(log).toEqual([['abort', 5, 15], ['error', 'StreamAbortedError', false, false]]);
  });

  it('should not call the factory when the signal is already aborted (A1)', () => {
    const controller = new AbortController();
    controller.abort();
    const stream = vi.fn(fakeModel('ok|'));
    const run = runScenario(() => l0({ stream, signal: controller.signal }));
    // Decision: L0 calls the factory once; we end with StreamAbortedError and never call it.
    expect(stream).not.toHaveBeenCalled();
    expect(run.events).toEqual([]);
    expect(run.error).toMatchObject({ code: 'STREAM_ABORTED' });
    expect(run.errorFrame).toBe(0);
  });

  it('should not resubscribe when aborted during a backoff wait (A1)', () => {
    const controller = new AbortController();
    const model = fakeModel(['#', 'ok|']);
    const run = runScenario(() => l0({ stream: model, signal: controller.signal, random: () => 0 }), {
      at: [[500, () => controller.abort()]],
    });
    expect(model.callCount).toBe(1);
    expect(run.errorFrame).toBe(500);
    expect(run.error).toMatchObject({ code: 'STREAM_ABORTED' });
    expect(run.scheduler.actions).toHaveLength(0);
  });

  it('should list the attempts that failed before the abort in the abort error\'s attemptErrors', () => {
    const controller = new AbortController();
    const model = fakeModel(['#', '#', 'a---']); // two resets, then a hang
    const run = runScenario(
      () => l0({ stream: model, signal: controller.signal, retry: { maxRetries: 5, backoff: 'fixed', baseDelay: 10 } }),
      { at: [[30, () => controller.abort()]] },
    );
    expect(model.callCount).toBe(3);
    expect(run.error).toMatchObject({ code: 'STREAM_ABORTED' });
    const listed = (run.error as L0Error).attemptErrors as L0Error[];
    expect(listed.map((e) => [e.code, e.attempt, e.fallbackIndex])).toEqual([['NETWORK_ERROR', 1, 0], ['NETWORK_ERROR', 2, 0]]);
  });

  it('should list the primary\'s failures in the attemptErrors of an abort that ends a fallback (a request aborted by its own signal)', () => {
    const primary = fakeModel('a#');
    // the app aborted the fallback's request itself (its SDK rejects with an AbortError)
    const aborted = () => throwError(() => new DOMException('The user aborted a request.', 'AbortError'));
    const run = runScenario(() => l0({ stream: primary, fallbackStreams: [aborted], retry: false }));
    expect(run.error).toMatchObject({ code: 'STREAM_ABORTED', fallbackIndex: 1 });
    const listed = (run.error as L0Error).attemptErrors as L0Error[];
    expect(listed.map((e) => [e.code, e.fallbackIndex])).toEqual([['NETWORK_ERROR', 0], ['STREAM_ABORTED', 1]]);
  });

  it('should end a hung source promptly with STREAM_ABORTED when aborted (A2)', () => {
    const controller = new AbortController();
    const model = fakeModel('a'); // one token, then nothing, ever
    const run = runScenario(() => l0({ stream: model, signal: controller.signal, timeout: false }), {
      at: [[50, () => controller.abort()]],
    });
    // Decision: the abort is noticed at once (L0 waits for the next chunk).
    expect(run.errorFrame).toBe(50);
    expect(run.error).toMatchObject({ code: 'STREAM_ABORTED' });
    expect(model.calls[0]!.aborted).toBe(true);
  });

  it('should end quietly on unsubscribe, calling onAbort with the attempt\'s tokens (A1)', () => {
    const model = everyTenMs(20);
    const onAbort = vi.fn();
    const onError = vi.fn();
    const run = runScenario(() => l0({ stream: model, onAbort, onError }), { unsubscribeAt: 35 });
    expect(tokenText(run.events)).toBe('t1 t2 t3 ');
    expect(run.error).toBeUndefined();
    expect(onAbort).toHaveBeenCalledWith(3, 9);
    expect(onError).not.toHaveBeenCalled();
    expect(model.calls[0]!.aborted).toBe(true);
  });

  it('should call nothing after the abort when a callback aborts the signal: an onError(e, true) that aborts gets no onRetry after the abort\'s onError', () => {
    const controller = new AbortController();
    const model = fakeModel(['a#', 'ok|']);
    const log: unknown[][] = [];
    const run = runScenario(() =>
      l0({
        stream: model,
        signal: controller.signal,
        retry: { backoff: 'fixed', baseDelay: 10 },
        onError: (e, willRetry, willFallback) => {
          log.push(['error', (e as L0Error).code, willRetry, willFallback]);
          if (willRetry) controller.abort(); // give up at the first failure
        },
        onRetry: (...args) => log.push(['retry', ...args]),
        onAbort: (...args) => log.push(['abort', ...args]),
        onComplete: () => log.push(['complete']),
      }),
    );
    expect(run.error).toMatchObject({ code: 'STREAM_ABORTED' });
    expect(typesOf(run.events)).toEqual(['start', 'token']);
    expect(model.callCount).toBe(1);
    expect(log).toEqual([['error', 'NETWORK_ERROR', true, false], ['abort', 0, 0], ['error', 'STREAM_ABORTED', false, false]]);
  });

  it('should end with complete, and call onComplete only, when the consumer aborts the signal on the complete event', () => {
    const controller = new AbortController();
    const log: unknown[][] = [];
    const run = runScenario(
      () =>
        l0({
          stream: fakeModel('a-b|'),
          signal: controller.signal,
          onAbort: (...args) => log.push(['abort', ...args]),
          onError: (e) => log.push(['error', (e as L0Error).code]),
          onComplete: (state) => log.push(['complete', state.content]),
        }),
      { onEvent: (e) => e.type === 'complete' && controller.abort() }, // cleanup of a finished request
    );
    expect(typesOf(run.events)).toEqual(['start', 'token', 'token', 'complete']);
    expect(run.error).toBeUndefined();
    expect(run.completeFrame).toBe(3);
    expect(log).toEqual([['complete', 'ab']]);
  });

  it('should end with complete when onComplete aborts the signal', () => {
    const controller = new AbortController();
    const log: unknown[][] = [];
    const run = runScenario(() =>
      l0({
        stream: fakeModel('a-b|'),
        signal: controller.signal,
        onAbort: (...args) => log.push(['abort', ...args]),
        onError: (e) => log.push(['error', (e as L0Error).code]),
        onComplete: (state) => (log.push(['complete', state.content]), controller.abort()),
      }),
    );
    expect(typesOf(run.events)).toEqual(['start', 'token', 'token', 'complete']);
    expect(run.error).toBeUndefined();
    expect(log).toEqual([['complete', 'ab']]);
  });
});

describe('l0() leaves nothing behind after unsubscribe', () => {
  /** A run with token gaps, a timeout, backoff waits and a fallback; counts live source subscriptions. */
  function leakScenario() {
    let live = 0;
    const counted = (model: FakeModel) => (ctx: L0StreamContext) =>
      model(ctx).pipe(tap({ subscribe: () => live++, finalize: () => live-- }));
    const primary = fakeModel(['a-b-#', { items: ['c', { hang: true }] }, 'd--#']);
    const fb = fakeModel({ items: ['e', { delay: 15 }, 'f', { delay: 15 }, 'g'] });
    const options: L0Options = {
      stream: counted(primary),
      fallbackStreams: [counted(fb)],
      timeout: { initialToken: 50, interToken: 20 },
      retry: { maxRetries: 2, backoff: 'fixed', baseDelay: 15 },
      random: () => 0,
    };
    return { primary, fb, options, live: () => live };
  }

  it('should run the leak scenario to completion when left alone', () => {
    const s = leakScenario();
    const run = runScenario(() => l0(s.options));
    expect([s.primary.callCount, s.fb.callCount]).toEqual([3, 1]);
    expect(framesOf(run, 'retry')).toEqual([4, 39]); // a network error, then an inter-token timeout
    expect(framesOf(run, 'fallback')).toEqual([57]);
    expect(run.completeFrame).toBe(87);
    expect(s.live()).toBe(0);
  });

  // Frames: attempt 1 (0-4), first wait (4-19), attempt 2 and its silence (19-39), second wait
  // (39-54), attempt 3 (54-57), the fallback and its gaps (57-87).
  it.each([0, 2, 3, 4, 10, 19, 25, 39, 45, 54, 56, 57, 65, 72, 80, 86])(
    'should leave no scheduled action, no live source and only aborted calls when unsubscribed at frame %i',
    (frame) => {
      const s = leakScenario();
      let pending: number | undefined;
      let live: number | undefined;
      let calls = 0;
      const run = runScenario(() => l0(s.options), {
        unsubscribeAt: frame,
        afterUnsubscribe: (scheduler) => {
          pending = scheduler.actions.length;
          live = s.live();
          calls = s.primary.callCount + s.fb.callCount;
        },
      });
      expect(pending).toBe(0);
      expect(live).toBe(0);
      expect(run.completeFrame).toBeUndefined();
      expect(run.timeline.every(([f]) => f <= frame)).toBe(true);
      expect(s.primary.callCount + s.fb.callCount).toBe(calls); // no factory call after the unsubscribe
      expect([...s.primary.calls, ...s.fb.calls].every((c) => c.aborted)).toBe(true);
    },
  );
});

describe('l0() option validation', () => {
  const stream = fakeModel('ok|');
  const cases: [string, Partial<L0Options> & Record<string, unknown>, RegExp][] = [
    ['a negative baseDelay', { retry: { baseDelay: -1 } }, /baseDelay/],
    ['a negative maxDelay', { retry: { maxDelay: -5 } }, /maxDelay/],
    ['a fractional attempts', { retry: { attempts: 1.5 } }, /attempts/],
    ['a negative maxRetries', { retry: { maxRetries: -1 } }, /maxRetries/],
    ['an unknown preset', { retry: 'fast' as never }, /preset/],
    ['interToken 0', { timeout: { interToken: 0 } }, /interToken/],
    ['a negative initialToken', { timeout: { initialToken: -100 } }, /initialToken/],
    ['an initialToken longer than a timer waits', { timeout: { initialToken: 3e9 } }, /^l0\(\{timeout: \{initialToken\}\}\) must be at most 2147483647 ms .*, got 3000000000$/],
    ['a maxRetryAfter longer than a timer waits', { retry: { maxRetryAfter: 1e12 } }, /^l0\(\{retry: \{maxRetryAfter\}\}\) must be at most 2147483647 ms .*, got 1000000000000$/],
    ['a baseDelay above maxDelay', { retry: { baseDelay: 5000, maxDelay: 1000 } }, /^l0\(\{retry: \{maxDelay\}\}\) must be at least baseDelay \(5000\), got 1000$/],
    ['checkpointInterval 0 with continuation', { continueFromLastKnownGoodToken: true, checkpointInterval: 0 }, /checkpointInterval/],
    ['a fallback that is not a function', { fallbackStreams: ['model' as never] }, /fallbackStreams\[0\]/],
    ['fallbackStreams that is not an array', { fallbackStreams: stream as never }, /fallbackStreams/],
    ['a signal that is not an AbortSignal', { signal: {} as never }, /signal/],
    ['a scheduler that is not a SchedulerLike', { scheduler: {} as never }, /scheduler/],
    ['a timeout that is not an object', { timeout: 'fast' as never }, /timeout/],
    ['checkpointInterval -1 with continuation off', { checkpointInterval: -1 }, /checkpointInterval/],
    ['a de-duplication minOverlap 0 with continuation off', { deduplicateContinuation: { minOverlap: 0 } }, /minOverlap/],
    ['a non-boolean detectZeroTokens', { detectZeroTokens: 'no' as never }, /detectZeroTokens/],
    ['a context that cannot be cloned', { context: { format: () => 'x' } }, /context/],
  ];

  it.each(cases)('should throw a TypeError naming the option for %s when l0() is called', (_name, options, name) => {
    const call = () => l0({ stream, ...options } as L0Options);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(name);
  });

  it('should throw a TypeError naming `stream` when it is not a function', () => {
    expect(() => l0({ stream: 'gpt-4o' } as never)).toThrow(TypeError);
    expect(() => l0({ stream: 'gpt-4o' } as never)).toThrow(/stream/);
  });

  it('should validate when called, before anything subscribes', () => {
    const factory = vi.fn(stream);
    expect(() => l0({ stream: factory, retry: { attempts: -1 } })).toThrow(TypeError);
    expect(factory).not.toHaveBeenCalled();
  });
});

describe('l0() factory signal', () => {
  it('should hand each attempt the request signal with the context, aborted when the run is unsubscribed, however late it is read', () => {
    const seen: L0StreamContext[] = [];
    const sub = l0({ stream: (ctx) => (seen.push(ctx), NEVER), context: { id: 1 }, timeout: false }).subscribe();
    sub.unsubscribe();
    const ctx = seen[0]!;
    expect(Object.keys({ ...ctx }).sort()).toEqual(['attempt', 'context', 'fallbackIndex', 'signal']);
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.context).toEqual({ id: 1 });
  });
});
