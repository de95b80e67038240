import type { DriftCheck } from './driftDetector.js';

/** Characters per block, blocks of history, and blocks needed before a spike can be called. */
const BLOCK = 64;
const HISTORY = 50;
const WARM_UP = 10;

/**
 * An entropy spike, as it streams: the Shannon entropy (bits per character) of each 64-character
 * block, against the mean and standard deviation of the last 50 blocks; a block 2.5 deviations
 * above the mean (after 10 blocks) is a spike. Counts characters straight from the deltas into one
 * table (code units folded into 256 buckets: exact for ASCII, close enough for a spike test
 * elsewhere), with no window string and no allocation per token.
 * @internal
 */
export class EntropyCheck implements DriftCheck {
  private readonly counts = new Int32Array(256);
  /** The buckets the current block has used (at most one per character). */
  private readonly used = new Uint8Array(BLOCK);
  private distinct = 0;
  private filled = 0;
  /** The last blocks' entropies, a ring. */
  private readonly history = new Float64Array(HISTORY);
  private blocks = 0;

  check(delta: string): boolean {
    for (let i = 0; i < delta.length; i++) {
      const bucket = delta.charCodeAt(i) & 255;
      if (this.counts[bucket]!++ === 0) this.used[this.distinct++] = bucket;
      if (++this.filled === BLOCK && this.block()) return true;
    }
    return false;
  }

  /** Ends a block: its entropy against the history; true on a spike. */
  private block(): boolean {
    let h = 0;
    for (let i = 0; i < this.distinct; i++) {
      const bucket = this.used[i]!;
      const p = this.counts[bucket]! / BLOCK;
      h -= p * Math.log2(p);
      this.counts[bucket] = 0;
    }
    this.distinct = this.filled = 0;
    const n = Math.min(this.blocks, HISTORY);
    let spike = false;
    if (n >= WARM_UP) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += this.history[i]!;
      const mean = sum / n;
      let squares = 0;
      for (let i = 0; i < n; i++) squares += (this.history[i]! - mean) ** 2;
      spike = h > mean + 2.5 * Math.max(Math.sqrt(squares / n), 0.1);
    }
    this.history[this.blocks % HISTORY] = h;
    this.blocks++;
    return spike;
  }
}
