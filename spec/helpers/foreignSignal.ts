/**
 * An AbortSignal that is no instance of this realm's class, as another realm's (an iframe, a jsdom window) or a
 * polyfill's (abort-controller) is: an EventTarget with `aborted` and `reason`. It fails `instanceof AbortSignal`.
 */
export class ForeignSignal extends EventTarget {
  aborted = false;
  reason: unknown = undefined;
  abort(reason: unknown): void {
    [this.aborted, this.reason] = [true, reason];
    this.dispatchEvent(new Event('abort'));
  }
}
