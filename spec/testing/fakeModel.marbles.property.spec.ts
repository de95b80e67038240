/** @test {fakeModel} */
/* A fake model's marble plays as rxjs's cold() reads the same marble: frames, groups, time progressions, spaces, the end. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { fakeModel } from 'l0-rx/testing';
import { runs } from '../helpers/propertyRuns.js';

const atom = fc.oneof(
  fc.constantFrom('a', 'b', '7', '-', '---', ' ', '  ', ' 3ms ', ' 1.5ms ', ' 2ms'),
  fc.array(fc.constantFrom('a', 'c', '9'), { minLength: 1, maxLength: 3 }).map((group) => `(${group.join('')})`),
);
const marbles = fc.tuple(fc.array(atom, { maxLength: 10 }), fc.constantFrom('', '|', '#', '-|', '(c|)', '(c#)', ' |')).map(([atoms, end]) => atoms.join('') + end);

type Frame = { frame: number; notification: { kind: string; value?: unknown } };

describe('fakeModel marbles (property)', () => {
  it('should emit each token, the error and the end at the frames cold() gives the same marble', () => {
    fc.assert(fc.property(marbles, (marble) => {
      let actual: Frame[] = [];
      let expected: Frame[] = [];
      const scheduler = new TestScheduler((a, e) => {
        actual = a as Frame[];
        expected = e as Frame[];
      });
      const error = new Error('x');
      scheduler.run(({ cold, expectObservable }) => {
        const model = fakeModel(marble, { error });
        const played = model({ signal: new AbortController().signal, attempt: 1, fallbackIndex: 0 }).pipe(map((e) => (e.type === 'token' ? e.value : e.type)));
        expectObservable(played, '^ 200ms !').toEqual(cold(marble, undefined, error));
      });
      // `|` is the fake's `complete` event, then the completion, on one frame: cold() has the completion alone
      const withoutCompleteEvent = actual.filter((f) => !(f.notification.kind === 'N' && f.notification.value === 'complete'));
      expect(withoutCompleteEvent).toEqual(expected);
      expect(actual.length).toBeGreaterThanOrEqual(expected.length);
    }), { numRuns: runs(300) });
  });
});
