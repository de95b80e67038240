import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { Relay } from '../internal/relay.js';
import type { CompleteEvent, L0Event } from '../events/eventTypes.js';

/**
 * Holds an attempt's `complete` event until the attempt's stream ends, so that an attempt
 * operator that fails at its source's completion (a check run when the source completes, after
 * the `complete` event passed) fails the attempt before the consumer hears of a `complete`.
 *
 *   -a-b-x|          source (x complete), an attempt operator that fails at its end: -a-b-x#
 *   -a-b-#           holdComplete()   (the retry loop retries it: no `complete`, then `retry`)
 *   -a-b-(x|)        holdComplete() on an attempt that ends well
 *
 * 1. A `complete` event is kept (the first one; a second is dropped: a run has one) and passed on
 *    right before the stream's completion, so it stays the last event even when an operator emits
 *    after it.
 * 2. The stream's error drops it: the error alone reaches the retry loop, which retries or falls
 *    back as for any failed attempt.
 * 3. `fromStream` completes in the same call that emits its `complete`, so with synchronous
 *    attempt operators nothing moves in time; an operator that validates asynchronously at the
 *    end delays the `complete` to its verdict.
 *
 * @internal Used by the l0() preset after the user's attempt operators.
 */
export function holdComplete(): MonoTypeOperatorFunction<L0Event> {
  return (source) => new Observable<L0Event>((subscriber) => source.subscribe(new CompleteHold(subscriber)));
}

class CompleteHold extends Relay<L0Event> {
  private held: CompleteEvent | undefined = undefined;

  next(e: L0Event): void {
    try {
      this.handle(e);
    } catch (thrown) {
      this.raise(thrown);
    }
  }

  private handle(e: L0Event): void {
    if (this.isStopped) return;
    if (e.type !== 'complete') return this.out.next(e);
    this.held ??= e;
  }

  override complete(): void {
    if (this.isStopped) return;
    this.isStopped = true;
    const { held, out } = this;
    this.held = undefined;
    if (held) out.next(held);
    out.complete();
  }
}
