/** @test {createWindow} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Observable } from 'rxjs';
import { createWindow, type L0Event, type WindowStrategy } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { runs } from '../helpers/propertyRuns.js';

const unit = fc.constantFrom('a', 'bb', ' ', '\n', '\n\n', '. ', '! ', '😀', '\r\n');
const strategies: readonly WindowStrategy[] = ['char', 'token', 'paragraph', 'sentence'];
const doc = fc.array(unit, { maxLength: 60 }).map((u) => u.join(''));
const config = fc.integer({ min: 1, max: 12 }).chain((size) =>
  fc.record({ size: fc.constant(size), overlap: fc.integer({ min: 0, max: size - 1 }), strategy: fc.constantFrom(...strategies) }));

describe('createWindow with the default estimateTokens (properties)', () => {
  it('should fill each window to at most size tokens (chars / 4) unless one piece is larger, and report ceil(chars / 4)', () => {
    fc.assert(fc.property(doc, config, (text, { size, overlap, strategy }) => {
      const { chunks } = createWindow(text, { size, overlap, strategy });
      if (text === '') return void expect(chunks).toEqual([]);
      expect(chunks[0]!.startPos).toBe(0);
      expect(chunks.at(-1)!.endPos).toBe(text.length);
      chunks.forEach((c, i) => {
        expect(c).toMatchObject({ index: i, content: text.slice(c.startPos, c.endPos), charCount: c.endPos - c.startPos, tokenCount: Math.ceil(c.charCount / 4), isFirst: i === 0, isLast: i === chunks.length - 1, totalChunks: chunks.length });
        if (strategy === 'char') expect(c.charCount).toBeLessThanOrEqual(size + 1);
        if (i > 0) expect(c.startPos).toBeLessThanOrEqual(chunks[i - 1]!.endPos);
      });
    }), { numRuns: runs(500) });
  });
});

describe('processAll (properties)', () => {
  it('should never run more than concurrency chunks at once, run each once, and unsubscribe every running chunk when the consumer leaves', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 30 }), fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }), (n, concurrency, lengths, leaveAt) => {
      const ts = testScheduler();
      const w = createWindow('word '.repeat(n), { strategy: 'token', size: 2, overlap: 0 });
      let running = 0;
      let most = 0;
      const subscribed: number[] = [];
      const torn: number[] = [];
      const fn = (chunk: { index: number }) => new Observable<L0Event>((sub) => {
        subscribed.push(chunk.index);
        most = Math.max(most, ++running);
        sub.next({ type: 'token', value: 'x' });
        const end = ts.schedule(() => (sub.next({ type: 'complete', finishReason: 'stop' }), sub.complete()), lengths[chunk.index % lengths.length]!);
        return () => (running--, torn.push(chunk.index), end.unsubscribe());
      });
      let last: { done: boolean; completed: number } | undefined;
      const sub = w.processAll(fn, { concurrency }).subscribe((r) => (last = r));
      if (leaveAt !== undefined) ts.schedule(() => sub.unsubscribe(), leaveAt);
      ts.flush();
      expect(most).toBeLessThanOrEqual(concurrency);
      expect(new Set(subscribed).size).toBe(subscribed.length);
      expect(running).toBe(0); // every chunk subscribed was torn down, also when the consumer left
      expect(torn.sort((a, b) => a - b)).toEqual([...subscribed].sort((a, b) => a - b));
      if (leaveAt === undefined) expect(last).toMatchObject({ done: true, completed: w.totalChunks });
    }), { numRuns: runs(300) });
  });
});
