/** @test {customPatternRule} */
import { describe, expect, it } from 'vitest';
import { patternReads } from '../../src/guard/rules/patternReads.js';

/*
 * Which patterns of the user's a character after the match settles (reported in the round that
 * brings it, as a secret must be for stream-first to redact it in time), and which may read up to
 * their `span` past a match (held until that many characters follow it: see
 * customPatternChunking.property.spec.ts for the verdicts whatever the chunks).
 */
describe('patternReads', () => {
  it('should settle a run of single-character atoms whose last atom alone varies', () => {
    const settled = [/sk-\d+/, /BAD/, /open sesame/i, /\bsk-[A-Za-z0-9]{20,}/, /sk-\d+?/, /a\.b\d{3}c/, /[a-z\]]x+/, /x$/, /\bfoo\b/, /\n\0+/];
    for (const re of settled) expect(patternReads(re, 99), String(re)).toBe(0);
  });

  it('should read the span of a look-ahead, a group, an alternation, a back-reference, or a varying atom before another', () => {
    const reading = [/^\s*x/, /foo(?!bar)/, /ab(?:cd)?/, /x\d*5/, /a|b/, /\d+(?=px)/, /(a)\1/, /\S+@\S+\.\w+/, /sk-\d+\b/, /a{2/, /x+$/, /[a-]+b/, /a\d+?z/, new RegExp('[\\p{L}--[a-z]]', 'v')];
    // conservative: a unicode property, code point or control escape is not read
    for (const re of [/\p{L}+/u, new RegExp('\\u{3,}'), /\u0041+/, /\x41*/, /\cJ/]) expect(patternReads(re, 99), String(re)).toBe(99);
    for (const re of reading) expect(patternReads(re, 99), String(re)).toBe(99);
  });
});
