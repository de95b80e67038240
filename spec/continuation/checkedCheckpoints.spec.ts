/** @test {checkpointEvery} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Observable, lastValueFrom, of, toArray, type MonoTypeOperatorFunction } from 'rxjs';
import { checkpointEvery, customPatternRule, defineGuardrailRule, guard, l0, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { markUncheckedTail } from '../../src/attempt/uncheckedTail.js';
import { ev } from '../helpers/attemptSource.js';
import { finalState, runScenario } from '../helpers/runScenario.js';

const { start, tok, resume, checkpoint } = ev;
const fast = { backoff: 'fixed', baseDelay: 1 } as const;
const items = (...tokens: string[]) => ({ items: tokens });
const checkpointsOf = (events: readonly L0Event[]) => events.flatMap((e) => (e.type === 'checkpoint' ? [e.content] : []));
const run = (events: L0Event[], ...ops: MonoTypeOperatorFunction<L0Event>[]) =>
  lastValueFrom(ops.reduce((o: Observable<L0Event>, op) => o.pipe(op), of(...events)).pipe(toArray()));
/** A check that passes each token on saying its last `unchecked(token)` characters are not passed yet. */
const uncheckedBy = (unchecked: (value: string) => number): MonoTypeOperatorFunction<L0Event> => (source) =>
  new Observable<L0Event>((out) =>
    source.subscribe({
      next: (e) => {
        if (e.type === 'token') markUncheckedTail(e, unchecked(e.value));
        out.next(e);
      },
      error: (err: unknown) => out.error(err),
      complete: () => out.complete(),
    }));
/** Fails on the token that holds BAD (the same token, nothing held). */
const badToken = defineGuardrailRule({ name: 'no-bad', check: (delta) => (delta.includes('BAD') ? { message: 'saw BAD' } : undefined) });

describe('checkpointEvery after the content checks: a checkpoint holds only text they have passed', () => {
  describe('through l0() with continuation', () => {
    it('should leave out the token whose stream-first check fails the attempt, so the retry does not keep it', () => {
      const r = runScenario(() =>
        l0({ stream: fakeModel([items('ok ', 'BAD', ' tail'), items('fine')]), guardrails: [badToken], continueFromLastKnownGoodToken: true, checkpointInterval: 1, retry: fast }));
      expect(checkpointsOf(r.events)).toEqual(['ok ', 'ok fine']);
      expect(r.events.find((e) => e.type === 'resume')).toEqual(resume('ok '));
      expect(finalState(r.events).content).toBe('ok fine');
    });

    it('should leave out a match the rule holds for its next character, reported a token later', () => {
      const bad = customPatternRule(/BAD/, 'bad', 'error');
      const r = runScenario(() =>
        l0({ stream: fakeModel([items('ok ', 'BAD', ' tail', ' end'), items('fine')]), guardrails: [bad], continueFromLastKnownGoodToken: true, checkpointInterval: 1, retry: fast }));
      expect(checkpointsOf(r.events)).toEqual(['ok ', 'ok fine']);
      expect(finalState(r.events).content).toBe('ok fine');
    });

    it('should checkpoint the whole text again once the rules have passed it', () => {
      const r = runScenario(() =>
        l0({ stream: fakeModel([items('a', 'b', 'c', 'd')]), guardrails: [badToken], continueFromLastKnownGoodToken: true, checkpointInterval: 2 }));
      expect(checkpointsOf(r.events)).toEqual(['ab', 'abcd']);
    });

    it('should not resume from meta commentary that drift detection (retry) rejects at its next look', () => {
      const meta = 'As an AI language model, I think ';
      const r = runScenario(() =>
        l0({
          stream: fakeModel([items(...meta.split(/(?<= )/), 'the', ' sky', ' is', ' blue', ' and', ' the', ' sea', ' too.'), items('The sky is blue.')]),
          detectDrift: true,
          continueFromLastKnownGoodToken: true,
          checkpointInterval: 1,
          retry: fast,
        }));
      expect(r.events.some((e) => e.type === 'drift')).toBe(true);
      expect(checkpointsOf(r.events)).toEqual([]);
      expect(finalState(r.events).content).toBe('The sky is blue.');
    });

    it('should checkpoint text drift detection has looked at, once the opening is decided', () => {
      const words = Array.from({ length: 60 }, (_, i) => `word${i} `);
      const r = runScenario(() => l0({ stream: fakeModel([items(...words)]), detectDrift: true, continueFromLastKnownGoodToken: true, checkpointInterval: 5 }));
      // the detectors look once at least 64 new characters are in; the opening is decided past 100
      let length = 0;
      let owed = 0;
      let looked = 0;
      const expected: string[] = [];
      const atTokens: string[] = [];
      let saved = 0;
      words.forEach((w, i) => {
        length += w.length;
        owed += w.length;
        if ((i + 1) % 5 === 0) {
          // the text at the newest of the last three checkpoint tokens that the last look covered
          const passed = atTokens.slice(-3).reverse().find((t) => t.length <= looked && t.length > saved && t.length > 100);
          if (passed !== undefined) {
            saved = passed.length;
            expected.push(passed);
          }
          atTokens.push(words.slice(0, i + 1).join(''));
        }
        if (owed >= 64) {
          owed = 0;
          looked = length;
        }
      });
      expect(expected.length).toBeGreaterThan(3);
      expect(checkpointsOf(r.events)).toEqual(expected);
    });

    it('should not narrow checkpoints for drift detection that only warns', () => {
      const r = runScenario(() =>
        l0({ stream: fakeModel([items('a', 'b', 'c', 'd')]), detectDrift: { action: 'warn' }, continueFromLastKnownGoodToken: true, checkpointInterval: 2 }));
      expect(checkpointsOf(r.events)).toEqual(['ab', 'abcd']);
    });
  });

  describe('guard() then checkpointEvery()', () => {
    it('should emit the checkpoint after the token, then the violation and the error', () => {
      const events: string[] = [];
      of(start(), tok('ok '), tok('BAD')).pipe(guard([badToken]), checkpointEvery(1)).subscribe({
        next: (e) => events.push(e.type === 'checkpoint' ? `checkpoint:${e.content}` : e.type),
        error: (e: unknown) => events.push(`error:${(e as Error).name}`),
      });
      // the failing token adds nothing checked: no checkpoint at it
      expect(events).toEqual(['start', 'token', 'checkpoint:ok ', 'token', 'violation', 'error:GuardrailViolationError']);
    });

    it('should narrow checkpoints to the last check round, and count a resumed checkpoint as saved', async () => {
      // the pattern rule checks every 10 tokens: a checkpoint between rounds holds what the last round passed
      const tokens = ['BAD', ...'efghijklm'].map(tok);
      const out = await run([start(2), resume('ABC'), ...tokens, tok('n')], guard([customPatternRule(/BAD/, 'bad', 'warning')]), checkpointEvery(1));
      // nothing new is checked until the round at token 10 (it reports the warning): one checkpoint there, one at token 11 held back to it
      expect(checkpointsOf(out)).toEqual(['ABCBADefghijklm']);
      expect(out.map((e) => e.type).slice(-4)).toEqual(['token', 'checkpoint', 'violation', 'token']);
    });
  });

  describe('checkpointEvery() told of an unchecked end', () => {
    it('should fall back to the text at the newest earlier checkpoint token the check has passed, or skip', async () => {
      const out = await run([start(), tok('ab'), tok('cd'), tok('ef'), tok('gh')], uncheckedBy((v) => ({ ab: 0, cd: 3, ef: 2, gh: 1 })[v] ?? 0), checkpointEvery(1));
      // ab: all passed; cd: 'abcd' minus 3 holds nothing new; ef: 'abcd' is passed; gh: 'abcdef' is
      expect(out.filter((e) => e.type === 'checkpoint')).toEqual([checkpoint('ab', 1), checkpoint('abcd', 2), checkpoint('abcdef', 3)]);
    });

    it('should take the largest unchecked end of two checks on the same token', async () => {
      const out = await run([start(), tok('abcd'), tok('efgh'), tok('ijkl')], uncheckedBy(() => 1), uncheckedBy((v) => (v === 'efgh' ? 5 : 0)), checkpointEvery(1));
      // efgh: 5 unchecked, so not even 'abcd' (1 unchecked at its token: never checkpointed); ijkl: 'abcdefgh'
      expect(checkpointsOf(out)).toEqual(['abcdefgh']);
    });

    it('should look back no further than three checkpoint tokens', async () => {
      const tokens = ['a', 'b', 'c', 'd', 'e'].map(tok);
      const out = await run([start(), ...tokens], uncheckedBy((v) => (v === 'e' ? 4 : 1)), checkpointEvery(1));
      // at 'e' (4 unchecked: 'a' passed) the texts kept are 'abcd', 'abc', 'ab': none within 'a'
      expect(checkpointsOf(out)).toEqual(['a', 'ab', 'abc']);
    });

    it('should leave a checkpoint untouched by a check that passes everything', async () => {
      const out = await run([start(), tok('ab'), tok('cd')], uncheckedBy(() => 0), checkpointEvery(1));
      expect(out.filter((e) => e.type === 'checkpoint')).toEqual([checkpoint('ab', 1), checkpoint('abcd', 2)]);
    });

    it('should match the model for any tokens, intervals and unchecked ends', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.oneof(fc.constant(0), fc.nat(12))), { minLength: 1, maxLength: 40 }),
          fc.integer({ min: 1, max: 4 }),
          async (tokens, interval) => {
            const unchecked = new Map(tokens.map(([v, u]) => [tok(v), u] as const));
            const events = [...unchecked.keys()];
            const check: MonoTypeOperatorFunction<L0Event> = (source) =>
              new Observable<L0Event>((o) => source.subscribe({
                next: (e) => {
                  markUncheckedTail(e, unchecked.get(e) ?? 0);
                  o.next(e);
                },
                complete: () => o.complete(),
              }));
            const out = await run([start(), ...events], check, checkpointEvery(interval));
            // the model: every interval-th token, its text if all passed, else the newest of the texts at the last three such tokens that is passed and adds to the last checkpoint
            let text = '';
            let saved = 0;
            const kept: string[] = [];
            const expected: string[] = [];
            tokens.forEach(([v, u], i) => {
              text += v;
              if ((i + 1) % interval !== 0) return;
              const end = text.length - u;
              const pick = u === 0 ? text : kept.slice(-3).reverse().find((t) => t.length <= end && t.length > saved);
              kept.push(text);
              if (pick === undefined) return;
              saved = pick.length;
              expected.push(pick);
            });
            expect(checkpointsOf(out)).toEqual(expected);
          },
        ),
      );
    });
  });
});
