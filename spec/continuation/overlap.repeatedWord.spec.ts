/** @test {createOverlapMatcher} */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, of, toArray } from 'rxjs';
import { accumulate, deduplicateContinuation, type DeduplicateContinuationConfig } from 'l0-rx';
import { createOverlapMatcher, findOverlap, type OverlapOptions } from '../../src/continuation/overlap.js';
import { ev } from '../helpers/attemptSource.js';

const DEFAULTS: OverlapOptions = { minOverlap: 2, maxOverlap: 500, caseSensitive: true, wordBoundary: true };
const insensitive: OverlapOptions = { ...DEFAULTS, caseSensitive: false };

/** The content a consumer sees for an attempt resumed from `checkpoint` that streams `tokens`. */
async function resumed(checkpoint: string, tokens: readonly string[], config?: DeduplicateContinuationConfig) {
  const events = [ev.start(2), ev.resume(checkpoint), ...tokens.map(ev.tok), ev.complete()];
  return (await lastValueFrom(of(...events).pipe(deduplicateContinuation(config), accumulate(), toArray()))).at(-1)!.content;
}

// A continuation that really starts with the word the checkpoint ends with ("I had" + " had enough")
// sets it apart with whitespace; a model re-sending the checkpoint's tail writes it on from where the
// word starts in the checkpoint, glued to it ("I saw the" + "the dog": kept, it would read "thethe").
describe('createOverlapMatcher and a word the continuation really repeats', () => {
  it.each([
    ['I saw the', ' the dog ran'],
    ['She had', ' had enough'],
    ['He said that ', 'that was fine'],
    ['Line one\n', 'one more line'],
    ['I saw the', '\n\nthe dog ran'],
  ])('should not cut a lone word set apart by whitespace: %j + %j', (checkpoint, head) => {
    expect(findOverlap(checkpoint, head, DEFAULTS)).toBe(0);
  });

  it('should keep it through deduplicateContinuation, whatever the token boundaries', async () => {
    expect(await resumed('She had', [' had', ' enough'])).toBe('She had had enough');
    expect(await resumed('I saw the', [' ', 'th', 'e dog'])).toBe('I saw the the dog');
  });

  it('should still cut the lone word the model glues where the checkpoint had it', () => {
    expect(findOverlap('I saw the', 'the dog ran', DEFAULTS)).toBe(3);
    expect(findOverlap('Primary content here', 'here and more', DEFAULTS)).toBe(4);
  });

  it('should still cut two words or more, set apart or not', () => {
    expect(findOverlap('I saw the cat', ' the cat ran', DEFAULTS)).toBe(8);
    expect(findOverlap('She had had', ' had had enough', DEFAULTS)).toBe(8);
    expect(findOverlap('the end ', 'the end and more', DEFAULTS)).toBe(8);
  });

  it('should still cut a lone word with punctuation, and text that is not a word', () => {
    expect(findOverlap('Hello, world!', ' world! How', DEFAULTS)).toBe(7);
    expect(findOverlap('Wait..', ' .. and', DEFAULTS)).toBe(3);
  });

  it('should treat the blank lines after a thinking block as the block\'s, not as a space before the word', async () => {
    expect(await resumed('Hello world', ['<think>x</think>', '\n\nworld is great'])).toBe('Hello world<think>x</think> is great');
  });

  it('should decide as soon as the leading whitespace leaves only the lone word', () => {
    expect(createOverlapMatcher('had', DEFAULTS).push(' ')).toBe(0);
    expect(createOverlapMatcher('had ', DEFAULTS).push('h')).toBe(0);
  });
});

// Deseret (U+10400..U+1044F) and other astral scripts have case pairs made of surrogate pairs.
describe('createOverlapMatcher with caseSensitive: false and letters beyond the BMP', () => {
  it('should fold the case of a surrogate pair', () => {
    expect(findOverlap('Hello 𐐀𐐁', '𐐨𐐩 more', insensitive)).toBe(4);
    expect(findOverlap('Hello 𐐨𐐩', '𐐀𐐁 more', insensitive)).toBe(4);
    expect(findOverlap('Hello 𐐀𐐁', '𐐨𐐩 more', DEFAULTS)).toBe(0);
  });

  it('should fold it when a token ends between the two halves', async () => {
    expect(await resumed('x 𐐀𐐁', ['\uD801', '\uDC28\uD801', '\uDC29 y'], { caseSensitive: false })).toBe('x 𐐀𐐁 y');
  });

  it('should not take a different letter for the same one', () => {
    expect(findOverlap('Hello 𐐀𐐁', '𐐨𐐪 more', insensitive)).toBe(0);
  });
});

// A letter beyond the BMP (Adlam, Deseret, the mathematical 𝐛𝐨𝐥𝐝 a model writes for emphasis) is two
// UTF-16 units: read one unit at a time, none is a letter, so every position inside such a word was a
// word boundary, and a word written again after a space was no word at all.
describe('createOverlapMatcher and words of letters beyond the BMP', () => {
  it('should not cut a coincidence inside such a word', () => {
    expect(findOverlap('The c𝐚𝐭', '𝐭 home', DEFAULTS)).toBe(0);
    expect(findOverlap('Say 𐐨𐐯𐐻', '𐐯𐐻 more', DEFAULTS)).toBe(0);
    expect(findOverlap('Say 𐐨𐐯𐐻', '𐐯𐐻 more', { ...DEFAULTS, wordBoundary: false })).toBe(4);
  });

  it('should still cut the repeat that starts where the word starts', () => {
    expect(findOverlap('Say 𐐨𐐯𐐻', '𐐨𐐯𐐻 more', DEFAULTS)).toBe(6);
    expect(findOverlap('The 𝐜𝐚𝐭', '𝐜𝐚𝐭 sat', DEFAULTS)).toBe(6);
  });

  it('should keep such a lone word set apart by whitespace, as it keeps "She had" + " had enough"', async () => {
    expect(findOverlap('𞤀𞤣𞤤𞤢𞤥 𞤢𞤥𞤢', ' 𞤢𞤥𞤢 more', DEFAULTS)).toBe(0);
    expect(await resumed('She 𝐡𝐚𝐝', [' 𝐡𝐚', '𝐝 enough'])).toBe('She 𝐡𝐚𝐝 𝐡𝐚𝐝 enough');
  });
});
