import type { DriftCheck } from './driftDetector.js';
import { Fences } from './fenceLines.js';

/**
 * Formal markers (group 1), slang (group 2) and the milder informal words, in one pass over a
 * window. An upper-case "OK" is no marker: a button, a status, `200 OK`; nor is "LoL", League of Legends.
 */
const TONE = /\b(?:(therefore|thus|hence|moreover|furthermore|consequently)|(gonna|wanna|yep|nope|lol|dude)|yeah|ok|okay)\b/gi;
/** The characters a tone window is read with before it: a marker that ends in it ("consequently", 12), the character before that and, when that is a pair's second half, its first. */
const BEFORE = 13;
/**
 * A letter, mark or digit beyond ASCII, which `\b` takes for a word's edge (with or without `u`), but
 * a CJK one in any form (kana full- or halfwidth and past U+1AFF0, ideographs, compatibility ones
 * and Extension B on, the iteration mark 々 and 〇, Hangul syllables and jamo, halfwidth ones too,
 * Yi), a Thai, Lao, Khmer or Myanmar one (its extensions too; see {@link inWord}), or a variation
 * selector or an enclosing mark (an emoji's U+FE0F, the keycap U+20E3: marks, which would tie
 * "❤️lol" and "#️⃣lol" into one word). Sticky, read by code point: a
 * surrogate pair is one character ("𝐛ok" has no "ok", "𠀀ok" has one), also from a `lastIndex` at its
 * second half (a `u` regex reads the character that code unit belongs to).
 */
const LETTER =
  /(?![\u0e01-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3005-\ua4cf\ua960-\ua97f\ua9e0-\ua9ff\uaa60-\uaa7f\uac00-\ud7ff\uf900-\ufaff\uff66-\uffdc\u{16fe0}-\u{1b2ff}\u{20000}-\u{3ffff}\p{VS}\p{Me}])[\p{L}\p{M}\p{N}]/uy;
/**
 * Markdown elements: the inline ones anywhere, by one regex whose every match starts with `` ` ``,
 * `*` or `[` (so the regex engine skips ahead to those); headings and list items only at a line's
 * start, tried at the window's start and after each newline (a `^` alternative under the `m` flag
 * would be tried at every character).
 */
const INLINE_MARKDOWN = /```|\*\*[^*\n]+\*\*|\[[^\]\n]+\]\([^)\s]+\)/g;
const LINE_MARKDOWN = /#{1,6} |\s*(?:[-*+]|\d+\.) /y;
/** A space or a character beyond ASCII: a window without one is no wall of prose but one token (a key, base64, a data URL). */
const PROSE = /[^!-~]/;
/**
 * Whether `s[at]` continues a word a marker is only part of ("çok", "okşa", a decomposed
 * "c\u0327ok"): a letter, combining mark or digit of a script that spaces its words, not a CJK
 * (halfwidth "ｵｹok" as full-width "オケok", jamo as syllables), Thai, Lao, Khmer or Myanmar
 * character, which a word ends against ("好的ok", "okครับ", "okបាទ"), nor an emoji's variation
 * selector ("❤️lol"). Asked only of a match's two neighbours; the one before may be a pair's second half.
 */
function inWord(s: string, at: number): boolean {
  LETTER.lastIndex = at;
  return LETTER.test(s);
}

/**
 * A check that runs `test` on each completed fixed-size window of the text, in order, built from
 * the deltas (slicing the whole growing text would make V8 flatten it on every call: O(n^2)).
 * Checks are classes, one object per attempt with no closures (fan-in keeps one per open stream).
 */
abstract class WindowCheck implements DriftCheck {
  /** The `before` characters before the next window (spaces before the text's start), then the text not tested yet. */
  private buf: string;
  /** Windows left to test for their state only (less than 1: none): a resumed checkpoint's, its last one too, which waits for the characters after it. */
  private quiet = 0;
  /** Where the text is inside a code fence (``` or ~~~), window by window. */
  protected readonly fences = new Fences();

  /**
   * Windows of `size`, each tested with the `before` characters before it and, but at the text's
   * end, the `after` (0 to 2: a surrogate pair's two halves) after it.
   */
  constructor(
    private readonly size: number,
    private readonly before: number,
    private readonly after: number,
  ) {
    this.buf = ' '.repeat(before);
  }

  check(delta: string): boolean {
    return this.feed(delta);
  }

  /** The window being filled is not judged yet (a checkpoint leaves it out). */
  get held(): number {
    return this.buf.length - this.before;
  }

  /**
   * Tests the checkpoint's windows for their state only: drift inside it was the earlier attempt's to
   * report. Its last one, when the checkpoint ends it, is tested with the continuation's first
   * character, as the whole text's would be ("ok|ul").
   */
  resume(checkpoint: string): void {
    this.quiet = checkpoint.length / this.size;
    this.feed(checkpoint);
  }

  /** A last window that ends the text. */
  complete(): boolean {
    return this.feed('', this.after);
  }

  /** Tests each window once the `after` characters after it are in (a word at its end may go on: "ok|ul"), or at the text's end (`last`: `after`). */
  private feed(delta: string, last = 0): boolean {
    const { size, before } = this;
    const buf = this.buf + delta;
    const need = before + size + this.after - last;
    let hit = false;
    let at = 0;
    for (; !hit && at + need <= buf.length; at += size, this.quiet--) hit = this.test(buf.slice(at + before, at + before + size), buf.slice(at, at + need + last)) && this.quiet < 1;
    this.buf = buf.slice(at);
    return hit;
  }

  /**
   * Whether `window`, the text's next window, drifts; `around` is the window with the `before`
   * characters before it (spaces at the text's start) and the `after` after it (fewer at its end). Each
   * window is tested once, in order.
   */
  protected abstract test(window: string, around: string): boolean;
}

/**
 * A 200-character window with 3+ formal markers after one with 3+ informal ones, or the reverse;
 * the informal ones must include slang (gonna, lol, dude...): "Okay, that's it! Yeah, good luck,
 * ok?" after a formal explanation is a friendly sign-off, not a shift. A marker counts in the window
 * it ends in (one a window's edge cuts, "there|fore", counts in the next). Markers inside ``` or ~~~
 * fenced code do not count (`v, ok := m[k]` in Go is not a tone), nor do they inside another word
 * (Turkish "çok", see {@link inWord}), even one a window's edge cuts ("bo|ok", "ok|ul").
 * @internal
 */
export class ToneShiftCheck extends WindowCheck {
  private formal = -1;
  private informal = -1;

  /** Each window read with the two characters after it: the one after a marker the window's end ends may be a surrogate pair ("ok|𝐬"). */
  constructor() {
    super(200, BEFORE, 2);
  }

  protected test(window: string, around: string): boolean {
    const { fences } = this;
    let open = fences.open;
    const flips = fences.next(window);
    let formal = 0;
    let informal = 0;
    let slang = false;
    // a window all in code has no markers to count
    if (!open || flips > 0) {
      // read with its neighbours, whose words may go on into it ("bo|ok", "ç|ok", "ok|ul"); a marker the window's start cuts counts here, one its end cuts in the next
      let f = 0;
      TONE.lastIndex = 1;
      // the window is around[BEFORE..BEFORE + 200]: a match ending before it was the last window's, one ending past it is the next's
      for (let m = TONE.exec(around); m !== null && TONE.lastIndex <= BEFORE + 200; m = TONE.exec(around)) {
        for (; f < flips && fences.flips[f]! + BEFORE <= m.index; f++) open = !open;
        if (TONE.lastIndex <= BEFORE || open || m[0] === 'OK' || m[0] === 'LoL' || inWord(around, m.index - 1) || inWord(around, TONE.lastIndex)) continue;
        if (m[1] !== undefined) formal++;
        else {
          informal++;
          slang ||= m[2] !== undefined;
        }
      }
    }
    // a window is informal with 3+ informal markers, slang among them: without slang it counts at most 2
    if (!slang) informal = Math.min(informal, 2);
    const shifted = this.formal >= 0 && ((this.formal >= 3 && informal >= 3 && formal === 0) || (this.informal >= 3 && formal >= 3 && informal === 0));
    this.formal = formal;
    this.informal = informal;
    return shifted;
  }
}

/**
 * Markdown-rich text (two 500-character windows with more than 3 elements) followed by 1000
 * characters of one unbroken run of text: no element and no line break (each window with a space or
 * a character beyond ASCII: a 1000-character key or data URL is one token, not a wall of text). A window in ``` or ~~~ fenced
 * code is not bare (an answer may end in a long block), nor is prose in paragraphs (an answer that
 * opens with headings and lists and closes with a few paragraphs is an ordinary shape; the collapse
 * is the formatting giving way to a wall of text).
 * @internal
 */
export class MarkdownCollapseCheck extends WindowCheck {
  private rich = 0;
  private bare = 0;

  constructor() {
    super(500, 0, 0);
  }

  /** The window being filled and the bare windows of a collapse that may be under way (after two rich ones, two bare ones are drift). */
  override get held(): number {
    return super.held + (this.rich >= 2 ? this.bare * 500 : 0);
  }

  protected test(window: string): boolean {
    const code = this.fences.open;
    const flips = this.fences.next(window);
    const n = countMarkdown(window);
    if (n > 3) this.rich++;
    this.bare = n === 0 && !code && flips === 0 && window.indexOf('\n') < 0 && PROSE.test(window) ? this.bare + 1 : 0;
    return this.rich >= 2 && this.bare >= 2;
  }
}

/** Markdown elements in `s`: what `/^#{1,6} |^\s*(?:[-*+]|\d+\.) |…inline…/gm` counts, in about a third of its time. @internal */
export function countMarkdown(s: string): number {
  let n = 0;
  INLINE_MARKDOWN.lastIndex = 0;
  while (INLINE_MARKDOWN.exec(s) !== null) n++;
  // a line-start match may run across blank lines (`\s*`): the next line start it consumed is not tried again
  let resume = 0;
  for (let at = 0; at >= 0; at = s.indexOf('\n', at) + 1 || -1) {
    if (at < resume) continue;
    LINE_MARKDOWN.lastIndex = at;
    if (LINE_MARKDOWN.test(s)) {
      n++;
      resume = LINE_MARKDOWN.lastIndex;
    }
  }
  return n;
}
