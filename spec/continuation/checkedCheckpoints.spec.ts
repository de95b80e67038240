/** @test {checkpointEvery} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EMPTY, Observable, Subject, catchError, lastValueFrom, of, toArray, type MonoTypeOperatorFunction } from 'rxjs';
import { checkpointEvery, customPatternRule, defineGuardrailRule, guard, l0, recommendedGuardrails, splitThinking, type GuardRule, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { nextWithUncheckedTail, uncheckedTail } from '../../src/attempt/uncheckedTail.js';
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
      next: (e) => (e.type === 'token' ? nextWithUncheckedTail(out, e, unchecked(e.value)) : out.next(e)),
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

    it('should leave out a match the rule holds for its next character, reported a token later, and the span before it', () => {
      const bad = customPatternRule(/BAD/, 'bad', 'error', { span: 3 });
      const r = runScenario(() =>
        l0({ stream: fakeModel([items('all ', 'is ', 'ok ', 'BAD', ' tail'), items('fine')]), guardrails: [bad], continueFromLastKnownGoodToken: true, checkpointInterval: 1, retry: fast }));
      // each checkpoint stops 3 characters (the span) short of the checked text, at an earlier checkpoint
      // token; the resumed attempt's one token ends 3 characters short of a checkpoint of its own
      expect(checkpointsOf(r.events)).toEqual(['all ', 'all is ']);
      expect(finalState(r.events).content).toBe('all is fine');
    });

    it('should not resume inside a phrase that is still coming (stream-first keeps the span back, as hold-back does)', () => {
      const run = (guardMode: 'stream-first' | 'hold-back') => runScenario(() =>
        l0({
          stream: fakeModel([items('The answer: ', 'as an ', 'AI ', 'language', ' model', ' I think', ' it is', ' forty', ' two', ' or so.'), items('42.')]),
          guardrails: recommendedGuardrails,
          guardMode,
          continueFromLastKnownGoodToken: true,
          checkpointInterval: 1,
          retry: fast,
        }));
      for (const mode of ['stream-first', 'hold-back'] as const) {
        const r = run(mode);
        expect(r.events.some((e) => e.type === 'violation' && e.violation.message.startsWith('meta-commentary'))).toBe(true);
        expect(checkpointsOf(r.events).filter((c) => /as an/i.test(c))).toEqual([]);
        expect(finalState(r.events).content).toBe('42.');
      }
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

    it('should not resume from meta commentary that runs across a drift look', () => {
      const a = 'Water covers most of the planet, and it shapes the weather a lot. ';
      const b = 'Oceans store heat and move it around the globe slowly. As an AI lang';
      const r = runScenario(() =>
        l0({
          stream: fakeModel([items(a, b, 'uage', ' model', ' I would say that the oceans matter a great deal to all of us here.', ' Indeed.'), items(' Rivers matter too.')]),
          detectDrift: true,
          continueFromLastKnownGoodToken: true,
          checkpointInterval: 1,
          retry: fast,
        }));
      expect(r.events.some((e) => e.type === 'drift')).toBe(true);
      // the look after `b` saw 'As an AI lang' (no match yet): the 48 characters before its end are not passed
      expect(checkpointsOf(r.events).filter((c) => c.includes('As an AI'))).toEqual([]);
      expect(finalState(r.events).content).not.toContain('As an AI');
    });

    it('should checkpoint text drift detection has looked at, once the opening is decided', () => {
      const words = Array.from({ length: 60 }, (_, i) => `word${i} `);
      const detectDrift = { types: ['meta_commentary', 'format_collapse'] } as const;
      const r = runScenario(() => l0({ stream: fakeModel([items(...words)]), detectDrift, continueFromLastKnownGoodToken: true, checkpointInterval: 5 }));
      // the detectors look once at least 64 new characters are in
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
          // the text at the newest earlier checkpoint token that the last look passed: 48 characters
          // (the longest meta-commentary phrase) short of it, once the opening is decided (past 100)
          const end = looked > 100 ? looked - 48 : 0;
          const passed = [...atTokens].reverse().find((t) => t.length <= end && t.length > saved);
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

    it('should keep checkpoints about 500 characters behind with the default detectors (a loop or a window may still be rejected)', () => {
      const words = Array.from({ length: 300 }, (_, i) => `w${i}${i % 9 === 8 ? '.' : ''} `);
      const r = runScenario(() => l0({ stream: fakeModel([items(...words)]), detectDrift: true, continueFromLastKnownGoodToken: true, checkpointInterval: 5 }));
      let length = 0;
      const lags: number[] = [];
      for (const e of r.events) {
        if (e.type === 'token') length += e.value.length;
        if (e.type === 'checkpoint') lags.push(length - e.content.length);
      }
      // one new checkpoint per look (every 64 characters) once the first 500 or so are passed
      expect(lags.length).toBeGreaterThan(10);
      // the repetition tail (480) and the characters since its last check, before the text since the last look
      expect(Math.min(...lags)).toBeGreaterThanOrEqual(480);
      expect(Math.max(...lags)).toBeLessThan(700);
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

    it('should narrow checkpoints to the last check round less the span, and count a resumed checkpoint as saved', async () => {
      // the pattern rule checks every 10 tokens: a checkpoint between rounds holds what the last round passed, 2 characters (its span) short
      const tokens = ['BAD', ...'efghijklm'].map(tok);
      const out = await run([start(2), resume('ABC'), ...tokens, tok('n'), tok('o')], guard([customPatternRule(/BAD/, 'bad', 'warning', { span: 2 })]), checkpointEvery(1));
      // nothing is checked until the round at token 10 (it reports the warning): then the text at token 8 is within the passed part
      expect(out.filter((e) => e.type === 'checkpoint')).toEqual([checkpoint('ABCBADefghijk', 8)]);
      expect(out.map((e) => e.type).slice(-5)).toEqual(['token', 'checkpoint', 'violation', 'token', 'token']);
    });

    it('should carry the mark over the new token objects a hold-back guard or splitThinking makes', () => {
      const harmless = defineGuardrailRule({ name: 'harmless', check: () => undefined });
      for (const op of [guard([harmless], { mode: 'hold-back', holdBack: 0 }), splitThinking()]) {
        const r = runScenario(() =>
          l0({ stream: fakeModel([items('ok ', 'BAD', ' tail'), items('fine')]), guardrails: [badToken], attemptOperators: [op], continueFromLastKnownGoodToken: true, checkpointInterval: 1, retry: fast }));
        expect(checkpointsOf(r.events)).toEqual(['ok ', 'ok fine']);
        expect(finalState(r.events).content).toBe('ok fine');
      }
    });

    it('should count a redaction in the unchecked end in released characters', async () => {
      // 'pii' redacts 'secret' (6 characters) into 20; 'no-bad' (interval 3) fails its round at token 3, whose text is 'ok BAD secret'
      const pii: GuardRule = {
        name: 'pii',
        check: (delta, text) => {
          const i = delta.indexOf('secret');
          return i < 0 ? undefined : { message: 'secret', position: text.length - delta.length + i, redact: { length: 6, replacement: 'R'.repeat(20) } };
        },
      };
      const noBad: GuardRule = { name: 'no-bad', interval: 3, check: (delta) => (delta.includes('BAD') ? { message: 'BAD' } : undefined) };
      const out = await lastValueFrom(of(start(), tok('ok '), tok('BA'), tok('D secret')).pipe(guard([pii, noBad]), checkpointEvery(1), catchError(() => EMPTY), toArray()));
      expect(checkpointsOf(out)).toEqual([]);
    });

    it('should leave no mark behind for another pipeline fed the same token objects', () => {
      const source = new Subject<L0Event>();
      const guarded: string[] = [];
      const plain: string[] = [];
      source.pipe(guard([badToken]), checkpointEvery(1)).subscribe({ next: (e) => void (e.type === 'checkpoint' && guarded.push(e.content)), error: () => undefined });
      source.pipe(checkpointEvery(1)).subscribe((e) => void (e.type === 'checkpoint' && plain.push(e.content)));
      for (const e of [start(), tok('ok '), tok('BAD'), tok(' more')]) source.next(e);
      expect(guarded).toEqual(['ok ']);
      expect(plain).toEqual(['ok ', 'ok BAD', 'ok BAD more']);
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

    it('should wait until an earlier checkpoint token\'s text is passed', async () => {
      const tokens = ['a', 'b', 'c', 'd', 'e'].map(tok);
      const out = await run([start(), ...tokens], uncheckedBy((v) => (v === 'e' ? 4 : 1)), checkpointEvery(1));
      // at 'e' (4 unchecked: only 'a' passed) no kept text ('abcd') is within it
      expect(checkpointsOf(out)).toEqual(['a', 'ab', 'abc']);
    });

    it('should restore the unchecked count when the call it was set for throws', () => {
      const throwing = { next: () => { throw new Error('downstream bug'); } } as unknown as Parameters<typeof nextWithUncheckedTail>[0];
      expect(() => nextWithUncheckedTail(throwing, tok('a'), 5)).toThrow('downstream bug');
      expect(uncheckedTail()).toBe(0);
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
                next: (e) => nextWithUncheckedTail(o, e, unchecked.get(e) ?? 0),
                complete: () => o.complete(),
              }));
            const out = await run([start(), ...events], check, checkpointEvery(interval));
            // the model: every interval-th token, its text if all passed, else the newest text at an earlier such token that is passed and adds to the last checkpoint
            let text = '';
            let saved = 0;
            const kept: string[] = [];
            const expected: string[] = [];
            tokens.forEach(([v, u], i) => {
              text += v;
              if ((i + 1) % interval !== 0) return;
              const end = text.length - u;
              const pick = u === 0 ? text : [...kept].reverse().find((t) => t.length <= end && t.length > saved);
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
