/** @test {detectDrift} */
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { detectDrift, DriftDetectedError, isDriftDetectedError, type DriftDetector, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { unhandledDuring } from '../helpers/unhandled.js';
import { done, runSync, start, text, tok } from '../guard/helpers.js';

/** Longer than a batch (64 characters), so it is looked at on arrival. */
const META = 'As an AI language model, I cannot do that, but I can tell you how it is usually done.';
/** Ordinary, never-repeating text of about `n` characters. */
const varied = (n: number, word = 'plain') => Array.from({ length: Math.ceil(n / 10) }, (_, i) => `${word} line ${i} of ${i * 7} `).join('').slice(0, n);
const driftOf = (out: readonly L0Event[]) => out.filter((e) => e.type === 'drift');
const typesIn = (out: readonly L0Event[]) => out.flatMap((e) => (e.type === 'drift' ? e.types : []));
/** `s` in tokens of `size` characters. */
const chunks = (s: string, size: number) => Array.from({ length: Math.ceil(s.length / size) }, (_, i) => s.slice(i * size, (i + 1) * size));
const values: Record<string, L0Event> = {
  s: start(), a: tok('The capital '), b: tok('is Paris.'), A: tok(META), x: done(),
  d: { type: 'drift', types: ['meta_commentary'], confidence: 0.9 },
};

describe('detectDrift', () => {
  describe('the rxjs checklist', () => {
    it('should pass empty and never sources through', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<L0Event>('|').pipe(detectDrift())).toBe('|');
        expectObservable(cold<L0Event>('-').pipe(detectDrift())).toBe('-');
      });
    });

    it('should pass one and many clean values through unchanged', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('s-a-b-x|', values).pipe(detectDrift({ action: 'retry' }))).toBe('s-a-b-x|', values);
      });
    });

    it('should pass a source error through', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('a-#', values).pipe(detectDrift())).toBe('a-#', values);
      });
    });

    it('should unsubscribe a never-ending source on early unsubscribe', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('a-b-a-b-', values);
        expectObservable(source.pipe(detectDrift()), '^--!').toBe('a-b', values);
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('should error the stream when onDrift throws, as tap does', () => {
      const r = runSync(text(META), detectDrift({ onDrift: () => { throw new Error('cb'); } }));
      expect((r.error as Error).message).toBe('cb');
    });

    it('should error the stream with an async onDrift\'s rejection, leaving none unhandled (it would end Node)', async () => {
      const source = new Subject<L0Event>();
      let error: unknown;
      let completed = false;
      const unhandled = await unhandledDuring(async () => {
        source.pipe(detectDrift({ onDrift: () => Promise.reject(new Error('async cb')) })).subscribe({ error: (e) => (error = e), complete: () => (completed = true) });
        source.next(start());
        source.next(tok(META));
        await Promise.resolve();
        await Promise.resolve();
        source.next(tok(' more'));
      });
      expect((error as Error).message).toBe('async cb');
      expect(completed).toBe(false);
      expect(unhandled).toEqual([]);
    });

    it('should drop an async onDrift\'s rejection that comes after the stream ended, leaving none unhandled', async () => {
      let r: ReturnType<typeof runSync> | undefined;
      const unhandled = await unhandledDuring(() => {
        r = runSync(text(META), detectDrift({ onDrift: () => Promise.reject(new Error('late')) }));
      });
      expect(r!.error).toBeUndefined();
      expect(r!.completed).toBe(true);
      expect(driftOf(r!.out)).toHaveLength(1);
      expect(unhandled).toEqual([]);
    });

    it('should throw at creation for an invalid config, naming the option', () => {
      expect(() => detectDrift({ action: 'fail' as never })).toThrow("detectDrift({action}) must be 'warn' or 'retry'");
      expect(() => detectDrift({ types: ['vibes' as never] })).toThrow('detectDrift({types}) must be an array of');
      expect(() => detectDrift({ minConfidenc: 1 } as never)).toThrow('did you mean `minConfidence`?');
    });
  });

  describe('batches', () => {
    it('should report drift in small tokens within 64 characters of the text that revealed it', () => {
      const tokens = chunks(`${META} ${varied(200)}`, 4);
      const r = runSync(text(...tokens), detectDrift());
      const before = r.out.slice(0, r.out.findIndex((e) => e.type === 'drift')).map((e) => (e.type === 'token' ? e.value : '')).join('');
      expect(before.length).toBeGreaterThanOrEqual('As an AI language model'.length);
      expect(before.length).toBeLessThan('As an AI language model'.length + 64 + 4);
    });

    it('should look at the text left in the last batch before complete passes', () => {
      const r = runSync(text(...chunks(`${varied(64)} As an AI language model`, 3)), detectDrift()); // the batch ends at 66 characters
      expect(r.out.slice(-2).map((e) => e.type)).toEqual(['drift', 'complete']);
    });

    it('should look at the last batch when the source ends without a complete event', () => {
      const r = runSync(chunks(META, 3).map(tok), detectDrift({ action: 'retry' }));
      expect(isDriftDetectedError(r.error)).toBe(true);
    });

    it('should give custom detectors every character once, in batches of at least 64 between checks', () => {
      const seen: string[] = [];
      const recorder: DriftDetector = { type: 'recorder', confidence: 0.1, create: () => ({ check: (d) => (seen.push(d), false) }) };
      const input = varied(300);
      runSync(text(...chunks(input, 5)), detectDrift({ types: [], detectors: [recorder] }));
      expect(seen.join('')).toBe(input);
      expect(seen.length).toBeGreaterThan(3);
      expect(seen.slice(0, -1).every((d) => d.length >= 64)).toBe(true);
    });

    it('should give detectors of your own the whole text so far, at each check and at completion', () => {
      const texts: string[] = [];
      const recorder: DriftDetector = {
        type: 'recorder', confidence: 0.1,
        create: () => ({ check: (_d, t) => (texts.push(t), false), complete: (t) => (texts.push(t), false) }),
      };
      const input = varied(100);
      runSync(text(...chunks(input, 5)), detectDrift({ detectors: [recorder] }));
      expect(texts.at(-1)).toBe(input);
      expect(texts.every((t) => input.startsWith(t))).toBe(true);
    });

    it('should judge a word by the character after it, not by where a batch ends ("but i|t", "for you|r")', () => {
      const pad = 'The museum opens at nine and the guided tours start at ten. ';
      for (const [s, at] of [
        [`${pad}I'm sorry, but it is closed on Mondays, so plan another day.`, 'but i'],
        [`${pad}I am an airline pilot and I fly to Lisbon every week.`, 'an ai'],
        ['Let me comprehensively troubleshoot these misconfigurations for your cluster, step by step.', 'for you'],
      ] as const) {
        const cut = s.indexOf(at) + at.length;
        expect(typesIn(runSync(text(s.slice(0, cut), s.slice(cut)), detectDrift()).out)).toEqual([]);
      }
      expect(typesIn(runSync(text('Let me quickly check that for you'), detectDrift()).out)).toEqual(['format_collapse']); // at completion the end is a word's end
    });

    it('should find a loop without punctuation, or not, the same for any token size', () => {
      const loop = (n: number) => varied(300) + 'and again '.repeat(n) + varied(300, 'other');
      const found = (s: string, size: number) => typesIn(runSync(text(...chunks(s, size)), detectDrift()).out).includes('repetition');
      for (const size of [1, 2, 3, 4, 7, 8, 10, 64, 5000]) {
        expect(found(loop(50), size)).toBe(found(loop(50), 5000)); // 500 characters: found only when 480 of them end at a multiple of 64
        expect(found(loop(55), size)).toBe(true); // 544 characters or more: always found
      }
    });

    it('should drop a retracted attempt\'s unchecked text', () => {
      const seen: string[] = [];
      const recorder: DriftDetector = { type: 'recorder', confidence: 0.1, create: () => ({ check: (d) => (seen.push(d), false) }) };
      runSync([tok('failed attempt text'), start(2), ...text('second')], detectDrift({ types: [], detectors: [recorder] }));
      expect(seen).toEqual(['second']);
    });
  });

  describe('actions', () => {
    it('should emit drift after the token that revealed it and go on (warn)', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('s-A------x|', values).pipe(detectDrift())).toBe('s-(Ad)---x|', values);
      });
    });

    it('should fail the attempt with DriftDetectedError while it streams (retry)', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const error = new DriftDetectedError({ types: ['meta_commentary'], confidence: 0.9 });
        expectObservable(cold('s-A-a-x|', values).pipe(detectDrift({ action: 'retry' }))).toBe('s-(Ad#)', values, error);
      });
    });

    it('should only report a detection below minConfidence', () => {
      const r = runSync(text('Sure!\n', 'The answer is 4.'), detectDrift({ action: 'retry' }));
      expect(driftOf(r.out)).toEqual([{ type: 'drift', types: ['hedging'], confidence: 0.5 }]);
      expect(r.error).toBeUndefined();
    });

    it('should call onDrift once per new detection', () => {
      const calls: [readonly string[], number][] = [];
      runSync(text(META, ' ', META), detectDrift({ onDrift: (t, c) => calls.push([t, c]) }));
      expect(calls).toEqual([[['meta_commentary'], 0.9]]);
    });

    it('should start every attempt fresh', () => {
      const events$ = new Subject<L0Event>();
      const out: L0Event[] = [];
      events$.pipe(detectDrift()).subscribe((e) => out.push(e));
      events$.next(tok(META));
      events$.next(start(2));
      events$.next(tok(META));
      expect(driftOf(out)).toHaveLength(2);
    });

    it('should run custom detectors after the built-in ones', () => {
      const shouting: DriftDetector = { type: 'shouting', confidence: 0.8, create: () => ({ check: (d) => /[A-Z]{10}/.test(d) }) };
      const r = runSync(text('AAAAAAAAAAAA'), detectDrift({ types: [], detectors: [shouting], action: 'retry' }));
      expect(isDriftDetectedError(r.error) && r.error.info.types).toEqual(['shouting']);
    });
  });

  describe('detectors (D3)', () => {
    const typesOf = (...chunks: string[]) => driftOf(runSync(text(...chunks), detectDrift()).out).at(-1);

    it('should find the same 20+ character sentence 3 times', () => {
      expect(typesOf('The results are very promising indeed. '.repeat(3))).toMatchObject({ types: ['repetition'], confidence: 0.8 });
    });

    it('should find "we need to consider the implications" 4 times', () => {
      expect(typesOf(...Array(4).fill('We need to consider the implications. '))).toMatchObject({ types: ['repetition'] });
    });

    it('should stop a loop without punctuation while it streams, within 600 characters', () => {
      const out: L0Event[] = [];
      const events$ = new Subject<L0Event>();
      let error: unknown;
      events$.pipe(detectDrift({ action: 'retry' })).subscribe({ next: (e) => out.push(e), error: (e: unknown) => (error = e) });
      let sent = 0;
      while (error === undefined && sent < 10_000) {
        events$.next(tok('and again '));
        sent += 10;
      }
      expect(isDriftDetectedError(error)).toBe(true);
      expect(sent).toBeLessThanOrEqual(600);
    });

    it('should find a hedging first line only on the first line', () => {
      expect(typesOf('Sure!\nHere is how.')).toMatchObject({ types: ['hedging'], confidence: 0.5 });
      expect(typesOf('The answer:\nSure!\n')).toBeUndefined();
    });

    it('should find a hedging first line after leading blank lines and ended by CRLF', () => {
      const rest = 'The answer is 4, because two and two make four in base ten.';
      expect(typesOf(`\nSure!\n${rest}`)?.types).toEqual(['hedging']);
      expect(typesOf(' \r\n\n', `Certainly.\r\n${rest}`)?.types).toEqual(['hedging']);
      expect(typesOf(`\n\nSure, ${rest}`)).toBeUndefined();
    });

    it('should find format collapse at the start only', () => {
      expect(typesOf('Here is the response you asked for: 4.')).toMatchObject({ types: ['format_collapse'], confidence: 0.8 });
      expect(typesOf('The answer is 4. Here is the response format.')).toBeUndefined();
    });

    it('should find meta commentary anywhere, split across tokens, but not "to clarify" or "in other words"', () => {
      expect(typesOf(varied(800), ' As an A', 'I language model')).toMatchObject({ types: ['meta_commentary'] });
      expect(typesOf('To clarify, in other words, let me explain the idea.')).toBeUndefined();
    });

    it('should find a tone shift from formal to informal', () => {
      const formal = 'Therefore the claim holds; moreover it generalises, and thus the proof is complete. Hence we conclude. '.padEnd(200, '.');
      const informal = 'yeah ok so we gonna do it lol, yep, okay, nope, that was it, dude, fine by me, all done with the thing for now, '.padEnd(200, '-');
      expect(typesOf(formal, informal)).toMatchObject({ types: ['tone_shift'], confidence: 0.7 });
    });

    it('should find markdown collapse after markdown-rich text', () => {
      const rich = Array.from({ length: 80 }, (_, i) => `# Title ${i}\n- one ${i}\n**bold ${i}**\n`).join('').slice(0, 1000);
      const bare = varied(1000);
      expect(typesOf(rich, bare)?.types).toContain('markdown_collapse');
    });

    it('should report markdown collapse with the token that completes its second bare window, not a batch later', () => {
      const rich = Array.from({ length: 80 }, (_, i) => `# Title ${i}\n- one ${i}\n**bold ${i}**\n`).join('').slice(0, 1000);
      const v: Record<string, L0Event> = {
        r: tok(rich), b: tok(varied(1000)), c: tok(' and more plain words.'), x: done(),
        d: { type: 'drift', types: ['markdown_collapse'], confidence: 0.7 },
      };
      testScheduler().run(({ cold, expectObservable }) => {
        const types = ['markdown_collapse'] as const;
        expectObservable(cold('r-b---c-x|', v).pipe(detectDrift({ types }))).toBe('r-(bd)c-x|', v);
        expectObservable(cold('r-b---c-x|', v).pipe(detectDrift({ types, action: 'retry' }))).toBe('r-(bd#)', v, new DriftDetectedError({ types: ['markdown_collapse'], confidence: 0.7 }));
      });
    });

    it('should find an entropy spike in random text after ordinary prose', () => {
      const prose = varied(800, 'ordinary');
      const noise = 'Zq8#Lk2$Wp9!Xr4%Tm7^Vb1&Nc6*Hy3(Jd5)Fg0_Ps+Qe=Ua-Ow~Iz|Kx;Cv:Rb,'.repeat(2);
      expect(typesOf(prose, noise)?.types).toContain('entropy_spike');
    });

    it('should find no drift in ordinary text, confidence 0', () => {
      expect(typesOf('The weather today is sunny')).toBeUndefined();
    });
  });

  describe('resume', () => {
    const checkpoint = 'Step 1: open the settings page and choose Accounts.\nStep 2: press Export.\n';
    const resumed = (...tokens: string[]) => [start(2), { type: 'resume', checkpoint } as const, ...text(...tokens)];

    it('should judge the continuation as the rest of the answer, not as its start', () => {
      const cont = 'Here is the result you asked for: a CSV file with one row per account, named by date.';
      expect(typesIn(runSync(resumed(cont), detectDrift()).out)).toEqual([]);
      expect(typesIn(runSync(resumed('\nSure!\n', cont), detectDrift()).out)).toEqual([]);
      expect(typesIn(runSync(text(cont), detectDrift()).out)).toEqual(['format_collapse']); // the same text opening an answer
    });

    it('should not report meta commentary inside the checkpoint, but one straddling its end', () => {
      const r = (cp: string, cont: string) => typesIn(runSync([{ type: 'resume', checkpoint: cp }, ...text(cont)], detectDrift()).out);
      expect(r(`${META} `, varied(100))).toEqual([]);
      expect(r(`${varied(100)} As an AI lang`, `uage model, I ${varied(100)}`)).toEqual(['meta_commentary']);
    });

    it('should find a loop and a repeated sentence that the checkpoint began', () => {
      const loop = 'and again '.repeat(40);
      const r = (cp: string, cont: string) => typesIn(runSync([{ type: 'resume', checkpoint: cp }, ...text(cont)], detectDrift()).out);
      expect(r(varied(100) + loop, loop)).toEqual(['repetition']);
      expect(r('We need to consider the implications. '.repeat(2), 'We need to consider the implications. ')).toEqual(['repetition']);
    });

    it('should call a detector\'s resume hook with the checkpoint after create(), before any check', () => {
      const calls: string[] = [];
      const recorder: DriftDetector = {
        type: 'recorder', confidence: 0.1,
        create: () => (calls.push('create'), { resume: (cp) => void calls.push(`resume:${cp}`), check: (d) => (calls.push(`check:${d}`), false) }),
      };
      runSync(resumed('next'), detectDrift({ types: [], detectors: [recorder] }));
      expect(calls.slice(-3)).toEqual(['create', `resume:${checkpoint}`, 'check:next']); // the attempt's own state, fresh at the resume
    });
  });
});
