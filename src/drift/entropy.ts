import type { DriftCheck } from './driftDetector.js';

const BLOCK = 64;
const HISTORY = 50;
/** `-p log2 p` for a byte seen `c` times in a block, `p = c / 64`: no logarithm per block. */
const TERM = /*#__PURE__*/ Float64Array.from({ length: BLOCK + 1 }, (_, c) => (c === 0 ? 0 : -(c / BLOCK) * Math.log2(c / BLOCK)));

/**
 * The `entropy_spike` detector's state: byte counts of the current 64-character block, and the
 * entropies of the last 50 blocks in a ring with their running sums. Typed arrays and fields only:
 * nothing is allocated per character or per block, and a block costs no logarithm. @internal
 */
export class EntropyCheck implements DriftCheck {
  private readonly counts = new Int32Array(256);
  /** The buckets the current block used, so resetting touches only those. */
  private readonly used = new Uint8Array(BLOCK);
  private usedCount = 0;
  private filled = 0;
  private readonly history = new Float64Array(HISTORY);
  /** Blocks in `history` (at most 50), and where the oldest is once it is full. */
  private blocks = 0;
  private oldest = 0;
  /** Running sum and sum of squares of `history` (O(1) per block instead of two passes over 50). */
  private sum = 0;
  private squares = 0;

  check(delta: string): boolean {
    const { counts, used } = this;
    let usedCount = this.usedCount;
    let filled = this.filled;
    for (let i = 0; i < delta.length; i++) {
      const bucket = delta.charCodeAt(i) & 255;
      if (counts[bucket]!++ === 0) used[usedCount++] = bucket;
      if (++filled < BLOCK) continue;
      const spike = this.endBlock(usedCount);
      usedCount = filled = 0;
      if (spike) {
        this.usedCount = this.filled = 0;
        return true;
      }
    }
    this.usedCount = usedCount;
    this.filled = filled;
    return false;
  }

  /** Closes the block: its entropy, compared with the history's mean and deviation, then remembered. */
  private endBlock(usedCount: number): boolean {
    const { counts, used, history } = this;
    let h = 0;
    for (let k = 0; k < usedCount; k++) {
      h += TERM[counts[used[k]!]!]!;
      counts[used[k]!] = 0;
    }
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
