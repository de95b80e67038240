/** @test {deduplicateContinuation} @test {checkpointEvery} through l0() and accumulate(): what a UI shows across resumes */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concat, of, throwError, type Observable } from 'rxjs';
import { accumulate, l0, type L0Event, type StreamContext } from 'l0-rx';
import { runScenario } from '../helpers/runScenario.js';
import { cutTokens, startsLikeTail } from '../helpers/scriptedAnswers.js';
import { runs } from '../helpers/propertyRuns.js';

// pieces a checkpoint may end inside: surrogate pairs, a ZWJ sequence, a combining accent, a CRLF, a code fence, JSON punctuation
const WORDS = ['a', 'the', ' ', '  ', '\n', '\r\n', '\u{1F389}', '👨‍👩‍👧', 'e\u0301', '.', 'x y', 'Hello', 'world', ',', '|', '```', '"', '{', '}', ':'];
const WORD_EDGE = /[\p{L}\p{M}\p{N}_]/u;
const MEANINGFUL = /[\p{L}\p{N}]/u;
const significant = (s: string) => s.replace(/\s/g, '').length;
const reset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const end = (finishReason: 'stop' | 'length'): L0Event => ({ type: 'complete', finishReason });

/** One attempt: its token cuts, where a network reset cuts it, which word start of its checkpoint it repeats from, and (the last) a token limit mid-repeat. */
const attemptArb = fc.record({
  cuts: fc.array(fc.nat({ max: 5 }), { maxLength: 14 }),
  failAt: fc.nat(),
  repeat: fc.nat(),
  whole: fc.boolean(),
  limitAt: fc.option(fc.nat(), { nil: undefined }),
});

describe('a resumed l0() run through accumulate(): no piece shown twice or lost, at any moment', () => {
  it('should show only prefixes of the answer in every state, across chains of resets and a fallback, and end with it', () => {
    let limited = 0;
    fc.assert(fc.property(
      fc.array(fc.constantFrom(...WORDS), { minLength: 2, maxLength: 16 }),
      fc.array(attemptArb, { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 4 }),
      fc.boolean(),
      (words, scripts, interval, viaFallback) => {
        const text = `${words.join('')} QQQ end`;
        let calls = 0;
        let ambiguous = false; // a head de-duplication may rightly keep (a repeat too short, a lone word set apart, text that reads as a repeat)
        let answer = text;
        const stream = (ctx: StreamContext): Observable<L0Event> => {
          const s = scripts[Math.min(calls, scripts.length - 1)]!;
          const last = calls++ >= scripts.length - 1;
          const checkpoint = ctx.checkpoint ?? '';
          if (!text.startsWith(checkpoint)) {
            ambiguous = true; // an earlier head was kept: this run proves nothing more
            return of<L0Event[]>({ type: 'token', value: 'x' }, end('stop'));
          }
          // the head repeats the checkpoint from a word start (or all of it, or nothing), then goes on with the text
          const starts = [checkpoint.length];
          for (let i = 0; i < checkpoint.length; i++) if (i === 0 || !(WORD_EDGE.test(checkpoint[i - 1]!) && WORD_EDGE.test(checkpoint[i]!))) starts.push(i);
          const repeated = s.whole ? checkpoint : checkpoint.slice(starts[s.repeat % starts.length]);
          const rest = text.slice(checkpoint.length);
          if (repeated !== '') {
            const loneApart = /\s$/.test(checkpoint) && /^\s*[\p{L}\p{M}\p{N}_]+\s*$/u.test(repeated);
            if (significant(repeated) < 2 || !/^\S/.test(repeated) || loneApart) ambiguous = true;
          }
          if (checkpoint !== '' && (startsLikeTail(checkpoint, rest) || startsLikeTail(checkpoint, repeated + rest, checkpoint.length - repeated.length))) ambiguous = true;
          if (last && s.limitAt !== undefined && !ambiguous && MEANINGFUL.test(checkpoint) && significant(repeated) >= 3) {
            // the token limit cuts the resumed model mid-repeat (two characters besides whitespace or more, not all): it added nothing
            const at = [...repeated].flatMap((ch, i) => (/\s/.test(ch) ? [] : [i]));
            answer = checkpoint;
            limited++;
            return of(...cutTokens(repeated.slice(0, at[1 + (s.limitAt % (at.length - 2))]! + 1), s.cuts), end('length'));
          }
          const all = cutTokens(repeated + rest, s.cuts);
          if (last) return of(...all, end('stop'));
          return concat(of(...all.slice(0, s.failAt % (all.length + 1))), throwError(reset));
        };
        const retry = { backoff: 'fixed', baseDelay: 1, attempts: 9, maxRetries: viaFallback ? 1 : 9 } as const;
        const run = runScenario(() => l0({ stream, ...(viaFallback ? { fallbackStreams: [stream] } : {}), retry, continueFromLastKnownGoodToken: true, checkpointInterval: interval }));
        fc.pre(!ambiguous);
        expect(run.error).toBeUndefined();
        const states: string[] = [];
        of(...run.events).pipe(accumulate()).subscribe((state) => states.push(state.content));
        for (const shown of states) expect(text.startsWith(shown), JSON.stringify({ shown, text })).toBe(true);
        expect(states.at(-1)).toBe(answer);
      }), { numRuns: runs(300) });
    // a share of the runs ended mid-repeat at the token limit (the check of "Hello world" + "wor" ran)
    expect(limited).toBeGreaterThan(runs(30));
  });
});
