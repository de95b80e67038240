/** @test {splitThinking} */
/* Where the chunks of a streamed answer end never changes what splitThinking makes of it. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { from } from 'rxjs';
import { splitThinking, stripThinking, THINKING_TAGS, type L0Event } from 'l0-rx';
import { runs } from '../helpers/propertyRuns.js';

const tok = (value: string): L0Event => ({ type: 'token', value });

/** The text and the reasoning that come out for these token chunks. */
function split(chunks: readonly string[], startInside = false) {
  const out: L0Event[] = [];
  from([...chunks.map(tok), { type: 'complete', finishReason: 'stop' } as L0Event]).pipe(splitThinking({ startInside })).subscribe((e) => out.push(e));
  const join = (type: string) => out.flatMap((e) => (e.type === type ? [(e as { value: string }).value] : [])).join('');
  return { text: join('token'), reasoning: join('reasoning') };
}

/** Answers made of tags (any case), tag prefixes, `<` that starts none, whitespace with CRLF, words and an emoji. */
const piece = fc.constantFrom(
  '<think>', '</think>', '<THINKING>', '</thinking>', '<Thought>', '</thought>', '<reasoning>', '</REASONING>',
  '<', '>', '/', '</', '<thin', 'k>', '<<think>', '<b>', ' ', '  ', '\n', '\r\n', '\t', 'a', 'word', '😀',
);
const answer = fc.array(piece, { maxLength: 30 }).map((p) => p.join(''));
/** The text cut at any positions, inside a tag or a surrogate pair included. */
const chunked = answer.chain((text) => fc.tuple(
  fc.constant(text),
  fc.uniqueArray(fc.integer({ min: 0, max: text.length }), { maxLength: 12 }).map((cuts) => {
    const at = [0, ...cuts.sort((a, b) => a - b), text.length];
    return at.slice(1).map((end, i) => text.slice(at[i], end));
  }),
));

const firstIndex = (text: string, tags: readonly string[]) => Math.min(...tags.map((t) => text.indexOf(t)).filter((i) => i >= 0), Infinity);

describe('splitThinking (properties)', () => {
  it('should make the same text and reasoning whatever positions the chunks end at', () => {
    fc.assert(fc.property(chunked, fc.boolean(), ([text, chunks], startInside) => {
      expect(split(chunks, startInside)).toEqual(split([text], startInside));
    }), { numRuns: runs(500) });
  });

  it('should leave the text stripThinking leaves, for an answer with no closing tag before its first opening one', () => {
    fc.assert(fc.property(chunked, ([text, chunks]) => {
      const lower = text.toLowerCase();
      fc.pre(!(firstIndex(lower, THINKING_TAGS.map((t) => `</${t}>`)) < firstIndex(lower, THINKING_TAGS.map((t) => `<${t}>`))));
      expect(split(chunks).text).toBe(stripThinking(text));
    }), { numRuns: runs(500) });
  });
});
