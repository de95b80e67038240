import type { L0Event } from 'l0-rx';

/**
 * The events marble specs name by letter: `s` an attempt's first start, `a`-`e` one-letter tokens,
 * `x` a complete with finish reason `stop`. Spread it to add a spec's own letters.
 */
export const MARBLE_VALUES: Readonly<Record<string, L0Event>> = Object.freeze({
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  a: { type: 'token', value: 'a' },
  b: { type: 'token', value: 'b' },
  c: { type: 'token', value: 'c' },
  d: { type: 'token', value: 'd' },
  e: { type: 'token', value: 'e' },
  x: { type: 'complete', finishReason: 'stop' },
});
