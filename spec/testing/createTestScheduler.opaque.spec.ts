/** @test {createTestScheduler} */
import { describe, expect, it } from 'vitest';
import { createTestScheduler } from 'l0-rx/testing';

/* Objects whose content is in internal slots had no own keys: every two normalised to {}, so the check could not fail. */
describe('createTestScheduler: objects that keep their content outside their own keys', () => {
  const compare = (actual: unknown, expected: unknown) =>
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: { at: actual } })).toBe('a|', { a: { at: expected } });
    });

  it.each([
    ['URLs', new URL('https://a.example/v1'), new URL('https://b.example/v1')],
    ['Headers', new Headers({ 'retry-after': '1' }), new Headers({ 'retry-after': '2' })],
    ['URLSearchParams', new URLSearchParams('a=1'), new URLSearchParams('a=2')],
    ['a URL and a string', new URL('https://a.example/'), 'https://a.example/'],
    ['a URL and URLSearchParams', new URL('https://a.example/'), new URLSearchParams()],
  ])('should fail when %s differ', (_, actual, expected) => {
    expect(() => compare(actual, expected)).toThrow();
  });

  it('should pass equal URLs, Headers and URLSearchParams', () => {
    compare(new URL('https://a.example/v1'), new URL('https://a.example/v1'));
    compare(new Headers({ 'Retry-After': '1' }), new Headers({ 'retry-after': '1' }));
    compare(new URLSearchParams('a=1&b=2'), new URLSearchParams('a=1&b=2'));
  });

  it('should leave an iterator unread (a generator in a frame keeps its values)', () => {
    const gen = (function* () {
      yield 1;
    })();
    compare(gen, gen);
    expect([...gen]).toEqual([1]);
  });
});
