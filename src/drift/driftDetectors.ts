import { TailScanner } from '../guard/tailScanner.js';
import { FORMAT_COLLAPSE } from '../internal/formatCollapse.js';
import { META_BEHIND, META_COMMENTARY } from '../internal/metaCommentary.js';
import type { DriftCheck, DriftDetector, DriftType } from './driftDetector.js';
import { EntropyCheck } from './entropy.js';
import { RepetitionCheck } from './repetition.js';
import { MarkdownCollapseCheck, ToneShiftCheck } from './windowChecks.js';

/** The guard's meta-commentary phrases (see metaCommentary.ts), scanned globally. */
const META = new RegExp(META_COMMENTARY, 'gi');
/** The guard's format-collapse openers (see formatCollapse.ts), at the text's start. */
const COLLAPSE = new RegExp(FORMAT_COLLAPSE, 'i');
/** The first line's text, its leading whitespace dropped before (a blank first line is not the first line). */
const HEDGE = /^(?:sure|certainly|of course|absolutely)[!.]?[ \t]*\r?$/i;
/** The characters of the answer's opening a format collapse must be in. */
const OPENING = 100;

/**
 * The meta-commentary scan: one shared regex for every attempt (see TailScanner), the new text plus
 * the phrase length. Its matches end in a fixed word, `,`, `.` or `\b`, which the text's end
 * satisfies as a newline would: no run on a final newline (`lineEnd: false`).
 */
const META_SPAN = 56;
/**
 * Characters after a match it must see before it is reported: all its look-aheads read, so the
 * text decides, not where a batch ends. "I'm an AI" waits for the word after it (" enthusiast" is
 * no match): up to 8 blanks, "developed" and the character after it, 18 in all.
 */
const META_SETTLE = 17;
const META_SCANS = /*#__PURE__*/ Object.freeze([{ re: META, span: META_SPAN, lineEnd: false, settle: META_SETTLE, behind: META_BEHIND }] as const);

class MetaCheck extends TailScanner implements DriftCheck {
  private hit = false;

  constructor() {
    super(META_SCANS);
  }

  check(delta: string): boolean {
    this.scan(delta);
    return this.hit;
  }

  /** A match at the very end of the text is held back by `scan` (a `\b` there needs the next character): it counts now. */
  complete(): boolean {
    this.finish();
    return this.hit;
  }

  /** The phrase length back from the end (a phrase may still be coming: "As an AI lang"), or from a match held for its next character. */
  override get held(): number {
    return Math.max(super.held, META_SPAN);
  }

  /** The checkpoint is not scanned again: a phrase inside it was the earlier attempt's to report, one straddling its end is new. */
  resume(checkpoint: string): void {
    this.skip(checkpoint);
  }

  protected override matched(): void {
    this.hit = true;
  }
}

/** A check of the answer's opening: it collects the head until `look` decides, then stops looking. */
abstract class HeadCheck implements DriftCheck {
  protected head = '';
  protected decided = false;
  /** The text's length so far: until the opening is decided, none of it is judged. */
  #seen = 0;

  check(delta: string): boolean {
    if (this.decided) return false;
    this.head += delta;
    this.#seen += delta.length;
    return this.look(false);
  }

  get held(): number {
    return this.decided ? 0 : this.#seen;
  }

  complete(): boolean {
    return !this.decided && this.look(true);
  }

  /** A resumed attempt opens with its checkpoint, judged by the attempt that wrote it: nothing is left to decide. */
  resume(checkpoint: string): void {
    this.decided = checkpoint !== '';
  }

  /** Whether the head drifts; sets `decided` once no later text can change the answer. `final`: no more text is coming. */
  protected abstract look(final: boolean): boolean;
}

/**
 * A meta opener in the first 100 characters. A match counts once the character after it is in (its
 * closing `\b` or `$` then sees the real next character, not the end of a batch: "for you" + "r
 * cluster", "Here is the output" + " of the command" are no match) or at completion; decided once
 * more than 100 characters are in.
 */
class FormatCollapseCheck extends HeadCheck {
  protected look(final: boolean): boolean {
    const head = this.head.length > OPENING + 1 ? this.head.slice(0, OPENING + 1) : this.head;
    const m = COLLAPSE.exec(head);
    const end = m === null ? -1 : m.index + m[0].length;
    if (end >= 0 && end <= OPENING && (end < head.length || final)) return (this.decided = true);
    this.decided = final || this.head.length > OPENING;
    return false;
  }
}

/**
 * A first line that is only "Sure!", "Certainly." and the like (after any leading blank lines, and
 * ended by `\n` or `\r\n`), decided at its newline, or at 40 characters once it can no longer be one. Leading whitespace is dropped
 * as it comes, so the head stays short.
 */
class HedgingCheck extends HeadCheck {
  protected look(final: boolean): boolean {
    const head = (this.head = this.head.trimStart());
    if (head === '' && !final) return false;
    const nl = head.indexOf('\n');
    // an open line is decided at 40 characters, but not while it is still a hedge and blanks ("Sure!" + 40 spaces): its end decides
    if (nl < 0 && !final && (head.length < 40 || HEDGE.test(head))) return false;
    this.decided = true;
    return HEDGE.test(nl < 0 ? head : head.slice(0, nl));
  }
}

const detector = (type: DriftType, confidence: number, create: () => DriftCheck): DriftDetector => Object.freeze({ type, confidence, create });

/** The built-in detectors, by type, with L0's confidences. */
export const DRIFT_DETECTORS: Readonly<Record<DriftType, DriftDetector>> = /*#__PURE__*/ Object.freeze({
  /**
   * "As an AI language model", "I'm sorry, but I" anywhere in the text (not "to clarify", "in other
   * words"), scanned on each batch of new text plus the phrase length.
   */
  meta_commentary: detector('meta_commentary', 0.9, () => new MetaCheck()),
  /** A sentence of more than 20 characters (a CJK character counts 3; ends of any script: `。`, `।`, `؟`...) 3 times amid mostly repeated text (not a chorus between verses, nor around new fenced blocks; not inside a ``` or ~~~ fence), or the tail looping one phrase (checked every 64 characters). */
  repetition: detector('repetition', 0.8, () => new RepetitionCheck()),
  /**
   * A meta opener in the first 100 characters: "Here is the response:", "Here's my answer.", "Here
   * is the result you asked for", "Here you go", "Let me ... for you" (not "for your"); not an opener
   * that names what follows ("Here is the output of the command:").
   */
  format_collapse: detector('format_collapse', 0.8, () => new FormatCollapseCheck()),
  /** A 200-character window with 3+ formal markers after one with 3+ informal ones (slang among them), or the reverse; a marker counts in the window it ends in (``` or ~~~ fenced code not counted). */
  tone_shift: detector('tone_shift', 0.7, () => new ToneShiftCheck()),
  /** Markdown-rich text (two 500-character windows with more than 3 elements) followed by 1000 characters of prose with none and no line break, outside ``` or ~~~ fences (a key or data URL is no prose). */
  markdown_collapse: detector('markdown_collapse', 0.7, () => new MarkdownCollapseCheck()),
  /** A first line (after any blank ones) that is only "Sure!", "Certainly.", "Of course", "Absolutely!". */
  hedging: detector('hedging', 0.5, () => new HedgingCheck()),
  /**
   * A 64-character block whose entropy is 2.5 standard deviations above the last 50 blocks' (after
   * 10). Characters are counted straight from the deltas (code units folded into 256 buckets: exact
   * for ASCII, close enough for a spike test elsewhere): no window string, no allocation per token.
   */
  entropy_spike: detector('entropy_spike', 0.6, () => new EntropyCheck()),
});
