/** @test {raceModels} */
import { describe, expect, it } from 'vitest';
import { EMPTY, lastValueFrom, NEVER, of, Subject, toArray, type Observable } from 'rxjs';
import { AllStreamsExhaustedError, fromStream, raceModels, ZeroOutputError, type L0Event, type StartEvent } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';
import { runScenario } from '../helpers/runScenario.js';
import { unhandledDuring } from '../helpers/unhandled.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const start = (model?: string): StartEvent => ({ type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false, ...(model ? { model } : {}) });
const values = {
  s: start(), a: tok('a'), b: tok('b'), c: tok('c'), h: tok('hello'),
  x: { type: 'complete', finishReason: 'stop' } as L0Event,
  k: { type: 'checkpoint', content: '', tokenCount: 0 } as L0Event,
  p: { type: 'progress', percent: 10 } as L0Event,
  t: { type: 'tool-call', id: '1', name: 'f', arguments: '{}' } as L0Event,
};
const e1 = new Error('one');
const e2 = new Error('two');

describe('raceModels', () => {
  describe('creation', () => {
    it('should complete at once without sources', () => {
      expect(raceModels([])).toBe(EMPTY);
    });

    it('should throw a TypeError naming a source that is not an Observable, with the value', () => {
      expect(() => raceModels([NEVER, {} as Observable<L0Event>])).toThrow(new TypeError('raceModels(sources): `sources["1"]` must be an Observable<L0Event>, got an object'));
      expect(() => raceModels({ gpt: NEVER, claude: 'claude-3' as never })).toThrow(new TypeError('raceModels(sources): `sources["claude"]` must be an Observable<L0Event>, got "claude-3"'));
    });

    it('should throw a TypeError naming a hole in an array of sources, never race the others under shifted indices', () => {
      // the hole was skipped: the source at position 1 raced alone and won as index 0
      // eslint-disable-next-line no-sparse-arrays
      expect(() => raceModels([, NEVER] as unknown as Observable<L0Event>[])).toThrow(new TypeError('raceModels(sources): `sources["0"]` must be an Observable<L0Event>, got undefined'));
    });

    it.each([
      ['a Map', () => new Map([['gpt', NEVER]]), /sources must be an array or a record of Observables, got a Map/],
      ['one Observable', () => of(start()), /got an Observable/],
      ['a promise', () => Promise.resolve([NEVER]), /got a Promise/],
      ['a string', () => 'gpt', /got "gpt"/],
      ['null', () => null, /sources must be an array or a record of Observables, got null/],
    ])('should throw a TypeError naming sources given as %s, never race nothing and complete at once', (_, make, message) => {
      expect(() => raceModels(make() as never)).toThrow(message);
    });

    it('should take a record with no prototype', () => {
      const sources = Object.assign(Object.create(null) as Record<string, Observable<L0Event>>, { gpt: of(start(), tok('a')) });
      const events: L0Event[] = [];
      raceModels(sources).subscribe((e) => events.push(e));
      expect(events).toEqual([start('gpt'), tok('a')]);
    });

    it('should throw a TypeError for an unknown option, with a suggestion', () => {
      expect(() => raceModels([NEVER], { winon: 'first-content' } as never)).toThrow(/did you mean `winOn`/);
    });

    it('should throw a TypeError for a minChars below 1', () => {
      expect(() => raceModels([NEVER], { winOn: { minChars: 0 } })).toThrow(/winOn/);
    });
  });

  it('should stream the first source to produce content and unsubscribe the other at that frame', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow = cold('s-----a-x|', values);
      const fast = cold('s--b---c-x|', values);
      expectObservable(raceModels([slow, fast])).toBe('---(sb)c-x|', values);
      expectSubscriptions(slow.subscriptions).toBe('^--!');
      expectSubscriptions(fast.subscriptions).toBe('^---------!');
    });
  });

  it('should never show a loser\'s control events, only the winner\'s', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const chatty = cold('sk-k-k-a|', values);
      const quiet = cold('s---b---x|', values);
      expectObservable(raceModels([chatty, quiet])).toBe('----(sb)x|', values);
    });
  });

  it('should not let progress or a bare complete win', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const busy = cold('sp-p---x|', values);
      const real = cold('s-----a---|', values);
      expectObservable(raceModels([busy, real])).toBe('------(sa)|', values);
    });
  });

  // a leading " " won the race: the model that sent it was kept, and the one writing the answer was aborted
  it('should not let a token or reasoning of whitespace only win, and release it with the winner\'s later text', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const space = { ...values, w: tok(' '), n: tok('\n\n'), r: { type: 'reasoning', value: ' ' } as L0Event };
      const blank = cold('swr-n-----x|', space);
      const real = cold('s----a---x|', space);
      expectObservable(raceModels([blank, real])).toBe('-----(sa)x|', space);
      expectSubscriptions(blank.subscriptions).toBe('^----!');
      const late = cold('sw-----a------|', space);
      expectObservable(raceModels([late, cold('s--------b|', space)])).toBe('-------(swa)--|', space);
    });
  });

  it('should let a tool call win', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(raceModels([cold('s----a|', values), cold('s-t---x|', values)])).toBe('--(st)x|', values);
    });
  });

  describe('winOn', () => {
    it('should wait for minChars of the attempt\'s text', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const short = cold('sa-b-c-x|', values); // 'abc' reaches 3 chars at frame 5
        const long = cold('s---h---x|', values); // 'hello' at frame 4
        expectObservable(raceModels([short, long], { winOn: { minChars: 3 } })).toBe('----(sh)x|', values);
        expectSubscriptions(short.subscriptions).toBe('^---!');
      });
    });

    it('should error with a TypeError naming a predicate that returns a promise, and leave its rejection handled', async () => {
      const unhandled = await unhandledDuring(async () => {
        const error = await lastValueFrom(raceModels([of(values.s, values.a, values.x)], { winOn: (() => Promise.reject(new Error('no'))) as never })).catch((e: unknown) => e);
        expect(error).toEqual(new TypeError('raceModels(sources, {winOn}) returned a Promise; it must return a boolean'));
      });
      expect(unhandled).toEqual([]);
    });

    it('should let a predicate decide, given the event and the text so far', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const winOn = (_e: unknown, text: { text: string }) => text.text.includes('c');
        expectObservable(raceModels([cold('sa--c|', values), cold('sb-c----|', values)], { winOn })).toBe('---(sbc)|', values);
      });
    });
  });

  describe('failures', () => {
    it('should drop a source that fails before winning and let the rest race on', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(raceModels([cold('s-#', values, e1), cold('s----a---|', values)])).toBe('-----(sa)|', values);
      });
    });

    it('should drop a source whose factory throws synchronously and let the rest race on, and count its error when all fail', () => {
      const boom = new Error('factory');
      const throwing = fromStream(() => {
        throw boom;
      });
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(raceModels([throwing, cold('s-a---|', values)])).toBe('--(sa)|', values);
      });
      let error: unknown;
      raceModels([throwing, throwing]).subscribe({ error: (e: unknown) => (error = e) });
      expect(error).toBeInstanceOf(AllStreamsExhaustedError);
      expect((error as AllStreamsExhaustedError).errors.map((e) => (e as Error).cause ?? e)).toEqual([boom, boom]);
    });

    it('should error with AllStreamsExhaustedError holding every error in input order', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const run = raceModels([cold('s---#', values, e1), cold('s-#', values, e2)]);
        expectObservable(run).toBe('----#', undefined, new AllStreamsExhaustedError([e1, e2]));
      });
    });

    it('should pass the winner\'s own error on after it has won', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(raceModels([cold('sa---#', values, e1), cold('s---b|', values)])).toBe('-(sa)#', values, e1);
      });
    });

    it('should count a source that completes empty as a ZeroOutputError', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const run = raceModels([cold('s-x|', values), cold('s--#', values, e2)]);
        expectObservable(run).toBe('---#', undefined, new AllStreamsExhaustedError([new ZeroOutputError({ content: '' }), e2]));
      });
    });

    it('should count a source that completes with whitespace only as a ZeroOutputError', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const run = raceModels([cold('sw-x|', { ...values, w: tok(' ') }), cold('s---#', values, e2)]);
        expectObservable(run).toBe('----#', undefined, new AllStreamsExhaustedError([new ZeroOutputError({ content: ' ' }), e2]));
      });
    });

    // it won at its completion with no answer at all, and the model that was answering was aborted
    it('should count a source that completes with reasoning only as a ZeroOutputError under minChars, never a winner', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const thinking = { ...values, r: { type: 'reasoning', value: 'Let me think about it' } as L0Event, l: tok('The answer is 42.') };
        const thinker = cold('s-r-x|', thinking);
        const answerer = cold('s------l-----x|', thinking);
        expectObservable(raceModels([thinker, answerer], { winOn: { minChars: 10 } })).toBe('-------(sl)--x|', thinking);
        expectSubscriptions(answerer.subscriptions).toBe('^-------------!');
        expectObservable(raceModels([thinker], { winOn: () => false })).toBe('-----#', undefined, new AllStreamsExhaustedError([new ZeroOutputError({ content: '' })]));
      });
    });

    it('should let a source that completes with content before minChars win at its completion', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(raceModels([cold('sa|', values), NEVER], { winOn: { minChars: 10 } })).toBe('--(sa|)', values);
      });
    });
  });

  describe('who won', () => {
    it('should name the winner in its start event when given a record', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const run = raceModels({ slow: cold('s---a|', values), fast: cold('s-b---|', values) });
        expectObservable(run).toBe('--(Fb)|', { ...values, F: start('fast') });
      });
    });

    it('should call onWin with the winner\'s index and name, once', () => {
      const wins: unknown[] = [];
      testScheduler().run(({ cold }) => {
        raceModels({ slow: cold('s---a|', values), fast: cold('s-b-c|', values) }, { onWin: (info) => wins.push(info) }).subscribe();
      });
      expect(wins).toEqual([{ index: 1, name: 'fast' }]);
    });

    it('should error the race when an async onWin rejects while the winner streams, leaving nothing unhandled', async () => {
      const boom = new Error('win log down');
      const winner = new Subject<L0Event>();
      const seen: string[] = [];
      const unhandled = await unhandledDuring(async () => {
        raceModels([winner, NEVER], { onWin: (async () => { throw boom; }) as never }).subscribe({
          next: (e) => seen.push(e.type),
          error: (e: unknown) => seen.push(e === boom ? 'error: boom' : 'error: other'),
        });
        winner.next(values.s);
        winner.next(values.a);
        await Promise.resolve();
        expect(winner.observed).toBe(false); // the teardown unsubscribed the winner
      });
      expect([seen, unhandled]).toEqual([['start', 'token', 'error: boom'], []]);
    });

    it('should leave no rejection unhandled when an async onWin rejects after the race ended', async () => {
      const unhandled = await unhandledDuring(async () => {
        const events = await lastValueFrom(raceModels([of(values.s, values.a, values.x)], { onWin: (async () => { throw new Error('late'); }) as never }).pipe(toArray()));
        expect(events).toEqual([values.s, values.a, values.x]);
      });
      expect(unhandled).toEqual([]);
    });

    it('should error the race when onWin throws', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const boom = new Error('callback');
        expectObservable(raceModels([cold('s-a|', values)], { onWin: () => { throw boom; } })).toBe('--#', undefined, boom);
      });
    });
  });

  describe('rxjs checklist', () => {
    it('should emit nothing while every source is silent', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(raceModels([NEVER, NEVER])).toBe('-');
      });
    });

    it('should unsubscribe every source when the consumer unsubscribes before anyone won', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const a = cold('s-------a|', values);
        const b = cold('s--------b|', values);
        expectObservable(raceModels([a, b]), '^---!').toBe('----');
        expectSubscriptions(a.subscriptions).toBe('^---!');
        expectSubscriptions(b.subscriptions).toBe('^---!');
      });
    });

    it('should keep state per subscription', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const run = raceModels([cold('s--a|', values), cold('s-b---|', values)]);
        expectObservable(run).toBe('--(sb)|', values);
        expectObservable(run).toBe('--(sb)|', values);
      });
    });
  });

  // L0 P3: the fastest to answer wins, not the first to finish, and the others are cancelled.
  it('should pick the first to produce a token, not the first to finish, and cancel the others (L0 P3)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('s 199ms a|', values);
      const b = cold('s 9ms b 100ms x|', values); // first token at 10, finishes at 112
      const c = cold('s 49ms c|', values);
      expectObservable(raceModels([a, b, c])).toBe('10ms (sb) 97ms x|', values);
      expectSubscriptions(a.subscriptions).toBe('^ 9ms !');
      expectSubscriptions(c.subscriptions).toBe('^ 9ms !');
      expectSubscriptions(b.subscriptions).toBe('^ 111ms !');
    });
  });

  it('should abort the losers\' requests: their factories\' signals fire when the winner\'s first token arrives', () => {
    const models = [fakeModel('-----slow|'), fakeModel('--fast|'), fakeModel('----later|')];
    const run = runScenario(() => raceModels(models.map((m) => fromStream(m))));
    expect(run.error).toBeUndefined();
    expect(run.events.filter((e) => e.type === 'token').map((e) => (e as { value: string }).value).join('')).toBe('fast');
    expect(models.map((m) => m.calls.map((c) => c.aborted))).toEqual([[true], [false], [true]]);
  });
});
