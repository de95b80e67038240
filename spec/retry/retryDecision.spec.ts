/** @test {retryVerdict} */
import { describe, expect, it, vi } from 'vitest';
import type { ErrorCategory, ErrorClassification, ErrorReason, RetryDelayContext, RetryOnItem } from 'l0-rx';
import {
  FRESH_BUDGETS,
  retryDelay,
  retryVerdict,
  spendRetry,
  type GiveUpReason,
  type RetryBudgets,
} from '../../src/retry/retryDecision.js';
import { resolveRetryConfig } from '../../src/retry/retryConfig.js';

/* The retry decision is pure: a classification, the budgets used so far and the config in, a verdict or a delay out. */

const cls = (
  category: ErrorCategory,
  reason: ErrorReason,
  extra: Partial<Pick<ErrorClassification, 'retryable' | 'countsTowardAttempts' | 'retryAfterMs'>> = {},
): ErrorClassification => ({
  category,
  reason,
  retryable: extra.retryable ?? true,
  countsTowardAttempts: extra.countsTowardAttempts ?? (category === 'content' || category === 'unknown'),
  ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs }),
});

const NETWORK = cls('network', 'network_error');
const RATE_LIMIT = (retryAfterMs?: number) => cls('rate-limit', 'rate_limit', { retryAfterMs });
const SERVER = cls('server', 'server_error');
const TIMEOUT = cls('timeout', 'timeout');
const ZERO_OUTPUT = cls('content', 'zero_output');
const GUARDRAIL = cls('content', 'guardrail_violation');
const FATAL_GUARDRAIL = cls('content', 'fatal_guardrail_violation', { retryable: false });
const UNKNOWN = cls('unknown', 'unknown'); // as classifyError and UnknownError make it: retryable
const UNKNOWN_FINAL = cls('unknown', 'unknown', { retryable: false }); // an L0Error of one's own that says no
const AUTH = cls('auth', 'auth', { retryable: false });
const BAD_REQUEST = cls('bad-request', 'bad_request', { retryable: false });
const ABORT = cls('abort', 'abort', { retryable: false });
const TLS = cls('network', 'network_error', { retryable: false });

const DEFAULTS = resolveRetryConfig(undefined);
const config = (overrides: Parameters<typeof resolveRetryConfig>[0] & object = {}) => resolveRetryConfig(overrides);
const budgets = (retries: number, countedRetries = 0, previousDelay?: number): RetryBudgets => ({ retries, countedRetries, previousDelay });
const why = (verdict: ReturnType<typeof retryVerdict>): GiveUpReason | 'retry' => (verdict.retry ? 'retry' : verdict.why);

describe('retryVerdict', () => {
  describe('by category and reason, with fresh budgets and the default config', () => {
    it.each([
      ['network', NETWORK, 'retry'],
      ['rate-limit', RATE_LIMIT(), 'retry'],
      ['server', SERVER, 'retry'],
      ['timeout', TIMEOUT, 'retry'],
      ['zero output (content)', ZERO_OUTPUT, 'retry'],
      ['recoverable guardrail (content)', GUARDRAIL, 'retry'],
      ['unknown', UNKNOWN, 'retry'],
      ['unknown marked not retryable', UNKNOWN_FINAL, 'not-retryable'],
      ['fatal guardrail', FATAL_GUARDRAIL, 'not-retryable'],
      ['TLS failure (network, not retryable)', TLS, 'not-retryable'],
      ['auth', AUTH, 'never-retried'],
      ['bad-request', BAD_REQUEST, 'never-retried'],
      ['abort', ABORT, 'never-retried'],
    ] as const)('%s: %s', (_name, c, expected) => {
      expect(why(retryVerdict(c, FRESH_BUDGETS, DEFAULTS))).toBe(expected);
    });
  });

  describe('retryOn', () => {
    it.each([
      ['a listed category', ['network'], NETWORK, 'retry'],
      ['an unlisted category', ['rate-limit'], NETWORK, 'not-in-retry-on'],
      ['a listed reason whose category is not listed', ['zero_output'], ZERO_OUTPUT, 'retry'],
      ['another reason of a listed reason\'s category', ['zero_output'], GUARDRAIL, 'not-in-retry-on'],
      ['a listed category whatever the reason', ['content'], GUARDRAIL, 'retry'],
      ['an empty list', [], NETWORK, 'not-in-retry-on'],
      ['unknown left out', ['network', 'rate-limit', 'server', 'timeout', 'content'], UNKNOWN, 'not-in-retry-on'],
      ['auth listed: still never retried (checked first)', ['auth'], AUTH, 'never-retried'],
      ['abort listed: still never retried', ['abort'], ABORT, 'never-retried'],
      ['a fatal guardrail\'s reason listed: still not retryable', ['fatal_guardrail_violation'], FATAL_GUARDRAIL, 'not-retryable'],
    ] as [string, RetryOnItem[], ErrorClassification, GiveUpReason | 'retry'][])('%s', (_name, retryOn, c, expected) => {
      expect(why(retryVerdict(c, FRESH_BUDGETS, config({ retryOn })))).toBe(expected);
    });
  });

  describe('budgets', () => {
    it.each([
      // [name, classification, budgets, {attempts, maxRetries}, expected]
      ['network below maxRetries', NETWORK, budgets(5, 0), { maxRetries: 6 }, 'retry'],
      ['network at maxRetries', NETWORK, budgets(6, 0), { maxRetries: 6 }, 'max-retries'],
      ['network ignores attempts', NETWORK, budgets(3, 3), { attempts: 3, maxRetries: 6 }, 'retry'],
      ['timeout ignores attempts', TIMEOUT, budgets(5, 5), { attempts: 0, maxRetries: 6 }, 'retry'],
      ['content below attempts', ZERO_OUTPUT, budgets(2, 2), { attempts: 3 }, 'retry'],
      ['content at attempts', ZERO_OUTPUT, budgets(3, 3), { attempts: 3 }, 'attempts'],
      ['content with attempts 0', GUARDRAIL, FRESH_BUDGETS, { attempts: 0 }, 'attempts'],
      ['unknown at attempts', UNKNOWN, budgets(1, 1), { attempts: 1 }, 'attempts'],
      ['content: maxRetries is checked before attempts', ZERO_OUTPUT, budgets(2, 2), { attempts: 2, maxRetries: 2 }, 'max-retries'],
      ['content counted by other failures only toward maxRetries', ZERO_OUTPUT, budgets(5, 0), { attempts: 1, maxRetries: 6 }, 'retry'],
      ['maxRetries 0', NETWORK, FRESH_BUDGETS, { maxRetries: 0 }, 'max-retries'],
    ] as const)('%s', (_name, c, b, limits, expected) => {
      expect(why(retryVerdict(c, b, config(limits)))).toBe(expected);
    });
  });

  describe('retryAfter', () => {
    it.each([
      ['a Retry-After within maxRetryAfter is honoured', RATE_LIMIT(30_000), {}, { retry: true, retryAfterMs: 30_000 }],
      ['a Retry-After equal to maxRetryAfter is honoured', RATE_LIMIT(60_000), {}, { retry: true, retryAfterMs: 60_000 }],
      ['a Retry-After above maxRetryAfter gives up', RATE_LIMIT(60_001), {}, { retry: false, why: 'retry-after-too-long' }],
      ['a lower maxRetryAfter gives up sooner', RATE_LIMIT(2_000), { maxRetryAfter: 1_000 }, { retry: false, why: 'retry-after-too-long' }],
      ['respectRetryAfter: false ignores it (no server delay, no limit)', RATE_LIMIT(600_000), { respectRetryAfter: false }, { retry: true, retryAfterMs: undefined }],
      ['no Retry-After: no server delay', RATE_LIMIT(), {}, { retry: true, retryAfterMs: undefined }],
    ] as const)('%s', (_name, c, options, expected) => {
      expect(retryVerdict(c, FRESH_BUDGETS, config(options))).toMatchObject(expected);
    });

    it('should check the budgets before the Retry-After', () => {
      expect(retryVerdict(RATE_LIMIT(600_000), budgets(6), DEFAULTS)).toEqual({ retry: false, why: 'max-retries' });
    });
  });

  it.each([
    ['a network failure', NETWORK, false],
    ['a content failure', ZERO_OUTPUT, true],
    ['an unknown failure', UNKNOWN, true],
  ] as const)('should say whether %s counts toward attempts', (_name, c, counts) => {
    expect(retryVerdict(c, FRESH_BUDGETS, DEFAULTS)).toEqual({ retry: true, countsTowardAttempts: counts, retryAfterMs: undefined });
  });

  it('should reach every GiveUpReason', () => {
    const reached = new Set([
      why(retryVerdict(AUTH, FRESH_BUDGETS, DEFAULTS)),
      why(retryVerdict(NETWORK, FRESH_BUDGETS, config({ retryOn: [] }))),
      why(retryVerdict(FATAL_GUARDRAIL, FRESH_BUDGETS, DEFAULTS)),
      why(retryVerdict(NETWORK, budgets(6), DEFAULTS)),
      why(retryVerdict(ZERO_OUTPUT, budgets(3, 3), DEFAULTS)),
      why(retryVerdict(RATE_LIMIT(120_000), FRESH_BUDGETS, DEFAULTS)),
    ]);
    const all: GiveUpReason[] = ['never-retried', 'not-in-retry-on', 'not-retryable', 'max-retries', 'attempts', 'retry-after-too-long'];
    expect([...reached].sort()).toEqual([...all].sort());
  });

  it('should not change its inputs', () => {
    const c = Object.freeze(NETWORK);
    const b = Object.freeze(budgets(1, 1));
    expect(() => retryVerdict(c, b, DEFAULTS)).not.toThrow();
    expect(b).toEqual(budgets(1, 1));
  });
});

/** @test {retryDelay} */
describe('retryDelay', () => {
  const input = (retryAfterMs?: number, attempt = 1) => ({ classification: NETWORK, attempt, error: new Error('e'), retryAfterMs });

  it('should wait exactly the honoured Retry-After, above maxDelay and without jitter', () => {
    expect(retryDelay(input(45_000), FRESH_BUDGETS, config({ backoff: 'full-jitter', maxDelay: 1_000, random: () => 0.5 }))).toBe(45_000);
  });

  it('should wait at most 2147483647 ms for an honoured Retry-After, however long', () => {
    expect(retryDelay(input(99_999_999_000), FRESH_BUDGETS, config({}))).toBe(2_147_483_647);
  });

  it('should not call calculateDelay when a Retry-After is honoured', () => {
    const calculateDelay = vi.fn(() => 5);
    expect(retryDelay(input(2_000), FRESH_BUDGETS, config({ calculateDelay }))).toBe(2_000);
    expect(calculateDelay).not.toHaveBeenCalled();
  });

  describe('backoff, per kind, for the retry index over all retries', () => {
    const random = () => 0.5;
    it.each([
      // [kind, budgets, expected] with baseDelay 100, maxDelay 1000, random 0.5
      ['fixed', budgets(0), 100],
      ['fixed', budgets(4), 100],
      ['linear', budgets(0), 100],
      ['linear', budgets(2), 300],
      ['exponential', budgets(0), 100],
      ['exponential', budgets(3), 800],
      ['exponential', budgets(4), 1000], // capped at maxDelay
      ['full-jitter', budgets(0), 50],
      ['full-jitter', budgets(2), 200],
      ['fixed-jitter', budgets(0), 125],
      ['fixed-jitter', budgets(5), 125],
      ['decorrelated-jitter', budgets(0), 200], // previous = base: 100 + 0.5 * 200
      ['decorrelated-jitter', budgets(1, 0, 200), 350], // 100 + 0.5 * (600 - 100)
      ['decorrelated-jitter', budgets(2, 0, 900), 1000], // capped
    ] as const)('%s with %o: %i ms', (backoff, b, expected) => {
      expect(retryDelay(input(), b, config({ backoff, baseDelay: 100, maxDelay: 1_000, random }))).toBe(expected);
    });

    it('should count content and network retries alike in the index', () => {
      const cfg = config({ backoff: 'exponential', baseDelay: 100 });
      expect(retryDelay({ ...input(), classification: ZERO_OUTPUT }, budgets(2, 0), cfg)).toBe(400);
    });

    it('should draw jitter from the injected random', () => {
      const cfg = (r: number) => config({ backoff: 'full-jitter', baseDelay: 1_000, maxDelay: 10_000, random: () => r });
      expect([0, 0.25, 0.999].map((r) => retryDelay(input(), budgets(1), cfg(r)))).toEqual([0, 500, 1998]);
    });
  });

  describe('calculateDelay', () => {
    it('should use a finite number >= 0 it returns, 0 included', () => {
      expect(retryDelay(input(), FRESH_BUDGETS, config({ calculateDelay: () => 1234 }))).toBe(1234);
      expect(retryDelay(input(), FRESH_BUDGETS, config({ calculateDelay: () => 0 }))).toBe(0);
    });

    it.each([
      ['undefined', undefined],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['a negative number', -1],
      ['a numeric string', '5'],
      ['null', null],
    ])('should keep the computed delay when it returns %s', (_name, value) => {
      const cfg = config({ backoff: 'fixed', baseDelay: 700, calculateDelay: () => value as never });
      expect(retryDelay(input(), FRESH_BUDGETS, cfg)).toBe(700);
    });

    it('should be told the failed attempt, the total, the classification, the error and the computed delay, frozen', () => {
      const seen: RetryDelayContext[] = [];
      const error = new Error('e');
      const cfg = config({ backoff: 'linear', baseDelay: 100, maxRetries: 4, calculateDelay: (ctx) => (seen.push(ctx), undefined) });
      retryDelay({ classification: ZERO_OUTPUT, attempt: 3, error, retryAfterMs: undefined }, budgets(2, 2), cfg);
      expect(seen).toEqual([{ attempt: 3, totalAttempts: 5, category: 'content', reason: 'zero_output', error, defaultDelay: 300 }]);
      expect(Object.isFrozen(seen[0])).toBe(true);
    });

    it('should wait at most 2147483647 ms for a longer delay it returns (a timer would fire a longer one at once)', () => {
      expect(retryDelay(input(), FRESH_BUDGETS, config({ calculateDelay: () => 3e9 }))).toBe(2_147_483_647);
      expect(retryDelay(input(), FRESH_BUDGETS, config({ calculateDelay: () => 2_147_483_647 }))).toBe(2_147_483_647);
    });

    it('should let its throw propagate', () => {
      const thrown = new Error('calc broke');
      const cfg = config({ calculateDelay: () => { throw thrown; } });
      expect(() => retryDelay(input(), FRESH_BUDGETS, cfg)).toThrow(thrown);
    });
  });
});

/** @test {spendRetry} */
describe('spendRetry', () => {
  it.each([
    ['a retry that counts toward attempts', true, { retries: 1, countedRetries: 1, previousDelay: 250 }],
    ['a retry that does not', false, { retries: 1, countedRetries: 0, previousDelay: 250 }],
  ] as const)('should spend %s', (_name, counts, expected) => {
    expect(spendRetry(FRESH_BUDGETS, counts, 250)).toEqual(expected);
  });

  it('should return new budgets and leave the old ones as they were', () => {
    const before = budgets(2, 1, 100);
    const after = spendRetry(before, true, 300);
    expect(after).not.toBe(before);
    expect(before).toEqual(budgets(2, 1, 100));
    expect(after).toEqual({ retries: 3, countedRetries: 2, previousDelay: 300 });
  });

  it('should start from nothing used', () => {
    expect(FRESH_BUDGETS).toEqual({ retries: 0, countedRetries: 0, previousDelay: undefined });
    expect(Object.isFrozen(FRESH_BUDGETS)).toBe(true);
  });

  it('should lead retryVerdict to give up after maxRetries spends of any kind', () => {
    const cfg = config({ maxRetries: 3, attempts: 10 });
    let b = FRESH_BUDGETS;
    const verdicts: string[] = [];
    for (const c of [NETWORK, ZERO_OUTPUT, TIMEOUT, NETWORK]) {
      const v = retryVerdict(c, b, cfg);
      verdicts.push(why(v));
      if (v.retry) b = spendRetry(b, v.countsTowardAttempts, 0);
    }
    expect(verdicts).toEqual(['retry', 'retry', 'retry', 'max-retries']);
    expect(b).toEqual({ retries: 3, countedRetries: 1, previousDelay: 0 });
  });

  it('should lead retryVerdict to give up on content after attempts counted spends, while network retries go on', () => {
    const cfg = config({ maxRetries: 6, attempts: 1 });
    const b = spendRetry(FRESH_BUDGETS, true, 0);
    expect(why(retryVerdict(ZERO_OUTPUT, b, cfg))).toBe('attempts');
    expect(why(retryVerdict(NETWORK, b, cfg))).toBe('retry');
  });
});
