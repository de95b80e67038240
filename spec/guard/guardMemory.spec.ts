/** @test {guard} */
import { describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { guard, serializeError, type GuardRule, type L0Event } from 'l0-rx';
import { start } from './helpers.js';

// What the guard keeps of an attempt a retry retracted. A token is a String object here, only so that a
// WeakRef can tell whether anything still holds it (the guard joins its text as a primitive, as ever).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve)); // a WeakRef's target is kept to the end of its job

const retry: L0Event = { type: 'retry', attempt: 1, delayMs: 0, error: serializeError(new Error('reset')), reason: 'network_error', countsTowardAttempts: false };
const endOnly: GuardRule = { name: 'end-only', complete: () => undefined };
const everyTen: GuardRule = { name: 'every-ten', interval: 10, check: () => undefined };

describe('guard: the tokens of a retracted attempt', () => {
  it.each([['a rule that judges only at completion', endOnly], ['a rule due every 10 tokens, retried mid-round', everyTen]] as const)(
    'should hold none of them once the retry passed (%s)',
    async (_, rule) => {
      const source = new Subject<L0Event>();
      const types: string[] = [];
      source.pipe(guard([rule])).subscribe((e) => types.push(e.type));
      const refs: WeakRef<object>[] = [];
      (() => {
        source.next(start(1));
        for (let i = 0; i < 3; i++) {
          const token = new String(`token ${i} `);
          refs.push(new WeakRef(token));
          source.next({ type: 'token', value: token as unknown as string });
        }
        source.next(retry);
        source.next(start(2));
      })();
      await turn();
      gc();
      await turn();
      gc();
      expect(refs.map((ref) => ref.deref() === undefined)).toEqual([true, true, true]);
      source.next({ type: 'token', value: 'ok' });
      source.next({ type: 'complete', finishReason: 'stop' });
      expect(types).toEqual(['start', 'token', 'token', 'token', 'retry', 'start', 'token', 'complete']);
    },
  );
});
