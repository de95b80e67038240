/** @test {createWindow} */
import { describe, expect, it } from 'vitest';
import { last, of, timer, concatMap, throwError, type Observable } from 'rxjs';
import { createWindow, type DocumentChunk, type L0Event, type L0State, type ParallelResult, type WindowContext } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { expectLinearTime } from '../helpers/linearTime.js';
import { unhandledDuring } from '../helpers/unhandled.js';

const doc1389 = Array.from({ length: 1389 }, (_, i) => 'abcdefghij'[i % 10]).join('');
const words = (t: string) => t.trim().split(/\s+/).filter(Boolean).length;
const answer = (text: string, delay = 1): Observable<L0Event> => timer(delay).pipe(concatMap(() => of({ type: 'token', value: text } as L0Event, { type: 'complete', finishReason: 'stop' } as L0Event)));

describe('createWindow', () => {
  // L0 W1
  describe('chunking (L0 W1)', () => {
    it('should cut fixed character windows that overlap, without a redundant tail window', () => {
      const w = createWindow(doc1389, { strategy: 'char', size: 200, overlap: 50 });
      expect(w.chunks.map((c) => c.startPos)).toEqual([0, 150, 300, 450, 600, 750, 900, 1050, 1200]); // L0 adds a 10th at 1350, wholly inside the 9th
      expect([w.chunks[0]!.endPos, w.chunks.at(-1)!.endPos]).toEqual([200, 1389]);
    });

    it('should cut back-to-back windows without overlap', () => {
      const w = createWindow(doc1389, { strategy: 'char', size: 200, overlap: 0 });
      expect(w.chunks.map((c) => [c.startPos, c.endPos]).slice(0, 2)).toEqual([[0, 200], [200, 400]]);
      expect(w.totalChunks).toBe(7);
    });

    it('should report stats', () => {
      expect(createWindow(doc1389, { strategy: 'char', size: 200, overlap: 50 }).getStats()).toMatchObject({ totalChars: 1389, overlapSize: 50, strategy: 'char' });
    });

    it('should make one first-and-last chunk of a short document, and navigate to null past the ends', () => {
      const w = createWindow('short text', { strategy: 'char', size: 200, overlap: 50 });
      expect([w.totalChunks, w.current()!.isFirst, w.current()!.isLast, w.next(), w.jump(999), w.prev()]).toEqual([1, true, true, null, null, null]);
    });
  });

  describe('strategies', () => {
    it('should keep whole words within the token size, every chunk an exact slice', () => {
      const text = 'alpha beta gamma delta epsilon zeta eta theta';
      const w = createWindow(text, { size: 3, overlap: 1, estimateTokens: (t) => t.trim().split(/\s+/).filter(Boolean).length });
      expect(w.chunks.map((c) => c.content.trim())).toEqual(['alpha beta gamma', 'gamma delta epsilon', 'epsilon zeta eta', 'eta theta']);
      for (const c of w.chunks) expect(text.slice(c.startPos, c.endPos)).toBe(c.content);
    });

    it('should split sentences whatever the case of the next letter, but not after Dr.', () => {
      const text = 'Dr. Smith arrived. then he left! 東京に行った。次に大阪。';
      const w = createWindow(text, { strategy: 'sentence', size: 1, overlap: 0, estimateTokens: () => 1 }); // one sentence a window
      expect(w.chunks.map((c) => c.content.trim())).toEqual(['Dr. Smith arrived.', 'then he left!', '東京に行った。', '次に大阪。']);
    });

    it.each([
      'Smith et al. found it.',
      'See e.g. the table.',
      'Apples, pears, etc. are fruit.',
      'That is, i.e. the rest.',
      'Cats vs. dogs is old.',
      'Dr. Mr. Mrs. Ms. Prof. Jones came.',
      'He lives on Main St. near us.',
      'Call No. 5 now.',
      'See Fig. 2 below.',
      'Compare cf. the appendix.',
      'It weighs approx. 5 kg.',
      'Read vol. 2 first.',
      'Read pp. 10-12 first.',
      'Gen. Grant and Col. Lee met.',
      'Lt. Dan and Sgt. Pepper and Capt. Kirk met.',
      'They climbed Mt. Fuji.',
      'The Rev. Green said so.',
    ])('should not end a sentence at an abbreviation: %j', (sentence) => {
      const w = createWindow(`${sentence} Next one.`, { strategy: 'sentence', size: 1, overlap: 0, estimateTokens: () => 1 });
      expect(w.chunks.map((c) => c.content)).toEqual([`${sentence} `, 'Next one.']);
    });

    it.each([
      ['Fruit (e.g. apples) is good.', ['Fruit (e.g. apples) is good.']],
      ['See [cf. the table] here.', ['See [cf. the table] here.']],
      ['He met “Dr. Who” there.', ['He met “Dr. Who” there.']],
      ['He came 1st. Then he left.', ['He came 1st. ', 'Then he left.']],
    ])('should read an abbreviation after a bracket or a quote as one: %j', (text, sentences) => {
      expect(createWindow(text, { strategy: 'sentence', size: 1, overlap: 0, estimateTokens: () => 1 }).chunks.map((c) => c.content)).toEqual(sentences);
    });

    it.each([
      // "no." was always read as the abbreviation of "number": "I said no. Then..." was one sentence
      ['I said no. Then he left.', ['I said no. ', 'Then he left.']],
      ['No. Never again.', ['No. ', 'Never again.']],
      ['He said "no." Then he left.', ['He said "no." ', 'Then he left.']],
      ['Call No. 5 now.', ['Call No. 5 now.']], // before a number it is one
      ['Ask for no. 12, please.', ['Ask for no. 12, please.']],
      ['I said no. then he left.', ['I said no. then he left.']], // a lower-case word: read as the abbreviation still
    ])('should end a sentence at "no." before a capitalised word, not before a number: %j', (text, sentences) => {
      expect(createWindow(text, { strategy: 'sentence', size: 1, overlap: 0, estimateTokens: () => 1 }).chunks.map((c) => c.content)).toEqual(sentences);
    });

    it('should still end a sentence at a word that only ends like an abbreviation', () => {
      const w = createWindow('I saw the dal. Then the papp. Then more.', { strategy: 'sentence', size: 1, overlap: 0, estimateTokens: () => 1 });
      expect(w.chunks.map((c) => c.content)).toEqual(['I saw the dal. ', 'Then the papp. ', 'Then more.']);
    });

    it.each([
      // a letter outside a-z before the abbreviation's letters made one of any word ending in them ("gelö|st.", "hä|lt.")
      ['Das Problem ist gelöst. Dann geht es weiter.', ['Das Problem ist gelöst. ', 'Dann geht es weiter.']],
      ['Das Wetter hält. Morgen regnet es.', ['Das Wetter hält. ', 'Morgen regnet es.']],
      ["C'est idéal. Alors on part.", ["C'est idéal. ", 'Alors on part.']],
      ['Es ist gelo\u0308st. Dann.', ['Es ist gelo\u0308st. ', 'Dann.']], // ö as o and a combining mark (NFD)
    ])('should end a sentence at a word whose last letters only look like an abbreviation, in any script: %j', (text, sentences) => {
      expect(createWindow(text, { strategy: 'sentence', size: 1, overlap: 0, estimateTokens: () => 1 }).chunks.map((c) => c.content)).toEqual(sentences);
    });

    it('should end a sentence before a closing typographic quote, as before a straight one', () => {
      const w = createWindow('He said “Stop.” Then he left. ‘Go!’ she said. «Non.» Fin.', { strategy: 'sentence', size: 1, overlap: 0, estimateTokens: () => 1 });
      expect(w.chunks.map((c) => c.content)).toEqual(['He said “Stop.” ', 'Then he left. ', '‘Go!’ ', 'she said. ', '«Non.» ', 'Fin.']);
    });

    it.each([
      ['„Nein.“ Er ging.', ['„Nein.“ ', 'Er ging.']], // German closing quotes are “ and ‘
      ['»Nein!« Er ging.', ['»Nein!« ', 'Er ging.']],
      ['‹Non.› Fin.', ['‹Non.› ', 'Fin.']],
      ['{x.} Next.', ['{x.} ', 'Next.']],
      // a closing bracket after 。 closes that sentence: it began the next one, or was a chunk of its own
      ['「はい。」「いいえ。」', ['「はい。」', '「いいえ。」']],
      ['“你好。”他说。（对。）', ['“你好。”', '他说。', '（对。）']],
      ['はい。「次」', ['はい。', '「次」']], // an opening bracket begins the next one
    ])('should end a sentence after the closing quotes and brackets of any language: %j', (text, sentences) => {
      expect(createWindow(text, { strategy: 'sentence', size: 1, overlap: 0, estimateTokens: () => 1 }).chunks.map((c) => c.content)).toEqual(sentences);
    });

    it('should end a sentence at a run of marks, and read a long run not followed by space in linear time', () => {
      const w = createWindow('Wait... what?! "Yes." ok', { strategy: 'sentence', size: 1, overlap: 0, estimateTokens: () => 1 });
      expect(w.chunks.map((c) => c.content)).toEqual(['Wait... ', 'what?! ', '"Yes." ', 'ok']);
      // the sentence end was tried from every mark of the run, each one scanning to its end: quadratic (1.4 s at 20 KB)
      expectLinearTime('sentence strategy', (n) => {
        const text = `${'.'.repeat(n)}x`;
        const t0 = performance.now();
        expect(createWindow(text, { strategy: 'sentence', size: n, overlap: 0 }).totalChunks).toBe(1);
        return performance.now() - t0;
      }, 10_000);
    });

    it('should split long CJK sentences (no space after 。) by length in linear time', () => {
      // each sentence too large for a window was split by words matched in the whole text: a word ran on through
      // every following sentence (no space to stop at), so each one read the rest of the document (5 s at 500 KB)
      const sentence = `${'東京は日本の首都であり人口が多い都市です'.repeat(3)}。`; // 61 characters
      expectLinearTime('CJK sentences', (n) => {
        const doc = sentence.repeat(Math.ceil(n / sentence.length));
        const t0 = performance.now();
        const w = createWindow(doc, { strategy: 'sentence', size: 50, overlap: 5, estimateTokens: (t) => t.length });
        expect(w.chunks.at(-1)!.endPos).toBe(doc.length);
        return performance.now() - t0;
      }, 60_000);
    });

    it.each(['token', 'paragraph', 'sentence'] as const)('should fill %s windows up to the size by the default estimate, not by its rounding of every word', (strategy) => {
      // 6-character words: 1.5 tokens each, which rounding up once a word made 2 (windows of 75 tokens for a size of 100)
      const w = createWindow('abcde '.repeat(1000), { strategy, size: 100, overlap: 10 });
      expect(w.chunks.slice(0, -1).map((c) => c.tokenCount)).toEqual(Array(16).fill(99)); // 66 words, a 67th would make 100.5
      expect(w.totalChunks).toBe(17); // 23 before
    });

    it('should pack whole paragraphs and split a too-large one by words, sized in tokens', () => {
      const big = 'word '.repeat(30).trim();
      const w = createWindow(`first para\n\nsecond para\n\n${big}`, { strategy: 'paragraph', size: 10, overlap: 0, estimateTokens: (t) => t.trim().split(/\s+/).filter(Boolean).length });
      expect(w.chunks[0]!.content.startsWith('first para\n\nsecond para\n\nword')).toBe(true);
      expect(w.chunks.map((c) => c.tokenCount)).toEqual([10, 10, 10, 4]);
    });

    it('should have no chunks for an empty document', () => {
      expect(createWindow('').totalChunks).toBe(0);
    });

    it('should throw a TypeError for an overlap not below the size', () => {
      expect(() => createWindow('x', { size: 10, overlap: 10 })).toThrow(new TypeError('createWindow(document, {overlap}) must be an integer >= 0 and below size (10), got 10'));
    });

    it('should default the overlap to 200, or a tenth of a smaller size (as every L0 preset has it), so a size alone works', () => {
      expect(createWindow('x').getStats().overlapSize).toBe(200);
      expect(createWindow('x', { size: 4000 }).getStats().overlapSize).toBe(200);
      expect(createWindow('x', { size: 100 }).getStats().overlapSize).toBe(10);
      expect(createWindow('x', { size: 9, overlap: undefined }).getStats().overlapSize).toBe(0);
      const w = createWindow('a'.repeat(250), { strategy: 'char', size: 100 });
      expect(w.chunks.map((c) => [c.startPos, c.endPos])).toEqual([[0, 100], [90, 190], [180, 250]]);
    });

    it('should still throw for an overlap given not below the size', () => {
      expect(() => createWindow('x', { size: 100, overlap: 200 })).toThrow(
        new TypeError('createWindow(document, {overlap}) must be an integer >= 0 and below size (100), got 200'),
      );
    });

    it('should throw a TypeError naming estimateTokens when it returns no finite count, instead of cutting empty NaN windows', () => {
      for (const bad of [NaN, undefined, '3', -1, Infinity]) {
        for (const strategy of ['token', 'paragraph', 'sentence'] as const) {
          expect(() => createWindow('alpha beta gamma delta epsilon', { size: 2, overlap: 0, strategy, estimateTokens: () => bad as number }))
            .toThrow(new TypeError(`createWindow(document, {estimateTokens}) returned ${typeof bad === 'string' ? JSON.stringify(bad) : String(bad)} for a piece of text; it must return a finite number of tokens >= 0`));
        }
      }
    });

    it('should throw the TypeError naming an async estimateTokens, and leave its rejection handled (an unhandled one ends Node)', async () => {
      const unhandled = await unhandledDuring(() => {
        expect(() => createWindow('alpha beta', { size: 2, overlap: 0, estimateTokens: (() => Promise.reject(new Error('no'))) as never }))
          .toThrow(new TypeError('createWindow(document, {estimateTokens}) returned a Promise for a piece of text; it must return a finite number of tokens >= 0'));
      });
      expect(unhandled).toEqual([]);
    });

    it('should throw that TypeError, not the throw of its then, for an estimateTokens returning a thenable whose then throws', () => {
      const thenable = { then: () => { throw new Error('then broke'); } };
      expect(() => createWindow('alpha beta', { size: 2, overlap: 0, estimateTokens: (() => thenable) as never }))
        .toThrow(new TypeError('createWindow(document, {estimateTokens}) returned an object for a piece of text; it must return a finite number of tokens >= 0'));
    });
  });

  // L0 W2
  describe('processing (L0 W2)', () => {
    it('should give every chunk\'s result in chunk order, a failed chunk as an error, and merge only the successes', () => {
      const w = createWindow('aaaa bbbb cccc', { size: 1, overlap: 0, estimateTokens: words });
      let result: Parameters<typeof w.mergeResults>[0] | undefined;
      testScheduler().run(({ flush }) => {
        w.processAll((c) => (c.index === 1 ? throwError(() => new Error('chunk failed')) : answer(c.content.trim().toUpperCase(), 3 - c.index)))
          .pipe(last()).subscribe((r) => (result = r));
        flush();
      });
      expect(result!.statuses).toEqual(['success', 'error', 'success']);
      expect(w.mergeResults(result!, '|')).toBe('AAAA|CCCC');
    });

    it('should never run more than `concurrency` chunks at once', () => {
      const w = createWindow('a b c d e f', { size: 1, overlap: 0, estimateTokens: words });
      let running = 0;
      let peak = 0;
      testScheduler().run(({ flush }) => {
        w.processAll((c) => { running++; peak = Math.max(peak, running); return answer(c.content, 5).pipe(last(), concatMap((e) => { running--; return of(e); })); }, { concurrency: 2 }).subscribe();
        flush();
      });
      expect(peak).toBe(2);
    });

    it('should take concurrency: Infinity as no limit, and refuse 0, negatives, NaN and fractions', () => {
      const w = createWindow('a b c d e f g', { size: 1, overlap: 0, estimateTokens: words });
      let running = 0;
      let peak = 0;
      testScheduler().run(({ flush }) => {
        w.processAll((c) => { running++; peak = Math.max(peak, running); return answer(c.content, 5).pipe(last(), concatMap((e) => { running--; return of(e); })); }, { concurrency: Infinity }).subscribe();
        flush();
      });
      expect(peak).toBe(7);
      for (const bad of [0, -1, NaN, 1.5]) {
        expect(() => w.processAll(() => answer('x'), { concurrency: bad })).toThrow(new TypeError(`processAll(fn, {concurrency}) must be an integer >= 1 or Infinity (no limit), got ${bad}`));
      }
    });

    it('should carry context from each chunk to the next chunk\'s prompt', () => {
      const w = createWindow('one two three', { size: 1, overlap: 0, estimateTokens: words });
      const prompts: (string | undefined)[] = [];
      testScheduler().run(({ flush }) => {
        w.processSequential((c, ctx) => ((prompts.push(ctx.context), answer(`summary of ${c.content.trim()}`))), { carry: (state) => state.content }).subscribe();
        flush();
      });
      expect(prompts).toEqual([undefined, 'summary of one', 'summary of two']);
    });

    it('should go on past a failed chunk, which carries nothing, and say which chunk the context came from', () => {
      const w = createWindow('one two three four', { size: 1, overlap: 0, estimateTokens: words });
      const contexts: WindowContext[] = [];
      let result: ParallelResult | undefined;
      testScheduler().run(({ flush }) => {
        w.processSequential((c, ctx) => {
          contexts.push(ctx);
          return c.index === 1 ? timer(1).pipe(concatMap(() => throwError(() => new Error('down')))) : answer(`summary of ${c.content.trim()}`);
        }, { carry: (state) => state.content }).subscribe((r) => (result = r));
        flush();
      });
      // chunk 2 gets the last carry there is, from chunk 0, and can tell that chunk 1 is missing
      expect(contexts).toEqual([
        { context: undefined },
        { context: 'summary of one', contextFrom: 0 },
        { context: 'summary of one', contextFrom: 0 },
        { context: 'summary of three', contextFrom: 2 },
      ]);
      expect(result!.statuses).toEqual(['success', 'error', 'success', 'success']);
    });

    it('should fail a chunk whose carry throws, with that error, and carry on from the chunk before', () => {
      const w = createWindow('one two three', { size: 1, overlap: 0, estimateTokens: words });
      const contexts: WindowContext[] = [];
      let result: ParallelResult | undefined;
      const carry = (state: L0State, c: DocumentChunk) => {
        if (c.index === 1) throw new Error('carry failed');
        return state.content;
      };
      testScheduler().run(({ flush }) => {
        w.processSequential((c, ctx) => ((contexts.push(ctx), answer(`summary of ${c.content.trim()}`))), { carry }).subscribe((r) => (result = r));
        flush();
      });
      expect(contexts.map((c) => [c.context, c.contextFrom])).toEqual([[undefined, undefined], ['summary of one', 0], ['summary of one', 0]]);
      expect(result!.statuses).toEqual(['success', 'error', 'success']);
      expect(result!.errors[1]).toMatchObject({ message: 'carry failed' });
    });

    it('should keep each subscription\'s carries to itself', () => {
      const w = createWindow('one two', { size: 1, overlap: 0, estimateTokens: words });
      const seen: string[] = [];
      testScheduler().run(({ flush }) => {
        const run$ = w.processSequential((c, ctx) => ((seen.push(`${c.index}:${ctx.context ?? '-'}`), answer(`after ${c.content.trim()}`))), { carry: (s) => s.content });
        // a second run started from the first one's snapshot, between its chunk 0's carry and its chunk 1
        let again = true;
        run$.subscribe((r) => r.index === 0 && again && ((again = false), run$.subscribe()));
        flush();
      });
      expect(seen).toEqual(['0:-', '0:-', '1:after one', '1:after one']);
    });
  });
});
