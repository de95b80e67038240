/** True for a promise or any thenable (such as openai's `APIPromise`). @internal */
export function isPromiseLike<T = unknown>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<T>).then === 'function';
}

/** Leaves no rejection of `value` unhandled, when it is a promise (a callback that was to return a plain value). @internal */
export function quiet(value: unknown): void {
  if (isPromiseLike(value)) value.then(undefined, () => undefined);
}
