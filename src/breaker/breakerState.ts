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
  /**
   * How many times the breaker has opened: the number of the current open period and of the
   * half-open period after it. It only grows (closing keeps it), so no two periods share one, even
   * when they opened at the same `openedAt` (clock skew between servers sharing a store). Missing
   * in a record written by a version without it: read as 0.
   */
  readonly period?: number;
  /** Half-open: probes in flight, and probes that succeeded. */
  readonly probes: number;
  readonly successes: number;
  /**
   * Half-open: when the last probe was let through (scheduler time, ms). Slots taken longer than
   * `resetTimeout` ago are given back, so a probe whose end was never recorded (its server
   * crashed, the store failed the write) cannot hold the breaker half-open for good. Missing in a
   * record written by a version without it: the half-open period's start is read instead.
   */
  readonly probedAt?: number;
  /**
   * Half-open: when the probe slots were last given back for being held past `resetTimeout`. A
   * probe let through before it holds no slot any more: its late end counts, but frees none (it
   * would free the slot of a probe let through since, one probe too many). Missing: never.
   */
  readonly leasesSince?: number;
  /**
   * The record's place in the store's history: every write gives it one above the record it
   * replaces, and at least the writer's clock (ms) and one above the version the writer reported
   * last, so a record written after the key expired or was reset still comes after the ones before
   * for the writer, whatever its clock. The breaker orders store answers that come back out of
   * order by it (a connection pool), except an answer to a round sent once the last reported one
   * was answered: it is newer whatever its version (another process's record written after the key
   * expired, versioned by a clock behind). Missing in a record written by a version without it, or
   * no number from 0 to 2^53 - 1 (a string, null, NaN, a negative or a huge one: read as missing,
   * and replaced at the next write): such answers are ordered as before, by when their change was computed.
   */
  readonly version?: number;
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

/** A closed record; `period` is the last one's, so the next opening is a new number. */
export const closedRecord = (now: number, period = 0): BreakerRecord =>
  Object.freeze({ state: 'closed', failures: 0, openedAt: 0, period, probes: 0, successes: 0, windowStart: now, windowCalls: 0, windowFailures: 0 });

/** The record's period number: 0 when missing (a record written before it existed). */
const periodOf = (rec: BreakerRecord): number => rec.period ?? 0;

/**
 * The record as of `now`: an open breaker whose reset timeout has passed is half-open, and a
 * half-open one whose probe slots were all taken more than `resetTimeout` ago has them back (a
 * probe still running and ending later counts as before: it probes the same period).
 */
export function current(rec: BreakerRecord | undefined, now: number, rules: BreakerRules): BreakerRecord {
  if (!rec) return closedRecord(now);
  if (rec.state === 'open' && now - rec.openedAt >= rules.resetTimeout) return { ...rec, state: 'half-open', probes: 0, successes: 0 };
  if (rec.state === 'half-open' && rec.probes > 0 && now - (rec.probedAt ?? rec.openedAt + rules.resetTimeout) >= rules.resetTimeout) return { ...rec, probes: 0, leasesSince: now };
  return rec;
}

/**
 * A half-open probe's ticket: the `period` number of the half-open period it probes, and that
 * period's `openedAt` (so a record whose counter was lost, or never written by an earlier version,
 * still tells periods apart by time as before), and when it was let through (`at`). `undefined`: not a probe.
 */
export type Probe = { readonly period: number; readonly openedAt: number; readonly at: number } | undefined;

/** True when `probe` probes the record's current half-open period (not one that ended since). */
const isCurrentProbe = (rec: BreakerRecord, probe: Probe): boolean =>
  probe !== undefined && rec.state === 'half-open' && periodOf(rec) === probe.period && rec.openedAt === probe.openedAt;

/** The probe slots once a current probe has ended: one fewer, unless its slot was given back already (held past resetTimeout). */
const freed = (rec: BreakerRecord, probe: NonNullable<Probe>): number =>
  rec.leasesSince !== undefined && probe.at < rec.leasesSince ? rec.probes : Math.max(0, rec.probes - 1);

/** Asks to make a call. `probe` says the call is a half-open probe (release it if it ends unsettled). */
export function acquire(rec: BreakerRecord, now: number, rules: BreakerRules): { rec: BreakerRecord; allowed: boolean; probe: Probe; retryInMs: number } {
  if (rec.state === 'open') return { rec, allowed: false, probe: undefined, retryInMs: Math.max(0, rec.openedAt + rules.resetTimeout - now) };
  if (rec.state === 'half-open') {
    if (rec.probes >= rules.halfOpenMaxProbes) return { rec, allowed: false, probe: undefined, retryInMs: 0 };
    return { rec: { ...rec, probes: rec.probes + 1, probedAt: now }, allowed: true, probe: { period: periodOf(rec), openedAt: rec.openedAt, at: now }, retryInMs: 0 };
  }
  return { rec, allowed: true, probe: undefined, retryInMs: 0 };
}

/** How a call ended: counted success, counted failure, or neither (an error that says nothing about the provider's health). */
export type CallOutcome = 'success' | 'failure' | 'neutral';

/**
 * Records a call's end. While half-open only this period's probes count: a call let through before
 * (closed, or a probe of a period that has ended since) neither frees a slot nor closes the breaker.
 */
export function settle(rec: BreakerRecord, now: number, rules: BreakerRules, outcome: CallOutcome, probe: Probe): BreakerRecord {
  if (rec.state === 'half-open') {
    if (!isCurrentProbe(rec, probe)) return rec;
    const probes = freed(rec, probe!);
    if (outcome === 'failure') return open(rec, now);
    if (outcome === 'neutral') return { ...rec, probes };
    const successes = rec.successes + 1;
    return successes >= rules.successThreshold ? closedRecord(now, periodOf(rec)) : { ...rec, probes, successes };
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

/** A probe of the current half-open period that ended without a verdict (unsubscribed) frees its slot. */
export function release(rec: BreakerRecord, probe: Probe): BreakerRecord {
  const probes = isCurrentProbe(rec, probe) ? freed(rec, probe!) : rec.probes;
  return probes === rec.probes ? rec : { ...rec, probes };
}

/** Opens the breaker: a new period, numbered one above the last. */
function open({ leasesSince: _, ...rec }: BreakerRecord, now: number): BreakerRecord {
  return { ...rec, state: 'open', openedAt: now, period: periodOf(rec) + 1, probes: 0, successes: 0, failures: 0, windowCalls: 0, windowFailures: 0, windowStart: now };
}
