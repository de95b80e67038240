/** @test {createWindow} mergeResults with overlap removal: same text as the plain algorithm, in linear time */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createWindow, type ParallelResult } from 'l0-rx';
import { runs } from '../helpers/propertyRuns.js';

/** A finished result whose successful runs produced `texts` (only what mergeResults reads). */
const resultOf = (texts: readonly string[]) =>
  ({ results: texts.map((content) => ({ content })), statuses: texts.map(() => 'success') }) as unknown as ParallelResult;

/** The rule as the README states it, on one growing string (quadratic, for reference only). */
function reference(texts: readonly string[], separator: string, minOverlap: number, maxOverlap: number): string {
  let out = '';
  texts.forEach((text, i) => {
    if (i === 0) return void (out = text);
    const prev = out.trimEnd();
    const next = text.trimStart();
    let k = 0;
    for (let n = Math.min(prev.length, next.length, maxOverlap); n > 0; n--) {
      if (prev.endsWith(next.slice(0, n))) {
        k = n;
        break;
      }
    }
    out = k >= minOverlap ? `${prev}${next.slice(k)}` : `${out}${separator}${text}`;
  });
  return out;
}

describe('mergeResults with removeOverlap', () => {
  const w = createWindow('x');

  it('should give the same text as the plain algorithm (whitespace-only and empty results included)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n'), maxLength: 12 });
    fc.assert(fc.property(fc.array(text, { maxLength: 8 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 6 }), fc.constantFrom('\n\n', '|', ''),
      (texts, minOverlap, extra, separator) => {
        const maxOverlap = minOverlap + extra;
        expect(w.mergeResults(resultOf(texts), { removeOverlap: true, minOverlap, maxOverlap, separator }))
          .toBe(reference(texts, separator, minOverlap, maxOverlap));
      }), { numRuns: runs(2000) });
  });

  it('should merge 12,000 results in linear time', () => {
    const texts = Array.from({ length: 12_000 }, (_, i) => `result ${i}: ${'lorem ipsum dolor sit amet '.repeat(4)}`);
    const t0 = performance.now();
    const merged = w.mergeResults(resultOf(texts), { removeOverlap: true });
    expect(performance.now() - t0).toBeLessThan(1500); // quadratic: about 8 s
    expect(merged).toBe(texts.join('\n\n'));
  });
});
