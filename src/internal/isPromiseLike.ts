/** True for a promise or any thenable (such as openai's `APIPromise`). @internal */
export function isPromiseLike<T = unknown>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<T>).then === 'function';
}

/**
 * Leaves no rejection of `value` unhandled, when it is a promise (what a callback that was to return
 * a plain value returned): the rejection goes to `onRejected`, or is dropped. Without `onRejected`,
 * a thenable whose `then` (or its getter) throws is dropped too, never thrown here: the caller's own
 * error (the TypeError naming the value) stays the one the user gets. With it, that throw (and one of
 * `onRejected` called at once by `then`) is thrown here, to the caller's catch, as a throw of the
 * callback would be: never read as a later rejection, which would fail the run while the callback's
 * caller carries on (and call `onRejected` again with its own throw). @internal
 */
export function quiet(value: unknown, onRejected?: (reason: unknown) => void): void {
  try {
    if (isPromiseLike(value)) value.then(undefined, onRejected ?? drop);
  } catch (e) {
    if (onRejected) throw e;
  }
}

const drop = (): void => undefined;
