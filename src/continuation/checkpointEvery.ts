import { Observable, type MonoTypeOperatorFunction, type Subscriber } from 'rxjs';
import type { CheckpointEvent, L0Event, TokenEvent } from '../events/eventTypes.js';
import { noteCheckpoint } from '../events/checkpointRefs.js';
import { AttemptText } from '../attempt/attemptText.js';
import { Relay } from '../internal/relay.js';
import { listenForUncheckedTails, uncheckedTail } from '../attempt/uncheckedTail.js';
import { isHighSurrogate } from '../internal/surrogate.js';
import { describeOption } from '../internal/options.js';

/**
 * Emits a `checkpoint{content, tokenCount}` after every `interval`-th token of an attempt: the
 * last-known-good text that a retry or fallback can resume from.
 *
 *   -s-a-b---c-d---x|      source (s start, a-d tokens, x complete)
 *   -s-a-(bk)c-(dl)x|      checkpointEvery(2)   (k {content: 'ab', tokenCount: 2}, l {'abcd', 4})
 *
 * 1. The text and count follow {@link AttemptText}: `start`, `retry` and `fallback` reset them (each
 *    attempt counts its own tokens from zero).
 * 2. `resume{checkpoint}` sets the content to the checkpoint (it is not a token, so it does not
 *    count): a resumed attempt's checkpoints hold the old checkpoint plus the new tokens.
 * 3. Each `token` is passed on, appended to the content (O(delta)) and counted; when the count is
 *    a multiple of `interval`, a `checkpoint` event follows it.
 * 4. A checkpoint holds only text the content checks upstream have passed. When `guard` (in
 *    `stream-first` mode) or `detectDrift` (with `action: 'retry'`) has not judged the end of the
 *    text yet as this token passes (a phrase it may still match, a rule or detector that has not
 *    looked yet, a check that fails the attempt at this very token), the checkpoint is the text as
 *    it was at the newest earlier checkpoint token that the checks have passed since, with that
 *    token's count; when there is none, or it holds no more than the attempt's last checkpoint (or
 *    its resumed one), no checkpoint is emitted. The texts at those tokens are kept as they were
 *    (the same strings, not copies, only as many as the unjudged end spans): narrowing costs
 *    nothing per token.
 * 5. A checkpoint never follows a `tool-call` or `data` event of its attempt: after one, the
 *    attempt emits no more (its last checkpoint, if any, stays the resume point). A resumed
 *    attempt gets only the checkpoint's text, and the retry retracts the failed attempt's calls
 *    and data: from a checkpoint after them, none would be emitted again. From one before them,
 *    the model makes them again, as a plain retry would. `start`, `retry`, `fallback` and `resume`
 *    begin a new attempt (rules 1 and 2).
 * 6. A checkpoint never ends between the two halves of a surrogate pair (an emoji cut between
 *    tokens): the half at its end is left out, and a checkpoint no longer than the last one is not emitted.
 * 7. Every other event passes through; nothing is emitted at completion.
 *
 * Place it after the operators that change text (deduplicateContinuation) and before
 * retryWithBackoff and fallbackTo, which read the checkpoints to resume, as `l0()` does.
 *
 * @example
 * import { fromStream, checkpointEvery, retryWithBackoff } from 'l0-rx';
 * fromStream(factory).pipe(checkpointEvery(10), retryWithBackoff());
 * @see {@link deduplicateContinuation}
 * @see {@link fallbackTo}
 * @param interval Tokens between checkpoints (`checkpointInterval` in `l0()`); a positive integer.
 */
export function checkpointEvery(interval: number): MonoTypeOperatorFunction<L0Event> {
  if (!Number.isInteger(interval) || interval < 1) {
    throw new TypeError(
      `checkpointEvery: \`interval\` (l0's \`checkpointInterval\`) must be a positive integer, got ${describeOption(interval)}`,
    );
  }
  return (source) => new Observable<L0Event>((subscriber) => listenForUncheckedTails(() => source.subscribe(new Checkpoints(subscriber, interval))));
}

/** One subscription's counter, the source's subscriber itself (one object per open stream, no closures). */
class Checkpoints extends Relay<L0Event> {
  private readonly text = new AttemptText();
  /** The length of the attempt's last checkpoint (or of the checkpoint it resumed from); `Infinity` after a `tool-call` or `data` (rule 5). */
  private saved = 0;
  /**
   * The text and token count at the attempt's checkpoint tokens whose text the checks had not all
   * passed yet, oldest first: a narrowed checkpoint is the newest of them they have passed since.
   * It holds what the checks' unjudged end spans (a few entries; thinned past 64), and shares the
   * texts' strings.
   */
  private kept: [text: string, tokenCount: number][] = [];

  constructor(
    out: Subscriber<L0Event>,
    private readonly interval: number,
  ) {
    super(out);
  }

  next(event: L0Event): void {
    try {
      this.handle(event);
    } catch (thrown) {
      this.raise(thrown);
    }
  }

  private handle(event: L0Event): void {
    if (this.isStopped) return;
    const { text, out, kept } = this;
    const before = text.text; // the text without this token: a half emoji is cut from the token, never from the whole text
    const change = text.observe(event);
    if (change !== 'token') {
      if (change !== undefined) {
        this.saved = text.length;
        kept.length = 0;
      } else if (event.type === 'tool-call' || event.type === 'data') this.saved = Infinity;
      return out.next(event);
    }
    const due = text.tokenCount % this.interval === 0 && this.saved < Infinity;
    // read before the token goes on: what the checks around this call have not passed (see uncheckedTail)
    const unchecked = due ? uncheckedTail() : 0;
    out.next(event);
    if (!due) return;
    const whole = wholeChars(text.text, before, (event as TokenEvent).value);
    if (unchecked === 0) {
      if (kept.length > 0) kept.length = 0;
      if (whole.length < text.length && whole.length <= this.saved) return; // only half an emoji more
      this.saved = whole.length;
      return this.emit(whole, text.tokenCount);
    }
    const now: [string, number] = [whole, text.tokenCount];
    // the newest kept text within the passed part (older ones are no use any more); this one waits its turn
    const end = text.length - unchecked;
    let pick: [string, number] | undefined;
    while (kept.length > 0 && kept[0]![0].length <= end) pick = kept.shift();
    // a check that holds a long stretch back (a block judged when it closes) would grow the list by one per
    // checkpoint: past 64, every other entry goes (the fallback gets a little older, memory stays bounded)
    if (kept.push(now) > 64) this.kept = kept.filter((_, i) => i % 2 === 1);
    if (pick !== undefined && pick[0].length <= this.saved) pick = undefined;
    if (pick === undefined) return;
    this.saved = pick[0].length;
    this.emit(pick[0], pick[1]);
  }

  /** Emits a checkpoint, a prefix of the attempt's text, noted as one for the event log (see checkpointRefs). */
  private emit(content: string, tokenCount: number): void {
    const checkpoint: CheckpointEvent = { type: 'checkpoint', content, tokenCount };
    noteCheckpoint(checkpoint, this.text.version);
    this.out.next(checkpoint);
  }
}

/**
 * `text` without a high surrogate at its end: a token may end between the two halves of an emoji,
 * and a checkpoint cut there would resume (and prompt the model) with half a character. `text` is
 * `before + token`. The end is read from `token`, and the half dropped from it (`before` plus the
 * rest of the token): reading a character of `text` itself, or slicing it, a string grown by `+=`,
 * makes V8 flatten it, a copy of the whole text at every checkpoint (20% of the content stack at
 * 20,000 tokens, quadratic in the answer's length). Only an empty token reads `text`.
 */
function wholeChars(text: string, before: string, token: string): string {
  if (token === '') return isHighSurrogate(text.charCodeAt(text.length - 1)) ? text.slice(0, -1) : text;
  return isHighSurrogate(token.charCodeAt(token.length - 1)) ? before + token.slice(0, -1) : text;
}
