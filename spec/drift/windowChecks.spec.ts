/** @test {detectDrift} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectDrift, type L0Event } from 'l0-rx';
import { countMarkdown, MarkdownCollapseCheck, ToneShiftCheck } from '../../src/drift/windowChecks.js';
import { runSync, text } from '../guard/helpers.js';
import { fenceFlips } from '../helpers/fenceFlips.js';
import { runs } from '../helpers/propertyRuns.js';

const TONE = /\b(?:(therefore|thus|hence|moreover|furthermore|consequently)|(gonna|wanna|yep|nope|lol|dude)|yeah|ok|okay)\b/gi;
const driftTypes = (out: readonly L0Event[]) => out.flatMap((e) => (e.type === 'drift' ? e.types : []));

/** Where the text enters or leaves a code fence, the plain way (see fenceFlips). */
const flipsOf = fenceFlips;
const fencedAt = (flips: readonly number[], p: number) => flips.filter((f) => f <= p).length % 2 === 1;
const windowsOf = (s: string, size: number) => Array.from({ length: Math.floor(s.length / size) }, (_, i) => s.slice(i * size, (i + 1) * size));

/**
 * A marker's neighbour (a whole character, a surrogate pair too) that makes it part of another word: a letter, mark or
 * digit beyond ASCII ("çok", "𝐛𝐨ok"), not a CJK one in any form (Extension B too, halfwidth kana, kana past U+1AFF0, Hangul
 * jamo, compatibility ideographs, 々 and 〇), Thai, Lao, Khmer or Myanmar one ("好的ok", "𠀀ok", "okครับ", "okបាទ"), nor an emoji's
 * variation selector or keycap ("❤️lol").
 */
const inWord = (c: string) =>
  /[\p{L}\p{M}\p{N}]/u.test(c) &&
  !/[\u0e01-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3005-\ua4cf\ua960-\ua97f\ua9e0-\ua9ff\uaa60-\uaa7f\uac00-\ud7ff\uf900-\ufaff\uff66-\uffdc\u{16fe0}-\u{1b2ff}\u{20000}-\u{3ffff}\p{VS}\p{Me}]/u.test(c);
/** The whole characters before and at `at`. */
const charBefore = (s: string, at: number) => Array.from(s.slice(Math.max(0, at - 2), at)).pop() ?? '';
const charAt = (s: string, at: number) => (at < s.length ? String.fromCodePoint(s.codePointAt(at)!) : '');

/**
 * tone_shift written plainly over the whole text: its markers are the whole text's words (an upper-case OK is no marker,
 * nor one inside another word, whichever window its neighbours are in: "bo|ok", "ok|ul"), each counted in the full
 * 200-character window it ends in (one a window's edge cuts, "there|fore", in the second); an informal window needs slang. Only a
 * shift in a window that ends past `from` counts (a resumed checkpoint's whole windows were the earlier attempt's).
 */
function toneShift(s: string, from = 0): boolean {
  const flips = flipsOf(s);
  const windows = windowsOf(s, 200).map(() => ({ formal: 0, informal: 0, slang: false }));
  for (const m of s.matchAll(TONE)) {
    const end = m.index + m[0].length;
    const w = windows[Math.floor((end - 1) / 200)];
    if (w === undefined) continue;
    if (fencedAt(flips, m.index) || m[0] === 'OK' || m[0] === 'LoL' || inWord(charBefore(s, m.index)) || inWord(charAt(s, end))) continue;
    if (m[1]) w.formal++;
    else w.informal++;
    if (m[2]) w.slang = true;
  }
  let last: [number, number] | undefined;
  for (const [k, { formal, slang, informal: all }] of windows.entries()) {
    const informal = slang ? all : Math.min(all, 2); // 3+ informal markers need slang among them
    if (last && ((last[0] >= 3 && informal >= 3 && formal === 0) || (last[1] >= 3 && formal >= 3 && informal === 0)) && (k + 1) * 200 > from) return true;
    last = [formal, informal];
  }
  return false;
}

/** Each full 200-character window's formal and informal markers (at most 2 informal without slang), counted as {@link toneShift} counts them. */
function toneCounts(s: string): Array<[number, number]> {
  const flips = flipsOf(s);
  const windows = windowsOf(s, 200).map(() => ({ formal: 0, informal: 0, slang: false }));
  for (const m of s.matchAll(TONE)) {
    const end = m.index + m[0].length;
    const w = windows[Math.floor((end - 1) / 200)];
    if (w === undefined || fencedAt(flips, m.index) || m[0] === 'OK' || m[0] === 'LoL' || inWord(charBefore(s, m.index)) || inWord(charAt(s, end))) continue;
    if (m[1]) w.formal++;
    else w.informal++;
    if (m[2]) w.slang = true;
  }
  return windows.map((w) => [w.formal, w.slang ? w.informal : Math.min(w.informal, 2)]);
}

/** A ToneShiftCheck that records each window's counts as it tests it. */
class CountingToneShift extends ToneShiftCheck {
  readonly counts: Array<[number, number]> = [];
  protected override test(window: string, around: string): boolean {
    const shifted = super.test(window, around);
    const { formal, informal } = this as unknown as { formal: number; informal: number };
    this.counts.push([formal, informal]);
    return shifted;
  }
}

/** markdown_collapse written plainly: a window with code in it (fenced at its start, or a fence ends in it), with a line break, or with only printable ASCII but spaces (one token), is never bare; `from` as in toneShift. */
function markdownCollapse(s: string, from = 0): boolean {
  const flips = flipsOf(s);
  let rich = 0;
  let bare = 0;
  for (const [k, w] of windowsOf(s, 500).entries()) {
    const n = countMarkdown(w);
    const code = fencedAt(flips, k * 500 - 1) || flips.some((f) => f >= k * 500 && f < (k + 1) * 500);
    if (n > 3) rich++;
    bare = n === 0 && !code && !w.includes('\n') && /[^!-~]/.test(w) ? bare + 1 : 0;
    if (rich >= 2 && bare >= 2 && (k + 1) * 500 > from) return true;
  }
  return false;
}

/** Whether a fresh check fires on `s` fed in chunks of the given sizes, or at its completion. */
function fires(check: { check(delta: string): boolean; complete(): boolean }, s: string, sizes: readonly number[]): boolean {
  for (let at = 0, k = 0; at < s.length; k++) {
    const size = sizes[k % sizes.length]!;
    if (check.check(s.slice(at, at + size))) return true;
    at += size;
  }
  return check.complete();
}

/** Where a resumed attempt's checkpoint ends: anywhere in the text, or at a window's end or one character either side (none: 0, one whole window). */
const cutOf = (length: number, size: number, [anywhere, windows, off, exact]: [number, number, number, boolean]) =>
  exact ? Math.max(0, Math.min(length, windows * size + off)) : anywhere % (length + 1);
const cuts = fc.tuple(fc.nat(), fc.nat(12), fc.integer({ min: -1, max: 1 }), fc.boolean());

describe('the window detectors (tone_shift, markdown_collapse)', () => {
  /** Blocks that make shifts, markdown and fences (real ones, indented too far, inline) meet window ends anywhere. */
  const block = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(
      'Therefore it holds; moreover, thus it is shown. ', 'yeah ok so we gonna do it lol, yep. ', 'nope dude, wanna? lol. ', 'ok ', 'the plain middle of a sentence ',
      'v, ok := m[k]\n', 'click OK, ', 'Okay, yeah, ', '# Title\n- one\n**bold** [a](b)\n', '\n', 'çok güzel ', 'okşa ', 'c\u0327ok ', '好的ok ', 'lolนะ okครับ ',
    ) },
    // markers alone (a window's edge may cut them) and beside Khmer, Myanmar and supplementary-plane letters (a word goes on) or ideographs (it ends)
    { weight: 1, arbitrary: fc.constantFrom('therefore ', 'consequently, ', 'lolបាទ okណា ', 'yeahကျေးဇူး ', '𝐛𝐨ok ', '𝐨𝐤 ', '𠀀ok ', 'ok𝐬 ', 'ok𠀀 ', 'LoL ') },
    // fences: real ones (``` and ~~~, closed only by a run of their character at least as long, without info; a list item's, indented), indented too far (9), inline
    { weight: 1, arbitrary: fc.constantFrom(
      '\n```go\n', '\n```\n', '\n  ````\n', '\n    ```\n', '\n\t```\n', '\n         ```\n', 'use ``` inline ', '\n```', '`', '\n```ok``` yeah\n', '\n```` so therefore ```\n', '\n```python ok\r\n',
      '\n``````````````` ok\n', '\n````````````````\n', '\n~~~\n', '\n~~~ so `ok`\n', '\n ~~~~~\n', '\n````\n', '~',
    ) },
  );

  /** Runs of one block each: markdown, then bare prose, with fences (real and not) in between (markdown collapse's input). */
  const run = fc.tuple(fc.oneof(block, fc.constant('plain words without any markup at all. '), fc.constant('eyJhbGciOiJIUzI1NiJ9/base64+')), fc.integer({ min: 1, max: 40 })).map(([b, n]) => b.repeat(n));

  it('should count tone markers only outside code fences, as the plain rule over the whole text does, for any chunking', () => {
    let found = 0;
    fc.assert(
      fc.property(fc.array(block, { minLength: 20, maxLength: 120 }), fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 5 }), (blocks, sizes) => {
        const s = blocks.join('');
        const expected = toneShift(s);
        if (expected) found++;
        expect(fires(new ToneShiftCheck(), s, sizes)).toBe(expected);
      }),
      { numRuns: runs(1500) },
    );
    // shifts were compared, not only their absence (an informal window needs slang, and the fences take their share of the
    // blocks: about 6% of the runs find one, 60-120 of 1500; with `L0_PROPERTY_SEED=random` the inputs vary, so the bound sits far below: at 500
    // runs and a bound of 20, one run in a few dozen failed)
    expect(found).toBeGreaterThan(runs(30));
  });

  it('should find markdown collapse only outside code fences, as the plain rule over the whole text does, for any chunking', () => {
    let found = 0;
    fc.assert(
      fc.property(fc.array(run, { minLength: 4, maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 5 }), (runs, sizes) => {
        const s = runs.join('');
        const expected = markdownCollapse(s);
        if (expected) found++;
        expect(fires(new MarkdownCollapseCheck(), s, sizes)).toBe(expected);
      }),
      { numRuns: runs(300) },
    );
    expect(found).toBeGreaterThan(runs(20));
  });

  it('should judge a resumed attempt as the plain rules judge the whole text from its checkpoint on, whatever its length (none, part of a window, one whole window)', () => {
    type Resumable = { resume(checkpoint: string): void; check(delta: string): boolean; complete(): boolean };
    const resumed = (check: Resumable, s: string, cut: number, sizes: readonly number[]) => (check.resume(s.slice(0, cut)), fires(check, s.slice(cut), sizes));
    const chunkSizes = fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 5 });
    let found = 0;
    fc.assert(
      fc.property(fc.array(block, { minLength: 20, maxLength: 120 }), cuts, chunkSizes, (blocks, at, sizes) => {
        const s = blocks.join('');
        const cut = cutOf(s.length, 200, at);
        const expected = toneShift(s, cut);
        if (expected && cut > 0) found++;
        expect(resumed(new ToneShiftCheck(), s, cut, sizes)).toBe(expected);
      }),
      { numRuns: runs(600) },
    );
    fc.assert(
      fc.property(fc.array(run, { minLength: 4, maxLength: 30 }), cuts, chunkSizes, (runs, at, sizes) => {
        const s = runs.join('');
        const cut = cutOf(s.length, 500, at);
        const expected = markdownCollapse(s, cut);
        if (expected && cut > 0) found++;
        expect(resumed(new MarkdownCollapseCheck(), s, cut, sizes)).toBe(expected);
      }),
      { numRuns: runs(300) },
    );
    // drift after a checkpoint was compared, not only its absence (45-60 of the 900 runs)
    expect(found).toBeGreaterThan(runs(15));
  });

  it('should count each tone marker in the window it ends in, once, as the whole text does, for any chunking and checkpoint', () => {
    // pieces rather than blocks, so markers, surrogate pairs (whole, and their halves apart) and fence lines meet a window's edges and a checkpoint's end anywhere;
    // a shift is too rare a result to tell a marker counted in the wrong window (the properties above passed with the 'ok|𝐬' fix reverted), so the counts are compared
    const piece = fc.constantFrom(
      'therefore ', 'consequently', '𝐛consequently', 'ok𝐬', '𝐛𝐨ok', 'ok', 'okay', 'lol', 'yeah', 'thus', 'dude', 'OK', 'LoL', ' ', ',', 'x', '1', '_', '𝐬', '𝐛', 'ç', '好', 'ក', '\u0327', '\ud835', '\udc2c', 'ｵ', '\u1100', '❤\ufe0f', '\u{1b000}', '々',
      '\n```\n', '\n~~~ so `ok`\n', '\n```python ok\r\n', '\n```ok``` yeah\n', '\n    ```\n', '`', '~',
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 50, maxLength: 600, size: 'max' }), fc.nat(), fc.array(fc.integer({ min: 1, max: 250 }), { minLength: 1, maxLength: 6 }), (pieces, at, sizes) => {
        const s = pieces.join('');
        const cut = at % (s.length + 1);
        const check = new CountingToneShift();
        check.resume(s.slice(0, cut));
        const rest = s.slice(cut);
        for (let i = 0, k = 0; i < rest.length; i += sizes[k++ % sizes.length]!) check.check(rest.slice(i, i + sizes[k % sizes.length]!));
        check.complete();
        expect(check.counts).toEqual(toneCounts(s));
      }),
      { numRuns: runs(1000) },
    );
  });

  it('should not find markdown collapse in a Markdown answer that ends in a long fenced code block', () => {
    const rich = Array.from({ length: 12 }, (_, i) => `## Part ${i}\n\n- Install **tool ${i}** first\n- Read [page ${i}](https://go.dev/doc/${i})\n\n`).join('').slice(0, 1000);
    const code = '```go\n' + Array.from({ length: 60 }, (_, i) => `\tif err := step${i}(ctx, cfg); err != nil { return err }\n`).join('') + '```\n';
    expect(driftTypes(runSync(text(rich, code), detectDrift()).out)).toEqual([]);
    const prose = Array.from({ length: 100 }, (_, i) => `plain line ${i} of ${i * 7} `).join('');
    expect(driftTypes(runSync(text(rich, code, prose), detectDrift()).out)).toEqual(['markdown_collapse']); // bare prose after the block still counts
  });

  it('should not find a tone shift in Go code with the comma-ok idiom after a formal explanation', () => {
    const prose = 'A map lookup can miss; therefore the second value must be checked. The cache is thus consulted first, and hence a miss falls through to the store, which is slower but authoritative for every key.\n\n';
    const code = '```go\nfunc get(key string) (Value, error) {\n\tv, ok := cache[key]\n\tif !ok {\n\t\tv, ok = store.Get(key)\n\t}\n\tif !ok {\n\t\treturn Value{}, ErrNotFound\n\t}\n\treturn v, nil\n}\n```\n\nThe function returns ErrNotFound when neither has the key.';
    expect(driftTypes(runSync(text(prose, code), detectDrift()).out)).toEqual([]);
    // in a ~~~ fence, or a ```` one with a ``` line in it, the code is code as well
    const informal = code.replace('v, ok := cache[key]', 'v, ok := cache[key] // yep, lol, gonna miss, dude');
    expect(driftTypes(runSync(text(prose, informal.replace(/```/g, '~~~')), detectDrift()).out)).toEqual([]);
    expect(driftTypes(runSync(text(prose, informal.replace('```go\n', '````go\n```\n').replace('}\n```\n', '}\n````\n')), detectDrift()).out)).toEqual([]);
    expect(driftTypes(runSync(text(prose, informal.replace(/```go\n|```\n/g, '')), detectDrift()).out)).toEqual(['tone_shift']);
    // unfenced, the three `ok`s are still no informal window: no slang among them
    expect(driftTypes(runSync(text(prose, code.replace(/```go\n|```\n/g, '')), detectDrift()).out)).toEqual([]);
  });
});
