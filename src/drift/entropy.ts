import type { DriftCheck } from './driftDetector.js';

const BLOCK = 64;
const HISTORY = 50;
/** log2 of the block length: a block's entropy is `BITS - S / BLOCK`, with `S` the sum of `c log2 c` over its byte counts. */
const BITS = 6;
/**
 * `(c + 1) log2 (c + 1) - c log2 c`: what one more sighting of a byte seen `c` times adds to `S`, so
 * each character costs one table read and one addition (no branch, no logarithm).
 */
const STEP = /*#__PURE__*/ Float64Array.from({ length: BLOCK }, (_, c) => (c + 1) * Math.log2(c + 1) - (c === 0 ? 0 : c * Math.log2(c)));

/**
 * The `entropy_spike` detector's state: byte counts of the current 64-character block with their
 * running `sum c log2 c`, and the entropies of the last 50 blocks in a ring with their running sums.
 * Typed arrays and fields only: nothing is allocated per character or per block, and a block costs
 * no logarithm. @internal
 */
export class EntropyCheck implements DriftCheck {
  private readonly counts = new Int32Array(256);
  /** `sum c log2 c` over the current block's byte counts. */
  private s = 0;
  private filled = 0;
  private readonly history = new Float64Array(HISTORY);
  /** Blocks in `history` (at most 50), and where the oldest is once it is full. */
  private blocks = 0;
  private oldest = 0;
  /** Running sum and sum of squares of `history` (O(1) per block instead of two passes over 50). */
  private sum = 0;
  private squares = 0;

  /** The block being filled is not judged yet. */
  get held(): number {
    return this.filled;
  }

  check(delta: string): boolean {
    const { counts } = this;
    let { s, filled } = this;
    for (let i = 0; i < delta.length; ) {
      // up to the end of the block or of the delta: no block-end test per character
      const stop = Math.min(delta.length, i + BLOCK - filled);
      filled += stop - i;
      for (; i < stop; i++) s += STEP[counts[delta.charCodeAt(i) & 255]!++]!;
      if (filled < BLOCK) break;
      const entropy = BITS - s / BLOCK;
      s = filled = 0;
      counts.fill(0);
      if (this.endBlock(entropy)) {
        this.s = this.filled = 0;
        return true;
      }
    }
    this.s = s;
    this.filled = filled;
    return false;
  }

  /**
   * Brings the check up to a resumed checkpoint: its blocks join the history, each fed on its own
   * (`check` stops at a spike, and only at a block's end); a spike inside the checkpoint was the
   * earlier attempt's to report.
   */
  resume(checkpoint: string): void {
    for (let at = 0; at < checkpoint.length; at += BLOCK) this.check(checkpoint.slice(at, at + BLOCK));
  }

  /** Compares a block's entropy with the history's mean and deviation, then remembers it. */
  private endBlock(h: number): boolean {
    const { history } = this;
    const n = this.blocks;
    const mean = this.sum / n;
    const deviation = Math.sqrt(Math.max(this.squares / n - mean * mean, 0));
    const spike = n >= 10 && h > mean + 2.5 * Math.max(deviation, 0.1);
    if (n < HISTORY) history[this.blocks++] = h;
    else {
      const old = history[this.oldest]!;
      this.sum -= old;
      this.squares -= old * old;
      history[this.oldest] = h;
      this.oldest = (this.oldest + 1) % HISTORY;
    }
    this.sum += h;
    this.squares += h * h;
    return spike;
  }
}
