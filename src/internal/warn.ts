import { quiet } from './isPromiseLike.js';

/**
 * `console.warn(...args)`. One that throws (a test set-up that turns warnings into failures), one that
 * returns a promise that rejects (an async logger put in its place), or a runtime without a console, is
 * ignored: a warning that could not be printed never changes the stream's outcome, now or later. The
 * library's one way to warn. @internal
 */
export function warn(...args: unknown[]): void {
  try {
    quiet(console.warn(...args));
  } catch {
    // the warning's own channel failed (or there is no console); the stream must not
  }
}

/**
 * A reporter that warns `message` with the cause it is given, at its first call only: one warning per
 * operator for a user callback that throws or rejects (measureRun's `onMetrics`, injectFaults' `onFault`). @internal
 */
export function warnOnce(message: string): (cause: unknown) => void {
  let warned = false;
  return (cause) => {
    if (!warned) warn(message, cause);
    warned = true;
  };
}
