import type { DriftCheck } from './driftDetector.js';
import { Fences } from './fenceLines.js';
import { isWide } from './sentenceHash.js';

/**
 * Formal markers (group 1), slang (group 2) and the milder informal words, in one pass over a
 * window. An upper-case "OK" is no marker: a button, a status, `200 OK`.
 */
const TONE = /\b(?:(therefore|thus|hence|moreover|furthermore|consequently)|(gonna|wanna|yep|nope|lol|dude)|yeah|ok|okay)\b/gi;
/** A letter, mark or digit beyond ASCII, which `\b` takes for a word's edge (with or without `u`), but a Thai or Lao one (see {@link inWord}). */
const LETTER = /(?![\u0e01-\u0eff])[\p{L}\p{M}\p{N}]/u;
/**
 * Markdown elements: the inline ones anywhere, by one regex whose every match starts with `` ` ``,
 * `*` or `[` (so the regex engine skips ahead to those); headings and list items only at a line's
 * start, tried at the window's start and after each newline (a `^` alternative under the `m` flag
 * would be tried at every character).
 */
const INLINE_MARKDOWN = /```|\*\*[^*\n]+\*\*|\[[^\]\n]+\]\([^)\s]+\)/g;
const LINE_MARKDOWN = /#{1,6} |\s*(?:[-*+]|\d+\.) /y;
/**
 * Whether `window[at]` continues a word a marker is only part of ("çok", "okşa", a decomposed
 * "c\u0327ok"): a letter, combining mark or digit of a script that spaces its words, not a CJK,
 * Thai or Lao character, which a word ends against ("好的ok", "okครับ"). Asked only of a match's two neighbours.
 */
const inWord = (window: string, at: number): boolean => LETTER.test(window.charAt(at)) && !isWide(window.charCodeAt(at));

/**
 * A check that runs `test` on each completed fixed-size window of the text, in order, built from
 * the deltas (slicing the whole growing text would make V8 flatten it on every call: O(n^2)).
 * Checks are classes, one object per attempt with no closures (fan-in keeps one per open stream).
 */
abstract class WindowCheck implements DriftCheck {
  /** The character before the next window (a space before the text's start), then the text not tested yet. */
  private buf = ' ';
  /** Windows left to test for their state only (less than 1: none): a resumed checkpoint's, its last one too, which waits for the character after it. */
  private quiet = 0;
  /** Where the text is inside a code fence (``` or ~~~), window by window. */
  protected readonly fences = new Fences();

  constructor(private readonly size: number) {}

  check(delta: string): boolean {
    return this.feed(delta);
  }

  /** The window being filled is not judged yet (a checkpoint leaves it out). */
  get held(): number {
    return this.buf.length - 1;
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
    return this.feed('', 1);
  }

  /** Tests each window once the character after it is in (a word at its end may go on: "ok|ul"), or at the text's end (`last`). */
  private feed(delta: string, last = 0): boolean {
    const { size } = this;
    const buf = this.buf + delta;
    let hit = false;
    let at = 0;
    for (; !hit && at + size < buf.length - 1 + last; at += size, this.quiet--) hit = this.test(buf.slice(at + 1, at + size + 1), buf.slice(at, at + size + 2)) && this.quiet < 1;
    this.buf = buf.slice(at);
    return hit;
  }

  /**
   * Whether `window`, the text's next window, drifts; `around` is the window with the character
   * before it (a space at the text's start) and the one after it (none at its end). Each window is
   * tested once, in order.
   */
  protected abstract test(window: string, around: string): boolean;
}

/**
 * A 200-character window with 3+ formal markers after one with 3+ informal ones, or the reverse;
 * the informal ones must include slang (gonna, lol, dude...): "Okay, that's it! Yeah, good luck,
 * ok?" after a formal explanation is a friendly sign-off, not a shift. Markers inside ``` or ~~~ fenced
 * code do not count (`v, ok := m[k]` in Go is not a tone), nor do they inside another word (Turkish
 * "çok", see {@link inWord}), even one a window's edge cuts ("bo|ok", "ok|ul").
 * @internal
 */
export class ToneShiftCheck extends WindowCheck {
  private formal = -1;
  private informal = -1;

  constructor() {
    super(200);
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
      // read with its neighbours, whose words may go on into it ("bo|ok", "ç|ok", "ok|ul"); a marker cut by its edge counts in neither window
      let f = 0;
      TONE.lastIndex = 1;
      // the window is around[1..200]: a match ending past it is cut by its end
      for (let m = TONE.exec(around); m !== null && TONE.lastIndex <= 201; m = TONE.exec(around)) {
        for (; f < flips && fences.flips[f]! < m.index; f++) open = !open;
        if (open || m[0] === 'OK' || inWord(around, m.index - 1) || inWord(around, TONE.lastIndex)) continue;
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
 * characters of one unbroken run of text: no element and no line break. A window in ``` or ~~~ fenced
 * code is not bare (an answer may end in a long block), nor is prose in paragraphs (an answer that
 * opens with headings and lists and closes with a few paragraphs is an ordinary shape; the collapse
 * is the formatting giving way to a wall of text).
 * @internal
 */
export class MarkdownCollapseCheck extends WindowCheck {
  private rich = 0;
  private bare = 0;

  constructor() {
    super(500);
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
    this.bare = n === 0 && !code && flips === 0 && window.indexOf('\n') < 0 ? this.bare + 1 : 0;
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
