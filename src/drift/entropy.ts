import type { DriftCheck } from './driftDetector.js';

const BLOCK = 64;
const HISTORY = 50;

/**
 * The `entropy_spike` detector's state: byte counts of the current 64-character block, and the
 * entropies of the last 50 blocks in a ring. Typed arrays and fields only: nothing is allocated
 * per character or per block. @internal
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

  check(delta: string): boolean {
    const { counts, used } = this;
    for (let i = 0; i < delta.length; i++) {
      const bucket = delta.charCodeAt(i) & 255;
      if (counts[bucket]!++ === 0) used[this.usedCount++] = bucket;
      if (++this.filled === BLOCK && this.endBlock()) return true;
    }
    return false;
  }

  /** Closes the block: its entropy, compared with the history's mean and deviation, then remembered. */
  private endBlock(): boolean {
    const { counts, used, history } = this;
    let h = 0;
    for (let k = 0; k < this.usedCount; k++) {
      const p = counts[used[k]!]! / BLOCK;
      h -= p * Math.log2(p);
      counts[used[k]!] = 0;
    }
    this.usedCount = this.filled = 0;
    const n = this.blocks;
    let sum = 0;
    for (let k = 0; k < n; k++) sum += history[(this.oldest + k) % HISTORY]!;
    const mean = sum / n;
    let squares = 0;
    for (let k = 0; k < n; k++) squares += (history[(this.oldest + k) % HISTORY]! - mean) ** 2;
    const spike = n >= 10 && h > mean + 2.5 * Math.max(Math.sqrt(squares / n), 0.1);
    if (n < HISTORY) history[this.blocks++] = h;
    else {
      history[this.oldest] = h;
      this.oldest = (this.oldest + 1) % HISTORY;
    }
    return spike;
  }
}
