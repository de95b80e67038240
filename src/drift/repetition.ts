import type { DriftCheck } from './driftDetector.js';
import { isData } from './dataRows.js';
import { FenceLines } from './fenceLines.js';
import { periodAtMost } from './periodAtMost.js';
import { ASCII, DIGIT, H1, H2, isWide, isWideSpace, lowerUnit, NUMERAL, PAST, step1, step2, TICK, WIDE } from './sentenceHash.js';

/** Sentences longer than this count toward repetition; a CJK character counts 3 (see {@link isWide}): "我们需要仔细考虑。" is as long as "We need to think it over." */
const MIN_SENTENCE = 20;
/** A sentence with a digit counts from a shorter length ("Number 7 is next."; see {@link COUNTING}). */
const MIN_DIGIT_SENTENCE = 8;
/**
 * Digits are one digit to the sentence keys ("Number 7 is next." and "Number 8 is next." share
 * one) and their number is kept apart (the digits read as one number, modulo 2^32): such a key
 * repeats when its last 3 times had the same number (an exact repeat, "Step 1: open the file."
 * again and again), or its last 50 counted along by one ("Number 7 is next. Number 8 is next.
 * ..."): a loop that counts, well above a numbered list or a short report that shares a key
 * ("Test 3 passed."), and not text that only carries a number that grows otherwise (a running
 * total, a page count).
 */
const COUNTING = 50;
/** A repeating unit that is data (see {@link isData}) is a loop only once it has repeated over this many characters. */
const DATA_SPAN = 4096;
const TAIL = 480;
/** The tail check's positions: every multiple of 64 of the text's length, from the first that has 480 characters before it (512). */
const EVERY = 64;
const FIRST = Math.ceil(TAIL / EVERY) * EVERY;
/**
 * What a fenced block not seen before counts as new text: more than any run of repeats, so each
 * sentence seen before it needs its 3 times after it (a tutorial's "Run this from the project root."
 * before each new command is no loop; a loop repeats its block too).
 */
const NEW_BLOCK = 2 ** 32;
/** Distinct sentences remembered; the map starts over beyond it (a loop repeats at once, so it is still caught). */
const MAX_SENTENCES = 1000;

/**
 * Runaway repetition, as it streams: (1) a sentence of more than 20 characters (a CJK one counting 3) seen 3 times
 * outside code fences (``` or ~~~: code repeats its comments and docstrings; a loop in a fence is (2)'s, as data)
 * (normalised: case and spacing), counted as each sentence completes, when the text since its
 * time before last is mostly repeats: the characters of sentences seen before at least twice those
 * of new ones (a loop, even one with a varying sentence; not a song's chorus between its verses, a
 * step list's "Save the file." between new steps, a contract's recurring clause); a sentence with
 * digits (of any script) is keyed with its digits all one and counts from 9 characters, a loop at its third time
 * in a row with the same number or its 50th counting along by one ("Number 7 is next. Number 8
 * is next. ...", see {@link COUNTING}); a fenced block is one piece of text, keyed as a sentence
 * is: one seen before with the same number, or counting along in a loop (from its 50th time), adds
 * nothing (a tutorial reruns its command), a new one or one with another number is new text
 * outweighing all repeats before it (see {@link NEW_BLOCK});
 * (2) at every multiple of 64 of the text's length, the 480 characters ending there (`\r`s left
 * out) repeating one unit at least 3 times (smallest period <= 160), which
 * catches a loop without sentence punctuation; when that unit is rows of data or in a code fence
 * (a zero matrix's rows, identical CSV rows or table rows, a code line: see {@link isData}), only
 * once it has repeated over 4096 characters (such rows are ordinary, a runaway is not). Both look
 * at fixed places in the text, so the verdict does not depend on where tokens or batches end, and
 * both are O(delta) amortised, whatever the text's length.
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
   * Per slot ({@link SLOT} numbers), the {@link balance} right after the sentence's time before
   * last and its last time (NaN: not seen that often), its last number (see {@link COUNTING}),
   * and its times in a row with the same number and counting along by one: one typed array,
   * nothing allocated per sentence.
   */
  private marks = new Float64Array(64);
  /** Characters of repeated sentences minus twice those of new ones (and of short ones), so far. */
  private balance = 0;
  /** The current sentence's two hashes and normalised length so far, and its digits as one number (-1: none, see {@link COUNTING}). */
  private h1 = H1;
  private h2 = H2;
  private length = 0;
  private digits = -1;
  /** Whitespace followed the current sentence's last character (one space joins the key if more follows). */
  private gap = false;
  /** How the last character ends the sentence (see {@link lowerUnit}'s flags): 1 after `.`, `!`, `?` or `．`, 2 after `。` and the like, 3 after a Thai letter or a digit (and the whitespace after it); 0: it does not. */
  private punct = 0;
  /** The text's last characters (at least the 480 the next tail check needs), built from the deltas (never a slice of the whole text). */
  private tailText = '';
  /** The text's length so far. */
  private total = 0;
  /** The tail checks in a row, up to the last, that found a loop of data (see {@link isData}). */
  private dataRun = 0;
  /** The next tail positions known to find no loop (see {@link periodAtMost}): skipped. */
  private free = 0;
  /** Inside a code fence at the last character the sentence check read (the tail check asks it too, see {@link inFenceAt}). */
  private inFence = false;
  /** Where the fence lines are (made at the first backtick or tilde: most answers have none, and fan-in pays per open stream). */
  private lines: FenceLines | undefined = undefined;
  /** The text's offsets where the fence state flipped in the last delta (each fence's newline), for the tail check. */
  private readonly flips: number[] = [];

  check(delta: string): boolean {
    return this.sentences(delta, false) || this.tail(delta);
  }

  /**
   * A loop found at a tail check began up to 480 characters before it: the text since the last
   * check and the 480 before that are not judged yet (a checkpoint resumed inside a loop would
   * have the model continue it).
   */
  get held(): number {
    return Math.min(this.total, TAIL + (this.total % EVERY) + Math.max(0, this.dataRun - 1) * EVERY);
  }

  /** Counts the checkpoint's sentences and runs its tail checks, reporting nothing: drift inside it was the earlier attempt's to report. */
  resume(checkpoint: string): void {
    this.sentences(checkpoint, true);
    this.tail(checkpoint, true);
  }

  complete(): boolean {
    return !this.inFence && this.count(this.h1, this.h2, this.length, this.digits);
  }

  /**
   * A sentence ends at `.`, `!` or `?` followed by whitespace (a no-break or ideographic space too)
   * or a control character (any code unit up to a space) or a CJK character (so does the fullwidth `．`, a decimal point in `２．０`);
   * right after another script's end, which no space follows in Chinese or Japanese (`。！？`, `।`,
   * `؟`... see {@link lowerUnit}; a run of them is one end); at whitespace between a Thai or Lao
   * letter or a digit and a Thai or Lao letter (those scripts end a sentence with a space, and have
   * no punctuation for it; a space beside other text is none: `| สินค้า |`, `คำสั่ง npm i react`
   * keep a table's cells and a list's English terms in their sentences, as in English). Each is
   * counted once, when it ends, unless it ends inside a code fence (code's comments and docstrings
   * repeat across functions; a loop in a fence is the tail check's, held to its data bar). A fence opens or closes at its line's newline (see {@link FenceLines}), where the
   * sentence in progress is dropped; the flips are kept for the tail check. The fences are followed
   * from the backticks and tildes the loop meets (a flag in {@link ASCII}'s digit branch: no work
   * per character of text without them). `priming`: counted, never reported.
   */
  private sentences(delta: string, priming: boolean): boolean {
    let { h1, h2, length, gap, punct, digits } = this;
    // where the fence state flips next in this delta (a fence line's newline), else its length
    const lines = this.lines;
    let end = delta.length;
    if (lines !== undefined) {
      this.flips.length = 0;
      if (lines.pending !== 0) end = lines.left(delta);
    }
    for (let i = 0; ; ) {
      for (; i < end; i++) {
        const c = delta.charCodeAt(i);
        // after `.`: whitespace (a no-break or ideographic space too) or a CJK character; after `。`: anything; after a Thai letter or a digit and whitespace: a Thai letter
        // in a fence the block is read on as one (see the flip below)
        if ((punct > 1 ? punct === 2 || (gap && c >= 0xe01 && c < 0xf00) : punct > 0 && (c <= 32 || isWide(c) || isWideSpace(c))) && !this.inFence) {
          if (this.count(h1, h2, length, digits) && !priming) return true;
          h1 = H1;
          h2 = H2;
          length = 0;
          gap = false;
          punct = 0;
          digits = -1;
        }
        let u: number;
        if (c < 128) {
          const k = ASCII[c]!;
          // a sentence end, a digit, a backtick or a tilde, a quote mark: one comparison for the letters and spaces
          if (k > 0xff) {
            if (k === PAST) continue;
            punct = k < DIGIT ? 1 : 0;
            if (!punct) {
              if (k < TICK) {
                digits = (Math.imul(digits < 0 ? 0 : digits, 10) + c - 48) >>> 0;
                punct = 3;
              } else end = (this.lines ??= new FenceLines()).tick(delta, i, end, this.tailText, this.total);
            }
          } else if (k >= 0) punct = 0; // whitespace keeps a Thai letter's or a digit's 3 for the Thai letter after it
          if (k < 0) {
            gap = length > 0;
            continue;
          }
          u = k & 0xff;
        } else {
          if (c >= 160 && isWideSpace(c)) {
            punct = 0;
            gap = length > 0;
            continue;
          }
          u = lowerUnit(c);
          if (u === PAST) continue;
          punct = 0;
          if (u > 0xffff) {
            punct = (u >> 16) & 3;
            // a run of ends ("？！", "。。。"): the first ended the sentence, the rest are dropped
            if (punct === 2 && length === 0) continue;
            if (u & NUMERAL) digits = (Math.imul(digits < 0 ? 0 : digits, 10) + (u >>> 20)) >>> 0;
            if (u & WIDE) length += 2;
            u &= 0xffff;
          }
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
      if (end === delta.length) break;
      // a fence's newline: the fence opens or closes, and the sentence in progress (the prose that led
      // into the fence) is dropped, or the block is counted; the newline is read in the new state
      if (this.inFence) this.block(h1, h2, digits);
      this.inFence = !this.inFence;
      this.flips.push(this.total + end);
      h1 = H1;
      h2 = H2;
      length = 0;
      gap = false;
      punct = 0;
      digits = -1;
      end = delta.length;
    }
    this.h1 = h1;
    this.h2 = h2;
    this.length = length;
    this.gap = gap;
    this.punct = punct;
    this.digits = digits;
    return false;
  }

  /**
   * A fenced block's text, at its closing fence: new text (see {@link NEW_BLOCK}) unless seen before
   * with the same number (`--shard 1/2` again after `--shard 2/2`: a loop taking turns; a key apart
   * from the one without it, whatever the number: 2^32 - 1 too), or counting along in a loop from its
   * 50th time (keyed without its number, see {@link COUNTING}).
   */
  private block(h1: number, h2: number, digits: number): void {
    const along = digits >= 0 && this.count(h1, h2, 0, digits, true);
    if (!this.count(h1 ^ digits, ~h2, 0, -1, true) && !along) this.balance -= NEW_BLOCK;
  }

  /**
   * Counts a finished sentence by its hashes; true at its third time or later (with digits: its
   * third in a row with the same number, or its 50th counting along, see {@link COUNTING}) when,
   * since its time before last, repeated sentences have at least twice the characters of new ones.
   * A `block` (`length` 0, see {@link block}) adds nothing; it is true when seen before (keyed with
   * its number, `digits` -1) or from its 50th time counting along (keyed without it).
   */
  private count(h1: number, h2: number, length: number, digits: number, block = false): boolean {
    // a short sentence is not told apart from others ("Yes."): it counts as new text
    if (!block && length <= (digits >= 0 ? MIN_DIGIT_SENTENCE : MIN_SENTENCE)) {
      this.balance -= 2 * length;
      return false;
    }
    const key = (h1 >>> 0) * 0x200000 + (h2 >>> 11);
    const { seen, marks } = this;
    if (seen.size >= MAX_SENTENCES) seen.clear();
    let slot = seen.get(key);
    if (slot === undefined) {
      slot = SLOT * seen.size;
      seen.set(key, slot);
      if (slot + SLOT > marks.length) (this.marks = new Float64Array(2 * marks.length)).set(marks);
      const m = this.marks;
      m[slot] = NaN;
      m[slot + 1] = this.balance -= 2 * length;
      m[slot + 2] = digits;
      m[slot + 3] = 1;
      m[slot + 4] = 1;
      return false;
    }
    const before = marks[slot]!;
    marks[slot] = marks[slot + 1]!;
    marks[slot + 1] = this.balance += length;
    if (digits < 0) return block || this.balance >= before;
    const last = marks[slot + 2]!;
    marks[slot + 2] = digits;
    const same = (marks[slot + 3] = last === digits ? marks[slot + 3]! + 1 : 1);
    const counting = (marks[slot + 4] = digits === (last + 1) >>> 0 ? marks[slot + 4]! + 1 : 1);
    return block ? counting >= COUNTING : this.balance >= before && (same >= 3 || counting >= COUNTING);
  }

  /**
   * Checks the 480 characters ending at each multiple of 64 that `delta` reaches from 512 on (one
   * check per 64 characters, whatever the delta's size; the next ones a check without a loop shows
   * to have none are skipped, see {@link periodAtMost}); whether a loop found is in a code fence is
   * the sentence check's (see {@link inFenceAt}), which has read the delta first. The tail stays
   * short: 480 characters and at most 5 positions' deltas. `priming`: checked, never reported.
   */
  private tail(delta: string, priming = false): boolean {
    const from = this.total;
    const total = (this.total += delta.length);
    const tail = (this.tailText += delta);
    let end = Math.max(FIRST, from - (from % EVERY) + EVERY);
    if (end > total) return false;
    const base = total - tail.length;
    let hit = false;
    let cut = false;
    for (; !hit && end <= total; end += EVERY) {
      if (this.free > 0) this.free--;
      else {
        hit = this.loops(tail.slice(end - TAIL - base, end - base), end) && !priming;
        cut = true;
      }
    }
    // keep only what the next positions need once a window was cut from the tail (it is flat: no copy); the deltas
    // of skipped positions are appended uncopied (a check comes within 5 positions)
    if (cut) this.tailText = tail.slice(-TAIL);
    return hit;
  }

  /**
   * Whether the 480-character `window`, ending at the text's offset `end`, is a loop: one of prose
   * at once, one of data once it has run over {@link DATA_SPAN} characters.
   */
  private loops(window: string, end: number): boolean {
    // `\r`s left out (the same ones at every position: skipping next positions stays sound), so
    // CRLF lines loop as LF ones do; a window of only `\r`s is one, a loop (empty, it would be none)
    if (window.includes('\r')) window = window.replace(/\r/g, '') || '\r';
    const period = periodAtMost(window, TAIL / 3, EVERY);
    if (period <= 0) {
      this.dataRun = 0;
      this.free = -period;
      return false;
    }
    if (!isData(window, period, this.inFenceAt(end))) return true;
    return TAIL + this.dataRun++ * EVERY >= DATA_SPAN;
  }

  /** Inside a code fence at the text's offset `at`, in the last delta: the sentence check read all of it, so its flips from `at` on are undone. */
  private inFenceAt(at: number): boolean {
    let open = this.inFence;
    for (const f of this.flips) if (f >= at) open = !open;
    return open;
  }
}

/** Numbers per sentence in {@link RepetitionCheck}'s `marks`. */
const SLOT = 5;
