/*
 * The circuit breaker's state machine as pure functions over a plain record, so any store
 * (memory, Redis) can hold it.
 * Internal: not re-exported, except the record and store types through breakerStore.ts.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

/** What a store keeps per breaker key. Plain data (JSON-serialisable). */
export interface BreakerRecord {
  readonly state: BreakerState;
  /** Consecutive counted failures while closed. */
  readonly failures: number;
  /** When the breaker opened (scheduler time, ms). */
  readonly openedAt: number;
  /** Half-open: probes in flight, and probes that succeeded. */
  readonly probes: number;
  readonly successes: number;
  /** The failure-ratio window: its start, and the calls and counted failures in it. */
  readonly windowStart: number;
  readonly windowCalls: number;
  readonly windowFailures: number;
}

export interface BreakerRules {
  readonly failureThreshold: number;
  readonly failureRatio: number | undefined;
  readonly minimumThroughput: number;
  readonly windowMs: number;
  readonly resetTimeout: number;
  readonly halfOpenMaxProbes: number;
  readonly successThreshold: number;
}

export const closedRecord = (now: number): BreakerRecord =>
  Object.freeze({ state: 'closed', failures: 0, openedAt: 0, probes: 0, successes: 0, windowStart: now, windowCalls: 0, windowFailures: 0 });

/** The record as of `now`: an open breaker whose reset timeout has passed is half-open. */
export function current(rec: BreakerRecord | undefined, now: number, rules: BreakerRules): BreakerRecord {
  if (!rec) return closedRecord(now);
  if (rec.state === 'open' && now - rec.openedAt >= rules.resetTimeout) return { ...rec, state: 'half-open', probes: 0, successes: 0 };
  return rec;
}

/** Asks to make a call. `probe` says the call is a half-open probe (release it if it ends unsettled). */
export function acquire(rec: BreakerRecord, now: number, rules: BreakerRules): { rec: BreakerRecord; allowed: boolean; probe: boolean; retryInMs: number } {
  if (rec.state === 'open') return { rec, allowed: false, probe: false, retryInMs: Math.max(0, rec.openedAt + rules.resetTimeout - now) };
  if (rec.state === 'half-open') {
    if (rec.probes >= rules.halfOpenMaxProbes) return { rec, allowed: false, probe: false, retryInMs: 0 };
    return { rec: { ...rec, probes: rec.probes + 1 }, allowed: true, probe: true, retryInMs: 0 };
  }
  return { rec, allowed: true, probe: false, retryInMs: 0 };
}

/** How a call ended: counted success, counted failure, or neither (an error that says nothing about the provider's health). */
export type CallOutcome = 'success' | 'failure' | 'neutral';

/** Records a call's end. */
export function settle(rec: BreakerRecord, now: number, rules: BreakerRules, outcome: CallOutcome, probe: boolean): BreakerRecord {
  if (rec.state === 'half-open') {
    if (!probe) return rec;
    const probes = Math.max(0, rec.probes - 1);
    if (outcome === 'failure') return open(rec, now);
    if (outcome === 'neutral') return { ...rec, probes };
    const successes = rec.successes + 1;
    return successes >= rules.successThreshold ? closedRecord(now) : { ...rec, probes, successes };
  }
  if (rec.state === 'open' || outcome === 'neutral') return rec;
  const fresh = now - rec.windowStart >= rules.windowMs;
  const windowStart = fresh ? now : rec.windowStart;
  const windowCalls = (fresh ? 0 : rec.windowCalls) + 1;
  const windowFailures = (fresh ? 0 : rec.windowFailures) + (outcome === 'failure' ? 1 : 0);
  const failures = outcome === 'failure' ? rec.failures + 1 : 0;
  const next = { ...rec, failures, windowStart, windowCalls, windowFailures };
  const consecutive = rules.failureThreshold > 0 && failures >= rules.failureThreshold;
  const ratio = rules.failureRatio !== undefined && windowCalls >= rules.minimumThroughput && windowFailures / windowCalls >= rules.failureRatio;
  return outcome === 'failure' && (consecutive || ratio) ? open(next, now) : next;
}

/** A probe that ended without a verdict (unsubscribed) frees its slot. */
export function release(rec: BreakerRecord, probe: boolean): BreakerRecord {
  return probe && rec.state === 'half-open' ? { ...rec, probes: Math.max(0, rec.probes - 1) } : rec;
}

function open(rec: BreakerRecord, now: number): BreakerRecord {
  return { ...rec, state: 'open', openedAt: now, probes: 0, successes: 0, failures: 0, windowCalls: 0, windowFailures: 0, windowStart: now };
}
