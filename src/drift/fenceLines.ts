/** {@link FenceLines.pending}: a fence line whose run is read and whose newline is not. */
const IN_LINE = -1;
const BACKTICK = 96;
const SPACE = 32;
const TAB = 9;
const NEWLINE = 10;
/** The most spaces and tabs before a fence's run: a fence nested in a list item is indented (the guard's rules read it so, see `fenceIndent`). */
const MOST_INDENT = 8;

/**
 * Finds the code fences of a streamed text from its backticks and tildes, whatever the deltas:
 * drift's one reader of fences, CommonMark's fences as answers write them. A fence line starts
 * with a run of 3 or more backticks or tildes, after at most 8 spaces or tabs (in answers an
 * indented fence is one nested in a list item, as the guard's markdownRule and code-aware patterns
 * read it; a tab counts 4). Outside a block, one opens a block at its newline (a backtick fence's
 * info string has no backtick: a line of inline ```code``` is no fence); inside, only a run of the
 * opening character, at least as long, indented less than 4 more than the opening one, with
 * nothing but spaces after it closes the block at its newline (a ``` line in a ```` or ~~~ block,
 * or a deeper one, is its code). The caller calls {@link tick} at each backtick and tilde of a
 * delta and {@link left} at a delta's start while a fence line is {@link pending}; each returns
 * where the state flips next in the delta (the fence line's newline), or the delta's length. The repetition detector's
 * sentence check calls it from its character loop (text without backticks or tildes never reaches
 * it); {@link Fences} from `indexOf`, window by window.
 * @internal
 */
export class FenceLines {
  /**
   * A fence line the last delta left unfinished: {@link IN_LINE} (its newline not seen yet), or the
   * length of a run at a line's start that reached the delta's end; 0: none.
   */
  pending = 0;
  /** The open block's fence character, run length and indent; 0: outside a block. */
  #char = 0;
  #length = 0;
  #indent = 0;
  /** The character of the run or fence line {@link pending} holds, its run's length and its indent. */
  #runChar = 0;
  #runLength = 0;
  #runIndent = 0;

  /**
   * A backtick or tilde at `delta[i]` (the text before the delta ends with `before`, the last of its
   * `total` characters, at least 9 of them when there are): when it starts a run of 3 or more at a
   * line's start, where the fence line's newline flips the state (see {@link fenceEnd}), else
   * `end`. A run that reaches the delta's end is carried to the next one.
   */
  tick(delta: string, i: number, end: number, before: string, total: number): number {
    const at = (k: number): number => (k >= 0 ? delta.charCodeAt(k) : before.charCodeAt(before.length + k));
    let k = i - 1;
    let indent = 0;
    for (; k >= i - MOST_INDENT && total + k >= 0; k--) {
      const s = at(k);
      if (s !== SPACE && s !== TAB) break;
      indent += s === TAB ? 4 : 1;
    }
    // the text's start is a line's start
    if (total + k >= 0 && at(k) !== NEWLINE) return end;
    const c = delta.charCodeAt(i);
    let j = i + 1;
    while (delta.charCodeAt(j) === c) j++;
    this.#runChar = c;
    this.#runIndent = indent;
    if (j === delta.length) {
      this.pending = j - i;
      return end;
    }
    return this.#fence(delta, j, j - i, end);
  }

  /** The fence line the last delta left unfinished, read from this delta's start: where its newline flips the state, else the delta's length. */
  left(delta: string): number {
    const pending = this.pending;
    this.pending = 0;
    if (pending === IN_LINE) return this.#fenceEnd(delta, 0);
    const c = this.#runChar;
    let j = 0;
    while (delta.charCodeAt(j) === c) j++;
    if (j === delta.length) {
      this.pending = pending + j;
      return delta.length;
    }
    return this.#fence(delta, j, pending + j, delta.length);
  }

  /** A run of `length` ends at `delta` offset `at`: a fence line's opening or closing run, or `end` (no fence). */
  #fence(delta: string, at: number, length: number, end: number): number {
    if (length < 3 || (this.#char !== 0 && (this.#runChar !== this.#char || length < this.#length || this.#runIndent >= this.#indent + 4))) return end;
    this.#runLength = length;
    return this.#fenceEnd(delta, at);
  }

  /**
   * The rest of a fence line from `delta` offset `at`: its newline's offset (the flip, applied to
   * the state here), or the delta's length when what is on it makes it no fence (a backtick after an
   * opening backtick run, anything but spaces after a closing run), or when it runs past the delta
   * (then {@link IN_LINE} is carried).
   */
  #fenceEnd(delta: string, at: number): number {
    const nl = delta.indexOf('\n', at);
    // the line's rest in this delta (a fence line is short, and rare)
    const rest = delta.slice(at, nl < 0 ? delta.length : nl);
    if (this.#char !== 0 ? /[^ \t\r]/.test(rest) : this.#runChar === BACKTICK && rest.includes('`')) return delta.length;
    if (nl < 0) {
      this.pending = IN_LINE;
      return delta.length;
    }
    const opens = this.#char === 0;
    this.#char = opens ? this.#runChar : 0;
    this.#length = opens ? this.#runLength : 0;
    this.#indent = opens ? this.#runIndent : 0;
    return nl;
  }
}

/**
 * Follows fences (see {@link FenceLines}) across consecutive windows of a text, for the window
 * checks: {@link open} at each window's end and the offsets where the state flipped in it. A window
 * without a backtick or tilde costs two `indexOf`.
 * @internal
 */
export class Fences extends FenceLines {
  /** Inside a fenced block at the end of the last window. */
  open = false;
  /** Offsets in the last window where the state flipped (each fence's newline), in order: one array, reused. */
  readonly flips: number[] = [];
  /** The last window (its last characters hold a fence's line start), and the text's length before `window`. */
  private last = '';
  private total = 0;

  /** Follows the fences of `window` (9 characters or more: the last holds a fence's line start, its indent and the newline before), the text right after the last window; returns how often the state flipped in it. */
  next(window: string): number {
    const { flips, last, total } = this;
    flips.length = 0;
    this.last = window;
    this.total += window.length;
    let end = this.pending === 0 ? window.length : this.left(window);
    // the next backtick and the next tilde from where the reading is
    let tick = window.indexOf('`');
    let tilde = window.indexOf('~');
    for (;;) {
      for (let i = tilde < 0 || (tick >= 0 && tick < tilde) ? tick : tilde; i >= 0 && i < end; i = tilde < 0 || (tick >= 0 && tick < tilde) ? tick : tilde) {
        end = this.tick(window, i, end, last, total);
        if (i === tick) tick = window.indexOf('`', i + 1);
        else tilde = window.indexOf('~', i + 1);
      }
      if (end === window.length) return flips.length;
      flips.push(end);
      this.open = !this.open;
      end = window.length;
    }
  }
}
