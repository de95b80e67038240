/** @test {detectDrift} */
import { describe, expect, it } from 'vitest';
import { detectDrift, type L0Event } from 'l0-rx';
import bad from '../guard/corpus/bad.json' with { type: 'json' };
import good from '../guard/corpus/good.json' with { type: 'json' };
import { runSync, text, tokensOf } from '../guard/helpers.js';

/*
 * Text that is not plain English prose: emoji (surrogate pairs, which a provider may split between
 * two tokens), right-to-left scripts with their direction marks, combining marks, Windows line ends.
 * The detectors read code units, so the verdicts must not depend on where a token cuts a pair.
 */

const typesIn = (out: readonly L0Event[]) => out.flatMap((e) => (e.type === 'drift' ? e.types : []));

/** The drift types found in `s` in one token, asserted the same for `s` cut in two at every code unit (lone surrogates included). */
function verdict(s: string): string[] {
  const whole = typesIn(runSync(text(s), detectDrift()).out);
  for (let at = 1; at < s.length; at++) expect(typesIn(runSync(text(s.slice(0, at), s.slice(at)), detectDrift()).out), `split at ${at}`).toEqual(whole);
  return whole;
}

describe('detectDrift on emoji, right-to-left text and combining marks', () => {
  it.each([
    ['a loop of emoji sentences', 'We shipped the release 🚀 today and everyone is happy 😀🎉. '.repeat(3), ['repetition']],
    ['a loop of family emoji (joiners) with no sentence end', '👨‍👩‍👧‍👦 and 🏳️‍🌈 '.repeat(50), ['repetition']],
    ['a Hebrew loop with direction marks', 'כדי להתקין את החבילה הריצו \u200enpm install\u200f בטרמינל. '.repeat(3), ['repetition']],
    ['a Hebrew loop of sentences ended by `.` and a right-to-left mark (read past: the space after it ends the sentence)', 'המערכת לא הצליחה להתחבר לשרת ולכן היא תנסה שוב בעוד כמה שניות.\u200f אנא המתינו בסבלנות ואל תסגרו את החלון בזמן הזה.\u200f החיבור יחודש באופן אוטומטי.\u200f '.repeat(3), ['repetition']],
    // units of sentences over 160 characters (past the tail check's longest unit): the sentences decide
    ['a loop of sentences parted by no-break spaces (`.` before U+00A0 ends one, as before a space)', ['The server could not be reached this time around.', 'We will retry the request in a few seconds.', 'Please keep this window open while we wait.', 'Your work so far has been saved.'].join('\u00a0').concat('\u00a0').repeat(3), ['repetition']],
    ['a loop of sentences parted by `.`, a no-break space and a space (HTML\'s "&nbsp; " after a full stop)', ['The server could not be reached this time around.', 'We will retry the request in a few seconds.', 'Please keep this window open while we wait.', 'Your work so far has been saved.'].join('\u00a0 ').concat('\u00a0 ').repeat(3), ['repetition']],
    ['a Japanese loop of `．` and ideographic spaces (U+3000)', 'サーバーに接続できませんでした．\u3000数秒後にもう一度お試しください．\u3000'.repeat(3), ['repetition']],
    ['an Arabic loop ending in `؟`', 'هل يجب علينا أن نفكر في هذه المشكلة بعناية؟ '.repeat(3), ['repetition']],
    ['a French loop with decomposed accents', 'Je crois que la réponse dépend du contexte précis. '.normalize('NFD').repeat(3), ['repetition']],
    ['an ordinary answer full of emoji', 'Ótima pergunta! 😊 Troque as lâmpadas por LED 💡, desligue os aparelhos da tomada 🔌 e aproveite a luz natural ☀️. Pequenas mudanças fazem diferença! 🌱🇧🇷👍🏽', []],
    ['an ordinary Arabic answer with direction marks', 'أولًا، حدّد ميزانيتك قبل أن تبدأ البحث.\u200f هل تحتاج إلى برامج تصميم ثقيلة؟ إذا كانت الإجابة لا، فيكفي معالج متوسط.\u200f', []],
  ])('should find the same drift in %s wherever a token cuts it', (_, s, types) => {
    expect(verdict(s)).toEqual(types);
  });

  it('should stop a loop of short lines with Windows line ends as with `\\n` (the tail check leaves the `\\r`s out)', () => {
    // 15 lines of 9 characters: a unit of 165 characters with `\r\n`, 150 with `\n` (the tail check looks for one of up to 160)
    const words = ['alpha', 'bravo', 'delta', 'gamma', 'omega', 'sigma', 'kappa', 'theta', 'lambd', 'omicr', 'epsil', 'zetaa', 'etaaa', 'iotaa', 'muuuu'];
    const unit = words.map((w, i) => `${w} ${String.fromCharCode(97 + i)}cc\r\n`).join('');
    const crlf = `Status:\r\n${unit.repeat(5)}`;
    expect(typesIn(runSync(tokensOf(crlf.replaceAll('\r', ''), 3), detectDrift()).out)).toEqual(['repetition']);
    expect(typesIn(runSync(tokensOf(crlf, 3), detectDrift()).out)).toEqual(['repetition']);
    expect(typesIn(runSync(tokensOf(crlf, 17), detectDrift()).out)).toEqual(['repetition']);
    // 20 short lines that differ, with Windows line ends: no loop
    const list = `Packing list:\r\n${['tent pegs', 'rain coat', 'head lamp', 'water jug', 'first aid', 'map + pen', 'sunscreen', 'bug spray', 'sleep bag', 'camp stove', 'gas can x2', 'lighter x2', 'tin mugs', 'trail mix', 'dry socks', 'sun hat', 'day pack', 'rope 10 m', 'knife', 'towel'].join('\r\n')}\r\nCheck the weather the night before.`;
    expect(typesIn(runSync(tokensOf(list, 3), detectDrift()).out)).toEqual([]);
  });

  it('should still stop a run of carriage returns (a window of only `\\r`s is a loop, as it was before they were left out)', () => {
    const run = `Loading the data${'\r'.repeat(600)}`;
    expect(typesIn(runSync(tokensOf(run, 3), detectDrift()).out)).toEqual(['repetition']);
    expect(typesIn(runSync(tokensOf(run.replaceAll('\r', '\r\n'), 3), detectDrift()).out)).toEqual(['repetition']);
  });

  it('should find the same drift in every corpus text with Windows line ends as with `\\n` (entropy_spike aside, reported only: its 64-character blocks shift)', () => {
    const failing = (types: string[]) => types.filter((t) => t !== 'entropy_spike');
    for (const t of [...good, ...bad]) {
      const crlf = t.replace(/\r?\n/g, '\r\n');
      expect(failing(typesIn(runSync(tokensOf(crlf, 3), detectDrift()).out)), JSON.stringify(t.slice(0, 60))).toEqual(failing(typesIn(runSync(tokensOf(t, 3), detectDrift()).out)));
    }
  });
});
