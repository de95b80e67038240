import type { DriftCheck } from './driftDetector.js';

/** Sentences longer than this count toward repetition. */
const MIN_SENTENCE = 20;
const TAIL = 480;
/** The tail check's positions: every multiple of 64 of the text's length, from the first that has 480 characters before it (512). */
const EVERY = 64;
const FIRST = Math.ceil(TAIL / EVERY) * EVERY;
/** Distinct sentences remembered; the map starts over beyond it (a loop repeats at once, so it is still caught). */
const MAX_SENTENCES = 1000;

/** Characters of the tail's end looked up to find the candidate periods. */
const PROBE = 32;

/**
 * Whether `s` repeats one unit of at most `maxPeriod` characters all along (has a period
 * `p <= maxPeriod`: `s[i] === s[i + p]` throughout), with native string search instead of a
 * character loop: a period p puts the last `PROBE` characters again p characters earlier, so only
 * the offsets where `indexOf` finds them are candidates, each confirmed by one comparison of
 * `s` with itself shifted. Ordinary text has no candidate, or one that fails at once.
 * @internal
 */
export function hasPeriodAtMost(s: string, maxPeriod: number): boolean {
  const probe = Math.min(PROBE, s.length - maxPeriod);
  if (probe <= 0) return s.length > 0;
  const end = s.slice(s.length - probe);
  const last = s.length - probe;
  // forward `indexOf` from the farthest candidate (a fast native search; `lastIndexOf` is a slow runtime call)
  for (let q = s.indexOf(end, last - maxPeriod); q >= 0 && q < last; q = s.indexOf(end, q + 1)) {
    const d = last - q;
    if (s.slice(d) === s.slice(0, s.length - d)) return true;
  }
  return false;
}

/**
 * Runaway repetition, as it streams: (1) a sentence of more than 20 characters seen 3 times
 * (normalised: case and spacing), counted as each sentence completes, when the text since its
 * time before last is mostly repeats: the characters of sentences seen before at least twice those
 * of new ones (a loop, even one with a varying sentence; not a song's chorus between its verses, a
 * step list's "Save the file." between new steps, a contract's recurring clause); (2) at every
 * multiple of 64 of the text's length, the 480 characters ending there repeating one unit at least
 * 3 times (smallest period <= 160), which catches a loop without sentence punctuation. Both look at fixed
 * places in the text, so the verdict does not depend on where tokens or batches end, and both are
 * O(delta) amortised, whatever the text's length.
 *
 * Sentences are never built as strings: one pass over each delta's characters finds the ends and
 * hashes each sentence as it goes, normalised on the fly (whitespace trimmed and runs of it made
 * one space, letters lower-cased code unit by code unit), into a 53-bit key made of two
 * independent 32-bit hashes. Two different sentences share a key with odds of about 2^-53 per
 * pair (one in 10^13 against all 1,000 remembered), and a false detection needs that twice.
 * @internal
 */
export class RepetitionCheck implements DriftCheck {
  /** Each sentence key's slot in {@link marks}. */
  private readonly seen = new Map<number, number>();
  /**
   * Per slot, the {@link balance} right after the sentence's time before last and its last time
   * (NaN: not seen that often): one typed array, nothing allocated per sentence.
   */
  private marks = new Float64Array(64);
  /** Characters of repeated sentences minus twice those of new ones (and of short ones), so far. */
  private balance = 0;
  /** The current sentence's two hashes and normalised length so far. */
  private h1 = H1;
  private h2 = H2;
  private length = 0;
  /** Whitespace followed the current sentence's last character (one space joins the key if more follows). */
  private gap = false;
  /** The last character seen was `.`, `!` or `?`: whitespace next ends the sentence. */
  private punct = false;
  /** The text's last characters (at least the 480 the next tail check needs), built from the deltas (never a slice of the whole text). */
  private tailText = '';
  /** The text's length so far. */
  private total = 0;

  check(delta: string): boolean {
    return this.sentences(delta, false) || this.tail(delta);
  }

  /**
   * A loop found at a tail check began up to 480 characters before it: the text since the last
   * check and the 480 before that are not judged yet (a checkpoint resumed inside a loop would
   * have the model continue it).
   */
  get held(): number {
    return Math.min(this.total, TAIL + (this.total % EVERY));
  }

  /** Counts the checkpoint's sentences and keeps its tail, reporting nothing: drift inside it was the earlier attempt's to report. */
  resume(checkpoint: string): void {
    this.sentences(checkpoint, true);
    this.total = checkpoint.length;
    this.tailText = checkpoint.slice(-TAIL);
  }

  complete(): boolean {
    return this.count(this.h1, this.h2, this.length);
  }

  /**
   * A sentence ends at `.`, `!` or `?` followed by whitespace or a control character (any code unit
   * up to a space); each is counted once, when it ends. `priming`: counted, never reported.
   */
  private sentences(delta: string, priming: boolean): boolean {
    let { h1, h2, length, gap, punct } = this;
    for (let i = 0; i < delta.length; i++) {
      const c = delta.charCodeAt(i);
      if (punct && c <= 32) {
        if (this.count(h1, h2, length) && !priming) return true;
        h1 = H1;
        h2 = H2;
        length = 0;
        gap = false;
      }
      let u: number;
      if (c < 128) {
        const k = ASCII[c]!;
        punct = k > 0xff;
        if (k < 0) {
          gap = length > 0;
          continue;
        }
        u = k & 0xff;
      } else {
        punct = false;
        if (c >= 160 && isWideSpace(c)) {
          gap = length > 0;
          continue;
        }
        u = lowerUnit(c);
      }
      if (gap) {
        h1 = step1(h1, 32);
        h2 = step2(h2, 32);
        length++;
        gap = false;
      }
      if (u < 0) {
        // a character whose lower case is longer than one code unit (U+0130)
        const lower = String.fromCharCode(c).toLowerCase();
        for (let k = 0; k < lower.length; k++) {
          h1 = step1(h1, lower.charCodeAt(k));
          h2 = step2(h2, lower.charCodeAt(k));
        }
        length += lower.length;
        continue;
      }
      h1 = step1(h1, u);
      h2 = step2(h2, u);
      length++;
    }
    this.h1 = h1;
    this.h2 = h2;
    this.length = length;
    this.gap = gap;
    this.punct = punct;
    return false;
  }

  /**
   * Counts a finished sentence by its hashes; true at its third time or later when, since its time
   * before last, repeated sentences have at least twice the characters of new ones.
   */
  private count(h1: number, h2: number, length: number): boolean {
    // a short sentence is not told apart from others ("Yes."): it counts as new text
    if (length <= MIN_SENTENCE) {
      this.balance -= 2 * length;
      return false;
    }
    const key = (h1 >>> 0) * 0x200000 + (h2 >>> 11);
    const { seen, marks } = this;
    if (seen.size >= MAX_SENTENCES) seen.clear();
    let slot = seen.get(key);
    if (slot === undefined) {
      slot = 2 * seen.size;
      seen.set(key, slot);
      if (slot === marks.length) (this.marks = new Float64Array(2 * slot)).set(marks);
      this.marks[slot] = NaN;
      this.marks[slot + 1] = this.balance -= 2 * length;
      return false;
    }
    const before = marks[slot]!;
    marks[slot] = marks[slot + 1]!;
    marks[slot + 1] = this.balance += length;
    return this.balance >= before;
  }

  /**
   * Checks the 480 characters ending at each multiple of 64 that `delta` reaches (one check per 64
   * characters, whatever the delta's size). The tail stays short: a delta that reaches no multiple
   * adds under 64 characters to at most 512 (before the first check) or 480 (after one).
   */
  private tail(delta: string): boolean {
    const from = this.total;
    const total = (this.total += delta.length);
    const tail = (this.tailText += delta);
    const base = total - tail.length;
    let end = Math.max(FIRST, from - (from % EVERY) + EVERY);
    if (end > total) return false;
    let hit = false;
    for (; !hit && end <= total; end += EVERY) hit = hasPeriodAtMost(tail.slice(end - TAIL - base, end - base), TAIL / 3);
    // keep only what the next positions need: the next check copies TAIL + EVERY characters, not up to 2 * TAIL
    this.tailText = tail.slice(-TAIL);
    return hit;
  }
}

/** FNV-1a's offset basis, and another start for the second hash. */
const H1 = 0x811c9dc5 | 0;
const H2 = 0x2f5a3c91;

/** FNV-1a, one code unit at a time. */
function step1(h: number, u: number): number {
  return Math.imul(h ^ u, 0x01000193);
}

/** A multiply-xorshift step (MurmurHash2's constant): independent of {@link step1}. */
function step2(h: number, u: number): number {
  h = Math.imul(h + u, 0x5bd1e995);
  return h ^ (h >>> 15);
}

/**
 * Per ASCII code unit: -1 for whitespace (tab to carriage return, space), else its lower case, plus
 * 0x100 for the sentence ends `.`, `!` and `?`: one table read instead of a chain of comparisons.
 */
const ASCII = /*#__PURE__*/ Int16Array.from({ length: 128 }, (_, c) =>
  c === 32 || (c >= 9 && c <= 13) ? -1 : (c >= 65 && c <= 90 ? c + 32 : c) | (c === 46 || c === 33 || c === 63 ? 0x100 : 0),
);

/** JavaScript's non-ASCII whitespace (`\s` beyond the ASCII tab, line breaks and space). */
function isWideSpace(c: number): boolean {
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Lower-case code units of non-ASCII characters, 256 at a time as they are first needed (-1: more than one unit). */
const LOWER: Int32Array[] = [];

/** `c`'s lower case as one code unit (`toLowerCase`'s, code unit by code unit), or -1 when it takes more. */
function lowerUnit(c: number): number {
  const page = (LOWER[c >> 8] ??= lowerPage(c >> 8));
  return page[c & 255]!;
}

function lowerPage(high: number): Int32Array {
  const page = new Int32Array(256);
  for (let k = 0; k < 256; k++) {
    const lower = String.fromCharCode((high << 8) | k).toLowerCase();
    page[k] = lower.length === 1 ? lower.charCodeAt(0) : -1;
  }
  return page;
}
