/** @test {createTestScheduler} */
import { throwError } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { fromStream } from 'l0-rx';
import { createTestScheduler, fakeError, fakeModel } from 'l0-rx/testing';

describe('createTestScheduler', () => {
  it('should compare errors by name, code and message, not identity', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a#', { a: 1 }, fakeError({ status: 429 }))).toBe('a#', { a: 1 }, fakeError({ status: 429 }));
    });
  });

  it('should fail when the error codes differ', () => {
    expect(() =>
      createTestScheduler().run(({ expectObservable }) => {
        expectObservable(throwError(() => fakeError({ network: 'ECONNRESET' }))).toBe('#', undefined, Object.assign(new Error('read ECONNRESET'), { code: 'EPIPE' }));
      }),
    ).toThrow();
  });

  it('should fail when the values differ', () => {
    expect(() =>
      createTestScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('a|', { a: { type: 'token', value: 'x' } })).toBe('a|', { a: { type: 'token', value: 'y' } });
      }),
    ).toThrow();
  });

  it.each([
    ['Dates', new Date(0), new Date(1)],
    ['Maps', new Map([['k', 1]]), new Map([['k', 2]])],
    ['Sets', new Set(['a']), new Set(['b'])],
    ['a Map and a plain object', new Map([['k', 1]]), {}],
  ])('should fail when %s differ (never compare them as empty objects)', (_, actual, expected) => {
    expect(() =>
      createTestScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('a|', { a: { at: actual } })).toBe('a|', { a: { at: expected } });
      }),
    ).toThrow();
  });

  it('should fail when values differ only under an own __proto__ key (a parsed answer\'s), never drop it', () => {
    const frame = (n: number) => ({ type: 'result', data: JSON.parse(`{"__proto__": {"n": ${n}}}`) as unknown });
    expect(() =>
      createTestScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('a|', { a: frame(1) })).toBe('a|', { a: frame(2) });
      }),
    ).toThrow();
    createTestScheduler().run(({ cold, expectObservable }) => expectObservable(cold('a|', { a: frame(1) })).toBe('a|', { a: frame(1) }));
  });

  it('should pass equal Dates, and Maps and Sets whose errors match by name, code and message', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const value = () => ({ at: new Date(5), byId: new Map([['x', fakeError({ status: 503 })]]), seen: new Set([1, 2]) });
      expectObservable(cold('a|', { a: value() })).toBe('a|', { a: value() });
    });
  });

  it('should ignore keys whose value is undefined', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: { type: 'complete', finishReason: 'stop', usage: undefined } }))
        .toBe('a|', { a: { type: 'complete', finishReason: 'stop' } });
    });
  });

  it('should hand the normalised frames to a custom assertDeepEqual', () => {
    const assert = vi.fn((a: unknown, e: unknown) => expect(a).toEqual(e));
    createTestScheduler(assert).run(({ cold, expectObservable }) => {
      expectObservable(cold('#', undefined, new RangeError('r'))).toBe('#', undefined, expect.any(Object));
    });
    expect(assert).toHaveBeenCalledWith([{ frame: 0, notification: { kind: 'E', error: { name: 'RangeError', message: 'r' } } }], expect.anything());
  });

  it('should run the documented fromStream(fakeModel(...)) example', () => {
    createTestScheduler().run(({ expectObservable }) => {
      expectObservable(fromStream(fakeModel('a---b|'))).toBe('(sa)b(c|)', {
        s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
        a: { type: 'token', value: 'a' }, b: { type: 'token', value: 'b' },
        c: { type: 'complete', finishReason: 'stop' },
      });
    });
  });

  it('should throw a TypeError for a non-function matcher', () => {
    expect(() => createTestScheduler(42 as never)).toThrow(/assertDeepEqual must be a function/);
  });
});
