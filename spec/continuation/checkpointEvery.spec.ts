/** @test {checkpointEvery} */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, Observable, of, toArray, type MonoTypeOperatorFunction } from 'rxjs';
import { checkpointEvery, serializeError, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { ev } from '../helpers/attemptSource.js';
import { nextWithUncheckedTail } from '../../src/attempt/uncheckedTail.js';

const { start, tok, resume, checkpoint, complete } = ev;
const run = (events: L0Event[], interval: number) => lastValueFrom(of(...events).pipe(checkpointEvery(interval), toArray()));
const checkpoints = (events: L0Event[]) => events.filter((e) => e.type === 'checkpoint');

describe('checkpointEvery', () => {
  it('should checkpoint at token counts 5, 10 and 15 of 15 tokens with interval 5 (L0 C1)', async () => {
    const tokens = Array.from({ length: 15 }, (_, i) => tok(`t${i}`));
    const out = await run([start(), ...tokens, complete()], 5);
    const text = (n: number) => tokens.slice(0, n).map((t) => (t as { value: string }).value).join('');
    expect(checkpoints(out)).toEqual([checkpoint(text(5), 5), checkpoint(text(10), 10), checkpoint(text(15), 15)]);
    expect(out.at(-1)).toEqual(complete());
  });

  it('should emit the checkpoint right after the interval-th token', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-s-a-b---c-d---x|', { s: start(), a: tok('a'), b: tok('b'), c: tok('c'), d: tok('d'), x: complete() });
      expectObservable(source.pipe(checkpointEvery(2))).toBe('-s-a-(bk)c-(dl)x|', {
        s: start(), a: tok('a'), b: tok('b'), c: tok('c'), d: tok('d'), x: complete(),
        k: checkpoint('ab', 2), l: checkpoint('abcd', 4),
      });
      expectSubscriptions(source.subscriptions).toBe('^---------------!');
    });
  });

  it('should count each attempt from zero after start, retry and fallback', async () => {
    const err = serializeError(new Error('boom'));
    const out = await run([
      start(), tok('a'), retry(err), start(2), tok('b'), tok('c'),
      { type: 'fallback', fromIndex: 0, toIndex: 1, error: err }, start(1, 1), tok('d'), tok('e'),
    ], 2);
    expect(checkpoints(out)).toEqual([checkpoint('bc', 2), checkpoint('de', 2)]);
  });

  it('should start a resumed attempt from the checkpoint without counting it', async () => {
    const out = await run([start(2), resume('ABCDE'), tok('F'), tok('G')], 2);
    expect(checkpoints(out)).toEqual([checkpoint('ABCDEFG', 2)]);
  });

  describe('after a tool call or data (a resumed model gets only the checkpoint\'s text, and the retry retracts the call)', () => {
    const call: L0Event = { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' };
    const data: L0Event = { type: 'data', payload: { contentType: 'image', url: 'https://example.com/a.png' } };

    it('should emit no checkpoint after a tool call of the attempt (its last one, before the call, stays the resume point)', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const values = { s: start(), a: tok('a'), b: tok('b'), T: call, c: tok('c'), d: tok('d'), x: complete() };
        expectObservable(cold('-s-a-b---T-c-d-x|', values).pipe(checkpointEvery(2))).toBe('-s-a-(bk)T-c-d-x|', { ...values, k: checkpoint('ab', 2) });
      });
    });

    it.each([['a tool call', call], ['data', data]])('should make no checkpoint at all in an attempt that begins with %s', async (_, first) => {
      const out = await run([start(), first, tok('a'), tok('b'), tok('c'), tok('d'), complete()], 1);
      expect(checkpoints(out)).toEqual([]);
    });

    it('should checkpoint again in the next attempt, after a retry, a fallback or a resume', async () => {
      const err = serializeError(new Error('boom'));
      const out = await run([
        start(), tok('a'), data, tok('b'), retry(err), start(2), tok('c'), call, tok('d'),
        { type: 'fallback', fromIndex: 0, toIndex: 1, error: err }, start(1, 1), resume('xy'), tok('e'), call, tok('f'),
        resume('xye'), tok('g'),
      ], 1);
      expect(checkpoints(out)).toEqual([checkpoint('a', 1), checkpoint('c', 1), checkpoint('xye', 1), checkpoint('xyeg', 1)]);
    });

    it('should emit no narrowed checkpoint after a tool call either, not even of text the checks passed before it', async () => {
      // a check that leaves each token's last 2 characters unjudged: a checkpoint is the text at the token before
      const lastTwoUnchecked: MonoTypeOperatorFunction<L0Event> = (source) => new Observable<L0Event>((out) =>
        source.subscribe({ next: (e) => (e.type === 'token' ? nextWithUncheckedTail(out, e, 2) : out.next(e)), complete: () => out.complete() }));
      const events = [start(), tok('ab'), tok('cd'), call, tok('ef'), tok('gh'), complete()];
      const out = await lastValueFrom(of(...events).pipe(lastTwoUnchecked, checkpointEvery(1), toArray()));
      expect(checkpoints(out)).toEqual([checkpoint('ab', 1)]); // 'abcd' came a token after the call
    });
  });

  it('should emit no checkpoint before the interval is reached (L0 C3)', async () => {
    const out = await run([start(), tok('a'), tok('b'), complete()], 10);
    expect(checkpoints(out)).toEqual([]);
  });

  it('should pass every other event through untouched', async () => {
    const events: L0Event[] = [start(), { type: 'reasoning', value: 'hm' }, { type: 'progress', percent: 50 }, complete()];
    expect(await run(events, 1)).toEqual(events);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('should throw a TypeError naming the interval for %s', (n) => {
    expect(() => checkpointEvery(n)).toThrow(TypeError);
    expect(() => checkpointEvery(n)).toThrow(/checkpointInterval/);
  });

  it.each([
    ['3', 'got "3"'],
    [{ every: 3 }, 'got an object'],
    [[3], 'got an array'],
  ])('should say what it got, as the other options do, for %j (String() showed "3" and [3] as 3, an object as [object Object])', (n, got) => {
    expect(() => checkpointEvery(n as never)).toThrow(`checkpointEvery: \`interval\` (l0's \`checkpointInterval\`) must be a positive integer, ${got}`);
  });

  describe('rxjs checklist', () => {
    it('should never emit for a never source', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold<L0Event>('-');
        expectObservable(source.pipe(checkpointEvery(1))).toBe('-');
        expectSubscriptions(source.subscriptions).toBe('^');
      });
    });

    it('should complete for an empty source', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<L0Event>('|').pipe(checkpointEvery(1))).toBe('|');
      });
    });

    it('should pass a single value', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-s|', { s: start() }).pipe(checkpointEvery(1))).toBe('-s|', { s: start() });
      });
    });

    it('should pass errors through', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const err = new Error('boom');
        expectObservable(cold('-a----#', { a: tok('a') }, err).pipe(checkpointEvery(1))).toBe(
          '-(ak)-#', { a: tok('a'), k: checkpoint('a', 1) }, err,
        );
      });
    });

    it('should unsubscribe a never-ending source when unsubscribed early', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-a-a-a-', { a: tok('a') });
        expectObservable(source.pipe(checkpointEvery(3)), '^----!').toBe('-a-a-', { a: tok('a') });
        expectSubscriptions(source.subscriptions).toBe('^----!');
      });
    });
  });
});

function retry(error: ReturnType<typeof serializeError>): L0Event {
  return { type: 'retry', attempt: 1, delayMs: 0, error, reason: 'unknown', countsTowardAttempts: true };
}
