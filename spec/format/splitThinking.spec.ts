/** @test {splitThinking} */
import { concat, EMPTY, from, lastValueFrom, NEVER, throwError, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { accumulate, l0, serializeError, splitThinking, type L0Event, type L0State, type SplitThinkingConfig } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const why = (value: string): L0Event => ({ type: 'reasoning', value });
const done: L0Event = { type: 'complete', finishReason: 'stop' };
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };

/** The text and reasoning that come out for these token chunks. */
function split(chunks: readonly string[], config?: SplitThinkingConfig) {
  const out: L0Event[] = [];
  from([...chunks.map(tok), done]).pipe(splitThinking(config)).subscribe((e) => out.push(e));
  const join = (type: string) => out.filter((e) => e.type === type).map((e) => (e as { value: string }).value).join('');
  return { text: join('token'), reasoning: join('reasoning'), last: out.at(-1) };
}

describe('splitThinking', () => {
  it('should move a thinking block to reasoning events (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-b-c-x|', { a: tok('<think>hm'), b: tok('</think>'), c: tok('Paris'), x: done });
      expectObservable(source.pipe(splitThinking())).toBe('-r---c-x|', { r: why('hm'), c: tok('Paris'), x: done });
    });
  });

  it.each([
    [['<think>a</think>b'], 'b', 'a'],
    [['<', 'thi', 'nk>', 'a', '</th', 'ink>', '\n\nb'], 'b', 'a'],
    [['x <THINKING>a</THINKING> y'], 'x y', 'a'],
    [['<thought>a</thought><reasoning>b</reasoning>c'], 'c', 'ab'],
    [['a < b and <b>bold</b>'], 'a < b and <b>bold</b>', ''],
    [['<thin'], '<thin', ''],
    [['<think>never closed'], '', 'never closed'],
    [['<think>a</thinking>b</think>c'], 'c', 'a</thinking>b'],
  ])('should split %j into text %j and reasoning %j', (chunks, text, reasoning) => {
    expect(split(chunks)).toMatchObject({ text, reasoning, last: done });
  });

  // every "<" that started no tag was an event of its own: "a < b" came out as three tokens, which accumulate,
  // measureRun and budget's estimate (at least 1 a delta) counted as three
  it('should keep a token whole when its "<" starts no tag, and hand on one event per run of text or thinking', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-b------x|', { a: tok('if (a < b && c <d) <b>x</b>'), b: tok('y<think>p < q</think>z'), x: done });
      expectObservable(source.pipe(splitThinking())).toBe('-a-(brz)--x|', {
        a: tok('if (a < b && c <d) <b>x</b>'), b: tok('y'), r: why('p < q'), z: tok('z'), x: done,
      });
    });
  });

  it('should start inside a block with startInside, for templates that open it', () => {
    expect(split(['plan', '</think>', 'answer'], { startInside: true })).toMatchObject({ text: 'answer', reasoning: 'plan' });
  });

  it('should start over on a new attempt', () => {
    const out: L0Event[] = [];
    from([start, tok('<think>a'), { type: 'retry', attempt: 1, delayMs: 0, error: { name: 'E', message: 'm', code: 'X' }, reason: 'unknown', countsTowardAttempts: true } as L0Event, start, tok('b'), done])
      .pipe(splitThinking()).subscribe((e) => out.push(e));
    expect(out.filter((e) => e.type === 'token')).toEqual([tok('b')]);
  });

  it('should throw a TypeError for a bad option', () => {
    expect(() => splitThinking({ startInside: 'yes' } as never)).toThrow(/startInside/);
    expect(() => splitThinking({ inside: true } as never)).toThrow(/did you mean `startInside`/);
  });

  describe('rxjs checklist', () => {
    it('should complete on empty and stay silent on never', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(EMPTY.pipe(splitThinking())).toBe('|');
        expectObservable(NEVER.pipe(splitThinking())).toBe('-');
      });
    });

    it('should pass errors through', () => {
      testScheduler().run(({ expectObservable }) => expectObservable(throwError(() => new Error('x')).pipe(splitThinking())).toBe('#', undefined, new Error('x')));
    });

    it('should flush held characters, as what they are in, before passing an error on', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const error = new Error('cut');
        expectObservable(cold('-a-#', { a: tok('x <') }, error).pipe(splitThinking())).toBe('-a-(b#)', { a: tok('x '), b: tok('<') }, error);
        expectObservable(cold('-a-#', { a: tok('<think>hm <') }, error).pipe(splitThinking())).toBe('-a-(b#)', { a: why('hm '), b: why('<') }, error);
      });
    });

    it('should unsubscribe from a never-ending source on early unsubscribe', () => {
      testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
        const source = hot('-a-b-', { a: tok('x'), b: tok('y') });
        expectObservable(source.pipe(splitThinking()), '^--!').toBe('-a-', { a: tok('x') });
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });
  });

  describe('continuation and the source\'s end', () => {
    const retry: L0Event = { type: 'retry', attempt: 1, delayMs: 0, error: serializeError(new Error('cut')), reason: 'unknown', countsTowardAttempts: true };
    const resumed = (checkpoint: string, ...tokens: string[]): L0Event[] => [
      start, tok(checkpoint.slice(0, 3)), retry, { ...start, attempt: 2, isRetry: true }, { type: 'resume', checkpoint }, ...tokens.map(tok), done,
    ];

    it('should flush held characters when a source without a complete event ends', async () => {
      const out = await lastValueFrom(from([start, tok('x <')]).pipe(splitThinking(), toArray()));
      expect(out.filter((e) => e.type === 'token').map((e) => (e as { value: string }).value).join('')).toBe('x <');
    });

    it('should keep held characters in the text of a failed run\'s last state (errorsAsState)', async () => {
      const failed = concat(from([start, tok('Is 1 <')]), throwError(() => new Error('cut')));
      const state = await lastValueFrom(failed.pipe(splitThinking(), accumulate({ errorsAsState: true })));
      expect([state.status, state.content]).toEqual(['error', 'Is 1 <']);
    });

    it('should pass a resume on with the checkpoint\'s visible part, then its thinking as reasoning', async () => {
      const out = await lastValueFrom(from(resumed('<think>ab</think>Hello', ' world')).pipe(splitThinking(), toArray()));
      const at = out.findIndex((e) => e.type === 'resume');
      expect(out.slice(at, at + 2)).toEqual([{ type: 'resume', checkpoint: 'Hello' }, why('ab')]);
      const state = await lastValueFrom(from(resumed('<think>ab</think>Hello', ' world')).pipe(splitThinking(), accumulate()));
      expect([state.content, state.reasoning]).toEqual(['Hello world', 'ab']);
    });

    it('should go on from a checkpoint that ends inside a thinking block or in a tag', async () => {
      const inside = await lastValueFrom(from(resumed('<think>ab', 'c</think>Answer')).pipe(splitThinking(), accumulate()));
      expect([inside.content, inside.reasoning]).toEqual(['Answer', 'abc']);
      const inTag = await lastValueFrom(from(resumed('Hi <thi', 'nk>x</think> there')).pipe(splitThinking(), accumulate()));
      expect([inTag.content, inTag.reasoning]).toEqual(['Hi there', 'x']);
    });

    it('should pass a resume without thinking on as it is', async () => {
      const events = resumed('plain text', '!');
      const out = await lastValueFrom(from(events).pipe(splitThinking(), toArray()));
      expect(out.find((e) => e.type === 'resume')).toBe(events[4]);
    });

    it('should not leak thinking into the text of an l0 run with continuation (the README placement)', () => {
      let state: L0State | undefined;
      testScheduler().run(() => {
        l0({
          stream: fakeModel([{ items: ['<think>plan</think>', 'Hello', ' there', { error: { status: 503 } }] }, { items: [' world'] }]),
          retry: { backoff: 'fixed', baseDelay: 1, maxRetries: 1 },
          continueFromLastKnownGoodToken: true,
          checkpointInterval: 1,
        }).pipe(splitThinking(), accumulate()).subscribe((s) => (state = s));
      });
      expect(state!.content).toBe('Hello there world');
      expect(state!.reasoning).toBe('plan');
    });
  });

  it('should keep the whitespace after a block when the text before it ends in a word', async () => {
    const events: L0Event[] = [{ type: 'token', value: 'Hello world<think>x</think>' }, { type: 'token', value: ' and more' }];
    const out = await lastValueFrom(from(events).pipe(splitThinking(), toArray()));
    expect(out.flatMap((e) => (e.type === 'token' ? [e.value] : [])).join('')).toBe('Hello world and more');
  });
});
