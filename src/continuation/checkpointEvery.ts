import { Observable, type MonoTypeOperatorFunction, type Subscriber } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { AttemptText } from '../attempt/attemptText.js';
import { Relay } from '../internal/relay.js';

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
 * 4. Every other event passes through; nothing is emitted at completion.
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
      `checkpointEvery: \`interval\` (l0's \`checkpointInterval\`) must be a positive integer, got ${String(interval)}`,
    );
  }
  return (source) => new Observable<L0Event>((subscriber) => source.subscribe(new Checkpoints(subscriber, interval)));
}

/** One subscription's counter, the source's subscriber itself (one object per open stream, no closures). */
class Checkpoints extends Relay<L0Event> {
  private readonly text = new AttemptText();

  constructor(
    out: Subscriber<L0Event>,
    private readonly interval: number,
  ) {
    super(out);
  }

  next(event: L0Event): void {
    if (this.isStopped) return;
    const { text, out } = this;
    const change = text.observe(event);
    out.next(event);
    if (change === 'token' && text.tokenCount % this.interval === 0) {
      out.next({ type: 'checkpoint', content: text.text, tokenCount: text.tokenCount });
    }
  }
}
