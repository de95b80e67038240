/**
 * Overlap maths for continuation de-duplication: the longest suffix of a checkpoint that the
 * resumed attempt repeats at its head. Pure, and incremental so a stream can feed it token by
 * token with bounded work.
 *
 * @internal Used by deduplicateContinuation; never re-exported.
 */

/** Resolved matching options (see DeduplicateContinuationConfig for the documented defaults). */
export interface OverlapOptions {
  /** Shortest overlap that counts, in UTF-16 code units. */
  readonly minOverlap: number;
  /** Longest overlap searched for: only the checkpoint's last `maxOverlap` characters are compared. */
  readonly maxOverlap: number;
  readonly caseSensitive: boolean;
  /** An overlap must start where a word starts in the checkpoint (never inside a word). */
  readonly wordBoundary: boolean;
}

/** Feeds a continuation's head, piece by piece, and decides how many leading characters repeat the checkpoint. */
export interface OverlapMatcher {
  /**
   * Adds text to the head. Returns the overlap length once it is decided (it never changes after
   * that; later text is not examined), or `undefined` while a longer overlap is still possible.
   */
  push(text: string): number | undefined;
  /** The head ended (or something other than text arrived): the overlap decided with what was seen. */
  finish(): number;
}

const WORD = /[\p{L}\p{M}\p{N}_]/u;
/** Scripts written without spaces between words: every position is a word boundary there. */
const UNSPACED = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]/u;

function isWordChar(ch: string): boolean {
  return WORD.test(ch) && !UNSPACED.test(ch);
}

/** True when a match may start at `at` in `text`: not between two letters/digits of one word. */
function startsWord(text: string, at: number): boolean {
  return at === 0 || !isWordChar(text[at - 1]!) || !isWordChar(text[at]!);
}

function sameChar(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase();
}

/**
 * Creates an incremental matcher for `checkpoint`.
 *
 * 1. Candidates are the start positions in the checkpoint's last `maxOverlap` characters whose
 *    suffix is at least `minOverlap` long (and, with `wordBoundary`, starts a word).
 * 2. Each character pushed removes the candidates it contradicts. A candidate whose whole suffix
 *    has been matched is complete: an overlap of that length is confirmed.
 * 3. The overlap is decided when no incomplete candidate is left: it is the longest complete one
 *    (0 if none). Incomplete candidates are always longer than complete ones, so deciding earlier
 *    could cut a longer repetition short (L0 releases at the first overlap with text after it).
 *
 * Work is O(candidates) per character and at most O(maxOverlap^2) for a whole head; the head is
 * never longer than `maxOverlap` plus one push when the overlap is decided.
 */
export function createOverlapMatcher(checkpoint: string, options: OverlapOptions): OverlapMatcher {
  const { minOverlap, maxOverlap, caseSensitive, wordBoundary } = options;
  const from = Math.max(0, checkpoint.length - maxOverlap);
  let live: number[] | undefined; // candidate start positions in `checkpoint`, built on the first character
  let seen = 0; // characters of the head examined so far
  let best = 0;
  let decided: number | undefined;

  const candidates = (): number[] => {
    const out: number[] = [];
    for (let i = from; i <= checkpoint.length - minOverlap; i++) {
      if (!wordBoundary || startsWord(checkpoint, i)) out.push(i);
    }
    return out;
  };

  const step = (ch: string): void => {
    const list = live!;
    let kept = 0;
    for (let k = 0; k < list.length; k++) {
      const start = list[k]!;
      const c = checkpoint[start + seen]!;
      if (c !== ch && (caseSensitive || !sameChar(c, ch))) continue;
      if (checkpoint.length - start === seen + 1) best = Math.max(best, seen + 1);
      else list[kept++] = start;
    }
    list.length = kept;
  };

  return {
    push(text) {
      if (decided !== undefined) return decided;
      for (let j = 0; j < text.length; j++) {
        live ??= candidates();
        step(text[j]!);
        seen++;
        if (live.length === 0) return (decided = best);
      }
      return undefined;
    },
    finish() {
      return (decided ??= best);
    },
  };
}

/**
 * The length of the longest checkpoint suffix that `continuation` starts with (0 if none), by the
 * rules of {@link createOverlapMatcher}.
 *
 * @example
 * import { findOverlap } from './overlap.js';
 * findOverlap('Hello world', 'world is great', { minOverlap: 2, maxOverlap: 500, caseSensitive: true, wordBoundary: true }); // 5
 */
export function findOverlap(checkpoint: string, continuation: string, options: OverlapOptions): number {
  const matcher = createOverlapMatcher(checkpoint, options);
  return matcher.push(continuation) ?? matcher.finish();
}
