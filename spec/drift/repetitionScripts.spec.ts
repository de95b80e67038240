/** @test {detectDrift} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectDrift, l0, type DriftEvent, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { fires } from '../helpers/repetitionFires.js';
import { failsAtEverySize } from '../guard/helpers.js';
import { runs } from '../helpers/propertyRuns.js';
import { finalState, runScenario, subsequence } from '../helpers/runScenario.js';

/*
 * Runaway repetition in scripts whose sentences do not end in ASCII `.`, `!` or `?` and a space:
 * Chinese and Japanese (`。！？`, no space after them; the fullwidth `．`, a decimal point too,
 * ends as `.` does), Devanagari's danda `।`, Arabic `؟`, Thai (a space between sentences, no
 * punctuation), and CJK sentences shorter than 20 characters that carry as much as English ones
 * three times as long. Each text streams in 1-, 3- and 17-character tokens under
 * l0({detectDrift: true})'s settings; the verdict must not depend on them.
 */

const fails = (s: string): boolean => failsAtEverySize(s, () => detectDrift({ action: 'retry' }));
const counted = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => f(i + 1)).join('');

describe('detectDrift: a loop in other scripts is stopped', () => {
  it.each([
    ['a Chinese sentence three times', '我们需要仔细考虑这个问题。'.repeat(3)],
    ['a Chinese loop whose second sentence counts along', counted(3, (i) => `我们需要重新检查一下计算结果。这是第${i}次检查。`)],
    ['a Japanese sentence with a counter after it', `ご質問ありがとうございます。${counted(3, (i) => `この問題について慎重に考える必要があります。試行${i}回目。`)}`],
    ['Japanese questions in a loop, fullwidth `？`', '本当にそうでしょうか？もう一度確認してみましょう。'.repeat(3)],
    ['Japanese in the academic style, fullwidth `．` and `，`', '実験の結果，反応速度は温度に強く依存した．'.repeat(3)],
    ['a run of ends after each sentence', '这到底是怎么回事？！？'.repeat(3)],
    ['Chinese with ASCII punctuation and no space after it', '我们需要再考虑一下这个问题!'.repeat(3)],
    ['Korean sentences of 14 syllables', '이 문제를 신중하게 고려해야 합니다. '.repeat(3)],
    ['a Hindi sentence ended by a danda', 'हमें इस समस्या पर ध्यान से विचार करना होगा।'.repeat(3)],
    ['an Arabic question', 'هل يجب علينا أن نفكر في هذه المشكلة بعناية؟'.repeat(3)],
    ['a Thai sentence with a counter after it (a space ends a Thai sentence)', counted(3, (i) => `เราต้องพิจารณาปัญหานี้อย่างรอบคอบอีกครั้ง รอบที่ ${i} `)],
    ['a run of 24 jamo of laughter three times (a jamo counts 1, as a letter)', `${'ㅋ'.repeat(24)}! `.repeat(3)],
    ['a sentence of 7 small katakana (Ainu) three times (kana count 3, small ones of U+31F0 to U+31FF as ァ does)', 'ㇰㇱㇲㇳㇴㇵㇶ。'.repeat(3)],
    ['a Korean sentence with laughter in it three times', '아 진짜 너무 웃겨요 ㅋㅋㅋㅋㅋㅋㅋㅋ 정말 최고예요! '.repeat(3)],
  ])('should fail %s', (_, s) => {
    expect(s.length).toBeLessThan(512); // under the tail check's first look: the sentences decide
    expect(fails(s)).toBe(true);
  });

  it('should key digits of any script alike: a Japanese loop counting along in fullwidth digits stops at its 50th sentence, as with ASCII digits', () => {
    // from 10 on: a number's digit count is part of its key ("Number 9" and "Number 10" are two)
    const fullwidth = (n: number) => String(n + 9).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    expect(fails(counted(49, (i) => `これは第${fullwidth(i)}回目の計算結果です。`))).toBe(false);
    expect(fails(counted(50, (i) => `これは第${fullwidth(i)}回目の計算結果です。`))).toBe(true);
    expect(fails(counted(50, (i) => `这是第${i + 9}次的计算结果。`))).toBe(true);
  });

  it('should retry a Chinese loop under l0({detectDrift: true}) and end with the clean attempt', () => {
    const loop = { items: ['我们需要仔细考虑', '这个问题。', '我们需要仔细考虑这个问题。', '我们需要', '仔细考虑这个问题。'] };
    const clean = { items: ['北京是中国的首都，', '有三千多年的历史。'] };
    const run = runScenario(() => l0({ stream: fakeModel([loop, clean]), detectDrift: true, retry: { backoff: 'fixed', baseDelay: 1, attempts: 1 } }));
    expect(run.error).toBeUndefined();
    expect(run.events.find((e: L0Event): e is DriftEvent => e.type === 'drift')?.types).toEqual(['repetition']);
    expect(subsequence(run.events, ['drift', 'retry', 'complete'])).toEqual(['drift', 'retry', 'complete']);
    expect(finalState(run.events).content).toBe('北京是中国的首都，有三千多年的历史。');
  });
});

describe('detectDrift: recurring sentences between new material in other scripts are no loop', () => {
  const save = '完成后请保存文件并刷新页面。';
  const sign = 'ご不明な点がございましたら、お気軽にお問い合わせください。';
  it.each([
    ['a Chinese step list whose steps end in the same sentence', `1. 打开后台管理页面，进入站点设置。${save}\n2. 在基本信息里找到标题一栏，输入新的网站名称。${save}\n3. 切换到搜索引擎标签，更新页面描述和关键词。${save}\n4. 最后打开首页，确认显示的是新标题。`],
    ['a Japanese FAQ whose answers end in the same sign-off', `Q1. パスワードを忘れました。\nログイン画面のリンクから再設定できます。${sign}\n\nQ2. 支払い方法を変更できますか？\nはい、マイページから変更できます。${sign}\n\nQ3. 退会するとデータはどうなりますか？\n三十日後にすべて削除されます。${sign}`],
    ['a Japanese dialogue with the same short answer', '「準備はいい？」\n「はい、わかりました。」\n「じゃあ始めよう。」\n「はい、わかりました。」\n「最後に確認して。」\n「はい、わかりました。」\n彼はそう答えた。'],
    ['a Korean recipe whose steps repeat a sentence with a number', '1. 멸치 육수를 붓고 끓입니다. 잘 저어 주면서 2분 동안 끓여 주세요.\n2. 된장을 풀고 감자를 넣습니다. 잘 저어 주면서 2분 동안 끓여 주세요.\n3. 두부를 넣습니다. 잘 저어 주면서 2분 동안 끓여 주세요.\n4. 불을 끕니다.'],
    ['a Japanese status list of fullwidth version numbers (`．` before a digit is a decimal point, as `.` is)', '対応状況は次のとおりです。\nバージョン２．０は対応済みです。\nバージョン２．１は対応済みです。\nバージョン２．２は対応済みです。\nバージョン２．３は未対応です。'],
    ['Japanese version numbers with a fullwidth `．`', 'バージョン２．０をインストールしてください。バージョン２．１では設定画面が変わりました。バージョン２．２で不具合が直りました。'],
    ['a Thai table whose rows share a status (a space beside `|` is no sentence end)', '| สินค้า | สถานะ |\n|---|---|\n| เสื้อ | มีสินค้าพร้อมส่งภายในวันนี้ |\n| กางเกง | มีสินค้าพร้อมส่งภายในวันนี้ |\n| หมวก | มีสินค้าพร้อมส่งภายในวันนี้ |\n| รองเท้า | สินค้าหมด |'],
    ['Thai steps that differ in an English term after a recurring phrase', 'วิธีติดตั้งไลบรารีที่ใช้บ่อย\nติดตั้งแพ็กเกจด้วยคำสั่ง npm i react\nติดตั้งแพ็กเกจด้วยคำสั่ง npm i vue\nติดตั้งแพ็กเกจด้วยคำสั่ง npm i svelte\nเสร็จแล้วรันโปรเจกต์ได้เลย'],
    ['a Thai price list with a recurring clause before each price', 'ราคาสินค้า\nเสื้อยืด ราคาพิเศษสำหรับสมาชิกเท่านั้น 199 บาท\nกางเกง ราคาพิเศษสำหรับสมาชิกเท่านั้น 299 บาท\nหมวก ราคาพิเศษสำหรับสมาชิกเท่านั้น 99 บาท\nสมัครสมาชิกได้ฟรี'],
    ['a Korean chat reply laughing between short reactions (ㅋ, a jamo, counts 1: ㅋㅋㅋㅋㅋㅋㅋ! is as short as Hahahah!)', 'ㅋㅋㅋㅋㅋㅋㅋ! 진짜요? ㅋㅋㅋㅋㅋㅋㅋ! 대박! ㅋㅋㅋㅋㅋㅋㅋ! 고양이가 키보드 위에서 잠들다니 너무 귀엽네요.'],
    ['Thai instructions', 'ไปที่เว็บไซต์ python.org แล้วดาวน์โหลดตัวติดตั้ง เปิดไฟล์ที่ดาวน์โหลดมา อย่าลืมติ๊กช่อง Add Python to PATH เมื่อติดตั้งเสร็จ ให้เปิด Command Prompt แล้วพิมพ์ python --version เพื่อตรวจสอบ'],
  ])('should not fail %s', (_, s) => {
    expect(fails(s)).toBe(false);
  });
});


const ENDS = '\u3002\uff61\uff01\uff1f\u0964\u0965\u061f\u06d4\u0589\u1362\u1367\u104b\u17d4\u17d5\u0f0d';
const WIDE = /[\u3040-\ua4cf\uac00-\ud7af]/g;
/** The CJK characters that count 3: not the letters, strokes and symbols of U+3100 to U+33FF (ㅋ, ㎏), but the small katakana among them (ㇰ, U+31F0 to U+31FF). */
const HEAVY = /[\u3040-\u30ff\u31f0-\u31ff\u3400-\ua4cf\uac00-\ud7af]/g;
/**
 * The sentence cuts written plainly: after `.`, `!`, `?` or `．` before whitespace (a no-break or ideographic space too) or a CJK
 * character, after each of the other scripts' ends (ends and whitespace at a sentence's start
 * dropped), before a Thai or Lao letter that whitespace parts from another or from a digit.
 */
const CUT = new RegExp(`(?<=[.!?\uff0e])(?=[\\x00-\\x20\\s]|${WIDE.source})|(?<=[${ENDS}])|(?<=[\u0e01-\u0eff0-9][\\t\\n\\v\\f\\r ]+)(?=[\u0e01-\u0eff])`);
const LEADING = new RegExp(`^[\\s${ENDS}]+`);
/** What the sentences are read past, as if it were not there: quote marks, closing brackets, `*`, direction marks and other format characters (U+FEFF is whitespace). */
const PAST = /(?!\ufeff)["')\]*\p{Pi}\p{Pf}\p{Cf}]/gu;

/** The sentence rule written plainly (no digits here): a key over 20 long (a CJK character counts 3) a third time, when repeats since its time before last are at least twice the new text. */
function sentencesRepeat(text: string): boolean {
  const times = new Map<string, number[]>();
  const all: { length: number; again: boolean }[] = [];
  for (const raw of text.replace(PAST, '').split(CUT)) {
    const key = raw.replace(LEADING, '').trim().toLowerCase().replace(/\s+/g, ' ');
    const length = key.length + 2 * (key.match(HEAVY)?.length ?? 0);
    const at = times.get(key) ?? [];
    all.push({ length, again: length > 20 && at.length > 0 });
    if (length <= 20) continue;
    times.set(key, [...at, all.length - 1]);
    if (at.length < 2) continue;
    const since = all.slice(at[at.length - 2]! + 1);
    const sum = (again: boolean) => since.filter((s) => s.again === again).reduce((n, s) => n + s.length, 0);
    if (sum(true) >= 2 * sum(false)) return true;
  }
  return false;
}

describe('RepetitionCheck (sentences in other scripts)', () => {
  it('should cut and weigh sentences as the plain rule does, whatever the chunk boundaries', () => {
    const piece = fc.constantFrom(
      '我们需要考虑', '这个问题', '仔细', 'この問題について', 'ですね', '이 문제를 고려', '합니다', 'เราต้องพิจารณา', 'ปัญหานี้', 'हमें विचार करना', 'هل يجب',
      'We need to consider', 'it', '。', '！', '？', '．', '।', '؟', '.', '!', ' ', '\n', '\u3000', '\u00a0', ' ', '。', 'ㅋㅋㅋㅋ', '㎏', 'ㇷ゚ㇰ', '"', '\u201d', '\u200f',
    );
    let found = 0;
    fc.assert(
      fc.property(fc.array(fc.array(piece, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }), fc.nat(40), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }), (units, times, sizes) => {
        // a few units, repeated: loops and near-loops are common
        const text = Array.from({ length: 3 + (times % 4) }, (_, i) => units[(i * 7 + times) % units.length]!.join('')).join('').slice(0, 479);
        const expected = sentencesRepeat(text);
        if (expected) found++;
        expect(fires(text, [text.length || 1])).toBe(expected);
        expect(fires(text, sizes)).toBe(expected);
      }),
      { numRuns: runs(2000) },
    );
    expect(found).toBeGreaterThan(runs(100)); // both verdicts are common (about 180 of the 2,000 loop)
    expect(found).toBeLessThan(runs(1800));
  });
});
