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
 * exceed it). Jittered results are rounded down to whole milliseconds; the result is never negative.
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
      delay = base * 2 ** retryIndex;
      break;
    case 'full-jitter':
      delay = Math.floor(random() * Math.min(max, base * 2 ** retryIndex));
      break;
    case 'fixed-jitter':
      delay = Math.floor(base + (random() * base) / 2);
      break;
    case 'decorrelated-jitter': {
      const previous = params.previousDelay ?? base;
      delay = Math.floor(base + random() * Math.max(0, previous * 3 - base));
      break;
    }
  }
  return Math.max(0, Math.min(max, delay));
}
