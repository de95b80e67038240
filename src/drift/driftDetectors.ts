import { TailScanner } from '../guard/guardRule.js';
import type { DriftCheck, DriftDetector, DriftType } from './driftDetector.js';
import { EntropyCheck } from './entropy.js';
import { RepetitionCheck } from './repetition.js';

const APOS = "['\u2019]";
const META = new RegExp(
  `\\bas an ai(?: language model| assistant| model|[,.])|\\bI(?:${APOS}m| am) (?:just )?an ai\\b|\\bI (?:cannot|can${APOS}t) actually\\b` +
    `|\\bI don${APOS}t have personal (?:opinions|feelings|experiences|beliefs)|\\bI apologi[sz]e, but I\\b|\\bI${APOS}m sorry, but I\\b`, 'gi');
const FORMAT_COLLAPSE = new RegExp(
  `^\\s*(?:here(?: is|${APOS}s) (?:the|my|your) (?:response|answer|output|result)s?\\b|here you go\\b` +
    `|let me \\w+(?: \\w+){0,3} for you\\b|I${APOS}ll \\w+(?: \\w+){0,3} for you\\b)`, 'i');
const HEDGE = /^\s*(?:sure|certainly|of course|absolutely)[!.]?[ \t]*$/i;
/** Formal markers (group 1) and informal ones, in one pass over a window. */
const TONE = /\b(?:(therefore|thus|hence|moreover|furthermore|consequently)|gonna|wanna|yeah|yep|nope|lol|dude|ok|okay)\b/gi;
/**
 * Markdown elements: the inline ones anywhere, by one regex whose every match starts with `` ` ``,
 * `*` or `[` (so the regex engine skips ahead to those); headings and list items only at a line's
 * start, tried at the window's start and after each newline (a `^` alternative under the `m` flag
 * would be tried at every character).
 */
const INLINE_MARKDOWN = /```|\*\*[^*\n]+\*\*|\[[^\]\n]+\]\([^)\s]+\)/g;
const LINE_MARKDOWN = /#{1,6} |\s*(?:[-*+]|\d+\.) /y;

/**
 * A check that runs `test` on each completed fixed-size window of the text, in order, built from
 * the deltas (slicing the whole growing text would make V8 flatten it on every call: O(n^2)).
 * Checks are classes, one object per attempt with no closures (fan-in keeps one per open stream).
 */
abstract class WindowCheck implements DriftCheck {
  private buf = '';

  constructor(private readonly size: number) {}

  check(delta: string): boolean {
    this.buf += delta;
    let hit = false;
    while (this.buf.length >= this.size && !hit) {
      hit = this.test(this.buf.slice(0, this.size));
      this.buf = this.buf.slice(this.size);
    }
    return hit;
  }

  protected abstract test(window: string): boolean;
}

/** A 200-character window with 3+ formal markers after one with 3+ informal ones, or the reverse. */
class ToneShiftCheck extends WindowCheck {
  private formal = -1;
  private informal = -1;

  constructor() {
    super(200);
  }

  protected test(window: string): boolean {
    let formal = 0;
    let informal = 0;
    TONE.lastIndex = 0;
    for (let m = TONE.exec(window); m !== null; m = TONE.exec(window)) {
      if (m[1] === undefined) informal++;
      else formal++;
    }
    const shifted = this.formal >= 0 && ((this.formal >= 3 && informal >= 3 && formal === 0) || (this.informal >= 3 && formal >= 3 && informal === 0));
    this.formal = formal;
    this.informal = informal;
    return shifted;
  }
}

/** Markdown-rich text (two 500-character windows with more than 3 elements) followed by 1000 characters with none. */
class MarkdownCollapseCheck extends WindowCheck {
  private rich = 0;
  private bare = 0;

  constructor() {
    super(500);
  }

  protected test(window: string): boolean {
    const n = countMarkdown(window);
    if (n > 3) this.rich++;
    this.bare = n === 0 ? this.bare + 1 : 0;
    return this.rich >= 2 && this.bare >= 2;
  }
}

/** The meta-commentary scan: one shared regex for every attempt (see TailScanner), the new text plus the phrase length. */
const META_SCANS = /*#__PURE__*/ Object.freeze([{ re: META, span: 48 }] as const);

class MetaCheck extends TailScanner implements DriftCheck {
  private hit = false;

  constructor() {
    super(META_SCANS);
  }

  check(delta: string): boolean {
    this.scan(delta);
    return this.hit;
  }

  protected override matched(): void {
    this.hit = true;
  }
}

/** A check of the answer's opening: it collects the head until `look` decides, then stops looking. */
abstract class HeadCheck implements DriftCheck {
  protected head = '';
  protected decided = false;

  check(delta: string): boolean {
    if (this.decided) return false;
    this.head += delta;
    return this.look(false);
  }

  complete(): boolean {
    return !this.decided && this.look(true);
  }

  /** Whether the head drifts; sets `decided` once no later text can change the answer. `final`: no more text is coming. */
  protected abstract look(final: boolean): boolean;
}

/** A meta opener in the first 100 characters, decided once 100 characters are in (or at completion). */
class FormatCollapseCheck extends HeadCheck {
  protected look(final: boolean): boolean {
    if (final) return FORMAT_COLLAPSE.test(this.head);
    if (FORMAT_COLLAPSE.test(this.head.slice(0, 100))) return (this.decided = true);
    this.decided = this.head.length >= 100;
    return false;
  }
}

/** A first line that is only "Sure!", "Certainly." and the like, decided at the first newline or 40 characters. */
class HedgingCheck extends HeadCheck {
  protected look(final: boolean): boolean {
    const nl = this.head.indexOf('\n');
    if (nl < 0 && !final && this.head.length < 40) return false;
    this.decided = true;
    return HEDGE.test(nl < 0 ? this.head : this.head.slice(0, nl));
  }
}

/** Markdown elements in `s`: what `/^#{1,6} |^\s*(?:[-*+]|\d+\.) |…inline…/gm` counts, in about a third of its time. */
export function countMarkdown(s: string): number {
  let n = 0;
  INLINE_MARKDOWN.lastIndex = 0;
  while (INLINE_MARKDOWN.exec(s) !== null) n++;
  // a line-start match may run across blank lines (`\s*`): the next line start it consumed is not tried again
  let resume = 0;
  for (let at = 0; at >= 0; at = s.indexOf('\n', at) + 1 || -1) {
    if (at < resume) continue;
    LINE_MARKDOWN.lastIndex = at;
    if (LINE_MARKDOWN.test(s)) {
      n++;
      resume = LINE_MARKDOWN.lastIndex;
    }
  }
  return n;
}

const detector = (type: DriftType, confidence: number, create: () => DriftCheck): DriftDetector => Object.freeze({ type, confidence, create });

/** The built-in detectors, by type, with L0's confidences. */
export const DRIFT_DETECTORS: Readonly<Record<DriftType, DriftDetector>> = /*#__PURE__*/ Object.freeze({
  /**
   * "As an AI language model", "I'm sorry, but I" anywhere in the text (not "to clarify", "in other
   * words"), scanned on each batch of new text plus the phrase length.
   */
  meta_commentary: detector('meta_commentary', 0.9, () => new MetaCheck()),
  /** A sentence of more than 20 characters 3 times, or the tail looping one phrase (checked every 64 characters). */
  repetition: detector('repetition', 0.8, () => new RepetitionCheck()),
  /** A meta opener in the first 100 characters: "Here is the response", "Here you go", "Let me ... for you". */
  format_collapse: detector('format_collapse', 0.8, () => new FormatCollapseCheck()),
  /** A 200-character window with 3+ formal markers after one with 3+ informal ones, or the reverse. */
  tone_shift: detector('tone_shift', 0.7, () => new ToneShiftCheck()),
  /** Markdown-rich text (two 500-character windows with more than 3 elements) followed by 1000 characters with none. */
  markdown_collapse: detector('markdown_collapse', 0.7, () => new MarkdownCollapseCheck()),
  /** A first line that is only "Sure!", "Certainly.", "Of course", "Absolutely!". */
  hedging: detector('hedging', 0.5, () => new HedgingCheck()),
  /**
   * A 64-character block whose entropy is 2.5 standard deviations above the last 50 blocks' (after
   * 10). Characters are counted straight from the deltas (code units folded into 256 buckets: exact
   * for ASCII, close enough for a spike test elsewhere): no window string, no allocation per token.
   */
  entropy_spike: detector('entropy_spike', 0.6, () => new EntropyCheck()),
});
