/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { NEVER, Observable, of, throwError } from 'rxjs';
import { fromStream, isProviderError, isInvalidStreamError, isUnknownError, ZeroOutputError, type L0Event, type StreamContext } from 'l0-rx';
import { subscribeWithContext } from '../../src/attempt/attemptContext.js';
import { chunksOf, collect, collectError } from './streamHelpers.js';

const start = (attempt = 1, fallbackIndex = 0): L0Event => ({
  type: 'start', attempt, fallbackIndex, isRetry: attempt > 1, isFallback: fallbackIndex > 0,
});
const tok = (value: string): L0Event => ({ type: 'token', value });
const stop: L0Event = { type: 'complete', finishReason: 'stop' };

describe('fromStream', () => {
  describe('per subscription', () => {
    it('should call the factory once per subscription, with a fresh signal each time', async () => {
      const contexts: StreamContext[] = [];
      const events$ = fromStream((ctx) => {
        contexts.push(ctx);
        return chunksOf(['a']);
      });
      expect(contexts).toHaveLength(0);
      await collect(events$);
      await collect(events$);
      expect(contexts).toHaveLength(2);
      expect(contexts[0]!.signal).not.toBe(contexts[1]!.signal);
    });

    it('should hand attempt 1, fallback 0 and no checkpoint without an attempt context', async () => {
      let ctx: StreamContext | undefined;
      await collect(fromStream((c) => ((ctx = c), chunksOf(['a']))));
      expect(ctx).toEqual({ signal: expect.any(AbortSignal), attempt: 1, fallbackIndex: 0 });
      expect(Object.isFrozen(ctx)).toBe(true);
    });

    it('should emit start synchronously at subscribe, before calling the factory', () => {
      const log: string[] = [];
      const sub = fromStream(() => {
        log.push('factory');
        return NEVER;
      }).subscribe((e) => log.push(e.type));
      expect(log).toEqual(['start', 'factory']);
      sub.unsubscribe();
    });

    it('should take attempt, fallback index and checkpoint from the attempt context', async () => {
      let ctx: StreamContext | undefined;
      const source = fromStream((c) => ((ctx = c), chunksOf([' more'])));
      const events: L0Event[] = [];
      await new Promise<void>((resolve, reject) =>
        subscribeWithContext(source, { next: (e) => events.push(e), error: reject, complete: resolve }, {
          attempt: 3, fallbackIndex: 1, checkpoint: 'so far',
        }),
      );
      expect(ctx).toMatchObject({ attempt: 3, fallbackIndex: 1, checkpoint: 'so far' });
      expect(events).toEqual([start(3, 1), { type: 'resume', checkpoint: 'so far' }, tok(' more'), stop]);
    });

    it('should not emit resume, nor pass a checkpoint, for an empty checkpoint', async () => {
      let ctx: StreamContext | undefined;
      const source = fromStream((c) => ((ctx = c), chunksOf(['x'])));
      const events: L0Event[] = [];
      await new Promise<void>((resolve, reject) =>
        subscribeWithContext(source, { next: (e) => events.push(e), error: reject, complete: resolve }, {
          attempt: 2, fallbackIndex: 0, checkpoint: '',
        }),
      );
      expect(ctx && 'checkpoint' in ctx).toBe(false);
      expect(events).toEqual([start(2), tok('x'), stop]);
    });
  });

  describe('signal, made on first read', () => {
    it('should show signal to spreading and destructuring like any field', async () => {
      let seen: { spread: Record<string, unknown>; signal: AbortSignal } | undefined;
      await collect(fromStream((ctx) => {
        const { signal } = ctx;
        seen = { spread: { ...ctx }, signal };
        return chunksOf(['a']);
      }));
      expect(seen!.spread).toEqual({ signal: seen!.signal, attempt: 1, fallbackIndex: 0 });
      expect(Object.keys(seen!.spread)).toEqual(['attempt', 'fallbackIndex', 'signal']);
    });

    it('should give the same signal on every read within a subscription', async () => {
      const reads: AbortSignal[] = [];
      await collect(fromStream((ctx) => (reads.push(ctx.signal, ctx.signal), chunksOf(['a']))));
      expect(reads[0]).toBe(reads[1]);
    });

    it('should hand an already aborted signal to a factory that first reads it after the subscriber left', async () => {
      let ctx: StreamContext | undefined;
      const sub = fromStream((c) => ((ctx = c), NEVER)).subscribe();
      sub.unsubscribe();
      expect(ctx!.signal.aborted).toBe(true);
      expect((ctx!.signal.reason as Error).name).toBe('AbortError');
    });

    it('should not abort a signal first read after the run completed', async () => {
      let ctx: StreamContext | undefined;
      await collect(fromStream((c) => ((ctx = c), chunksOf(['a']))));
      expect(ctx!.signal.aborted).toBe(false);
    });

    it('should abort a signal read before the subscriber left, at once', () => {
      let signal: AbortSignal | undefined;
      const sub = fromStream(({ signal: s }) => ((signal = s), NEVER)).subscribe();
      expect(signal!.aborted).toBe(false);
      sub.unsubscribe();
      expect(signal!.aborted).toBe(true);
    });
  });

  describe('Observable<L0Event> input', () => {
    it('should pass events through and add complete{stop} when the source sends none', async () => {
      expect(await collect(fromStream(() => of(tok('a'), tok('b'))))).toEqual([start(), tok('a'), tok('b'), stop]);
    });

    it('should complete with only start and complete for an empty source', async () => {
      expect(await collect(fromStream(() => of()))).toEqual([start(), stop]);
    });

    it('should drop the source\'s own start events and empty tokens', async () => {
      const events = await collect(fromStream(() => of(start(9), tok(''), tok('a'))));
      expect(events).toEqual([start(), tok('a'), stop]);
    });

    it('should end at the first complete, unsubscribe the source and never emit two completes', async () => {
      let unsubscribed = false;
      const source = new Observable<L0Event>((s) => {
        s.next(tok('a'));
        s.next({ type: 'complete', finishReason: 'length' });
        s.next(tok('late'));
        s.next(stop);
        return () => (unsubscribed = true);
      });
      const events = await collect(fromStream(() => source));
      expect(events).toEqual([start(), tok('a'), { type: 'complete', finishReason: 'length' }]);
      expect(unsubscribed).toBe(true);
    });

    it('should error with InvalidStreamError naming an invalid item', async () => {
      const bad = { type: 'token', value: 42 } as unknown as L0Event;
      const { events, error } = await collectError(fromStream(() => of(tok('a'), bad)));
      expect(events).toEqual([start(), tok('a')]);
      expect(isInvalidStreamError(error)).toBe(true);
      expect(error.message).toContain('`value` is not a string');
    });

    it('should error with InvalidStreamError for an item of unknown type', async () => {
      const { error } = await collectError(fromStream(() => of({ type: 'tokn', value: 'a' } as unknown as L0Event)));
      expect(isInvalidStreamError(error)).toBe(true);
      expect(error.message).toContain('unknown type "tokn"');
    });

    it('should normalise the source\'s error', async () => {
      const http = Object.assign(new Error('Too many requests'), { status: 429 });
      const { events, error } = await collectError(fromStream(() => throwError(() => http)));
      expect(events).toEqual([start()]);
      expect(isProviderError(error) && error.code).toBe('RATE_LIMITED');
      expect(error.cause).toBe(http);
    });

    it('should pass an L0Error from the source through unchanged', async () => {
      const zero = new ZeroOutputError({ content: '' });
      const { error } = await collectError(fromStream(() => throwError(() => zero)));
      expect(error).toBe(zero);
    });

    it('should unsubscribe a never-ending source when the subscriber leaves', () => {
      let unsubscribed = false;
      let signal: AbortSignal | undefined;
      const never = new Observable<L0Event>(() => () => (unsubscribed = true));
      const sub = fromStream((ctx) => ((signal = ctx.signal), never)).subscribe();
      expect(unsubscribed).toBe(false);
      sub.unsubscribe();
      expect(unsubscribed).toBe(true);
      expect(signal!.aborted).toBe(true);
    });
  });

  describe('factory failures', () => {
    it('should normalise an error the factory throws synchronously', async () => {
      const http = Object.assign(new Error('Service Unavailable'), { status: 503 });
      const { events, error } = await collectError(fromStream(() => {
        throw http;
      }));
      expect(events).toEqual([start()]);
      expect(isProviderError(error) && error.code).toBe('SERVER_ERROR');
    });

    it('should normalise a rejected promise', async () => {
      const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      const { events, error } = await collectError(fromStream(() => Promise.reject(reset)));
      expect(events).toEqual([start()]);
      expect(isProviderError(error) && error.code).toBe('NETWORK_ERROR');
    });

    it('should wrap an unknown user error in an UnknownError with the original as cause', async () => {
      const bug = new TypeError('x.map is not a function');
      const { error } = await collectError(fromStream(() => {
        throw bug;
      }));
      expect(isUnknownError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'UNKNOWN_ERROR', category: 'unknown', retryable: true, cause: bug });
      expect(error.message).toBe('Unclassified failure: TypeError: x.map is not a function');
    });

    it('should normalise an error the iterator throws after some tokens', async () => {
      async function* cut() {
        yield 'Hel';
        throw Object.assign(new TypeError('terminated'), { cause: { code: 'UND_ERR_SOCKET' } });
      }
      const { events, error } = await collectError(fromStream(() => cut()));
      expect(events).toEqual([start(), tok('Hel')]);
      expect(isProviderError(error) && error.code).toBe('INCOMPLETE_STREAM');
    });
  });

  describe('config', () => {
    it('should throw TypeError for a factory that is not a function', () => {
      expect(() => fromStream('nope' as never)).toThrow(TypeError);
    });

    it('should throw TypeError naming `adapters` when one is not an adapter', () => {
      expect(() => fromStream(() => of(), { adapters: [{ name: 'x' } as never] })).toThrow(
        'fromStream(factory, {adapters}) must be an array of StreamAdapter objects ({ name, detect, create }), got an array',
      );
    });

    it('should throw TypeError for adapters that are null', () => {
      expect(() => fromStream(() => of(), { adapters: null as never })).toThrow('fromStream(factory, {adapters}) must be');
    });

    it('should reject a misspelled option and suggest the closest one', () => {
      expect(() => fromStream(() => of(), { adapter: [] } as never)).toThrow(
        new TypeError('fromStream(factory, config): unknown option `adapter` (did you mean `adapters`?)'),
      );
    });

    it('should throw TypeError for a config that is not an object', () => {
      expect(() => fromStream(() => of(), 'openai' as never)).toThrow(new TypeError('fromStream(factory, config) must be an object, got "openai"'));
    });
  });
});
