import { describeOption } from '../internal/options.js';
import { quiet } from '../internal/isPromiseLike.js';

/** How the wait before a retry grows. */
export type BackoffKind = 'fixed' | 'linear' | 'exponential' | 'full-jitter' | 'fixed-jitter' | 'decorrelated-jitter';

/** Every {@link BackoffKind}, in documentation order. */
export const BACKOFF_KINDS: readonly BackoffKind[] = /*#__PURE__*/ Object.freeze([
  'fixed',
  'linear',
  'exponential',
  'full-jitter',
  'fixed-jitter',
  'decorrelated-jitter',
] as const);

/** The numbers a backoff needs. All delays in ms. */
export interface BackoffParams {
  readonly baseDelay: number;
  /** No computed delay exceeds this. */
  readonly maxDelay: number;
  /** A uniform random number in [0, 1). */
  readonly random: () => number;
  /** The previous delay, for `decorrelated-jitter`; `undefined` before the first retry (then `baseDelay`). */
  readonly previousDelay?: number;
}

/**
 * The wait before a retry, as pure maths (no clock, no timer): the operator turns it into
 * `timer(ms, scheduler)`.
 *
 * | kind | delay for the retry with 0-based index `i` |
 * |---|---|
 * | `fixed` | `base` |
 * | `linear` | `base * (i + 1)` |
 * | `exponential` | `base * 2^i` |
 * | `full-jitter` | `random() * base * 2^i` (AWS "full jitter") |
 * | `fixed-jitter` | `base + random() * base / 2`, i.e. in [base, 1.5 base], not growing with `i` |
 * | `decorrelated-jitter` | `base + random() * (3 * previous - base)`, `previous` = the last delay (first: `base`) |
 *
 * Every kind is capped at `maxDelay` (a Retry-After from the server is not computed here and may
 * exceed it). Jittered results are rounded down to whole milliseconds; the result is never negative
 * and never NaN (a `baseDelay` of 0 stays 0 however many retries).
 * @throws TypeError when `random` returns anything but a number in [0, 1).
 *
 * @example
 * import { computeDelay } from './backoff.js';
 * computeDelay('exponential', 3, { baseDelay: 1000, maxDelay: 10000, random: Math.random }); // 8000
 * @param kind The backoff kind.
 * @param retryIndex 0 for the first retry, 1 for the second...
 * @param params Base, cap, random source and previous delay.
 * @returns The delay in ms.
 */
export function computeDelay(kind: BackoffKind, retryIndex: number, params: BackoffParams): number {
  const { baseDelay: base, maxDelay: max, random } = params;
  let delay: number;
  switch (kind) {
    case 'fixed':
      delay = base;
      break;
    case 'linear':
      delay = base * (retryIndex + 1);
      break;
    case 'exponential':
      delay = doubled(base, retryIndex);
      break;
    case 'full-jitter':
      delay = Math.floor(draw(random) * Math.min(max, doubled(base, retryIndex)));
      break;
    case 'fixed-jitter':
      delay = Math.floor(base + (draw(random) * base) / 2);
      break;
    case 'decorrelated-jitter': {
      const previous = params.previousDelay ?? base;
      delay = Math.floor(base + draw(random) * Math.max(0, previous * 3 - base));
      break;
    }
  }
  return Math.max(0, Math.min(max, delay));
}

/** `base * 2^i`; 0 for a zero base (from the 1024th retry on, 2^i is Infinity and 0 * Infinity is NaN). */
function doubled(base: number, i: number): number {
  return base === 0 ? 0 : base * 2 ** i;
}

/** One number from `random`, which must be in [0, 1): NaN or a value out of range would make a NaN or wrong wait. */
function draw(random: () => number): number {
  const r = random();
  if (typeof r === 'number' && r >= 0 && r < 1) return r;
  quiet(r); // an async random's rejection is not unhandled: the TypeError says what went wrong
  throw new TypeError(`retryWithBackoff({random}) must return a number in [0, 1), got ${describeOption(r)}`);
}
