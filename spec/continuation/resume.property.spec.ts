/** @test {deduplicateContinuation} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concat, of, throwError, type Observable } from 'rxjs';
import { l0, type L0Event, type StreamContext } from 'l0-rx';
import { finalState, runScenario } from '../helpers/runScenario.js';
import { cutTokens, startsLikeTail } from '../helpers/scriptedAnswers.js';
import { runs } from '../helpers/propertyRuns.js';

const fast = { backoff: 'fixed', baseDelay: 1, attempts: 3 } as const;
const WORDS = ['a', 'b', 'the', ' ', '  ', '\n', '\r\n', '\u{1F389}', 'é', '.', 'x y', 'Hello', 'world', ',', '<', '|'];
const WORD_EDGE = /[\p{L}\p{N}]/u;
/** `text` as token events, cut after 1 + each of `cuts` characters (emoji halves included). */
const tokens = cutTokens;

describe('a resumed l0() run: the checkpoint plus the continuation, whatever the token boundaries', () => {
  it('should end with the whole text when the resumed model repeats any whole-word suffix of the checkpoint (or all, or none)', () => {
    fc.assert(fc.property(
      fc.array(fc.constantFrom(...WORDS), { minLength: 2, maxLength: 14 }),
      fc.array(fc.nat({ max: 5 }), { maxLength: 14 }),
      fc.array(fc.nat({ max: 5 }), { maxLength: 14 }),
      fc.nat(), fc.integer({ min: 1, max: 4 }), fc.nat(),
      (words, firstCuts, secondCuts, failAt, interval, pick) => {
        const text = `${words.join('')} QQQ end`;
        const first = tokens(text, firstCuts);
        let calls = 0;
        let checkpoint = '';
        let repeated = '';
        const stream = (ctx: StreamContext): Observable<L0Event> => {
          if (calls++ === 0) return concat(of(...first.slice(0, failAt % first.length)), throwError(() => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })));
          checkpoint = ctx.checkpoint ?? '';
          const starts = [checkpoint.length];
          for (let i = 0; i < checkpoint.length; i++) {
            if (i === 0 || !(WORD_EDGE.test(checkpoint[i - 1]!) && WORD_EDGE.test(checkpoint[i]!))) starts.push(i);
          }
          repeated = checkpoint.slice(starts[pick % starts.length]);
          return of(...tokens(repeated + text.slice(checkpoint.length), secondCuts), { type: 'complete', finishReason: 'stop' } as L0Event);
        };
        const run = runScenario(() => l0({ stream, continueFromLastKnownGoodToken: true, checkpointInterval: interval, retry: fast }));
        expect(run.error).toBeUndefined();
        expect(text.startsWith(checkpoint)).toBe(true);
        fc.pre(!startsLikeTail(checkpoint, text.slice(checkpoint.length)));
        // nor may the repeat and what follows read as a repeat of a longer tail: "a<  <" + "  <" + "\n<aa" is "<  <"
        // written again after blank space, whitespace runs matching each other (the text holds no "  <" repeat to tell)
        fc.pre(!startsLikeTail(checkpoint, repeated + text.slice(checkpoint.length), checkpoint.length - repeated.length));
        const content = finalState(run.events).content;
        // a repeat of fewer than two characters besides whitespace may be kept (minOverlap), and so may a lone word
        // set apart from the checkpoint by whitespace ("I had" + " had enough" is English)
        const loneApart = /\s$/.test(checkpoint) && /^\s*[\p{L}\p{M}\p{N}_]+\s*$/u.test(repeated);
        if (repeated.replace(/\s/g, '').length >= 2 && /^\S/.test(repeated) && !loneApart) expect(content).toBe(text);
        else expect([text, checkpoint + repeated + text.slice(checkpoint.length)]).toContain(content);
      }), { numRuns: runs(1000), examples: [[['a', '<', '  ', '<', '\n', '<', 'a', 'a'], [2, 1], [], 891419732, 1, 461226945]] });
  });
});
