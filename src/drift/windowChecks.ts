import type { DriftCheck } from './driftDetector.js';

/**
 * Formal markers (group 1), slang (group 2) and the milder informal words, in one pass over a
 * window. An upper-case "OK" is no marker: a button, a status, `200 OK`.
 */
const TONE = /\b(?:(therefore|thus|hence|moreover|furthermore|consequently)|(gonna|wanna|yep|nope|lol|dude)|yeah|ok|okay)\b/gi;
/**
 * Markdown elements: the inline ones anywhere, by one regex whose every match starts with `` ` ``,
 * `*` or `[` (so the regex engine skips ahead to those); headings and list items only at a line's
 * start, tried at the window's start and after each newline (a `^` alternative under the `m` flag
 * would be tried at every character).
 */
const INLINE_MARKDOWN = /```|\*\*[^*\n]+\*\*|\[[^\]\n]+\]\([^)\s]+\)/g;
const LINE_MARKDOWN = /#{1,6} |\s*(?:[-*+]|\d+\.) /y;
/** The last characters of a window kept for the next: a fence cut by the window's end (2) and the 3 spaces and newline before it. */
const CARRY = 6;
const BACKTICK = 96;
/** {@link Fences}' `pending`: no fence line open, one running past the window, one whose backticks do. */
const NONE = 0;
const LINE = 1;
const IN_RUN = 2;

/**
 * A check that runs `test` on each completed fixed-size window of the text, in order, built from
 * the deltas (slicing the whole growing text would make V8 flatten it on every call: O(n^2)).
 * Checks are classes, one object per attempt with no closures (fan-in keeps one per open stream).
 */
abstract class WindowCheck implements DriftCheck {
  private buf = '';
  /** Where the text is inside a ``` fence, window by window. */
  protected readonly fences = new Fences();

  constructor(private readonly size: number) {}

  check(delta: string): boolean {
    return this.feed(delta, false);
  }

  /** The window being filled is not judged yet (a checkpoint leaves it out). */
  get held(): number {
    return this.buf.length;
  }

  /** Tests the checkpoint's windows for their state only: drift inside it was the earlier attempt's to report. */
  resume(checkpoint: string): void {
    this.feed(checkpoint, true);
  }

  private feed(delta: string, priming: boolean): boolean {
    const { size } = this;
    const buf = this.buf + delta;
    let hit = false;
    let at = 0;
    for (; !hit && at + size <= buf.length; at += size) hit = this.test(buf.slice(at, at + size)) && !priming;
    this.buf = at === 0 ? buf : buf.slice(at);
    return hit;
  }

  /** Whether `window`, the text's next window, drifts; each window is tested once, in order. */
  protected abstract test(window: string): boolean;
}

/**
 * Follows ``` code fences across consecutive windows of a text: a fence is a line that starts with
 * a run of 3 or more backticks (after at most 3 spaces) and has no other backtick (a line of inline
 * ```code``` is no fence); each one opens or closes a block, at its newline. A fence is found in the
 * window that holds its third backtick, with the last characters of the window before for its
 * line's start, and counts once its line ends, in a later window if need be. A window without a
 * backtick costs one `indexOf`.
 * @internal
 */
export class Fences {
  /** Inside a fenced block at the end of the last window. */
  open = false;
  /** Offsets in the last window where the state flipped (each fence's newline), in order: one array, reused. */
  readonly flips: number[] = [];
  private carry = '';
  /** A fence's line runs past the last window ({@link IN_RUN}: its backticks reach that window's end). */
  private pending = NONE;

  /** Follows the fences of `window`, the text right after the last window; returns how often the state flipped in it. */
  next(window: string): number {
    const { carry } = this;
    this.flips.length = 0;
    this.carry = window.slice(-CARRY);
    if (this.pending !== NONE) {
      let k = 0;
      if (this.pending === IN_RUN) while (window.charCodeAt(k) === BACKTICK) k++;
      if (k === window.length) return 0;
      this.pending = this.endLine(window, k, 0);
      if (this.pending !== NONE) return this.flips.length;
    }
    if (window.indexOf('`') < 0) return this.flips.length;
    const s = carry + window;
    for (let i = s.indexOf('```'); i >= 0; i = s.indexOf('```', i)) {
      const start = i;
      for (i += 3; s.charCodeAt(i) === BACKTICK; i++);
      // one whose third backtick is in the carried characters was the last window's
      if (start + 3 <= carry.length || !atLineStart(s, start)) continue;
      this.pending = this.endLine(s, i, carry.length);
      if (this.pending !== NONE) {
        if (i === s.length) this.pending = IN_RUN;
        break;
      }
      i = Math.max(s.indexOf('\n', i), i);
    }
    return this.flips.length;
  }

  /**
   * The rest of a fence's line, in `s` from `at` (the window starts at `s` offset `offset`): a flip
   * at its newline, no fence at a backtick, or {@link LINE} when it runs on past `s`.
   */
  private endLine(s: string, at: number, offset: number): number {
    const nl = s.indexOf('\n', at);
    const tick = s.indexOf('`', at);
    if (tick >= 0 && (nl < 0 || tick < nl)) return NONE;
    if (nl < 0) return LINE;
    this.flips.push(nl - offset);
    this.open = !this.open;
    return NONE;
  }
}

/** Whether only up to 3 spaces stand between `s[i]` and the start of its line (or of `s`: only the text's start has no carry). */
function atLineStart(s: string, i: number): boolean {
  let k = i - 1;
  while (k >= i - 3 && k >= 0 && s.charCodeAt(k) === 32) k--;
  return k < 0 || s.charCodeAt(k) === 10;
}

/**
 * A 200-character window with 3+ formal markers after one with 3+ informal ones, or the reverse;
 * the informal ones must include slang (gonna, lol, dude...): "Okay, that's it! Yeah, good luck,
 * ok?" after a formal explanation is a friendly sign-off, not a shift. Markers inside ``` fenced
 * code do not count (`v, ok := m[k]` in Go is not a tone).
 * @internal
 */
export class ToneShiftCheck extends WindowCheck {
  private formal = -1;
  private informal = -1;

  constructor() {
    super(200);
  }

  protected test(window: string): boolean {
    const { fences } = this;
    let open = fences.open;
    const flips = fences.next(window);
    let formal = 0;
    let informal = 0;
    let slang = false;
    // a window all in code has no markers to count
    if (!open || flips > 0) {
      let f = 0;
      TONE.lastIndex = 0;
      for (let m = TONE.exec(window); m !== null; m = TONE.exec(window)) {
        for (; f < flips && fences.flips[f]! <= m.index; f++) open = !open;
        if (open || m[0] === 'OK') continue;
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
 * characters of one unbroken run of text: no element and no line break. A window in ``` fenced
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
