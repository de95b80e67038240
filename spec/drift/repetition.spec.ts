/** @test {detectDrift} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasPeriodAtMost, RepetitionCheck } from '../../src/drift/repetition.js';

/** The textbook smallest period: length minus the longest proper border (the prefix function). */
function smallestPeriod(s: string): number {
  const pi: number[] = [0];
  for (let i = 1; i < s.length; i++) {
    let k = pi[i - 1]!;
    while (k > 0 && s[i] !== s[k]) k = pi[k - 1]!;
    if (s[i] === s[k]) k++;
    pi.push(k);
  }
  return s.length === 0 ? 0 : s.length - pi[s.length - 1]!;
}

describe('hasPeriodAtMost (the repetition tail check)', () => {
  it('should agree with the textbook smallest period on loops, near-loops and ordinary text', () => {
    const unit = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '.'), minLength: 1, maxLength: 70 });
    const tail = fc.tuple(unit, fc.nat(500), fc.string({ unit: fc.constantFrom('a', 'b', 'x'), maxLength: 3 }), fc.nat(600))
      .map(([u, start, noise, at]) => {
        const s = u.repeat(Math.ceil((start + 480) / u.length) + 1).slice(start % u.length, (start % u.length) + 480);
        const i = at % 480;
        return (s.slice(0, i) + noise + s.slice(i)).slice(0, 480);
      });
    fc.assert(
      fc.property(tail, (s) => {
        expect(hasPeriodAtMost(s, 160)).toBe(smallestPeriod(s) <= 160);
      }),
      { numRuns: 2000 },
    );
  });

  it('should find a one-character and a 160-character loop, and no loop in varied text', () => {
    expect(hasPeriodAtMost('a'.repeat(480), 160)).toBe(true);
    const u = Array.from({ length: 160 }, (_, i) => String.fromCharCode(65 + (i % 26) + (i > 80 ? 6 : 0))).join('');
    expect(hasPeriodAtMost(u.repeat(3), 160)).toBe(true);
    expect(hasPeriodAtMost(Array.from({ length: 60 }, (_, i) => `w${i} `).join('').slice(0, 480), 160)).toBe(false);
  });
});

describe('RepetitionCheck (sentences)', () => {
  /** Whether the check fires on `text` fed in chunks of the given sizes (checks, then the completion check). */
  const fires = (text: string, sizes: readonly number[]): boolean => {
    const check = new RepetitionCheck();
    for (let at = 0, k = 0; at < text.length; k++) {
      const size = sizes[k % sizes.length]!;
      if (check.check(text.slice(at, at + size))) return true;
      at += size;
    }
    return check.complete();
  };

  it('should end a sentence at `.`, `!` or `?` followed by whitespace or a control character, and only there', () => {
    const s = 'We need to consider the implications';
    expect(fires(`${s}.\t${s}.\n${s}.\u0001`, [7])).toBe(true);
    expect(fires(`${s}?\r${s}? ${s}?\u0000`, [200])).toBe(true);
    expect(fires(`${s}!x${s}!x${s}!x${s}`, [5])).toBe(false); // no whitespace after: one long sentence
    expect(fires(`${s}. ${s}; ${s}. `, [3])).toBe(false); // only two of them end the same way
  });

  it('should find the same verdict whatever the chunk boundaries (text under the tail check\'s 480 characters)', () => {
    const sentence = 'The results are very promising indeed. ';
    const piece = fc.constantFrom(sentence, sentence, sentence, 'THE RESULTS ARE VERY promising  indeed!\n', 'We need to consider it all', 'ok', '. ', '?', ' ', '.');
    let found = 0;
    fc.assert(
      fc.property(fc.array(piece, { minLength: 3, maxLength: 11 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 6 }), (pieces, sizes) => {
        const text = pieces.join('').slice(0, 479);
        const whole = fires(text, [text.length || 1]);
        if (whole) found++;
        expect(fires(text, sizes)).toBe(whole);
      }),
      { numRuns: 1000 },
    );
    expect(found).toBeGreaterThan(100); // repetitions were found, not only their absence
  });
});
