/** @test {checkpointEvery} @test {deduplicateContinuation} @test {guard} through l0(): what a user sees across resumes */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concat, concatMap, map, of, throwError, timer, type Observable } from 'rxjs';
import { customPatternRule, l0, type L0Event, type StreamContext } from 'l0-rx';
import { finalState, runScenario } from '../helpers/runScenario.js';
import { cutTokens } from '../helpers/scriptedAnswers.js';
import { runs } from '../helpers/propertyRuns.js';

/** `text` as token events, cut after 1 + each of `cuts` characters. */
const tokens = cutTokens;
const reset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

/** One attempt's script: its own words (a tag per attempt, so nothing repeats by chance), a BAD, where it fails. */
const attemptArb = fc.record({
  words: fc.integer({ min: 1, max: 8 }),
  bad: fc.option(fc.nat(), { nil: undefined }), // where BAD goes in the text (an error finding: the attempt is retried)
  glued: fc.boolean(),
  failAt: fc.option(fc.nat(), { nil: undefined }), // the token it is cut before (ECONNRESET)
  cuts: fc.array(fc.nat({ max: 4 }), { maxLength: 12 }),
  repeat: fc.nat(), // which word start of the checkpoint the resumed head repeats from (or none)
  shout: fc.boolean(), // the head repeats it in capitals (removed only with caseSensitive: false)
  delays: fc.array(fc.constantFrom(0, 0, 1, 30, 80), { maxLength: 12 }), // virtual ms before each token (80: past interToken, a stall)
});
/** The events spaced by `delays` (virtual ms), the rest at once. */
const spaced = (events: L0Event[], delays: readonly number[]): Observable<L0Event> =>
  of(...events).pipe(concatMap((e, i) => (delays[i] ? timer(delays[i]!).pipe(map(() => e)) : of(e))));

describe('a resumed l0() run with guardrails: checkpoints hold only checked text, retracted text never comes back', () => {
  it('should end with the last checkpoint plus the last attempt, no BAD in any checkpoint, resume or answer', () => {
    fc.assert(fc.property(
      fc.array(attemptArb, { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 3 }),
      fc.constantFrom('stream-first', 'hold-back' as const),
      fc.boolean(),
      fc.nat({ max: 2 }),
      fc.constantFrom<true | { caseSensitive?: boolean; wordBoundary?: boolean }>(true, { caseSensitive: false }, { wordBoundary: false }),
      (failing, interval, guardMode, viaFallbacks, retries, dedupe) => {
        const folds = dedupe !== true && dedupe.caseSensitive === false;
        const scripts = [...failing, { words: 3, bad: undefined, glued: false, failAt: undefined, cuts: [], repeat: 0, shout: false, delays: [] }];
        const seen: (string | undefined)[] = [];
        const bodies: string[] = [];
        let calls = 0;
        const stream = (ctx: StreamContext): Observable<L0Event> => {
          const k = calls++;
          const s = scripts[Math.min(k, scripts.length - 1)]!;
          const last = k >= scripts.length - 1;
          const tag = String.fromCharCode(97 + k);
          let body = Array.from({ length: s.words }, (_, i) => `${tag}${i + 1}`).join(' ') + (last ? '.' : ' ');
          if (!last && s.bad !== undefined) {
            const at = s.bad % (body.length + 1);
            body = body.slice(0, at) + (s.glued ? 'BAD' : ' BAD ') + body.slice(at);
          }
          const checkpoint = ctx.checkpoint ?? '';
          seen.push(ctx.checkpoint);
          bodies.push(body);
          // the head repeats a suffix of the checkpoint of two words or more, starting where a word starts (or nothing)
          const starts = [checkpoint.length];
          for (let i = 0; i < checkpoint.length; i++) {
            if ((i === 0 || checkpoint[i - 1] === ' ') && checkpoint[i] !== ' ' && /\S\s+\S/.test(checkpoint.slice(i))) starts.push(i);
          }
          const repeated = checkpoint.slice(starts[s.repeat % starts.length]);
          const head = s.shout && folds ? repeated.toUpperCase() : repeated;
          const all = tokens(head + body, s.cuts);
          if (last || s.failAt === undefined) return spaced([...all, { type: 'complete', finishReason: 'stop' }], s.delays);
          return concat(spaced(all.slice(0, s.failAt % (all.length + 1)), s.delays), throwError(reset));
        };
        const retry = viaFallbacks ? { backoff: 'fixed', baseDelay: 1, attempts: retries, maxRetries: retries } as const : { backoff: 'fixed', baseDelay: 1, attempts: 10, maxRetries: 10 } as const;
        const run = runScenario(() => l0({
          stream,
          ...(viaFallbacks ? { fallbackStreams: Array.from({ length: 6 }, () => stream) } : {}),
          guardrails: [customPatternRule(/BAD/, 'bad', 'error', { span: 3 })],
          guardMode,
          continueFromLastKnownGoodToken: true,
          deduplicateContinuation: dedupe,
          checkpointInterval: interval,
          retry,
          timeout: { initialToken: 50, interToken: 50 },
        }));
        expect(run.error).toBeUndefined();
        // every checkpoint is a prefix of what the user sees at that moment, and holds no BAD
        const states: string[] = [];
        for (let i = 0; i < run.events.length; i++) {
          const e = run.events[i]!;
          if (e.type !== 'checkpoint' && e.type !== 'resume') continue;
          const text = e.type === 'checkpoint' ? e.content : e.checkpoint;
          expect(text).not.toContain('BAD');
          states.push(text);
          const content = finalState(run.events.slice(0, i + 1)).content;
          if (e.type === 'checkpoint') expect(content.startsWith(text)).toBe(true);
          else expect(content).toBe(text);
        }
        for (const c of seen) expect(c ?? '').not.toContain('BAD');
        // each resumed checkpoint is a prefix of the previous attempt's checkpoint plus its own text
        for (let k = 1; k < seen.length; k++) {
          if (seen[k] !== undefined) expect(((seen[k - 1] ?? '') + bodies[k - 1]).startsWith(seen[k]!)).toBe(true);
        }
        // the answer: the last checkpoint, then the last attempt's text once (its repeated head removed, nothing of a retracted attempt)
        expect(finalState(run.events).content).toBe((seen.at(-1) ?? '') + bodies.at(-1));
      }), { numRuns: runs(600) });
  });

  it('should never show or checkpoint a redacted secret, and end with the last checkpoint plus the last attempt redacted', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ words: fc.integer({ min: 1, max: 6 }), key: fc.option(fc.nat(), { nil: undefined }), failAt: fc.nat(), cuts: fc.array(fc.nat({ max: 4 }), { maxLength: 10 }) }), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 1, max: 3 }),
      (scripts, interval) => {
        const seen: (string | undefined)[] = [];
        const bodies: string[] = [];
        let calls = 0;
        const stream = (ctx: StreamContext): Observable<L0Event> => {
          const k = calls++;
          const s = scripts[Math.min(k, scripts.length - 1)]!;
          let body = `${Array.from({ length: s.words }, (_, i) => `${String.fromCharCode(97 + k)}${i + 1}`).join(' ')} `;
          if (s.key !== undefined) body = `${body.slice(0, s.key % (body.length + 1))} sk-4242 ${body.slice(s.key % (body.length + 1))}`;
          seen.push(ctx.checkpoint);
          bodies.push(body);
          const all = tokens(body, s.cuts);
          if (k >= scripts.length) return of(...all, { type: 'complete', finishReason: 'stop' } as L0Event);
          return concat(of(...all.slice(0, s.failAt % (all.length + 1))), throwError(reset));
        };
        const run = runScenario(() => l0({
          stream,
          guardrails: [customPatternRule(/sk-\d+/, 'key', 'error', { redact: '[key]', span: 8 })],
          guardMode: 'hold-back',
          continueFromLastKnownGoodToken: true,
          checkpointInterval: interval,
          retry: { backoff: 'fixed', baseDelay: 1, attempts: 10, maxRetries: 10 },
        }));
        expect(run.error).toBeUndefined();
        for (const e of run.events) expect(e.type === 'token' ? e.value : e.type === 'checkpoint' ? e.content : '').not.toMatch(/sk-\d/);
        expect(finalState(run.events).content).toBe((seen.at(-1) ?? '') + bodies.at(-1)!.replace(/sk-\d+/g, '[key]'));
      }), { numRuns: runs(300) });
  });
});
