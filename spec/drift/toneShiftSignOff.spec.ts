/** @test {detectDrift} */
import { describe, expect, it } from 'vitest';
import { detectDrift } from 'l0-rx';
import { failsAtEverySize, runSync, tokensOf } from '../guard/helpers.js';

/*
 * tone_shift (0.7) fails the attempt under l0({detectDrift: true}). A formal explanation followed by
 * a friendly sign-off, or by steps that click "OK", is an ordinary answer, as is its casual version in
 * Turkish, whose "çok" holds no "ok"; a slide into slang is drift. Each text streams in 1-, 3- and
 * 17-character tokens; the verdict must not depend on them.
 */

/** Whether `s`, in tokens of `size` characters, fails the attempt; the same for every size. */
const fails = (s: string): boolean => failsAtEverySize(s, () => detectDrift({ action: 'retry' }));

const formal =
  'The installer modifies the registry. Therefore, administrative rights are required. Moreover, the service must be stopped first; consequently, a restart is needed. Thus the procedure below applies to every host. ';
const closing = '\n\nIf anything fails, read the installer log in the temp folder and send it to the support team with your host name and version number.';

describe('detectDrift: a change of tone that is no drift', () => {
  it.each([
    ['a formal explanation, then a friendly sign-off', `${formal}\n\nOkay, that is the whole procedure! Yeah, I know it looks like a lot, but it is quick. Ok, good luck with the rollout!${closing}`],
    ['a formal explanation, then steps that click OK', `${formal}\n\n1. Open the dialog and click OK.\n2. Confirm the prompt with OK.\n3. When the summary appears, press OK.\n4. Restart the machine.${closing}`],
    ['a formal explanation, then a health check answering 200 OK', `${formal}\n\nThe health endpoint returns \`200 OK\`. A body of OK means the node is up; OK also appears in the log line \`status=OK\` once it is ready.${closing}`],
    [
      'a formal explanation, then its casual Turkish version with one "lol" ("çok", "very", is no "ok")',
      `${formal}\n\nŞimdi aynısı gündelik Türkçeyle: lol, bu iş çok kolay aslında. Önce servisi durdur, sonra kur, en sonda yeniden başlat. Yönetici hakları şart, yoksa çok uğraşırsın. Kurulum bitince log dosyasına bir göz at, hepsi bu kadar!${closing}`,
    ],
  ])('should not fail %s', (_, s) => {
    expect(fails(s)).toBe(false);
  });

  it.each([
    ['"book" cut after "bo"', 200, 'Read the bo', 'ok tonight, lol, yeah it is long but worth it.'],
    ['Turkish "çok" cut after "ç"', 200, 'Bu iş ç', 'ok kolay, lol, yeah.'],
    ['Turkish "okul" cut after "ok"', 400, 'lol, yeah, yarın ok', 'ula gidiyorum ve sonra eve dönüyorum.'],
  ])('should not count a word cut by a 200-character window\'s edge as a marker: %s', (_, at, head, rest) => {
    // a formal first window, then two informal markers (slang among them): a third from the cut word would make a shift
    const lead = 'The installer modifies the registry. Therefore, administrative rights are required. Moreover, the service must be stopped first; hence a restart is needed.';
    // the window after the cut filled too (a window is judged once it is full)
    const s = `${lead.padEnd(at - head.length)}${head}${rest}`.padEnd(at + 200);
    expect(s.slice(at - 2, at + 2)).toMatch(/^(?:bo|\s?ç|ok)(?:ok|ul)/);
    expect(fails(s)).toBe(false);
    // the same words away from the edge are counted as they are ("book", "çok", "okul": none)
    expect(fails(`${lead.padEnd(at - head.length - 4)}${head}${rest}`.padEnd(at + 200))).toBe(false);
  });

  it('should still count a marker right at a window\'s edge, with a space or the text\'s end beside it, but not one the edge cuts in two', () => {
    const lead = 'The installer modifies the registry. Therefore, administrative rights are required. Moreover, the service must be stopped first; hence a restart is needed.';
    const formal = lead.padEnd(200);
    // "ok" opens the second window; ends it before a space; ends it and the text
    expect(fails(`${formal}${'ok, lol, yeah, it is fine.'.padEnd(200)}The end.`)).toBe(true);
    expect(fails(`${formal}${'lol, yeah, it is fine,'.padEnd(198)}ok tonight.`)).toBe(true);
    expect(fails(`${formal}${'lol, yeah, it is fine,'.padEnd(198)}ok`)).toBe(true);
    // a marker the edge cuts in two ("o|k") counts in the window it ends in, here a third one of its own
    expect(fails(`${formal}${'lol, yeah, it is fine,'.padEnd(199)}ok tonight.`)).toBe(false);
  });

  it.each([189, 195, 199, 200])('should count a marker a window\'s edge cuts in the window it ends in ("conse|quently"): "consequently" from %i', (at) => {
    // a slang window, then two formal markers: the cut one, ending in the second window, makes it formal (a shift)
    const s = `${'lol, yeah, it is gonna be fine, dude, and'.padEnd(at)}consequently the service stops. Therefore a restart follows; moreover it is logged.`.padEnd(420);
    expect(fails(s)).toBe(true);
    // wholly inside the first window it is no marker of the second
    expect(fails(`${s.slice(0, 187)}${s.slice(at, at + 12)}${s.slice(187, at)}${s.slice(at + 12)}`)).toBe(false);
    // "o|k" too: a formal window, a second whose "ok" the edge cuts, then a slang window it makes informal
    const ok = `${formal.slice(0, 200)}${'Therefore a restart follows; moreover it is logged, hence'.padEnd(199)}ok, lol, yeah.`.padEnd(620);
    expect(fails(ok)).toBe(true);
  });

  it('should not count "LoL", League of Legends, as slang (lol, LOL and Lol still are)', () => {
    const intro = 'League of Legends is a team strategy game. Matches are decided by objectives; therefore, map control matters. Moreover, gold leads compound, and consequently an early lead is hard to lose.'.padEnd(200);
    const game = 'In LoL, champions are picked in a draft. Ranked LoL uses a rating per queue, and LoL seasons reset once a year, with rewards given for the rank reached.'.padEnd(200);
    expect(fails(`${intro}${game}Review your replays.`)).toBe(false);
    for (const lol of ['lol', 'LOL', 'Lol']) expect(fails(`${intro}${game.replace(/LoL/g, lol)}Review your replays.`), lol).toBe(true);
  });

  it.each([
    ['Khmer', 'yeahបាទ okណា lolណាស់ gonnaរួចឆាប់ yepបាទ dudeកុំបារម្ភ okayណា គ្រាន់តែចាប់ផ្ដើមឡើងវិញ'],
    ['Myanmar', 'yeahဟုတ်ကဲ့ okပါ lolနော် gonnaမြန်မြန်ပြီး yepဟုတ် dudeမပူနဲ့ okayနော် ပြန်စလိုက်ရုံပဲ'],
  ])('should fail a formal explanation that slides into slang glued to %s words (no spaces between words there either)', (_, slang) => {
    expect(fails(`${formal}\n\n${slang}${closing}`)).toBe(true);
  });

  it('should read a supplementary-plane letter beside a marker as a whole character: a mathematical letter goes on a word, an ideograph of Extension B ends it', () => {
    // "𝐛𝐨ok" (styled "book") and "ok𝐬" hold no "ok": with them a sign-off's two informal words are no informal window
    const signOff = (a: string, b: string) => `${formal}\n\nlol, yeah, the ${a} is long, ${b} it is quick.${closing}`.padEnd(420);
    expect(fails(signOff('𝐛𝐨ok', 'ok𝐬'))).toBe(false);
    expect(fails(signOff('Ｂ𝐨ok', 'ok𝐬'))).toBe(false);
    // after or before an ideograph of Extension B (𠀀, U+20000) "ok" is a word, as after 好
    expect(fails(signOff('𠀀ok', 'ok𠀀'))).toBe(true);
    expect(fails(signOff('好ok', 'ok好'))).toBe(true);
    // also where a window's edge falls between "ok" and the pair after it (the window waits for the pair's second half)
    const edge = (after: string) => `${formal.slice(0, 200)}${'lol, yeah, it is fine,'.padEnd(198)}ok${after} tonight.`.padEnd(620);
    expect(edge('𝐬').slice(398, 402)).toBe('ok𝐬');
    expect(fails(edge('𝐬'))).toBe(false);
    expect(fails(edge('𠀀'))).toBe(true);
  });

  it('should judge a word a resumed checkpoint\'s end cuts at a window\'s edge as the whole text does ("ok|ul")', () => {
    const run = (cp: string, rest: string) => runSync([{ type: 'resume', checkpoint: cp }, ...tokensOf(rest, 7)], detectDrift({ action: 'retry' })).error !== undefined;
    // a plain first window, "lol, yeah" and "okul" cut at 400 (where the checkpoint ends), then a formal window: no shift
    const head = 'lol, yeah, yarın ok';
    const s = `${'The weather was nice today, so we walked in the park.'.padEnd(400 - head.length)}${head}${'ula gidiyorum. Therefore it follows; moreover, hence the rest.'.padEnd(200)}The end.`;
    expect(fails(s)).toBe(false);
    for (const cut of [399, 400, 401]) expect(run(s.slice(0, cut), s.slice(cut)), `checkpoint of ${cut}`).toBe(false);
    // "ok" as a word of its own is a marker: the formal window after it is a shift, from the checkpoint on too
    const t = `${s.slice(0, 400)} ${s.slice(401)}`;
    expect(fails(t)).toBe(true);
    expect(run(t.slice(0, 400), t.slice(400))).toBe(true);
    // a shift inside the checkpoint, its last window included, was the earlier attempt's to report
    const inside = `${formal.padEnd(200)}${'yeah ok lol, so it is gonna work, dude.'.padEnd(200)}`;
    expect(run(inside, 'The weather was nice today, so we walked in the park.'.padEnd(300))).toBe(false);
    expect(run(inside, '')).toBe(false);
    expect(fails(inside)).toBe(true);
  });

  it('should still fail a formal explanation that slides into slang', () => {
    expect(fails(`${formal}\n\nyeah ok so basically it is gonna work lol, yep, okay, dude whatever, it is fine, we are done here, ok?${closing}`)).toBe(true);
  });

  it('should still fail a formal explanation that slides into slang among Turkish words', () => {
    expect(fails(`${formal}\n\nyeah ok so basically bu iş çok kolay lol, yep gonna work, dude whatever, okay, it is fine, we are done here, ok?${closing}`)).toBe(true);
  });

  it('should still fail a formal explanation that slides into slang glued to Thai words (Thai does not space its words: "okครับ" has an ok)', () => {
    expect(fails(`${formal}\n\nyeahครับ okเลย งานนี้ง่ายมาก lolนะ gonnaเสร็จเร็ว yepครับ dudeไม่ต้องห่วง okayนะ แค่รีสตาร์ทก็จบแล้ว${closing}`)).toBe(true);
    // Thai with no English word in it is no slang
    expect(fails(`${formal}\n\nโอเคครับ งานนี้ง่ายมาก ไม่ต้องห่วงนะ แค่หยุดบริการ ติดตั้ง แล้วรีสตาร์ทก็จบแล้ว ถ้ามีปัญหาให้ดูไฟล์ล็อกก่อน${closing}`)).toBe(false);
  });

  it('should still fail slang that turns formal', () => {
    const slang = 'yeah so we gonna fix the thing lol, dude it is broken, ok so nope not the cache, yep the config, we wanna restart it and okay, that is the plan for now, right, cool, cool, cool, fine. ';
    expect(fails(`${slang}${formal}${closing}`)).toBe(true);
  });
});
