/** @test {fromStream} */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Observable, throwError } from 'rxjs';
import { fromStream, isInvalidStreamError, isL0Error, isUnknownError, type L0Event, type StreamFactory } from 'l0-rx';
import { collectError, tick } from './streamHelpers.js';

/** Odd values a factory, an SDK or a user Observable may throw or reject with. */
function hostileValues(): [string, unknown][] {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const throwingGetters = Object.defineProperties({}, {
    message: { get: () => { throw new Error('message getter'); }, enumerable: true },
    name: { get: () => { throw new Error('name getter'); }, enumerable: true },
    cause: { get: () => { throw new Error('cause getter'); }, enumerable: true },
  });
  return [
    ['an Error', new Error('boom')],
    ['a TypeError from user code', new TypeError('x.map is not a function')],
    ['a string', 'boom'],
    ['undefined', undefined],
    ['null', null],
    ['a plain object', { reason: 'x' }],
    ['a null-prototype object', Object.create(null) as object],
    ['an object whose getters throw', throwingGetters],
    ['a revoked Proxy', revoked.proxy],
    ['a symbol', Symbol('s')],
    ['a bigint', 10n],
  ];
}

/** Subscribes, lets promise chains settle (two event-loop turns, no timers), then unsubscribes. */
async function settle(events$: Observable<L0Event>) {
  const events: L0Event[] = [];
  const out = { events, error: undefined as unknown, errored: false, completed: false };
  const sub = events$.subscribe({
    next: (e) => events.push(e),
    error: (e: unknown) => Object.assign(out, { error: e, errored: true }),
    complete: () => (out.completed = true),
  });
  await tick();
  await tick();
  sub.unsubscribe();
  return out;
}

/** Fails the run with `value` after one token, through `kind` of source. */
const midStream: Record<string, (value: unknown) => StreamFactory> = {
  'an async iterator rejecting': (value) => () => ({
    [Symbol.asyncIterator]: () => {
      let i = 0;
      return { next: () => (i++ === 0 ? Promise.resolve({ done: false, value: 'Hel' }) : Promise.reject(value)) };
    },
  }),
  'a ReadableStream erroring': (value) => () =>
    new ReadableStream({
      start: (c) => c.enqueue('Hel'),
      pull: (c) => c.error(value),
    }),
  'an Observable erroring': (value) => () =>
    new Observable<L0Event>((s) => {
      s.next({ type: 'token', value: 'Hel' });
      s.error(value);
    }),
};

describe('fromStream failures', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled, 'unhandled rejections').toEqual([]);
  });

  /** The run ended with a typed error that carries `value` as its cause. */
  const expectTyped = (out: Awaited<ReturnType<typeof settle>>, value: unknown) => {
    expect(out.errored).toBe(true);
    expect(isL0Error(out.error)).toBe(true);
    expect(out.error).toMatchObject({ code: expect.any(String), category: expect.any(String) });
    expect((out.error as Error).cause).toBe(value);
  };

  describe.each(hostileValues())('with %s', (_, value) => {
    it('should end with a typed error when the factory throws it', async () => {
      expectTyped(await settle(fromStream(() => { throw value; })), value);
    });

    it('should end with a typed error when the factory rejects with it', async () => {
      expectTyped(await settle(fromStream(() => Promise.reject(value))), value);
    });

    it.each(Object.keys(midStream))('should end with a typed error when %s with it after a token', async (kind) => {
      const out = await settle(fromStream(midStream[kind]!(value)));
      expect(out.events.map((e) => e.type)).toEqual(['start', 'token']);
      expectTyped(out, value);
    });

    it('should end with a typed error when the Observable source errors with it at once', async () => {
      expectTyped(await settle(fromStream(() => throwError(() => value))), value);
    });
  });

  it('should release a value that arrives after unsubscribe and throws on every read, without an unhandled rejection', async () => {
    const hostile = new Proxy({}, { get: (_, key) => { if (key === 'then') return undefined; throw new Error(`read ${String(key)}`); } });
    let release!: (v: unknown) => void;
    const late = new Promise((r) => (release = r));
    fromStream(() => late).subscribe().unsubscribe();
    release(hostile);
    await tick();
  });

  it('should end with InvalidStreamError when an Observable source emits an event whose fields cannot be read', async () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const out = await settle(fromStream(() => new Observable<unknown>((s) => s.next(proxy))));
    expect(isInvalidStreamError(out.error)).toBe(true);
    expect((out.error as Error).message).toContain('its fields cannot be read');
  });

  describe('thenables', () => {
    it('should end with a typed error when `then` throws', async () => {
      const bug = new Error('then broke');
      const out = await settle(fromStream(() => ({ then: () => { throw bug; } })));
      expectTyped(out, bug);
    });

    it('should end with a typed error when the `then` getter throws', async () => {
      const bug = new Error('then getter broke');
      const out = await settle(fromStream(() => ({ get then() { throw bug; } })));
      expectTyped(out, bug);
    });

    it('should take only the first callback of a thenable that calls both', async () => {
      const thenable = {
        then: (resolve: (v: unknown) => void, reject: (e: unknown) => void) => {
          reject(new Error('first'));
          resolve(['never read']);
          reject(new Error('third'));
        },
      };
      const out = await settle(fromStream(() => thenable));
      expect(out.events.map((e) => e.type)).toEqual(['start']);
      expect((out.error as Error).cause).toEqual(new Error('first'));
    });

    it('should end with InvalidStreamError, not loop forever, for a thenable that resolves to itself', async () => {
      const self: { then: (resolve: (v: unknown) => void) => void } = { then: (resolve) => resolve(self) };
      const out = await settle(fromStream(() => self));
      expect(isInvalidStreamError(out.error)).toBe(true);
    });
  });

  describe('iterators', () => {
    const iterable = (next: () => unknown, rest: object = {}) => ({ [Symbol.asyncIterator]: () => ({ next, ...rest }) });

    it('should end with a typed error when `next` throws synchronously', async () => {
      const bug = new Error('next broke');
      expectTyped(await settle(fromStream(() => iterable(() => { throw bug; }))), bug);
    });

    it.each([
      ['null', null],
      ['a number', 42],
      ['a promise of null', Promise.resolve(null)],
    ])('should end with InvalidStreamError when `next` returns %s', async (_, result) => {
      const out = await settle(fromStream(() => iterable(() => result)));
      expect(isInvalidStreamError(out.error)).toBe(true);
      expect((out.error as Error).message).toMatch(/next\(\)/);
    });

    it.each([
      ['plain results (no promise)', (r: IteratorResult<string>) => r],
      ['thenables of results', (r: IteratorResult<string>) => ({ then: (resolve: (v: unknown) => void) => resolve(r) })],
    ])('should read every chunk, as `await` would, when `next` returns %s', async (_, wrap) => {
      const chunks = ['a', 'b', 'c'];
      const out = await settle(fromStream(() => iterable(() => wrap(chunks.length ? { done: false, value: chunks.shift()! } : { done: true, value: undefined }))));
      expect(out).toMatchObject({ errored: false, completed: true });
      expect(out.events.filter((e) => e.type === 'token').map((e) => (e as { value: string }).value)).toEqual(['a', 'b', 'c']);
    });

    it('should end with the typed rejection of a thenable `next` returns', async () => {
      const bug = new Error('read failed');
      expectTyped(await settle(fromStream(() => iterable(() => ({ then: (_: unknown, reject: (e: unknown) => void) => reject(bug) })))), bug);
    });

    it('should end with a typed error when the Symbol.asyncIterator getter throws', async () => {
      const bug = new Error('iterator getter broke');
      const out = await settle(fromStream(() => ({ get [Symbol.asyncIterator]() { throw bug; } })));
      expectTyped(out, bug);
    });

    it.each([
      ['a number', () => 42],
      ['an object without next', () => ({})],
    ])('should end with InvalidStreamError when Symbol.asyncIterator returns %s', async (_, make) => {
      const out = await settle(fromStream(() => ({ [Symbol.asyncIterator]: make })));
      expect(isInvalidStreamError(out.error)).toBe(true);
    });

    it('should end with InvalidStreamError when getReader returns no reader', async () => {
      const out = await settle(fromStream(() => ({ getReader: () => ({}) })));
      expect(isInvalidStreamError(out.error)).toBe(true);
    });

    it('should swallow a `return()` that throws when the subscriber leaves', async () => {
      const source = iterable(() => new Promise(() => {}), { return: () => { throw new Error('return broke'); } });
      const sub = fromStream(() => source).subscribe();
      expect(() => sub.unsubscribe()).not.toThrow();
      await tick();
    });
  });

  describe('a SyntaxError while reading chunks', () => {
    const chunk = { id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'The' }, finish_reason: null }] };
    /** Reads one chunk, then throws as JSON.parse does on the next: what openai 5 and 6 rethrow. */
    async function* unreadable() {
      yield chunk;
      JSON.parse('{"id": "c", "choi');
    }

    it("should fail an SDK stream's SyntaxError (openai 5/6 rethrow JSON.parse's) as a retryable MALFORMED_CHUNK", async () => {
      const sdkStream = Object.assign(unreadable(), { controller: new AbortController() });
      const { events, error } = await collectError(fromStream(() => sdkStream));
      expect(events.map((e) => e.type)).toEqual(['start', 'token']);
      expect(error).toMatchObject({ name: 'ProviderError', code: 'MALFORMED_CHUNK', retryable: true });
      expect(error.cause).toBeInstanceOf(SyntaxError);
    });

    it("should keep a user iterable's SyntaxError an UnknownError (it is not a provider's chunk)", async () => {
      const { error } = await collectError(fromStream(() => unreadable()));
      expect(isUnknownError(error)).toBe(true);
      expect(error.cause).toBeInstanceOf(SyntaxError);
    });
  });
});
