/** @test {deduplicateContinuation} */
import { describe, expect, it } from 'vitest';
import { identity, lastValueFrom, of, toArray, type Observable } from 'rxjs';
import { accumulate, deduplicateContinuation, serializeError, type DeduplicateContinuationConfig, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { ev } from '../helpers/attemptSource.js';

const { start, tok, resume, complete } = ev;
const collect = (o: Observable<L0Event>) => lastValueFrom(o.pipe(toArray()));
const dedupe = (events: L0Event[], config?: DeduplicateContinuationConfig) =>
  collect(of(...events).pipe(deduplicateContinuation(config)));
/** The final content a consumer sees for a resumed attempt, through accumulate(). */
const content = async (checkpoint: string, tokens: readonly string[], config?: DeduplicateContinuationConfig) => {
  const events = [start(2), resume(checkpoint), ...tokens.map(tok), complete()];
  const states = await lastValueFrom(of(...events).pipe(deduplicateContinuation(config), accumulate(), toArray()));
  return states.at(-1)!.content;
};

describe('deduplicateContinuation', () => {
  describe('L0 scenario C4 (through accumulate)', () => {
    it.each([
      ['Hello world', ['world', ' is great'], {}, 'Hello world is great'],
      ['Hello world', ['world'], {}, 'Hello world'],
      ['abc', ['cd'], { minOverlap: 2 }, 'abccd'],
      ['Hello World', ['world is nice'], { caseSensitive: false }, 'Hello World is nice'],
      ['Hello world', ['world', ' test'], { enabled: false }, 'Hello worldworld test'],
      ['Hello beautiful world', [...'world is nice'], {}, 'Hello beautiful world is nice'],
    ] as const)('should resume %j with %j (%j) as %j', async (checkpoint, tokens, config, expected) => {
      expect(await content(checkpoint, tokens, config)).toBe(expected);
    });
  });

  // whitespace runs match each other, so one character and a line break would match a head that
  // merely starts with that character: a coincidence, not a repetition (minOverlap counts the rest)
  it.each([
    ['a markdown table resumed at a row', '| a | b |\n', ['| c | d |\n'], '| a | b |\n| c | d |\n'],
    ['a quotation resumed at its closing mark', 'He said "\n', ['" and left'], 'He said "\n" and left'],
    ['a CR after a character', 'x<\r', ['\n<\na'], 'x<\r\n<\na'],
  ] as const)('should keep a head that shares only one character and whitespace with the checkpoint: %s', async (_name, checkpoint, tokens, expected) => {
    expect(await content(checkpoint, tokens)).toBe(expected);
  });

  it('should still remove two characters and whitespace ("|x\n" + "|x | y")', async () => {
    expect(await content('| a |x\n', ['|x | y'])).toBe('| a |x\n| y');
  });

  it('should hold the head back until the overlap is decided, then release the rest', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const values = { s: start(2), r: resume('Hello world'), a: tok('world'), b: tok(' is'), c: tok(' great'), x: complete() };
      const source = cold('-s-r-a-b-c-x-|', values);
      expectObservable(source.pipe(deduplicateContinuation())).toBe('-s-r---b-c-x-|', values);
      expectSubscriptions(source.subscriptions).toBe('^------------!');
    });
  });

  it('should keep token boundaries, shortening the token the overlap ends in', async () => {
    const out = await dedupe([start(2), resume('Hello world'), tok('wor'), tok('ld is'), tok(' nice')]);
    expect(out.slice(2)).toEqual([tok(' is'), tok(' nice')]);
  });

  it('should release the head unchanged when nothing overlaps', async () => {
    const out = await dedupe([start(2), resume('Hello world'), tok('Goodbye'), tok(' now'), complete()]);
    expect(out).toEqual([start(2), resume('Hello world'), tok('Goodbye'), tok(' now'), complete()]);
  });

  it('should decide at `complete` with what was seen and release before it', async () => {
    const out = await dedupe([start(2), resume('Hello world'), tok('w'), complete()]); // one character: a coincidence (minOverlap)
    expect(out.slice(2)).toEqual([tok('w'), complete()]);
  });

  it('should drop a head the attempt ends with while it still repeats the checkpoint (it added nothing)', async () => {
    const length: L0Event = { type: 'complete', finishReason: 'length' }; // the token limit cut the repeat
    expect((await dedupe([start(2), resume('Hello world'), tok('Hel'), tok('lo wor'), length])).slice(2)).toEqual([length]);
    const filtered: L0Event = { type: 'complete', finishReason: 'content-filter' };
    expect((await dedupe([start(2), resume('Hello world'), tok('wor'), filtered])).slice(2)).toEqual([filtered]);
  });

  it('should drop a cut head that only begins like a phrase of the checkpoint too: a repeat is all it can tell (README)', async () => {
    const filtered: L0Event = { type: 'complete', finishReason: 'content-filter' };
    const head = [start(2), resume('Step 1: mix the flour. Step 2: add'), tok(' the'), tok(' flour')];
    expect((await dedupe([...head, filtered])).slice(2)).toEqual([filtered]);
    expect((await dedupe([...head, complete()])).slice(2)).toEqual([tok(' the'), tok(' flour'), complete()]); // its own end: kept
  });

  it('should keep a head still repeating the checkpoint when the model ended it itself (stop) or the source just completed', async () => {
    // "Repeat after me: hello world, hello" + " world" is the model finishing the phrase, not a cut repeat
    expect(await content('Repeat after me: hello world, hello', [' world'])).toBe('Repeat after me: hello world, hello world');
    expect(await content('Hello world', ['wor'])).toBe('Hello worldwor');
  });

  it('should release before any other content event', async () => {
    const call: L0Event = { type: 'tool-call', id: 'c1', name: 'f', arguments: '{}' };
    const out = await dedupe([start(2), resume('Hello world'), tok('world'), tok(' ok'), call]);
    expect(out.slice(2)).toEqual([tok(' ok'), call]);
    const out2 = await dedupe([start(2), resume('Hello world'), tok('wo'), call, tok('rld')]);
    expect(out2.slice(2)).toEqual([tok('wo'), call, tok('rld')]);
  });

  it('should release when the source completes without a complete event', async () => {
    expect((await dedupe([start(2), resume('Hello world'), tok('w')])).slice(2)).toEqual([tok('w')]);
    expect((await dedupe([start(2), resume('Hello world'), tok('wor')])).slice(2)).toEqual([tok('wor')]); // no finish reason says it was cut
  });

  it('should drop held tokens on retry, start and fallback (the attempt is retracted)', async () => {
    const error = serializeError(new Error('boom'));
    const retry: L0Event = { type: 'retry', attempt: 2, delayMs: 0, error, reason: 'unknown', countsTowardAttempts: true };
    const out = await dedupe([start(2), resume('Hello world'), tok('wor'), retry, start(3), tok('world')]);
    expect(out).toEqual([start(2), resume('Hello world'), retry, start(3), tok('world')]);
  });

  it('should arm only after a resume and leave other attempts untouched', async () => {
    const events = [start(), tok('world'), tok(' world'), complete()];
    const out = await dedupe(events);
    expect(out).toEqual(events);
    expect(out[1]).toBe(events[1]);
  });

  it('should hold back at most maxOverlap characters', async () => {
    const cp = 'a'.repeat(100);
    const out = await dedupe([start(2), resume(cp), ...Array.from({ length: 8 }, () => tok('a'))], {
      maxOverlap: 5, wordBoundary: false,
    });
    expect(out.slice(2)).toEqual([tok('a'), tok('a'), tok('a')]);
  });

  it('should be the identity when disabled', () => {
    expect(deduplicateContinuation({ enabled: false })).toBe(identity);
  });

  it.each([
    [{ minOverlap: 0 }, /minOverlap/],
    [{ minOverlap: 1.5 }, /minOverlap/],
    [{ maxOverlap: 1 }, /maxOverlap/],
    [{ minOverlap: 3, maxOverlap: 2 }, /maxOverlap/],
  ])('should throw a TypeError naming the option for %j', (config, name) => {
    expect(() => deduplicateContinuation(config)).toThrow(TypeError);
    expect(() => deduplicateContinuation(config)).toThrow(name);
  });

  it('should reject a misspelled option and suggest the closest one', () => {
    expect(() => deduplicateContinuation({ caseSensitve: false } as never)).toThrow(
      new TypeError('deduplicateContinuation(config): unknown option `caseSensitve` (did you mean `caseSensitive`?)'),
    );
  });

  it.each([
    [{ enabled: 'no' }, 'deduplicateContinuation({enabled}) must be a boolean, got "no"'],
    [{ wordBoundary: 1 }, 'deduplicateContinuation({wordBoundary}) must be a boolean, got 1'],
    [{ minOverlap: '3' }, 'deduplicateContinuation({minOverlap}) must be a positive integer, got "3"'],
    [null, 'deduplicateContinuation(config) must be an object, got null'],
  ])('should throw a TypeError naming the option for a wrong type %j', (config, message) => {
    expect(() => deduplicateContinuation(config as never)).toThrow(new TypeError(message));
  });

  describe('rxjs checklist', () => {
    it('should never emit for a never source', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold<L0Event>('-');
        expectObservable(source.pipe(deduplicateContinuation())).toBe('-');
        expectSubscriptions(source.subscriptions).toBe('^');
      });
    });

    it('should complete for an empty source', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<L0Event>('|').pipe(deduplicateContinuation())).toBe('|');
      });
    });

    it('should pass a single value', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a|', { a: tok('a') }).pipe(deduplicateContinuation())).toBe('-a|', { a: tok('a') });
      });
    });

    it('should discard held tokens and pass the error on', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const err = new Error('boom');
        const values = { r: resume('Hello world'), a: tok('wor') };
        expectObservable(cold('-r-a-#', values, err).pipe(deduplicateContinuation())).toBe('-r---#', values, err);
      });
    });

    it('should unsubscribe a never-ending source when unsubscribed early, dropping held tokens', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const values = { r: resume('Hello world'), a: tok('wor') };
        const source = cold('-r-a-----', values);
        expectObservable(source.pipe(deduplicateContinuation()), '^-----!').toBe('-r----', values);
        expectSubscriptions(source.subscriptions).toBe('^-----!');
      });
    });
  });
});
