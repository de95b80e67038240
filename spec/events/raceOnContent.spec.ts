/** @test {isContentEvent} */
import { concatMap, defer, EMPTY, filter, first, from, map, merge, of, race, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromAttempt, fromStream, isContentEvent, type L0Event, type StartEvent } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';
import { runScenario } from '../helpers/runScenario.js';

/*
 * `start` is emitted synchronously on subscription, so rxjs's `race` on whole streams always picks
 * the first source listed. A race between models must wait for content: these specs show that
 * `isContentEvent` makes it possible, that the loser is unsubscribed (its request aborted), and
 * that `start.model` tells merged runs apart.
 */

/** Holds a stream's events back until its first content event, then releases them and goes live. */
const holdUntilContent = (source: Observable<L0Event>): Observable<L0Event> =>
  defer(() => {
    const held: L0Event[] = [];
    let live = false;
    return source.pipe(
      concatMap((e) => {
        if (live) return of(e);
        held.push(e);
        if (!isContentEvent(e)) return EMPTY;
        live = true;
        return from(held.splice(0));
      }),
    );
  });

/** The first source to produce content wins and streams live, its `start` first; the others are unsubscribed at once. */
const raceOnContent = (...sources: Observable<L0Event>[]): Observable<L0Event> => race(sources.map(holdUntilContent));

const tok = (value: string): L0Event => ({ type: 'token', value });
const start = (model: string): StartEvent => ({ type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false, model });
const values = { a: tok('a'), b: tok('b'), c: tok('c'), x: { type: 'complete', finishReason: 'stop' } as L0Event, S: start('slow'), F: start('fast') };

describe('racing models on content', () => {
  it('should pick the first source listed with a plain race, because its start comes synchronously, and never subscribe the others', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow = cold('-----a-x|', values);
      const fast = cold('-b-x|', values);
      expectObservable(race(fromAttempt(() => slow, { model: 'slow' }), fromAttempt(() => fast, { model: 'fast' }))).toBe('S----a-x|', values);
      expectSubscriptions(fast.subscriptions).toBe([]);
    });
  });

  it('should see the first content event come from the faster model, whatever the order', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const slow = fromAttempt(() => cold('-----a-x|', values), { model: 'slow' });
      const fast = fromAttempt(() => cold('--b-x|', values), { model: 'fast' });
      const firstContent = (s: Observable<L0Event>) => s.pipe(filter(isContentEvent), first());
      expectObservable(race(firstContent(slow), firstContent(fast))).toBe('--(b|)', values);
    });
  });

  it('should stream the winner from its start, and unsubscribe the loser when the winner produces content', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow = cold('-----a-x|', values);
      const fast = cold('--b---c-x|', values);
      const run = raceOnContent(fromAttempt(() => slow, { model: 'slow' }), fromAttempt(() => fast, { model: 'fast' }));
      expectObservable(run).toBe('--(Fb)c-x|', values);
      expectSubscriptions(slow.subscriptions).toBe('^-!');
      expectSubscriptions(fast.subscriptions).toBe('^--------!');
    });
  });

  it('should pick the first listed source when it is the one that produces content first', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow = cold('------a-x|', values);
      const fast = cold('-b---x|', values); // a group takes its width in frames: x at 5 lines up below
      const run = raceOnContent(fromAttempt(() => fast, { model: 'fast' }), fromAttempt(() => slow, { model: 'slow' }));
      expectObservable(run).toBe('-(Fb)x|', values);
      expectSubscriptions(slow.subscriptions).toBe('^!');
    });
  });

  it('should abort the losing request: its factory\'s signal fires when the winner\'s first token arrives', () => {
    const slowModel = fakeModel('-----slow|');
    const fastModel = fakeModel('--fast|');
    const run = runScenario(() => raceOnContent(fromStream(slowModel, { model: 'slow' }), fromStream(fastModel, { model: 'fast' })));
    expect(run.error).toBeUndefined();
    expect(run.events[0]).toEqual(start('fast'));
    expect(run.events.filter((e) => e.type === 'token').map((e) => (e as { value: string }).value).join('')).toBe('fast');
    expect(run.timeline[1]?.[0]).toBe(2);
    expect(slowModel.calls.map((c) => c.aborted)).toEqual([true]);
    expect(fastModel.calls.map((c) => c.aborted)).toEqual([false]);
  });

  it('should wait through control events (start, checkpoints) before deciding', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const k: L0Event = { type: 'checkpoint', content: '', tokenCount: 0 };
      const chatty = fromAttempt(() => cold('-k-k-k-a|', { ...values, k }), { model: 'slow' });
      const quiet = fromAttempt(() => cold('----b---|', values), { model: 'fast' });
      expectObservable(raceOnContent(chatty, quiet)).toBe('----(Fb)|', values);
    });
  });

  describe('merged runs', () => {
    const twoModels = () => [
      fromStream(fakeModel('-a--a|'), { model: 'model-a' }),
      fromStream(fakeModel('--b-b|'), { model: 'model-b' }),
    ];

    it('should tell the merged runs apart by start.model', () => {
      const run = runScenario(() => merge(...twoModels()));
      expect(run.events.filter((e): e is StartEvent => e.type === 'start').map((e) => e.model)).toEqual(['model-a', 'model-b']);
      expect(run.events.filter((e) => e.type === 'complete')).toHaveLength(2);
    });

    it('should attribute every merged event to its model when each run is tagged from its own start.model', () => {
      const origin = (source: Observable<L0Event>) =>
        defer(() => {
          let model: string | undefined;
          return source.pipe(map((e) => ((model = e.type === 'start' ? e.model : model), [model, e.type === 'token' ? e.value : e.type] as const)));
        });
      const run: (readonly [string | undefined, string])[] = [];
      testScheduler().run(() => {
        merge(...twoModels().map(origin)).subscribe((x) => run.push(x));
      });
      expect(run.filter(([, v]) => v === 'a' || v === 'b')).toEqual([
        ['model-a', 'a'],
        ['model-b', 'b'],
        ['model-a', 'a'],
        ['model-b', 'b'],
      ]);
      expect(run.filter(([, v]) => v === 'complete').map(([m]) => m)).toEqual(['model-a', 'model-b']);
    });
  });
});
