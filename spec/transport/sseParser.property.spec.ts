/**
 * @test {fromServerSentEvents} its event stream parser against `eventsource-parser` (the parser it replaced, the
 * AI SDK's): any text of SSE lines, cut into any chunks, gives the same blocks with data, id by id.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sseParser } from '../../src/transport/sseConnection.js';
import { runs } from '../helpers/propertyRuns.js';

const value = fc.string({ unit: fc.constantFrom('a', ' ', ':', '\0', '\u00e9', '\ud83d\ude00'), maxLength: 4 });
const line = fc.oneof(
  value.map((v) => `data: ${v}`), value.map((v) => `data:${v}`), fc.constant('data'), fc.constant('data:'),
  value.map((v) => `id: ${v}`), value.map((v) => `id:${v}`), fc.constant('id'),
  value.map((v) => `event: ${v}`), fc.constant('event:'), value.map((v) => `: ${v}`), fc.constant('retry: 10'), value.map((v) => `x${v}`),
  fc.constant(''), fc.constant(''),
);
const text = fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n', '\r')), { maxLength: 30 }).map((ls) => ls.map(([l, eol]) => l + eol).join(''));

/** `text` fed in pieces of the given sizes (a CR LF may fall between two). */
function cut(all: string, sizes: number[]): string[] {
  const pieces: string[] = [];
  for (let at = 0, i = 0; at < all.length; i++) pieces.push(all.slice(at, (at += sizes[i] ?? all.length)));
  return pieces;
}

describe('the SSE client reads the event stream as eventsource-parser did', () => {
  it('gives the same blocks with data for every text and every cut of it', () => {
    fc.assert(fc.property(text, fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 200 }), (all, sizes) => {
      const theirs: EventSourceMessage[] = [];
      const parser = createParser({ onEvent: (m) => theirs.push(m) });
      const ours: EventSourceMessage[] = [];
      const feed = sseParser((id, event, data) => data !== undefined && ours.push({ id, event: event || undefined, data }));
      for (const piece of cut(all, sizes)) {
        parser.feed(piece);
        feed(piece);
      }
      if (all.endsWith('\r')) parser.feed('\n'); // a CR ending the text ends its line: eventsource-parser waits for an LF that may follow
      expect(ours).toEqual(theirs);
    }), { numRuns: runs(500) });
  });
});
