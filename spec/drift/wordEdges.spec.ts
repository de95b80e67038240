/** @test {detectDrift} */
import { describe, expect, it } from 'vitest';
import { detectDrift, guard, patternRule, type L0Event } from 'l0-rx';
import { failsAtEverySize, runSync, tokensOf } from '../guard/helpers.js';

/*
 * Where a word ends for the phrase and marker checks: mathematical letters (𝐱, a surrogate pair) are
 * letters, the symbols among the letters (˂ ˚ ϶ ҂) are not; every kana, ideograph and Hangul form
 * ends an English word as the others do; and an emoji (with its variation selector or keycap) ends a
 * word.
 */

const typesIn = (out: readonly L0Event[]) => out.flatMap((e) => (e.type === 'drift' ? e.types : []));
/** The drift types found in `s`, the same for tokens of 1, 3 and 17 characters (asserted). */
function found(s: string): string[] {
  const verdicts = [1, 3, 17].map((size) => typesIn(runSync(tokensOf(s, size), detectDrift()).out));
  for (const v of verdicts) expect(v, 'same verdict for every token size').toEqual(verdicts[0]);
  return verdicts[0]!;
}

describe('detectDrift: letters and symbols next to a meta phrase', () => {
  it.each([
    ['a bold 𝐱 (U+1D431) before "as"', 'Let the vector be 𝐱as an AI, I would normalise it first.'],
    ['a bold 𝐱 and a space before "as"', 'Let the vector be 𝐱 as an AI assistant would write it.'],
    ['a bold 𝐀 (U+1D400, the block\'s first) before "as"', 'The matrix 𝐀as an AI, I cannot invert by hand.'],
    ['a double-struck 𝟙 (U+1D7D9, a digit) before "as"', 'The indicator 𝟙as an AI, I write it with a subscript.'],
    ['a styled word before "I\'m"', "The answer, 𝐛𝐨𝐥𝐝I'm an AI. is what the bot printed."],
  ])('should take %s for a letter: no meta commentary', (_, s) => {
    expect(found(s)).toEqual([]);
  });

  // polytonic Greek (Greek Extended, U+1F00-1FFF) and fullwidth Latin letters are letters, in the guard's meta family too
  it.each([
    ['a polytonic ῇ (U+1FC7) before "as"', 'Ἡ ἀρχῇas an AI, I would read it in the original.'],
    ['the block\'s first letter ἀ (U+1F00) before "as"', 'The prefix ἀas an AI, I would gloss as "not".'],
    ['a prosgegrammeni (U+1FBE, written escaped: NFC makes it ι) before "as"', 'The iota \u1fbeas an AI, I would write adscript.'],
    ['the block\'s last letter ῼ (U+1FFC) and a space before "as"', 'Capital ῼ as an AI assistant would print it.'],
    ['a fullwidth ｘ (U+FF58) before "as"', 'The variable ｘas an AI, I would rename it.'],
    ['a fullwidth Ｘ (U+FF38) before "as"', 'The variable Ｘas an AI, I would rename it.'],
    ['a fullwidth ｚ (U+FF5A) before "I\'m"', "The answer ｚI'm an AI. is what the bot printed."],
    // fullwidth digits are a word's, as 0-9 and the mathematical 𝟙 are ("x2as an AI" has no phrase)
    ['a fullwidth ２ (U+FF12) after a fullwidth ｘ before "as"', 'The variable ｘ２as an AI, I would rename it.'],
    ['a fullwidth ０ (U+FF10) before "as"', 'The flag ０as an AI, I would read as false.'],
    ['a fullwidth ９ (U+FF19) before "I\'m"', "The answer ９I'm an AI. is what the bot printed."],
  ])('should take %s for a letter: no meta commentary, in the guard too', (_, s) => {
    const meta = () => guard([patternRule({ categories: ['meta-commentary'] })]);
    expect(found(s)).toEqual([]);
    expect([1, 3, 17].map((size) => runSync(tokensOf(s, size), meta()).violations.length)).toEqual([0, 0, 0]);
  });

  it('should read a mathematical letter whole where a scanner trimmed its buffer (its first half 13 characters before the "as")', () => {
    const filler = 'Large language models predict the next token from the ones before it. Training tunes billions of weights on text gathered. ';
    const meta = () => guard([patternRule({ categories: ['meta-commentary'] })]);
    const drift = () => detectDrift({ action: 'retry', types: ['meta_commentary'] });
    const fired: string[] = [];
    for (let pad = 0; pad < 30; pad++) {
      const t = `${filler}${'x'.repeat(pad)} The vector 𝐱speaking   as an AI assistant would print it. ${filler}`;
      for (let size = 1; size <= 64; size++) {
        if (runSync(tokensOf(t, size), meta()).error !== undefined) fired.push(`guard: pad ${pad}, tokens of ${size}`);
        if (runSync(tokensOf(t, size), drift()).error !== undefined) fired.push(`drift: pad ${pad}, tokens of ${size}`);
      }
    }
    expect(fired).toEqual([]);
  });

  it.each([
    ['an emoji (not a mathematical letter) before "As"', 'Done! 🎉As an AI, I cannot see your screen.'],
    ['a modifier arrowhead ˂ (U+02C2)', 'The bound is x ˂As an AI language model, I cannot check it.'],
    ['a ring above ˚ (U+02DA)', 'It was 20˚As an AI language model, I cannot feel the weather.'],
    ['a ring above ˚ and a space', 'It was 20˚ As an AI, I cannot feel the weather.'],
    ['a reversed lunate epsilon ϶ (U+03F6)', 'The set ϶As an AI language model, I cannot draw it.'],
    ['a Cyrillic thousands sign ҂ (U+0482)', 'The sum is ҂As an AI language model, I cannot count it.'],
    ['a Greek koronis ᾽ (U+1FBD)', 'The breathing ᾽As an AI language model, I cannot pronounce it.'],
    ['a Greek dasia ῾ (U+1FFE)', 'The breathing ῾As an AI language model, I cannot pronounce it.'],
    ['a Greek dialytika and varia ῭ (U+1FED)', 'The accent ῭As an AI language model, I cannot pronounce it.'],
    ['a fullwidth bracket ［ (U+FF3B, between the capitals and the small letters)', 'See ［As an AI language model, I cannot open it.'],
    ['a fullwidth solidus ／ (U+FF0F, before the digits)', 'See ／As an AI language model, I cannot open it.'],
    ['a fullwidth colon ： (U+FF1A, after the digits)', 'Note：As an AI language model, I cannot open it.'],
  ])('should take %s for a symbol: meta commentary', (_, s) => {
    expect(found(s)).toEqual(['meta_commentary']);
  });

  // the mathematical block's nablas and partial differentials are symbols, as ∇ and ∂ are: a pair split across tokens too
  it.each([
    ['a bold nabla 𝛁 (U+1D6C1)', 'The gradient is 𝛁As an AI, I cannot draw it.', 'The gradient is ∇As an AI, I cannot draw it.'],
    ['a sans-serif bold italic partial 𝟃 (U+1D7C3) and a space', 'Take 𝟃 as an AI assistant would write it.', 'Take ∂ as an AI assistant would write it.'],
  ])('should take %s for a symbol, as its plain form: meta commentary, in the guard too', (_, s, plain) => {
    const meta = () => guard([patternRule({ categories: ['meta-commentary'] })]);
    for (const t of [plain, s]) {
      expect(found(t), t).toEqual(['meta_commentary']);
      expect(failsAtEverySize(t, meta), t).toBe(true);
    }
  });
});

describe('detectDrift: tone markers next to other scripts and emoji', () => {
  const formal = 'The installer modifies the registry. Therefore, administrative rights are required. Moreover, the service must be stopped first; hence a restart is needed.'.padEnd(200);
  /** A formal window, then `informal` (two markers of its own, "yeah" and "lol") padded to a window: a shift when its third marker counts. */
  const shifts = (informal: string) => found(`${formal}${informal.padEnd(200)}The end.`).includes('tone_shift');

  it.each([
    ['halfwidth katakana (U+FF66-FF9D)', 'ｵｯｹｰ', 'full-width ones', 'オッケー'],
    ['a kana of the Kana Supplement (U+1B000)', '\u{1b000}', 'a hiragana', 'え'],
    ['a small kana of the Small Kana Extension (U+1B150)', '\u{1b150}', 'a small hiragana', 'ゐ'],
    ['a syllable as conjoining jamo (NFD, U+1100-11FF)', '네'.normalize('NFD'), 'the precomposed syllable', '네'],
    ['a halfwidth Hangul letter (U+FFA0-FFDC)', '\uffb8', 'a Hangul syllable', '네'],
    ['a CJK compatibility ideograph (U+F900-FAFF)', '\uf900', 'an ideograph', '好'],
    ['the iteration mark 々 (U+3005, "人々")', '々', 'an ideograph', '好'],
    ['the ideographic zero 〇 (U+3007)', '〇', 'an ideograph', '好'],
    ['a Myanmar Extended-A letter (U+AA60)', '\uaa60', 'a Myanmar letter', 'က'],
    ['a Myanmar Extended-B letter (U+A9E0)', '\ua9e0', 'a Myanmar letter', 'က'],
  ])('should end a word at %s (%s) as at %s (%s)', (_, other, __, wide) => {
    for (const c of [wide, other]) {
      expect(shifts(`yeah, lol, ${c}ok, that's all.`), `before: ${c}`).toBe(true);
      expect(shifts(`yeah, lol, ok${c}, that's all.`), `after: ${c}`).toBe(true);
    }
  });

  it.each([
    ['a heart with its variation selector', 'yeah❤️lol, ok that is all.'],
    ['a smiley with its variation selector', 'ok ☺️lol yeah, see you.'],
    ['a keycap emoji', 'yeah #️⃣lol ok, see you.'],
  ])('should end a word at %s', (_, informal) => {
    expect(shifts(informal)).toBe(true);
  });

  it('should still take a combining accent for part of a word (c\u0327ok, "çok")', () => {
    expect(shifts('yeah, lol, c\u0327ok güzel.')).toBe(false);
  });
});
