import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { Relay } from '../internal/relay.js';
import { ZeroOutputError } from '../errors/ZeroOutputError.js';
import type { L0Event, ResumeEvent, TokenEvent } from '../events/eventTypes.js';
import { attemptTextChange } from '../attempt/attemptText.js';
import { checkBag, optionPath } from '../internal/options.js';
import { isHighSurrogate } from '../internal/surrogate.js';
import { isJsonStructure } from './emptyJson.js';
import { isLimitCut } from '../internal/limitCut.js';

/**
 * Options of {@link detectZeroOutput}: none yet. (The former `minRepeat` is gone: a run of one
 * repeated character is text, and runaway repetition is drift detection's job.)
 */
export type DetectZeroOutputConfig = Readonly<Record<string, never>>;

const ROOT = /*#__PURE__*/ optionPath('detectZeroOutput');

/**
 * Letters, digits and marks of any script, and emoji (flags' regional indicators included), carry
 * meaning; whitespace, punctuation, symbols and invisible characters (control, format such as a
 * zero-width space, private use, unassigned, a lone surrogate) do not.
 */
const NOISE = /^[\s\p{P}\p{S}\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}]$/u;
const EMOJI = /^[\p{Extended_Pictographic}\p{Regional_Indicator}]$/u;

/**
 * Errors with {@link ZeroOutputError} instead of completing when a run produced no meaningful output.
 *
 *   --a--b--c|            source (a '.', b '..': the text "..."; c complete)
 *   --a--b--#             detectZeroOutput()
 *
 * Rules:
 * 1. Zero output is text that is empty, whitespace only, or punctuation and symbols only ("...",
 *    "###", "---"). Any answer with a letter, a digit or an emoji is an answer, however short or
 *    repetitive ("4", "999", "AAA", "No", "OK."); so are JSON objects and arrays (`{}`, `[]`, `[{}]`), also in a
 *    code fence without a language tag or in inline code (` ```\n{}\n``` `). Runaway
 *    repetition is drift detection's business, not this operator's.
 * 2. A `tool-call` or `data` event is meaningful output on its own, and so is a `result` (the answer
 *    parseStructured validated: `[{}]` passed the schema). `reasoning` and `progress` are not.
 * 3. The text follows the attempt rule ({@link attemptTextChange}): `start`, `retry` and `fallback`
 *    begin a new attempt's text; `resume{checkpoint}` counts its checkpoint as text.
 * 4. The check runs on each attempt's `complete` event (which is then replaced by the error) or, if
 *    the source ends without one, on completion. A `complete` with `finishReason: 'content-filter'` is never
 *    zero output: the provider said why, and the `complete` passes so the reason is reported, not
 *    hidden; nor is the `length` completion of a `budget({onExceeded: 'complete'})` that cut the run (the
 *    caller's limit, not an empty answer: inside the retry loop it would be retried with no request sent).
 *    Any other finish reason (`'length'` included) with no meaningful text is zero output.
 * 5. The text is tracked incrementally (O(delta) per token, nothing once it is known to be
 *    meaningful), never rescanned; an emoji whose two UTF-16 halves arrive in different tokens counts.
 *
 * @example
 * import { detectZeroOutput, fromStream } from 'l0-rx';
 * fromStream(factory).pipe(detectZeroOutput());
 * @see {@link ZeroOutputError} {@link retryWithBackoff}
 * @param config No options yet; any key is a TypeError.
 */
export function detectZeroOutput(config: DetectZeroOutputConfig = {}): MonoTypeOperatorFunction<L0Event> {
  checkBag(ROOT, config);
  const [key] = Object.keys(config);
  if (key !== undefined) {
    throw new TypeError(
      `${ROOT.self}: unknown option \`${key}\`; it takes none` +
        (key === 'minRepeat' ? ' (`minRepeat` was removed: a repeated character is text, runaway repetition is drift detection\'s job)' : ''),
    );
  }
  return (source) => new Observable<L0Event>((subscriber) => source.subscribe(new ZeroOutputWatch(subscriber)));
}

/**
 * One subscription's check, the source's subscriber itself: fan-in (10,000 open streams) pays for
 * every closure per stream, and `defer` + `tap` kept about 1.3 KB of them.
 */
class ZeroOutputWatch extends Relay<L0Event> {
  private meaningful = false;
  private content = '';
  /** The high surrogate the last delta ended with: its character ends in the next delta. */
  private high = '';
  private checked = false;

  next(event: L0Event): void {
    try {
      this.handle(event);
    } catch (thrown) {
      this.raise(thrown);
    }
  }

  private handle(event: L0Event): void {
    if (this.isStopped) return;
    switch (attemptTextChange(event)) {
      case 'token':
        this.addText((event as TokenEvent).value);
        break;
      case 'reset':
        this.reset();
        break;
      case 'resume':
        this.reset();
        this.addText((event as ResumeEvent).checkpoint);
        break;
      default:
        if (event.type === 'tool-call' || event.type === 'data' || event.type === 'result') this.markMeaningful();
        else if (event.type === 'complete' && !this.checked) {
          this.checked = true;
          const empty = event.finishReason === 'content-filter' || isLimitCut(event) ? undefined : this.check();
          if (empty) return this.error(empty);
        }
    }
    this.out.next(event);
  }

  override complete(): void {
    if (this.isStopped) return;
    this.isStopped = true;
    const empty = this.checked ? undefined : this.check();
    this.checked = true;
    if (empty) this.out.error(empty);
    else this.out.complete();
  }

  private addText(delta: string): void {
    if (this.meaningful) return;
    // an emoji (or a letter beyond the BMP) whose two UTF-16 halves arrive in different tokens is read whole
    // (the half kept apart: reading the end of `content`, a concatenation, would flatten it at every token)
    const text = this.high + delta;
    this.content += delta;
    let ch = '';
    for (ch of text) if (!NOISE.test(ch) || EMOJI.test(ch)) return this.markMeaningful();
    this.high = isHighSurrogate(ch.charCodeAt(ch.length - 1)) ? ch : '';
  }

  private markMeaningful(): void {
    this.meaningful = true;
    this.content = '';
  }

  /**
   * A new attempt: its text and its `complete` are checked anew (after a retry loop, an attempt that
   * failed once its `complete` had passed is followed by another one's).
   */
  private reset(): void {
    this.meaningful = this.checked = false;
    this.content = '';
    this.high = '';
  }

  /** The error for an answer with nothing meaningful in it (an empty JSON container counts as content). */
  private check(): ZeroOutputError | undefined {
    if (this.meaningful || isJsonStructure(this.content)) return undefined;
    return new ZeroOutputError({ content: this.content });
  }
}
