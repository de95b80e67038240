/** A fence line whose backticks are read and whose newline is not (see {@link FenceLines.pending}). */
const IN_LINE = -1;
const BACKTICK = 96;
const SPACE = 32;
const NEWLINE = 10;

/**
 * Finds the ``` fence lines of a streamed text from the backticks a character loop meets, for the
 * repetition detector's sentence check: a fence is a line that starts with a run of 3 or more
 * backticks (after at most 3 spaces) and has no other backtick, and it opens or closes a block at
 * its newline, as {@link Fences} reads it, whatever the deltas. The loop calls {@link tick} at each
 * backtick and {@link left} at a delta's start while a fence line is {@link pending}; each returns
 * where the state flips next in the delta (the fence line's newline), or the delta's length. Text
 * without backticks never reaches it.
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
