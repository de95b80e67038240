import type { DriftCheck } from './driftDetector.js';

/** Sentences longer than this count toward repetition. */
const MIN_SENTENCE = 20;
const TAIL = 480;
const EVERY = 64;
/** Distinct sentences remembered; the map starts over beyond it (a loop repeats at once, so it is still caught). */
const MAX_SENTENCES = 1000;

/** Whitespace other than one plain space between words. */
const ODD_SPACE = /\s\s|(?! )\s/;
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
 * (normalised: case and spacing), counted as each sentence completes; (2) every 64 characters, the
 * last 480 characters repeating one unit at least 3 times (smallest period <= 160), which catches a
 * loop without sentence punctuation. Both are O(delta) amortised, whatever the text's length.
 * @internal
 */
export class RepetitionCheck implements DriftCheck {
  private readonly seen = new Map<string, number>();
  /** The current sentence so far, and whether the last character seen ended one (`.`, `!`, `?`). */
  private sentence = '';
  private ended = false;
  /** The text's last characters, built from the deltas (never a slice of the whole text). */
  private tailText = '';
  private sinceTail = 0;

  check(delta: string): boolean {
    return this.sentences(delta) || this.tail(delta);
  }

  complete(): boolean {
    return this.count(this.sentence);
  }

  /** A sentence ends at `.`, `!` or `?` followed by whitespace; each is counted once, when it ends. */
  private sentences(delta: string): boolean {
    if (delta === '') return false;
    let from = 0;
    if (this.ended && delta.charCodeAt(0) <= 32) {
      // the previous delta ended the sentence with its punctuation; this one's first character closes it
      const sentence = this.sentence;
      this.sentence = '';
      if (this.count(sentence)) return true;
    }
    const last = delta.charCodeAt(delta.length - 1);
    this.ended = last === 46 || last === 33 || last === 63;
    for (let end = sentenceEnd(delta, 0); end >= 0; end = sentenceEnd(delta, end + 1)) {
      const cut = end + 1;
      const sentence = from === 0 ? this.sentence + delta.slice(0, cut) : delta.slice(from, cut);
      this.sentence = '';
      from = cut;
      if (this.count(sentence)) return true;
    }
    this.sentence += from === 0 ? delta : delta.slice(from);
    return false;
  }

  private count(raw: string): boolean {
    if (raw.length <= MIN_SENTENCE) return false;
    let key = raw.trim().toLowerCase();
    // spacing is folded only when there is any to fold (most sentences have single spaces only)
    if (ODD_SPACE.test(key)) key = key.replace(/\s+/g, ' ');
    if (key.length <= MIN_SENTENCE) return false;
    if (this.seen.size >= MAX_SENTENCES) this.seen.clear();
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    return n >= 3;
  }

  private tail(delta: string): boolean {
    this.tailText += delta;
    if (this.tailText.length > 2 * TAIL) this.tailText = this.tailText.slice(-TAIL);
    this.sinceTail += delta.length;
    if (this.tailText.length < TAIL || this.sinceTail < EVERY) return false;
    this.sinceTail = 0;
    // keep only what is checked: the next check copies TAIL + EVERY characters, not up to 2 * TAIL
    const checked = (this.tailText = this.tailText.length > TAIL ? this.tailText.slice(-TAIL) : this.tailText);
    return hasPeriodAtMost(checked, TAIL / 3);
  }
}

/**
 * Where the next sentence of `s` ends at or after `i`: its `.`, `!` or `?`, followed by
 * whitespace (any code unit up to a space, control characters included); -1 when none does. A
 * loop over the characters: a regex costs more to start on each new batch than this loop takes.
 */
function sentenceEnd(s: string, i: number): number {
  for (let n = s.length - 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if ((c === 46 || c === 33 || c === 63) && s.charCodeAt(i + 1) <= 32) return i;
  }
  return -1;
}
