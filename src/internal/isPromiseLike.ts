/** True for a promise or any thenable (such as openai's `APIPromise`). @internal */
export function isPromiseLike<T = unknown>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<T>).then === 'function';
}
