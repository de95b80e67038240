/** @test {fakeModel} */
import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { fakeModel } from 'l0-rx/testing';

/* rxjs (run mode) skips only ' ': a tab or a newline was white space in a fake's marble and a value in cold()'s. */
describe('fakeModel marbles: white space as rxjs reads it', () => {
  it('should read a tab as cold() does not skip it (a value, one frame)', () => {
    new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ cold, expectObservable }) => {
      expectObservable(cold('a\tb|')).toBe('atb|', { a: 'a', t: '\t', b: 'b' });
    });
  });

  it.each([
    ['a\tb|', "fakeModel: attempts[0] position 1: '\t' (U+0009) is not white space in a marble: rxjs skips only ' '"],
    ['a\nb|', "fakeModel: attempts[0] position 1: '\n' (U+000A) is not white space in a marble: rxjs skips only ' '"],
    ['a\r\nb|', "fakeModel: attempts[0] position 1: '\r' (U+000D) is not white space in a marble"],
    ['a 10ms\tb|', "fakeModel: attempts[0] position 6: '\t' (U+0009) is not white space in a marble"],
  ])('should refuse marble %j with a TypeError naming the character and its position', (marble, message) => {
    expect(() => fakeModel(marble)).toThrow(TypeError);
    expect(() => fakeModel(marble)).toThrow(message);
  });
});
