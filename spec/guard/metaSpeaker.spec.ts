/** @test {patternRule} @test {detectDrift} */
import { describe, expect, it } from 'vitest';
import { detectDrift, guard, patternRule, recommendedGuardrails } from 'l0-rx';
import { runSync, tokensOf, text } from './helpers.js';

/*
 * Where "as an AI" speaks for the writer (metaCommentary.ts, SPEAKER_AS): the text's start counts as
 * the start of a sentence, before a connective ("Speaking as an AI, I") or blanks (" As an AI, I")
 * too; the drift review's longer phrasings ("as an artificial intelligence,") count only there too; a buffer a scanner trimmed is no text's start ("debut as an AI assistant" with the buffer
 * cut right before "but"). And drift's meta-commentary scan waits for all its look-ahead reads
 * after "I'm an AI": up to 8 blanks, a word of up to 9 letters and the character after it.
 */

const isMeta = (t: string, size: number) => runSync(tokensOf(t, size), guard(recommendedGuardrails)).violations.find((v) => v.severity !== 'warning')?.message.startsWith('meta-commentary') === true;
const drifts = (t: string, size: number) => runSync(tokensOf(t, size), detectDrift({ action: 'retry' })).error !== undefined;

describe('meta commentary where it speaks for the writer, at the text\'s start', () => {
  it.each([
    'Speaking as an AI, I have no favourite colour.',
    "Speaking as an AI, I don't have personal opinions, but many people find blue calming.",
    "As an AI, I can't browse the web.",
    'But as an AI, I have no favourite colour.',
    'Okay as an AI model, I cannot see images.',
    ' As an AI, I have no favourite colour.',
    '\n  As an AI assistant, I cannot browse the web.',
    // after Greek punctuation: the question mark (U+037E) and the ano teleia (U+0387) are no letters
    'Τι σκέφτομαι\u037e As an AI, I have no opinions of my own.',
    'Ναι\u0387 as an AI, I cannot taste food.',
  ])('should fail %j at every token size, as drift too', (t) => {
    for (let size = 1; size <= 40; size++) {
      expect(isMeta(t, size), `guard, tokens of ${size}`).toBe(true);
      expect(drifts(t, size), `drift, tokens of ${size}`).toBe(true);
    }
  });

  it.each([
    'Treat it as an artificial intelligence, not a person.',
    'Under the law a chatbot must identify itself as an artificial intelligence.',
    'GPT-4 was trained as a language model, I believe, on text from the web.',
  ])('should pass %j, which describes something, as "as an AI" there, at every token size, as drift too', (t) => {
    for (let size = 1; size <= 40; size++) {
      expect(runSync(tokensOf(t, size), guard(recommendedGuardrails)).error, `guard, tokens of ${size}`).toBeUndefined();
      expect(drifts(t, size), `drift, tokens of ${size}`).toBe(false);
    }
  });

  it('should not read a trimmed buffer\'s first character as the text\'s start ("de|but as an AI assistant")', () => {
    const filler = 'Large language models predict the next token from the ones before it. Training tunes billions of weights on text gathered. ';
    const meta = () => guard([patternRule({ categories: ['meta-commentary'] })]);
    const drift = () => detectDrift({ action: 'retry', types: ['meta_commentary'] });
    for (let pad = 0; pad < 30; pad++) {
      const t = `${filler}${'x'.repeat(pad)} In 2022 ChatGPT made its debut as an AI assistant, and its usage grew quickly after that. ${filler}`;
      for (let size = 1; size <= 40; size++) {
        expect(runSync(tokensOf(t, size), meta()).error, `guard: pad ${pad}, tokens of ${size}`).toBeUndefined();
        expect(runSync(tokensOf(t, size), drift()).error, `drift: pad ${pad}, tokens of ${size}`).toBeUndefined();
      }
    }
  });
});

describe('detectDrift meta_commentary: the look-ahead after "I\'m an AI", whatever the split', () => {
  it.each([
    "I'm an AI        android fan, and I build robots on weekends.",
    'I am an AI      builtin fan, and I build robots on weekends.',
    "I'm an AI   designedly neutral voice, says the script.",
    "I'm an AI    without a doubt.",
  ])('should give %j the verdict of the whole text for every cut into two tokens', (s) => {
    const t = `The weather today is mild with a light breeze from the west, and ${s}`;
    const whole = runSync(text(t), detectDrift({ action: 'retry' })).error !== undefined;
    for (let cut = 1; cut < t.length; cut++) {
      expect(runSync(text(t.slice(0, cut), t.slice(cut)), detectDrift({ action: 'retry' })).error !== undefined, `cut at ${cut}`).toBe(whole);
    }
  });
});
