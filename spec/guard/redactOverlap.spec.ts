/** @test {guard} */
import { describe, expect, it } from 'vitest';
import { customPatternRule, guard, patternRule, type GuardRule } from 'l0-rx';
import { runSync, tokensOf } from './helpers.js';

/*
 * Two redactions whose spans overlap (two rules, or two patterns of one rule) both apply: the union
 * of their spans is replaced (by the replacement of the one that starts first), and each violation
 * says what its finding redacted. Hold-back never releases part of a redaction while a rule may
 * still find one overlapping it, whatever the chunks and the hold-back.
 */

const key = customPatternRule(/sk-\d{3}/, 'key', 'error', { redact: '[key]', name: 'key' });
const digits = customPatternRule(/\d{4,}/, 'digits', 'error', { redact: '[num]', name: 'digits' });
const both = customPatternRule([/sk-\d{3}/, /\d{4,}/], 'secret', 'error', { redact: '[x]' });
const families = patternRule({ categories: [], patterns: [{ name: 'key', pattern: /sk-\d{3}/, severity: 'error', redact: '[key]' }, { name: 'digits', pattern: /\d{4,}/, severity: 'error', redact: '[num]' }] });
const answer = 'my sk-123456 ok, and the rest of the answer goes on well past the hold-back';

/** The released text and violations of `answer` in tokens of every size from 1 to 9, with each hold-back; asserted the same for all. */
function redacted(rules: readonly GuardRule[]) {
  const runs = [1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((size) =>
    [0, 4, undefined].map((holdBack) => {
      const r = runSync(tokensOf(answer, size), guard(rules, { mode: 'hold-back', ...(holdBack === undefined ? {} : { holdBack }) }));
      return { released: r.released, violations: r.violations, error: r.error };
    }),
  );
  for (const r of runs) expect(r).toEqual(runs[0]);
  return runs[0]!;
}

describe('guard: overlapping redactions', () => {
  it('should apply both of two rules overlapping redactions, in either order, whatever the chunks and the hold-back', () => {
    for (const rules of [[key, digits], [digits, key]]) {
      const r = redacted(rules);
      expect(r.error).toBeUndefined();
      expect(r.released).toBe('my [key] ok, and the rest of the answer goes on well past the hold-back');
      expect(r.violations).toEqual([
        { ruleId: 'key', message: 'key: redacted', severity: 'warning', recoverable: true, position: 3, redacted: 6 },
        { ruleId: 'digits', message: 'digits: redacted', severity: 'warning', recoverable: true, position: 6, redacted: 6 },
      ]);
    }
  });

  it('should apply both of one rule overlapping redactions (two patterns, or two families)', () => {
    const one = redacted([both]);
    expect(one.released).toBe('my [x] ok, and the rest of the answer goes on well past the hold-back');
    expect(one.violations.map((v) => [v.position, v.redacted, v.severity])).toEqual([[3, 6, 'warning'], [6, 6, 'warning']]);
    const two = redacted([families]);
    expect(two.released).toBe('my [key] ok, and the rest of the answer goes on well past the hold-back');
    expect(two.violations.map((v) => [v.message, v.position, v.redacted])).toEqual([['key: redacted', 3, 6], ['digits: redacted', 6, 6]]);
  });
});
