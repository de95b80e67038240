/** @test {deduplicateContinuation} */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, of, Subject, toArray } from 'rxjs';
import { accumulate, deduplicateContinuation, type DeduplicateContinuationConfig, type L0Event } from 'l0-rx';
import { ev } from '../helpers/attemptSource.js';

const { start, tok, resume, complete } = ev;
/** The final content a consumer sees for a resumed attempt, through accumulate(). */
const content = async (checkpoint: string, tokens: readonly string[], config?: DeduplicateContinuationConfig) => {
  const events: L0Event[] = [start(2), resume(checkpoint), ...tokens.map(tok), complete()];
  const states = await lastValueFrom(of(...events).pipe(deduplicateContinuation(config), accumulate(), toArray()));
  return states.at(-1)!.content;
};

// A model re-emitting the checkpoint's tail often changes its whitespace (a newline becomes a
// space, two spaces one): the repeated words are still the overlap, and a whitespace run matches
// any whitespace run. Whitespace is never invented inside a word, and the checkpoint is kept as it was.
// (A lone word set apart by whitespace is not cut: see overlap.repeatedWord.spec.ts; these repeat two.)
describe('deduplicateContinuation with heads that differ from the checkpoint only in whitespace', () => {
  it.each([
    ['a newline re-emitted as a space', 'Line one.\nLine two', ['Line one. Line', ' two and three'], 'Line one.\nLine two and three'],
    ['two spaces re-emitted as one', 'The quick  brown fox', ['quick brown', ' fox jumps'], 'The quick  brown fox jumps'],
    ['a trailing newline re-emitted as a space', 'Say hello world\n', ['hello world is', ' great'], 'Say hello world\nis great'],
    ['a leading blank line before the repeated words', 'Hello world', ['\n\nHello world', ' is great'], 'Hello world is great'],
    ['whitespace runs split across tokens', 'one two\n\nthree', ['two', ' ', ' three', ' four'], 'one two\n\nthree four'],
    ['a trailing space re-emitted as a newline and a space', 'Hello world ', ['Hello world\n is'], 'Hello world is'],
  ] as const)('should remove the overlap when %s', async (_name, checkpoint, tokens, expected) => {
    expect(await content(checkpoint, tokens)).toBe(expected);
  });

  // the checkpoint cut inside a whitespace run: a head that repeats the run exactly and goes on
  // with more whitespace wrote that whitespace (the same text, only cut at another token)
  it.each([
    ['a CRLF cut between its CR and LF', 'Line one.\r', ['Line one.\r', '\nLine two'], 'Line one.\r\nLine two'],
    ['a paragraph break cut after its first newline', 'Para one.\n', ['Para one.\n\n', 'Para two'], 'Para one.\n\nPara two'],
    ['two spaces cut after the first', 'Hello world ', ['Hello world  is'], 'Hello world  is'],
    ['a run longer than the checkpoint\'s, cut in a token', 'Hello world\n', ['Hello wor', 'ld\n', '\n\n', 'is'], 'Hello world\n\n\nis'],
  ] as const)('should keep the whitespace that goes on after the checkpoint\'s own run: %s', async (_name, checkpoint, tokens, expected) => {
    expect(await content(checkpoint, tokens)).toBe(expected);
  });

  it('should not match whitespace the checkpoint does not have inside a word', async () => {
    expect(await content('Hello world', ['wor ld', ' again'])).toBe('Hello worldwor ld again');
  });

  it('should still compare letters case-sensitively by default', async () => {
    expect(await content('Hello world\n', ['Hello World is'])).toBe('Hello world\nHello World is');
    expect(await content('Hello world\n', ['Hello World is'], { caseSensitive: false })).toBe('Hello world\nis');
  });

  describe('bounded holding', () => {
    /** Pushes the events one by one; returns how many tokens came out. */
    const released = (checkpoint: string, tokens: readonly string[]) => {
      const source = new Subject<L0Event>();
      let count = 0;
      source.pipe(deduplicateContinuation({ maxOverlap: 10 })).subscribe((e) => (count += e.type === 'token' ? 1 : 0));
      source.next(start(2));
      source.next(resume(checkpoint));
      tokens.forEach((t) => source.next(tok(t)));
      return count;
    };

    it('should not hold back a head that goes on with whitespace after an overlap ending in whitespace', () => {
      expect(released('Hello world ', ['world', ...Array<string>(50).fill(' ')])).toBeGreaterThan(0);
    });

    it('should not hold back a head of whitespace only (it could still lead to a thinking block)', () => {
      expect(released('Hello world', Array<string>(50).fill('\n'))).toBeGreaterThan(0);
    });
  });
});
