/**
 * Overlap maths for continuation de-duplication: the longest suffix of a checkpoint that the
 * resumed attempt repeats at its head. Pure, and incremental so a stream can feed it token by
 * token with bounded work.
 *
 * @internal Used by deduplicateContinuation; never re-exported.
 */
import { isLowSurrogate } from '../internal/surrogate.js';

/** Resolved matching options (see DeduplicateContinuationConfig for the documented defaults). */
export interface OverlapOptions {
  /** Shortest overlap that counts, in UTF-16 code units other than whitespace. */
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
   * `afterThinking` (read at the first push only): the head follows a thinking block, so the
   * whitespace it starts with is the block's, not a space set before a word.
   */
  push(text: string, afterThinking?: boolean): number | undefined;
  /**
   * The head ended (or something other than text arrived): the overlap decided with what was seen.
   * `cut`: the attempt was cut off (its `complete` says `length` or `content-filter`), so a head still
   * repeating the checkpoint (all of it the start of a longer suffix, `minOverlap` characters besides
   * whitespace or more) added nothing and is all overlap; otherwise (the model's own end, a tool call
   * interrupting it) such a head is kept.
   */
  finish(cut?: boolean): number;
}

const WORD = /[\p{L}\p{M}\p{N}_]/u;
/** Scripts written without spaces between words: every position is a word boundary there. */
const UNSPACED = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]/u;

/** Whether the character at `at` in `text` (a whole surrogate pair when one starts there: a Deseret or Adlam letter, 𝐛𝐨𝐥𝐝) is a letter or digit of a spaced script. */
function isWordAt(text: string, at: number): boolean {
  const ch = String.fromCodePoint(text.codePointAt(at)!);
  return WORD.test(ch) && !UNSPACED.test(ch);
}

/** True when a match may start at `at` in `text`: not between two letters/digits of one word (surrogate pairs read whole). */
function startsWord(text: string, at: number): boolean {
  return at === 0 || !isWordAt(text, at - (at > 1 && isLowSurrogate(text.charCodeAt(at - 1)) ? 2 : 1)) || !isWordAt(text, at);
}

const SPACE = /\s/;
function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\n' || (ch > ' ' ? ch > '~' && SPACE.test(ch) : SPACE.test(ch));
}

/**
 * `unit` lower-cased for a match that ignores case; the second half of a surrogate pair (0xdc00-0xdfff:
 * a Deseret letter, say) with the unit `before` it, so the pair folds whole. First halves fold alone:
 * no case pair differs in its first half.
 */
function folded(unit: string, before = ''): string {
  return (isLowSurrogate(unit.charCodeAt(0)) ? before + unit : unit).toLowerCase();
}

/**
 * Creates an incremental matcher for `checkpoint`.
 *
 * 1. Candidates are the start positions in the checkpoint's last `maxOverlap` characters whose
 *    suffix holds at least `minOverlap` characters other than whitespace (and, with `wordBoundary`,
 *    starts a word): one character and a line break ("|\n") is a coincidence ("| next row"), since
 *    whitespace runs match each other. When whitespace sets the head apart from the checkpoint (it
 *    starts the head, but not after a thinking block, or ends the checkpoint), a suffix that is one
 *    word alone (letters or digits of a spaced script, whitespace aside) is no candidate: the text
 *    may really repeat it ("She had" + " had enough"), and cutting would lose a word where keeping
 *    only shows a repeat. Glued to the checkpoint it is one ("I saw the" + "the dog": "thethe").
 * 2. Each character pushed removes the candidates it contradicts. A run of whitespace matches any
 *    run of whitespace (a model re-emitting the tail often turns a newline into a space, or two
 *    spaces into one), so each candidate keeps its own position in the checkpoint; whitespace never
 *    matches inside a word. Whitespace that starts the head (the blank lines after a thinking
 *    block) removes no candidate, and is part of the overlap when one is found. A candidate whose
 *    whole suffix has been matched is complete: an overlap of the head characters read so far is
 *    confirmed (a checkpoint ending in whitespace goes on taking the head's whitespace run into
 *    the overlap, unless that run repeats the checkpoint's own exactly and goes on: the rest of it
 *    is new text, "\r" + "\n", "\n" + "\n").
 * 3. The overlap is decided when no incomplete candidate is left: it is the longest complete one
 *    (0 if none). Incomplete candidates are always longer than complete ones, so deciding earlier
 *    could cut a longer repetition short (L0 releases at the first overlap with text after it).
 *    When the attempt is cut off with one left (`finish(true)`), the whole head was repeating: it is all
 *    overlap, given `minOverlap` characters besides whitespace (L0 kept "Hello world" + "wor").
 *
 * Work is O(candidates) per character (each checkpoint whitespace run skipped once per candidate)
 * and at most O(maxOverlap^2) for a whole head; the head examined is at most `2 * maxOverlap`
 * characters (whitespace runs may differ in length), plus one push when the overlap is decided.
 */
export function createOverlapMatcher(checkpoint: string, options: OverlapOptions): OverlapMatcher {
  const { minOverlap, maxOverlap, caseSensitive, wordBoundary } = options;
  const from = Math.max(0, checkpoint.length - maxOverlap);
  // per candidate: its next position in `checkpoint` * 2, + 1 while inside a whitespace run; built on the first character
  let live: number[] | undefined;
  let seen = 0; // characters of the head examined so far
  let worded = 0; // the head's characters that are not whitespace
  let best = 0;
  let decided: number | undefined;

  // a suffix must hold minOverlap characters besides whitespace: "|\n" is not repeated by "| c |" (whitespace matches any run);
  // `apart`: whitespace sets the head apart from the checkpoint, so a lone word is a word written again ("I had" + " had")
  const candidates = (apart: boolean): number[] => {
    const out: number[] = [];
    let text = 0;
    let lone = apart; // the suffix, whitespace aside, is one word (letters or digits of a spaced script)
    let gap = false;
    for (let i = checkpoint.length - 1; i >= from; i--) {
      const ch = checkpoint[i]!;
      // a pair is read whole at its first half; a suffix that starts at its second is no word
      const low = isLowSurrogate(ch.charCodeAt(0));
      if (isSpace(ch)) gap ||= text > 0;
      else {
        text++;
        if (gap || !(low || isWordAt(checkpoint, i))) lone = false;
      }
      if (text >= minOverlap && (low || !lone) && (!wordBoundary || startsWord(checkpoint, i))) out.push(i * 2);
    }
    return out.reverse();
  };

  const end = checkpoint.length;
  const headLimit = 2 * maxOverlap;
  // the checkpoint's trailing whitespace run ('' if none), and how the head's current run compares with it
  let tailAt = end;
  while (tailAt > from && isSpace(checkpoint[tailAt - 1]!)) tailAt--;
  let run = 0; // characters of the head's current whitespace run so far
  let runRepeats = true; // whether they are the trailing run's first characters exactly
  let prev = ''; // the head's last character (the first half of a surrogate pair, when a token ends there)
  const step = (ch: string): void => {
    const list = live!;
    const space = isSpace(ch);
    // a head whose run repeats the trailing one exactly and goes on has not re-emitted it: the rest is new
    // text ("a\r" + "\nb" keeps its "\n", ".\n" + "\nNext" its paragraph break)
    let takes = true;
    if (!space) {
      worded++;
      run = 0;
      runRepeats = true;
    } else if (runRepeats && tailAt + run >= end) takes = false;
    else if (runRepeats && ch !== checkpoint[tailAt + run]) runRepeats = false;
    if (space) run++;
    let kept = 0;
    for (let k = 0; k < list.length; k++) {
      let at = list[k]! >> 1;
      let inSpace = (list[k]! & 1) === 1;
      if (space) {
        if (at < end && isSpace(checkpoint[at]!)) {
          while (at < end && isSpace(checkpoint[at]!)) at++; // the whole run, matched by this head run
          inSpace = true;
        } else if (!inSpace && worded) continue; // whitespace leading the head ("</think>\n\n") waits with every candidate
      } else {
        const c = checkpoint[at];
        if (c === undefined || (c !== ch && (caseSensitive || folded(c, checkpoint[at - 1]) !== folded(ch, prev)))) continue;
        at++;
        inSpace = false;
      }
      if (at === end && takes) best = seen + 1;
      // a complete candidate stays only to take in the rest of a whitespace run it ends in
      if (at < end || inSpace) list[kept++] = at * 2 + (inSpace ? 1 : 0);
    }
    list.length = kept;
  };

  return {
    push(text, afterThinking) {
      if (decided !== undefined) return decided;
      for (let j = 0; j < text.length; j++) {
        live ??= candidates(tailAt < end || (!afterThinking && isSpace(text[j]!)));
        step(text[j]!);
        prev = text[j]!;
        seen++;
        // whitespace runs match at any length: the head examined stays bounded all the same
        if (live.length === 0 || seen >= headLimit) return (decided = best);
      }
      return undefined;
    },
    finish(cut) {
      // the attempt was cut off mid-repeat ("Hello world" + "wor"): every character read is the checkpoint's again
      return (decided ??= cut && worded >= minOverlap && live!.some((c) => c >> 1 < end) ? seen : best);
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
