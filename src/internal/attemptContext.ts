import type { Observable, Observer, Subscription } from 'rxjs';

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

/**
 * Subscribes `observer` to `source` with `ctx` visible to the source's synchronous subscribe.
 *
 * The slot is released when the subscribe call returns, or earlier, at the first notification
 * that reaches `observer` while `ctx` is still untaken: a source that does not take it (a canned
 * `of(...)` fallback, a replay) may deliver values synchronously, and consumer code reacting to
 * them must not see another run's context. After that first notification `next` is the caller's
 * own function again, so the guard costs nothing per token. `observer` must not rely on `this`.
 */
export function subscribeWithContext<T>(
  source: Observable<T>,
  observer: Partial<Observer<T>>,
  ctx: AttemptContext,
): Subscription {
  const previous = slot.current;
  slot.current = ctx;
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    slot.current = previous;
  };
  const guarded: Observer<T> = {
    next: (value) => {
      release();
      guarded.next = observer.next ?? noop;
      observer.next?.(value);
    },
    error: (err: unknown) => {
      release();
      if (observer.error) observer.error(err);
      else throw err;
    },
    complete: () => {
      release();
      observer.complete?.();
    },
  };
  try {
    return source.subscribe(guarded);
  } finally {
    release();
  }
}

function noop(): void {}
