/** @test {fakeModel} */
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromStream, type L0Event } from 'l0-rx';
import { fakeError, fakeModel, type FakeItem } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';

const ctx = (attempt = 1, fallbackIndex = 0, checkpoint?: string, controller = new AbortController()) => ({
  signal: controller.signal, attempt, fallbackIndex, ...(checkpoint === undefined ? {} : { checkpoint }),
});
const tok = (value: string): L0Event => ({ type: 'token', value });
const done = (finishReason: 'stop' | 'tool-calls' | 'length' = 'stop', usage?: object): L0Event =>
  (usage ? { type: 'complete', finishReason, usage } : { type: 'complete', finishReason }) as L0Event;
const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

describe('fakeModel', () => {
  describe('marble scripts', () => {
    it('should emit one-character tokens on rxjs marble frames and complete on |', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(fakeModel('a-b|')(ctx())).toBe('a-b(c|)', { a: tok('a'), b: tok('b'), c: done() });
      });
    });

    it('should error with a retryable ECONNRESET network error on #', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(fakeModel('a--#')(ctx())).toBe('a--#', { a: tok('a') }, reset);
      });
    });

    it('should hang after the last item when there is no | or #', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(fakeModel('ab')(ctx()), '^ 100ms !').toBe('ab', { a: tok('a'), b: tok('b') });
      });
    });

    it('should never emit for an empty marble', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(fakeModel('')(ctx()), '^ 50ms !').toBe('');
      });
    });

    it('should emit a group on one frame and then advance by its length, like rxjs', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(fakeModel('(ab)-c|')(ctx())).toBe('(ab)-c(d|)', { a: tok('a'), b: tok('b'), c: tok('c'), d: done() });
      });
    });

    it('should ignore whitespace', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(fakeModel('  a b |')(ctx())).toBe('ab(c|)', { a: tok('a'), b: tok('b'), c: done() });
      });
    });

    it('should read an rxjs time progression as time, not as tokens, so the script lines up with cold()', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(fakeModel('a 10ms b|')(ctx())).toBe('a 10ms b(c|)', { a: tok('a'), b: tok('b'), c: done() });
        expectObservable(fakeModel('1.5s a 1m 2|')(ctx())).toBe('1.5s a 1m 2(c|)', { a: tok('a'), 2: tok('2'), c: done() });
      });
    });

    it('should read a time progression at the end of the script as tokens, as cold() does (rxjs needs a space after it)', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(fakeModel('a 2m')(ctx())).toBe('a 2m', { a: tok('a'), 2: tok('2'), m: tok('m') });
      });
    });

    it('should keep digits and letters next to other characters as tokens', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(fakeModel('a10ms|')(ctx())).toBe('a10ms(c|)', { a: tok('a'), 1: tok('1'), 0: tok('0'), m: tok('m'), s: tok('s'), c: done() });
      });
    });

    it('should replace characters with options.values and use options.finishReason and usage on |', () => {
      testScheduler().run(({ expectObservable }) => {
        const model = fakeModel('ht|', {
          values: { h: 'Hello ', t: { toolCall: { id: 'c1', name: 'f', arguments: {} } } },
          finishReason: 'tool-calls', usage: { outputTokens: 2 },
        });
        expectObservable(model(ctx())).toBe('ht(c|)', {
          h: tok('Hello '), t: { type: 'tool-call', id: 'c1', name: 'f', arguments: '{}' }, c: done('tool-calls', { outputTokens: 2 }),
        });
      });
    });

    it('should read options.values from a Map as from a record', () => {
      testScheduler().run(({ expectObservable }) => {
        const model = fakeModel('hx|', { values: new Map<string, FakeItem>([['h', 'Hello '], ['x', { reasoning: 'hmm' }]]) });
        expectObservable(model(ctx())).toBe('hx(c|)', { h: tok('Hello '), x: { type: 'reasoning', value: 'hmm' }, c: done() });
      });
    });

    it('should throw options.error on #, built from a status spec', () => {
      const model = fakeModel('#', { error: { status: 429, headers: { 'retry-after': '2' } } });
      let error: { status?: number; headers?: Headers } | undefined;
      model(ctx()).subscribe({ error: (e) => (error = e) });
      expect(error?.status).toBe(429);
      expect(error?.headers?.get('retry-after')).toBe('2');
    });
  });

  describe('object scripts', () => {
    it('should play tokens and delays on virtual time, then complete with usage', () => {
      testScheduler().run(({ expectObservable }) => {
        const model = fakeModel({ items: ['Hel', { delay: 5 }, { token: 'lo' }], usage: { outputTokens: 2 } });
        expectObservable(model(ctx())).toBe('a 4ms (bc|)', { a: tok('Hel'), b: tok('lo'), c: done('stop', { outputTokens: 2 }) });
      });
    });

    it('should emit reasoning, tool-call, data and progress events', async () => {
      const model = fakeModel({
        items: [
          { reasoning: 'think' },
          { toolCall: { name: 'get', arguments: { a: 1 }, fragments: 3 } },
          { data: { contentType: 'image', url: 'https://x/y.png' } },
          { progress: { percent: 50 } },
        ],
        finishReason: 'tool-calls',
      });
      expect(await lastValueFrom(model(ctx()).pipe(toArray()))).toEqual([
        { type: 'reasoning', value: 'think' },
        { type: 'tool-call', id: 'call_1', name: 'get', arguments: '{"a":1}' },
        { type: 'data', payload: { contentType: 'image', url: 'https://x/y.png' } },
        { type: 'progress', percent: 50 },
        { type: 'complete', finishReason: 'tool-calls' },
      ]);
    });

    it('should error with an APIError-shaped error for {error: {status}}', () => {
      testScheduler().run(({ expectObservable }) => {
        const model = fakeModel({ items: ['a', { error: { status: 503 } }] });
        expectObservable(model(ctx())).toBe('(a#)', { a: tok('a') }, fakeError({ status: 503 }));
      });
    });

    it('should error with network and in-band errors', () => {
      const errors: unknown[] = [];
      fakeModel({ items: [{ error: { network: 'UND_ERR_SOCKET' } }] })(ctx()).subscribe({ error: (e) => errors.push(e) });
      fakeModel({ items: [{ error: { inBand: { type: 'server_error' } } }] })(ctx()).subscribe({ error: (e) => errors.push(e) });
      expect(errors[0]).toMatchObject({ name: 'TypeError', message: 'terminated', cause: { code: 'UND_ERR_SOCKET' } });
      expect(errors[1]).toMatchObject({ status: undefined, error: { type: 'server_error' } });
    });

    it('should hang on {hang: true} and end without a complete event on {end: true}, as documented', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(fakeModel({ items: ['a', { hang: true }] })(ctx()), '^ 20ms !').toBe('a', { a: tok('a') });
        expectObservable(fakeModel({ items: ['a', { end: true }], finishReason: 'length' })(ctx())).toBe('(a|)', { a: tok('a') });
        // a marble value too: in 'a-e' with e = {end: true} the stream is cut after 'a' (where 'a-|' would complete it)
        expectObservable(fakeModel('a-e', { values: { e: { end: true } } })(ctx())).toBe('a-|', { a: tok('a') });
      });
    });
  });

  describe('calls', () => {
    it('should play the n-th script on the n-th call and repeat the last one', () => {
      testScheduler().run(({ expectObservable }) => {
        const model = fakeModel(['a#', 'b|']);
        expectObservable(model(ctx(1))).toBe('a#', { a: tok('a') }, reset);
        expectObservable(model(ctx(2))).toBe('b(c|)', { b: tok('b'), c: done() });
        expectObservable(model(ctx(3))).toBe('b(c|)', { b: tok('b'), c: done() });
      });
    });

    it('should record every call with its context', () => {
      const model = fakeModel('a|');
      model(ctx(1, 0));
      model(ctx(2, 1, 'Hel'));
      expect(model.callCount).toBe(2);
      expect(model.calls.map(({ index, attempt, fallbackIndex, checkpoint, aborted }) => ({ index, attempt, fallbackIndex, checkpoint, aborted })))
        .toEqual([
          { index: 0, attempt: 1, fallbackIndex: 0, checkpoint: undefined, aborted: false },
          { index: 1, attempt: 2, fallbackIndex: 1, checkpoint: 'Hel', aborted: false },
        ]);
    });

    it('should record the abort and stop the script when the signal is aborted', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const controller = new AbortController();
        const model = fakeModel('a-b-c|');
        ts.schedule(() => controller.abort(), 2);
        expectObservable(model(ctx(1, 0, undefined, controller))).toBe('a-|', { a: tok('a') });
        ts.flush();
        expect(model.calls[0]?.aborted).toBe(true);
      });
    });

    it('should complete at once when called with an already aborted signal', async () => {
      const controller = new AbortController();
      controller.abort();
      expect(await lastValueFrom(fakeModel('ab|')(ctx(1, 0, undefined, controller)).pipe(toArray()))).toEqual([]);
    });

    it('should be cold: each subscription replays the script', () => {
      testScheduler().run(({ expectObservable }) => {
        const events$ = fakeModel('a-b|')(ctx());
        expectObservable(events$).toBe('a-b(c|)', { a: tok('a'), b: tok('b'), c: done() });
        expectObservable(events$, '---^').toBe('---a-b(c|)', { a: tok('a'), b: tok('b'), c: done() });
      });
    });

    it('should run on real time (1 ms per frame) outside a TestScheduler', async () => {
      const events = await lastValueFrom(fakeModel('a--b|')(ctx()).pipe(toArray()));
      expect(events).toEqual([tok('a'), tok('b'), done()]);
    });
  });

  describe('through fromStream', () => {
    const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };

    it('should be a StreamFactory: fromStream adds start and keeps the script timing', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(fromStream(fakeModel('a---b-|'))).toBe('(sa)b-(c|)', { s: start, a: tok('a'), b: tok('b'), c: done() });
      });
    });

    it('should record the abort when the subscriber unsubscribes', () => {
      const model = fakeModel('a---b---c|');
      testScheduler().run(({ expectObservable }) => {
        expectObservable(fromStream(model), '^-----!').toBe('(sa)b', { s: start, a: tok('a'), b: tok('b') });
      });
      expect(model.callCount).toBe(1);
      expect(model.calls[0]?.aborted).toBe(true);
    });

    it('should leave the signal alone when the script completes', () => {
      const model = fakeModel('a---|');
      testScheduler().run(({ expectObservable }) => {
        expectObservable(fromStream(model)).toBe('(sa)(c|)', { s: start, a: tok('a'), c: done() });
      });
      expect(model.calls[0]?.aborted).toBe(false);
    });
  });

  describe('invalid scripts', () => {
    it.each([
      ['a+b|', /attempts\[0\] position 1: '\+' is not a fake model marble character/],
      ['a|b', /position 2: 'b' after the end/],
      ['(a', /position 0: unclosed group/],
      ['ab (c', /position 3: unclosed group/],
      ['(a 10ms b)', /position 3: a time progression \('10ms'\) inside a group/],
      ['a)', /position 1: '\)' without a matching '\('/],
      ['((a))', /groups cannot be nested/],
      ['(a-b)', /'-' inside a group/],
    ])('should throw a TypeError naming the position for marble %j', (marble, message) => {
      expect(() => fakeModel(['ok|', marble])).toThrow(TypeError);
      expect(() => fakeModel(marble)).toThrow(message);
    });

    it.each([
      ['caf\u00e9|', "fakeModel: attempts[0] position 3: '\u00e9' (U+00E9) is not a fake model marble character"],
      ['a-\u{1F600}-|', "fakeModel: attempts[0] position 2: '\u{1F600}' (U+1F600) is not a fake model marble character"],
      ['a|\u{1F600}', "fakeModel: attempts[0] position 2: '\u{1F600}' (U+1F600) after the end of the script"],
      ['a\u00a0b|', "fakeModel: attempts[0] position 1: '\u00a0' (U+00A0) is not a fake model marble character"],
    ])('should name a non-ASCII character whole, with its code point and position, in marble %j', (marble, message) => {
      expect(() => fakeModel(marble)).toThrow(TypeError);
      expect(() => fakeModel(marble)).toThrow(message);
    });

    it.each([
      [{ items: ['a', { foo: 1 }] }, /attempts\[0\] item 1: unknown item kind "foo"/],
      [{ items: [{ error: { status: 429 } }, 'a'] }, /item 1: nothing may follow the terminal item \{error\}/],
      [{ items: [''] }, /item 0: a token must be a non-empty string/],
      [{ items: [{ progress: { type: 'token', value: 'x' } }] }, /item 0: progress has an unknown key "type"/],
      [{ items: [{ progress: { percent: '50' } }] }, /item 0: progress.percent must be a finite number, got "50"/],
      [{ items: [{ progress: { step: 2 } }] }, /item 0: progress.step must be a string, got 2/],
      [{ items: [{ delay: -1 }] }, /item 0: delay must be a finite number/],
      [{ items: [{ error: { nope: true } }] }, /item 0: unknown error spec/],
      [{ items: [{ token: 'a', delay: 1 }] }, /item 0: an item has exactly one key/],
      [{ items: [], finishReason: 'done' }, /finishReason must be one of/],
      [{ nope: [] }, /a script must be a marble string or \{items/],
    ])('should throw a TypeError naming the item for %j', (script, message) => {
      expect(() => fakeModel(script as never)).toThrow(message);
    });

    it('should throw a TypeError for an empty attempt list and for bad options', () => {
      expect(() => fakeModel([])).toThrow(/at least one script/);
      expect(() => fakeModel('a|', { error: { status: 42 } })).toThrow(/options.error: status must be an HTTP status/);
      expect(() => fakeModel('a|', { scheduler: {} as never })).toThrow(/options.scheduler/);
      expect(() => fakeModel('a|', { values: { a: { delay: 3 } } })).toThrow(/cannot be a delay/);
    });

    it.each([
      [{ usage: 'x' }, /options.usage must be an object/],
      [{ usage: { outputTokens: -1 } }, /options.usage.outputTokens must be a whole number >= 0, got -1/],
      [{ usage: { tokens: 2 } }, /options.usage has an unknown key "tokens"/],
      [{ values: { ab: 'x', '-': 'y' } }, /options.values keys must be single letters or digits, got "ab", "-"/],
      [{ values: { z: { foo: 1 } } }, /options.values\["z"\]: unknown item kind "foo"/],
      [{ values: 'abc' }, /options.values must be a record or a Map/],
      [{ values: new Set(['a']) }, /options.values must be a record or a Map of marble characters to items, got a Set/],
      [{ values: ['x'] }, /options.values must be a record or a Map of marble characters to items, got an array/],
    ])('should throw a TypeError naming the bad option %j, even when the script does not use it', (options, message) => {
      expect(() => fakeModel('a|', options as never)).toThrow(TypeError);
      expect(() => fakeModel('a|', options as never)).toThrow(message);
    });

    it('should check a Map of options.values as a record: its keys, then its items', () => {
      const badKeys = new Map<unknown, string>([['ab', 'x'], [1, 'y']]);
      expect(() => fakeModel('a|', { values: badKeys as never })).toThrow(TypeError);
      expect(() => fakeModel('a|', { values: badKeys as never })).toThrow(/options.values keys must be single letters or digits, got "ab", 1 \(a number\)/);
      expect(() => fakeModel('a|', { values: new Map([['z', { foo: 1 } as never]]) })).toThrow(/options.values\["z"\]: unknown item kind "foo"/);
    });

    it('should throw a TypeError naming a bad usage in an object script', () => {
      expect(() => fakeModel({ items: ['a'], usage: 'x' as never })).toThrow(/attempts\[0\]: usage must be an object/);
    });
  });
});
