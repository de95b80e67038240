/** A fence line whose backticks are read and whose newline is not (see {@link FenceLines.pending}). */
const IN_LINE = -1;
const BACKTICK = 96;
const SPACE = 32;
const NEWLINE = 10;

/**
 * Finds the ``` fence lines of a streamed text from its backticks, whatever the deltas: drift's one
 * reader of fences. A fence is a line that starts with a run of 3 or more backticks (after at most
 * 3 spaces) and has no other backtick (a line of inline ```code``` is no fence); each one opens or
 * closes a block at its newline. The caller calls {@link tick} at each backtick of a delta and
 * {@link left} at a delta's start while a fence line is {@link pending}; each returns where the
 * state flips next in the delta (the fence line's newline), or the delta's length. The repetition
 * detector's sentence check calls it from its character loop (text without backticks never reaches
 * it); {@link Fences} from `indexOf`, window by window.
 * @internal
 */
export class FenceLines {
  /**
   * A fence line the last delta left unfinished: {@link IN_LINE} (its newline not seen yet), or the
   * backticks of a run at a line's start that reached the delta's end; 0: none.
   */
  pending = 0;

  /**
   * A backtick at `delta[i]` (the text before the delta ends with `before`, the last of its `total`
   * characters): when it starts a run of 3 or more at a line's start, where the fence line's
   * newline flips the state (see {@link fenceEnd}), else `end`. A run that reaches the delta's end
   * is carried to the next one.
   */
  tick(delta: string, i: number, end: number, before: string, total: number): number {
    const at = (k: number): number => (k >= 0 ? delta.charCodeAt(k) : before.charCodeAt(before.length + k));
    let k = i - 1;
    while (k >= i - 3 && total + k >= 0 && at(k) === SPACE) k--;
    // the text's start is a line's start
    if (total + k >= 0 && at(k) !== NEWLINE) return end;
    let j = i + 1;
    while (delta.charCodeAt(j) === BACKTICK) j++;
    if (j === delta.length) {
      this.pending = j - i;
      return end;
    }
    return j - i < 3 ? end : this.#fenceEnd(delta, j);
  }

  /** The fence line the last delta left unfinished, read from this delta's start: where its newline flips the state, else the delta's length. */
  left(delta: string): number {
    const pending = this.pending;
    this.pending = 0;
    if (pending === IN_LINE) return this.#fenceEnd(delta, 0);
    let j = 0;
    while (delta.charCodeAt(j) === BACKTICK) j++;
    if (j === delta.length) {
      this.pending = pending + j;
      return delta.length;
    }
    return pending + j < 3 ? delta.length : this.#fenceEnd(delta, j);
  }

  /**
   * The rest of a fence line from `delta` offset `at`: its newline's offset (the flip), or the
   * delta's length when a backtick on it makes it no fence, or when it runs past the delta (then
   * {@link IN_LINE} is carried).
   */
  #fenceEnd(delta: string, at: number): number {
    const nl = delta.indexOf('\n', at);
    const tick = delta.indexOf('`', at);
    if (tick >= 0 && (nl < 0 || tick < nl)) return delta.length;
    if (nl >= 0) return nl;
    this.pending = IN_LINE;
    return delta.length;
  }
}

/**
 * Follows ``` fences (see {@link FenceLines}) across consecutive windows of a text, for the window
 * checks: {@link open} at each window's end and the offsets where the state flipped in it. A window
 * without a backtick costs one `indexOf`.
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

  /** Follows the fences of `window` (4 characters or more: the last holds a fence's line start), the text right after the last window; returns how often the state flipped in it. */
  next(window: string): number {
    const { flips, last, total } = this;
    flips.length = 0;
    this.last = window;
    this.total += window.length;
    let end = this.pending === 0 ? window.length : this.left(window);
    for (let i = 0; ; i = end, end = window.length) {
      for (i = window.indexOf('`', i); i >= 0 && i < end; i = window.indexOf('`', i + 1)) end = this.tick(window, i, end, last, total);
      if (end === window.length) return flips.length;
      flips.push(end);
      this.open = !this.open;
    }
  }
}
