/** @test {createOverlapMatcher} */
import { describe, expect, it } from 'vitest';
import { createOverlapMatcher, findOverlap, type OverlapOptions } from '../../src/continuation/overlap.js';

const DEFAULTS: OverlapOptions = { minOverlap: 2, maxOverlap: 500, caseSensitive: true, wordBoundary: true };
const opts = (o: Partial<OverlapOptions> = {}): OverlapOptions => ({ ...DEFAULTS, ...o });

/** Feeds `tokens` one by one, as deduplicateContinuation does, and returns checkpoint + released text. */
function resumeWith(checkpoint: string, tokens: string[], o: Partial<OverlapOptions> = {}): string {
  const matcher = createOverlapMatcher(checkpoint, opts(o));
  let head = '';
  let out = '';
  let decided: number | undefined;
  for (const t of tokens) {
    if (decided !== undefined) {
      out += t;
      continue;
    }
    head += t;
    decided = matcher.push(t);
    if (decided !== undefined) out += head.slice(decided);
  }
  if (decided === undefined) out += head.slice(matcher.finish());
  return checkpoint + out;
}

describe('createOverlapMatcher', () => {
  describe('L0 scenario C4 (de-duplication table)', () => {
    it.each([
      ['Hello world', ['world', ' is great'], {}, 'Hello world is great'],
      ['Hello world', ['world'], {}, 'Hello world'],
      ['abc', ['cd'], { minOverlap: 2 }, 'abccd'],
      ['Hello World', ['world is nice'], { caseSensitive: false }, 'Hello World is nice'],
      ['Hello beautiful world', [...'world is nice'], {}, 'Hello beautiful world is nice'],
      ['The quick brown fox', ['brown fox', ' jumps over'], {}, 'The quick brown fox jumps over'],
    ] as const)('should resume %j with %j (%j) as %j', (checkpoint, tokens, o, expected) => {
      expect(resumeWith(checkpoint, [...tokens], o)).toBe(expected);
    });
  });

  it('should keep the head whole when nothing overlaps', () => {
    expect(resumeWith('Hello world', ['Goodbye', ' universe'])).toBe('Hello worldGoodbye universe');
  });

  it('should be case-sensitive by default', () => {
    expect(findOverlap('Hello World', 'world is great', DEFAULTS)).toBe(0);
  });

  it('should find the longest overlap, not the first one confirmed', () => {
    // "the" (3) is confirmed after 3 characters, but "the cat and the" (15) is still possible then.
    expect(resumeWith('I saw the cat and the', ['the', ' cat', ' and', ' the', ' dog'])).toBe('I saw the cat and the dog');
  });

  it('should decide as soon as no longer overlap is possible', () => {
    const matcher = createOverlapMatcher('Hello world', DEFAULTS);
    expect(matcher.push('wor')).toBeUndefined();
    expect(matcher.push('ld')).toBe(5);
    expect(matcher.push(' more')).toBe(5);
  });

  it('should decide 0 at the first character that matches no candidate', () => {
    expect(createOverlapMatcher('Hello world', DEFAULTS).push('X')).toBe(0);
  });

  it('should decide with what was seen when the head ends early', () => {
    const matcher = createOverlapMatcher('Hello world', DEFAULTS);
    expect(matcher.push('wor')).toBeUndefined();
    expect(matcher.finish()).toBe(0);
    expect(resumeWith('Hello world', ['wor'])).toBe('Hello worldwor');
  });

  it('should take the whole head as overlap when the attempt ends while it still repeats the checkpoint (finish(true))', () => {
    const matcher = createOverlapMatcher('Hello world', DEFAULTS);
    expect(matcher.push('wor')).toBeUndefined();
    expect(matcher.finish(true)).toBe(3); // cut by the token limit mid-repeat: it added nothing ("Hello worldwor" before)
    const spaced = createOverlapMatcher('He said hello world', DEFAULTS);
    expect(spaced.push(' hello')).toBeUndefined();
    expect(spaced.finish(true)).toBe(6);
  });

  it.each([
    ['one character, a coincidence (minOverlap)', 'Hello world', 'w'],
    ['whitespace only', 'Hello world', '  '],
    ['a lone word set apart, which may be said again ("She had" + " ha")', 'She had', ' ha'],
  ])('should keep a head the attempt ends with that is %s', (_name, checkpoint, head) => {
    const matcher = createOverlapMatcher(checkpoint, DEFAULTS);
    expect(matcher.push(head) ?? matcher.finish(true)).toBe(0);
  });

  describe('word boundaries', () => {
    it('should not cut a coincidence inside a word', () => {
      expect(findOverlap('The cat', 'at home', DEFAULTS)).toBe(0);
    });

    it("should cut it with wordBoundary: false (L0's character rule)", () => {
      expect(findOverlap('The cat', 'at home', opts({ wordBoundary: false }))).toBe(2);
      expect(findOverlap('abc', 'cd', opts({ minOverlap: 1, wordBoundary: false }))).toBe(1);
    });

    it('should match an overlap that starts with punctuation or after it', () => {
      expect(findOverlap('Hello, world!', 'world! How are you?', DEFAULTS)).toBe(6);
      expect(findOverlap('{\n  "name": "John",\n  "age": 30', '"age": 30,\n  "city": "NYC"\n}', DEFAULTS)).toBe(9);
    });

    it('should treat every character of an unspaced script as a boundary', () => {
      expect(findOverlap('我喜欢世界', '世界很大', DEFAULTS)).toBe(2);
      expect(findOverlap('Hello 世界', '世界 is beautiful', DEFAULTS)).toBe(2);
    });

    it('should match emoji and newlines', () => {
      expect(findOverlap('Hello 👋🌍', '👋🌍 world', DEFAULTS)).toBe(4);
      expect(findOverlap('Line 1\nLine 2', 'Line 2\nLine 3', DEFAULTS)).toBe(6);
    });
  });

  describe('limits', () => {
    it('should ignore overlaps shorter than minOverlap', () => {
      expect(findOverlap('abcdef', 'efgh', opts({ minOverlap: 3, wordBoundary: false }))).toBe(0);
      expect(findOverlap('a b', 'b c', DEFAULTS)).toBe(0);
      expect(findOverlap('a b', 'b c', opts({ minOverlap: 1 }))).toBe(1);
    });

    it('should only search the last maxOverlap characters of the checkpoint', () => {
      const a = 'a'.repeat(100);
      expect(findOverlap(a, `${a} more`, opts({ maxOverlap: 50, wordBoundary: false }))).toBe(50);
      expect(findOverlap('x'.repeat(10_000) + ' MARKER', 'MARKER' + 'y'.repeat(10_000), DEFAULTS)).toBe(6);
    });

    it('should decide within maxOverlap characters of head', () => {
      const matcher = createOverlapMatcher('a'.repeat(100), opts({ maxOverlap: 5, wordBoundary: false }));
      expect(matcher.push('aaaa')).toBeUndefined();
      expect(matcher.push('a')).toBe(5);
    });

    it('should handle empty inputs', () => {
      expect(findOverlap('', 'Hello', DEFAULTS)).toBe(0);
      expect(findOverlap('Hello', '', DEFAULTS)).toBe(0);
    });

    it('should match the whole head when it is entirely overlap', () => {
      expect(findOverlap('Hello world test', 'test', DEFAULTS)).toBe(4);
    });
  });

  it('should match realistic continuations (L0 overlap suite)', () => {
    const cp = 'I decided to go for a walk in the park';
    expect(findOverlap(cp, 'in the park and enjoy the scenery.', DEFAULTS)).toBe('in the park'.length);
    expect(findOverlap('function hello() {\n  console.log("Hello', 'console.log("Hello, World!");\n}', DEFAULTS)).toBe(18);
    expect(findOverlap('The main topics include', 'topics include:\n\n1. ML', DEFAULTS)).toBe(14);
    expect(findOverlap('The QUICK Brown', 'brown FOX jumps', opts({ caseSensitive: false }))).toBe(5);
  });
});
