import type { DriftCheck } from './driftDetector.js';

/** Sentences longer than this count toward repetition. */
const MIN_SENTENCE = 20;
const TAIL = 480;
const EVERY = 64;
const MAX_SENTENCES = 10_000;

/** The smallest period of `s` (the prefix function's classic result), O(s.length). */
export function smallestPeriod(s: string): number {
  const pi = new Int32Array(s.length);
  for (let i = 1; i < s.length; i++) {
    let k = pi[i - 1]!;
    while (k > 0 && s.charCodeAt(i) !== s.charCodeAt(k)) k = pi[k - 1]!;
    if (s.charCodeAt(i) === s.charCodeAt(k)) k++;
    pi[i] = k;
  }
  return s.length - (s.length > 0 ? pi[s.length - 1]! : 0);
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
  private sentenceStart = 0;
  private nextTail = TAIL;

  check(delta: string, text: string): boolean {
    return this.sentences(delta, text, false) || this.tail(text);
  }

  complete(text: string): boolean {
    return this.sentences('', text, true);
  }

  private sentences(delta: string, text: string, final: boolean): boolean {
    const from = text.length - delta.length;
    for (let i = Math.max(from - 1, this.sentenceStart); i < text.length; i++) {
      const c = text.charCodeAt(i);
      const end = (c === 46 || c === 33 || c === 63) && (i + 1 === text.length ? false : text.charCodeAt(i + 1) <= 32);
      if (end && this.count(text.slice(this.sentenceStart, i + 1))) return true;
      if (end) this.sentenceStart = i + 1;
    }
    return final && this.count(text.slice(this.sentenceStart));
  }

  private count(raw: string): boolean {
    if (raw.length <= MIN_SENTENCE + 2) return false;
    const key = raw.trim().toLowerCase().replace(/\s+/g, ' ');
    if (key.length <= MIN_SENTENCE) return false;
    if (this.seen.size >= MAX_SENTENCES) this.seen.clear();
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    return n >= 3;
  }

  private tail(text: string): boolean {
    if (text.length < this.nextTail) return false;
    this.nextTail = text.length + EVERY;
    return smallestPeriod(text.slice(text.length - TAIL)) * 3 <= TAIL;
  }
}
