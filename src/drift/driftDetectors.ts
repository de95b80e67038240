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
const FORMAL = /\b(?:therefore|thus|hence|moreover|furthermore|consequently)\b/gi;
const INFORMAL = /\b(?:gonna|wanna|yeah|yep|nope|lol|dude|ok|okay)\b/gi;
const MARKDOWN = /^#{1,6} |^\s*(?:[-*+]|\d+\.) |```|\*\*[^*\n]+\*\*|\[[^\]\n]+\]\([^)\s]+\)/gm;

/**
 * A check that runs `test` on each completed fixed-size window of the text, in order, built from
 * the deltas (slicing the whole growing text would make V8 flatten it on every call: O(n^2)).
 */
function windows(size: number, test: (window: string) => boolean): DriftCheck {
  let buf = '';
  return {
    check: (delta) => {
      buf += delta;
      let hit = false;
      while (buf.length >= size && !hit) {
        hit = test(buf.slice(0, size));
        buf = buf.slice(size);
      }
      return hit;
    },
  };
}

/** Matches of the global `re` in `s`, counted without building a match array. */
function count(re: RegExp, s: string): number {
  let n = 0;
  re.lastIndex = 0;
  while (re.exec(s) !== null) n++;
  return n;
}

const detector = (type: DriftType, confidence: number, create: () => DriftCheck): DriftDetector => Object.freeze({ type, confidence, create });

/** The built-in detectors, by type, with L0's confidences. */
export const DRIFT_DETECTORS: Readonly<Record<DriftType, DriftDetector>> = /*#__PURE__*/ Object.freeze({
  /**
   * "As an AI language model", "I'm sorry, but I" anywhere in the text (not "to clarify", "in other
   * words"), scanned on each batch of new text plus the phrase length.
   */
  meta_commentary: detector('meta_commentary', 0.9, () => {
    const scanner = new TailScanner([{ re: new RegExp(META.source, 'gi'), span: 48 }]);
    let hit = false;
    const found = () => (hit = true);
    return { check: (delta) => (scanner.scan(delta, found), hit) };
  }),
  /** A sentence of more than 20 characters 3 times, or the tail looping one phrase (checked every 64 characters). */
  repetition: detector('repetition', 0.8, () => new RepetitionCheck()),
  /** A meta opener in the first 100 characters: "Here is the response", "Here you go", "Let me ... for you". */
  format_collapse: detector('format_collapse', 0.8, () => {
    let head = '';
    let decided = false;
    return {
      check: (delta) => {
        if (decided) return false;
        head += delta;
        if (FORMAT_COLLAPSE.test(head.slice(0, 100))) return (decided = true);
        decided = head.length >= 100;
        return false;
      },
      complete: () => !decided && FORMAT_COLLAPSE.test(head),
    };
  }),
  /** A 200-character window with 3+ formal markers after one with 3+ informal ones, or the reverse. */
  tone_shift: detector('tone_shift', 0.7, () => {
    let previous: [number, number] | undefined;
    return windows(200, (w) => {
      const now: [number, number] = [count(FORMAL, w), count(INFORMAL, w)];
      const shifted = previous !== undefined && ((previous[0] >= 3 && now[1] >= 3 && now[0] === 0) || (previous[1] >= 3 && now[0] >= 3 && now[1] === 0));
      previous = now;
      return shifted;
    });
  }),
  /** Markdown-rich text (two 500-character windows with more than 3 elements) followed by 1000 characters with none. */
  markdown_collapse: detector('markdown_collapse', 0.7, () => {
    let rich = 0;
    let bare = 0;
    return windows(500, (w) => {
      const n = count(MARKDOWN, w);
      if (n > 3) rich++;
      bare = n === 0 ? bare + 1 : 0;
      return rich >= 2 && bare >= 2;
    });
  }),
  /** A first line that is only "Sure!", "Certainly.", "Of course", "Absolutely!". */
  hedging: detector('hedging', 0.5, () => {
    let head = '';
    let decided = false;
    const firstLine = (final: boolean): boolean => {
      const nl = head.indexOf('\n');
      if (nl < 0 && !final && head.length < 40) return false;
      decided = true;
      return HEDGE.test(nl < 0 ? head : head.slice(0, nl));
    };
    return {
      check: (delta) => !decided && ((head += delta), firstLine(false)),
      complete: () => !decided && firstLine(true),
    };
  }),
  /**
   * A 64-character block whose entropy is 2.5 standard deviations above the last 50 blocks' (after
   * 10). Characters are counted straight from the deltas (code units folded into 256 buckets: exact
   * for ASCII, close enough for a spike test elsewhere): no window string, no allocation per token.
   */
  entropy_spike: detector('entropy_spike', 0.6, () => new EntropyCheck()),
});
