/** True for a promise or any thenable (such as openai's `APIPromise`). @internal */
export function isPromiseLike<T = unknown>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<T>).then === 'function';
}

/**
 * Leaves no rejection of `value` unhandled, when it is a promise (what a callback that was to return
 * a plain value returned): the rejection goes to `onRejected`, or is dropped. A thenable whose `then`
 * (or its getter) throws is rejected by that throw, never thrown here: the caller's own error (the
 * TypeError naming the value) stays the one the user gets. @internal
 */
export function quiet(value: unknown, onRejected: (reason: unknown) => void = () => undefined): void {
  try {
    if (isPromiseLike(value)) value.then(undefined, onRejected);
  } catch (e) {
    onRejected(e);
  }
}
