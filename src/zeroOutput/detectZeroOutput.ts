import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { ZeroOutputError } from '../errors/ZeroOutputError.js';
import type { L0Event } from '../events/eventTypes.js';
import { checkBag, checkKeys, optionError, optionKeys, optionPath } from '../internal/options.js';

/** Options of {@link detectZeroOutput}. */
export interface DetectZeroOutputConfig {
  /**
   * Text made of one non-whitespace character repeated this many times or more ("aaa") is noise.
   * An integer >= 2, or `Infinity` to turn the repetition rule off.
   * @default 3
   */
  readonly minRepeat?: number;
}

const DETECT_ZERO_OUTPUT_KEYS = optionKeys<DetectZeroOutputConfig>()(['minRepeat']);
const ROOT = optionPath('detectZeroOutput');

/** Letters, digits and marks of any script, and emoji, carry meaning; whitespace, punctuation and symbols do not. */
const NOISE = /^[\s\p{P}\p{S}]$/u;
const EMOJI = /^\p{Extended_Pictographic}$/u;

/**
 * Errors with {@link ZeroOutputError} instead of completing when a run produced no meaningful output.
 *
 *   --a--b--c|            source (text "...", then complete)
 *   --a--b--#             detectZeroOutput()
 *
 * Rules:
 * 1. Zero output is text that is empty, whitespace only, punctuation or symbols only ("...", "###",
 *    "---"), or one non-whitespace character repeated `minRepeat` (3) or more times ("aaa").
 *    One-character and short answers are valid: "4", "No", "OK.", "Hi!", "  x  ".
 * 2. A `tool-call` or `data` event is meaningful output on its own. `reasoning` and `progress` are not.
 * 3. A `resume{checkpoint}` counts its checkpoint as text; a `start` begins a new attempt's text.
 * 4. The check runs on the `complete` event (which is then replaced by the error) or, if the source
 *    ends without one, on completion. A `complete` with `finishReason: 'content-filter'` is never
 *    zero output: the provider said why, and the `complete` passes so the reason is reported, not
 *    hidden. Any other finish reason (`'length'` included) with no meaningful text is zero output.
 * 5. The text is tracked incrementally (O(delta) per token, nothing once it is known to be
 *    meaningful), never rescanned.
 *
 * @example
 * import { detectZeroOutput, fromStream } from 'l0-rx';
 * fromStream(factory).pipe(detectZeroOutput());
 * @see {@link ZeroOutputError} {@link retryWithBackoff}
 * @param config See {@link DetectZeroOutputConfig}.
 * @throws TypeError when `minRepeat` is not an integer >= 2 or `Infinity`, or for an unknown key.
 */
export function detectZeroOutput(config: DetectZeroOutputConfig = {}): MonoTypeOperatorFunction<L0Event> {
  checkBag(ROOT, config);
  checkKeys(ROOT, config, DETECT_ZERO_OUTPUT_KEYS);
  const minRepeat = config.minRepeat ?? 3;
  if (typeof minRepeat !== 'number' || !(minRepeat === Infinity || (Number.isInteger(minRepeat) && minRepeat >= 2))) {
    throw optionError(ROOT, 'minRepeat', 'an integer >= 2 or Infinity', minRepeat);
  }
  return (source) =>
    defer(() => {
      const text = new TextTracker(minRepeat);
      let checked = false;
      return source.pipe(
        tap({
          next: (event) => {
            switch (event.type) {
              case 'token':
                return text.add(event.value);
              case 'resume':
                text.reset();
                return text.add(event.checkpoint);
              case 'tool-call':
              case 'data':
                return text.markMeaningful();
              case 'start':
                return text.reset();
              case 'complete':
                checked = true;
                if (event.finishReason !== 'content-filter') text.check();
                return;
            }
          },
          complete: () => {
            if (!checked) text.check();
          },
        }),
      );
    });
}

/** The state of the text seen so far, enough to tell noise from content without keeping meaningful text. */
class TextTracker {
  /** Known to be meaningful: nothing more to track. */
  private meaningful = false;
  private hasMeaningfulChar = false;
  /** The first non-whitespace character, and how many times it has been seen (capped at minRepeat). */
  private first: string | undefined;
  private repeats = 0;
  /** Set once two different non-whitespace characters were seen. */
  private varied = false;
  /** The noise so far, kept for the error (dropped once meaningful). */
  content = '';

  constructor(private readonly minRepeat: number) {}

  add(delta: string): void {
    if (this.meaningful) return;
    this.content += delta;
    for (const ch of delta) {
      if (ch.trim() === '') continue;
      if (!this.hasMeaningfulChar && (!NOISE.test(ch) || EMOJI.test(ch))) this.hasMeaningfulChar = true;
      if (this.first === undefined) this.first = ch;
      if (ch === this.first) {
        if (this.repeats < this.minRepeat) this.repeats += 1;
      } else this.varied = true;
      if (this.hasMeaningfulChar && this.varied) return this.markMeaningful();
    }
  }

  markMeaningful(): void {
    this.meaningful = true;
    this.content = '';
  }

  reset(): void {
    this.meaningful = this.hasMeaningfulChar = this.varied = false;
    this.first = undefined;
    this.repeats = 0;
    this.content = '';
  }

  /** Throws {@link ZeroOutputError} when the text so far is noise. */
  check(): void {
    if (this.meaningful) return;
    if (this.hasMeaningfulChar && (this.varied || this.repeats < this.minRepeat)) return;
    throw new ZeroOutputError({ content: this.content });
  }
}
