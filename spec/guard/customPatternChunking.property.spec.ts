/** @test {customPatternRule} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customPatternRule, guard, patternRule, type GuardMode, type GuardRule, type Violation } from 'l0-rx';
import { runSync, text } from './helpers.js';
import { runs } from '../helpers/propertyRuns.js';

/*
 * A pattern of your own may read past the end of its match: a look-ahead (`foo(?!bar)`,
 * `\d+(?=px)`), an optional tail a longer text completes (`ab(?:cd)?`), a greedy run that gives
 * back (`x\d*5`). Its verdict is a function of the text, not of the chunks: a match is reported
 * once its `span` of characters follow the match (or at the end), so the regex reads there
 * what it reads in the whole text.
 */

/** Patterns that read past their match, and (the last three) patterns a character after the match settles. */
const PATTERNS = [/foo(?!bar)/, /\d+(?=px)/, /ab(?:cd)?/, /x\d*5/, /sk-\d+/, /\bq\d{2}z/, /zz/];
const flags = (span?: number): GuardRule => customPatternRule(PATTERNS, 'custom', 'error', span === undefined ? {} : { span });
const redacts = (span?: number): GuardRule => customPatternRule(PATTERNS, 'custom', 'error', { redact: '[r]', ...(span === undefined ? {} : { span }) });
const families = (span: number): GuardRule =>
  patternRule({ categories: [], patterns: [{ name: 'foo', pattern: /foo(?!bar)/, severity: 'error', span }, { name: 'abcd', pattern: /ab(?:cd)?/, severity: 'warning', span, redact: '[r]' }] });

const PIECES = ['foo', 'bar', 'ba', 'b', 'r', '12', 'px', 'p', 'x', 'ab', 'cd', 'c', 'd', 'x1', '5', '55', ' ', 'lorem ipsum ', 'sk-', 'q', 'z', 'zz'];
/** A text and its split into chunks of any sizes (1-character chunks included). */
const textAndSplit = fc.tuple(fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 10 })).map(([pieces, sizes]) => {
  const all = pieces.join('');
  const chunks: string[] = [];
  for (let at = 0, k = 0; at < all.length; k++) chunks.push(all.slice(at, (at += sizes[k % sizes.length]!)));
  return { all, chunks };
});

/**
 * Whether every match of the patterns in `all` covers at most `span` characters: a longer one "may be missed"
 * (see `span`), so its verdict may depend on the chunks ("sk-1255" under a span of 6, one character a chunk).
 */
const fits = (all: string, span = 200) => PATTERNS.every((re) => [...all.matchAll(new RegExp(re.source, 'g'))].every((m) => m[0].length <= span));
/** A text with a match longer than a span of 6, cut into single characters (it once failed the property by chance). */
const longMatch = { all: 'foosk-1255foo', chunks: [...'foosk-1255foo'] };

const shown = (v: Violation) => ({ ...v });

/** Every violation, the error's code and violations, and (hold-back) the released text of an answer that passed. */
function verdict(chunks: readonly string[], rule: GuardRule, mode: GuardMode) {
  const r = runSync(text(...chunks), guard([rule], { mode }));
  const error = r.error as { code?: string; info?: { violations: readonly Violation[] } } | undefined;
  return { violations: r.violations.map(shown), code: error?.code, failing: error?.info?.violations.map(shown), released: mode === 'hold-back' && error === undefined ? r.released : undefined };
}

describe('customPatternRule / patternRule({patterns}): the verdict whatever the chunking (property)', () => {
  it('should flag the same matches, in the same order, for every split, in either mode', () => {
    fc.assert(
      fc.property(textAndSplit, fc.constantFrom(undefined, 6, 10), fc.constantFrom<GuardMode>('stream-first', 'hold-back'), ({ all, chunks }, span, mode) => {
        fc.pre(fits(all, span));
        expect(verdict(chunks, flags(span), mode)).toEqual(verdict([all], flags(span), mode));
        expect(verdict([...all], flags(span), mode)).toEqual(verdict([all], flags(span), mode));
      }),
      { numRuns: runs(1500) },
    );
  });

  it('should redact the same text for every split in hold-back, one rule or one family of several', () => {
    fc.assert(
      fc.property(textAndSplit, fc.constantFrom(6, 10), ({ all, chunks }, span) => {
        fc.pre(fits(all, span));
        for (const rule of [redacts(span), families(span)]) {
          expect(verdict(chunks, rule, 'hold-back')).toEqual(verdict([all], rule, 'hold-back'));
          expect(verdict([...all], rule, 'hold-back')).toEqual(verdict([all], rule, 'hold-back'));
        }
      }),
      { numRuns: runs(1500), examples: [[longMatch, 6]] },
    );
  });

  it('should judge a look-ahead by the text that follows the match, not by where a chunk ends', () => {
    // "foo" then "bar" in the next chunks: `foo(?!bar)` has no match, however the text is cut
    // (a check round every 10 tokens: the first sees "a lon foob")
    for (const chunks of [[...'a lon foob', 'ar ok'], [...'a lo foob', 'ar ok'], [...'a lon fooba', 'r ok'], [...'a foobar ok']]) {
      expect(runSync(text(...chunks), guard([customPatternRule(/foo(?!bar)/, 'foo', 'error', { span: 8 })])).violations).toEqual([]);
    }
  });
});
