import type { Observable, Subscriber, Subscription } from 'rxjs';

/**
 * Which attempt a subscription is, handed from the operators that resubscribe (retryWithBackoff,
 * fallbackTo) to the source that makes the request (fromStream).
 *
 * RxJS has no per-subscription context, but subscription is synchronous down an operator chain:
 * a retrying operator sets the context, subscribes its source, and the source's subscribe function
 * (which runs inside that call) takes it. Taking clears it, so nothing subscribed later, or by the
 * factory itself, inherits it. The slot lives on `globalThis` under a registered symbol so that two
 * copies of the package (ESM and CJS) share it.
 */
export interface AttemptContext {
  readonly attempt: number;
  readonly fallbackIndex: number;
  readonly checkpoint?: string;
}

interface Slot { current: AttemptContext | undefined }
const KEY = Symbol.for('l0-rx.attemptContext');
const host = globalThis as unknown as Record<symbol, Slot | undefined>;
const slot: Slot = (host[KEY] ??= { current: undefined });

/** Reads and clears the context set by the nearest enclosing {@link subscribeWithContext}. */
export function takeAttemptContext(): AttemptContext | undefined {
  const ctx = slot.current;
  slot.current = undefined;
  return ctx;
}

/** Subscribes `subscriber` to `source` with `ctx` visible to the source's synchronous subscribe. */
export function subscribeWithContext<T>(
  source: Observable<T>,
  subscriber: Partial<Subscriber<T>> | Subscriber<T>,
  ctx: AttemptContext,
): Subscription {
  const previous = slot.current;
  slot.current = ctx;
  try {
    return source.subscribe(subscriber);
  } finally {
    slot.current = previous;
  }
}
