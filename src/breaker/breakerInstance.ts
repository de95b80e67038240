import { catchError, concatMap, defer, map, Observable, of, ReplaySubject, Subject, type SchedulerLike } from 'rxjs';
import { classifyError } from '../errors/classifyError.js';
import { L0Error } from '../errors/L0Error.js';
import { isPromiseLike, quiet } from '../internal/isPromiseLike.js';
import { describeOption } from '../internal/options.js';
import { defer$, RoundQueue, withinStoreTimeout } from './storeRounds.js';
import { acquire, current, release, settle } from './breakerState.js';
import type { BreakerRecord, BreakerRules, BreakerState, CallOutcome, Probe } from './breakerState.js';
import type { BreakerStore } from './breakerStore.js';
import type { CircuitBreakerConfig } from './createCircuitBreaker.js';

/** A state change, as seen by this process. */
export interface BreakerStateChange {
  readonly key: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
  /** Scheduler time of the change, in ms. */
  readonly at: number;
}

/** A ticket for one call. @internal */
export interface BreakerTicket {
  readonly allowed: boolean;
  /** The half-open period this call probes (its `period` number and `openedAt`); `undefined`: not a probe. */
  readonly probe: Probe;
  readonly state: BreakerState;
  readonly retryInMs: number;
}

/** A circuit breaker for one model, shared by every call that pipes {@link circuitBreaker} with it. */
export class CircuitBreaker {
  readonly key: string;
  /** Every state change this process sees (a change made by another server shows when this one next reads it). */
  readonly stateChanges: Observable<BreakerStateChange>;
  private readonly changes = new Subject<BreakerStateChange>();
  /** The state this process last saw, so a change made by another server is reported when read. */
  private lastSeen: BreakerState = 'closed';
  /**
   * The `version` of the record the rounds reported had seen last (they read it, or wrote it): a
   * round whose record is older is stale, whenever its answer comes (a client whose replies come
   * back out of order answers a read Redis ran before another round's write after that round).
   * `undefined`: none reported yet, or a record without a version (written by an earlier version).
   */
  private reportedVersion: number | undefined;
  /** Rounds of the same version (or without one) are ordered as their change is computed, the newest one reported: an older answer arriving late is stale... */
  private rounds = 0;
  private reported = 0;
  /**
   * Rounds reported so far. A round sent after the last reported one was answered reads the store as
   * of after it: never stale, whatever its version (a record another process wrote after the key
   * expired, versioned by a clock behind the one of the records reported before, or one it only read).
   */
  private reports = 0;
  /**
   * `reports` once a round so reported went back in version (the key expired, and another process
   * versions by a clock behind), or to a malformed one: an atomic update sent before it (a pooled
   * client's) read either history, so its version orders nothing (a read from before the expiry has
   * the higher one); it is stale unless it wrote over the very record reported. One whose version is
   * below the one reported when it was sent read after versions started again: it is ordered by
   * version (right when they started again once while it was in flight; after two restarts a read
   * between them looks newer than one after the second). Read-then-write rounds run one at a time: one queued behind read after it.
   */
  private restarted = 0;
  /**
   * ...unless it wrote over the very record the rounds reported had seen last (`storeView`: what the
   * store held as of them): a compare-and-set store (Redis) computes a change between its read and
   * its write, so a round computed first can land after a later round's read.
   */
  private storeView: BreakerRecord | undefined;
  /** Read-then-write rounds, one at a time (a store without `update`). */
  private readonly queue = new RoundQueue();
  private readonly rules: BreakerRules;
  private readonly store: BreakerStore;
  private readonly scheduler: SchedulerLike;
  private readonly storeTimeout: number;
  private readonly isFailure: NonNullable<CircuitBreakerConfig['isFailure']>;
  private readonly onStateChange: ((change: BreakerStateChange) => void) | undefined;

  /** @internal Use {@link createCircuitBreaker}. */
  constructor(key: string, rules: BreakerRules, options: Required<Pick<CircuitBreakerConfig, 'store' | 'scheduler' | 'storeTimeout' | 'isFailure'>> & Pick<CircuitBreakerConfig, 'onStateChange'>) {
    this.key = key;
    this.rules = rules;
    this.store = options.store;
    this.scheduler = options.scheduler;
    this.storeTimeout = options.storeTimeout;
    this.isFailure = options.isFailure;
    this.onStateChange = options.onStateChange;
    this.stateChanges = this.changes.asObservable();
  }

  /**
   * The state now (an open breaker past its reset timeout reads as half-open). Synchronous with the
   * memory store. A store that fails errors it with the store's error (a scheduler whose `now()` reads
   * no finite number, with a TypeError naming the reading), and one that has not answered
   * within `storeTimeout` with an {@link L0Error} `BREAKER_STORE_TIMEOUT` (category `timeout`), so a
   * health check never hangs on a store that is away (its clock starts a microtask after the read,
   * as every `storeTimeout` clock does).
   */
  state(): Observable<BreakerState> {
    return defer(() => {
      const read = this.read().pipe(map((rec): BreakerState | undefined => current(rec, this.now(), this.rules).state));
      return withinStoreTimeout(read, this.storeTimeout, this.scheduler, undefined, undefined, true);
    }).pipe(map((state) => state ?? this.hung()));
  }

  private hung(): never {
    throw new L0Error(`createCircuitBreaker: no store answer for the state of ${JSON.stringify(this.key)} within storeTimeout (${this.storeTimeout} ms)`, {
      code: 'BREAKER_STORE_TIMEOUT',
      category: 'timeout',
      retryable: true,
      reason: 'timeout',
    });
  }

  /**
   * @internal Asks to make a call; a failing store lets it through. Also gives the state changes this read saw.
   * The store's answer is awaited even when the caller unsubscribes first: a probe slot taken for a
   * caller that has gone is released (else an asynchronous store would keep it taken for good).
   */
  acquire(): Observable<[BreakerTicket, readonly BreakerStateChange[]]> {
    return new Observable((subscriber) => {
      const answer = new ReplaySubject<[BreakerTicket, readonly BreakerStateChange[]]>(1);
      this.update<BreakerTicket>((rec, now) => {
        const r = acquire(rec, now, this.rules);
        return [r.rec, { allowed: r.allowed, probe: r.probe, state: r.rec.state, retryInMs: r.retryInMs }];
      }, { allowed: true, probe: undefined, state: 'closed', retryInMs: 0 }, (late) => this.release(late)).subscribe(answer);
      let delivered = false;
      const sub = answer.subscribe({ next: (v) => ((delivered = true), subscriber.next(v)), complete: () => subscriber.complete() });
      return () => {
        sub.unsubscribe();
        if (!delivered) answer.subscribe(([ticket]) => this.release(ticket));
      };
    });
  }

  /**
   * @internal Records how a call ended; gives the state changes it made or saw. The write runs to
   * its end even when the caller unsubscribes (so a probe slot is never lost).
   */
  settle(ticket: BreakerTicket, result: { error: unknown } | undefined): Observable<readonly BreakerStateChange[]> {
    return defer(() => {
      const done = new ReplaySubject<readonly BreakerStateChange[]>(1);
      this.outcome(result)
        .pipe(concatMap((outcome) => this.update((rec, now) => [settle(rec, now, this.rules, outcome, ticket.probe), undefined], undefined)))
        .pipe(map(([, changes]) => changes))
        .subscribe(done);
      return done;
    });
  }

  /**
   * What a call's end counts as: `isFailure`'s answer (only `false` spares a call: undefined, a
   * missing `return`, would never open the breaker). A throw is a failure, so a probe slot is settled
   * and freed. An async answer is awaited up to storeTimeout; a rejection, or no answer by then, is a failure.
   */
  private outcome(result: { error: unknown } | undefined): Observable<CallOutcome> {
    if (result === undefined) return of('success');
    const counted = (verdict: unknown): CallOutcome => (verdict === false ? 'neutral' : 'failure');
    let verdict: unknown;
    try {
      verdict = this.isFailure(result.error, classifyError(result.error));
    } catch {
      return of('failure');
    }
    if (!isPromiseLike(verdict)) return of(counted(verdict));
    const answer = defer$(() => verdict).pipe(map(counted), catchError(() => of<CallOutcome>('failure')));
    return withinStoreTimeout(answer, this.storeTimeout, this.scheduler, 'failure', undefined, false);
  }

  /** @internal A call unsubscribed before it ended. */
  release(ticket: BreakerTicket): void {
    if (ticket.probe !== undefined) this.update((rec) => [release(rec, ticket.probe), undefined], undefined).subscribe();
  }

  /**
   * The scheduler's time. A reading that is no finite number (NaN would open the breaker for good, at
   * NaN, and version every write after it NaN) is a TypeError: the round fails, as on a store that fails.
   */
  private now(): number {
    const now = this.scheduler.now();
    if (Number.isFinite(now)) return now;
    throw new TypeError(`createCircuitBreaker({scheduler}).now() returned ${describeOption(now)}; it must return a finite number of ms`);
  }

  private read(): Observable<BreakerRecord | undefined> {
    return defer$(() => this.store.get(this.key));
  }

  /**
   * Applies `fn` to the record as of now, through the store's atomic `update` when it has one
   * (`fn` may then run more than once: only the last run counts), else read then write, one round
   * at a time (an asynchronous store would otherwise let two rounds read the same record and one
   * write over the other: a lost count, a probe too many).
   * Emits `fn`'s result and the state changes seen, once reported to the callback and `stateChanges`.
   * A round applied before one already reported (an answer arriving out of order) reports nothing:
   * the state this process has seen never goes backwards (`stale`: by the record's `version`). A
   * round computed earlier whose write landed after the reported rounds' read (a compare-and-set
   * after another round's `GET`) is not stale: it wrote over what they saw, and reports its change.
   * Nor is a round sent once the last reported one was answered: the store ran it after that one.
   */
  private update<R>(fn: (rec: BreakerRecord, now: number) => [BreakerRecord, R], onStoreError: R, late?: (result: R) => void): Observable<[R, readonly BreakerStateChange[]]> {
    const was = this.reportedVersion;
    const sent = this.reports;
    let round: { stored: BreakerRecord | undefined; wrote: BreakerRecord; before: BreakerRecord; next: BreakerRecord; result: R; now: number; seq: number } | undefined;
    const change = (stored: BreakerRecord | undefined): BreakerRecord => {
      const now = this.now();
      const before = current(stored, now, this.rules);
      const [next, result] = fn(before, now);
      // one above the record replaced (1 over none, or a malformed version), and at least the clock: after an expired or reset key the count goes on from there;
      // and above the record reported (a clock behind it, virtual or lagging: a record written over nothing would read as stale)
      const wrote = next === stored ? stored : Object.freeze({ ...next, version: Math.max(versionOf(stored)! + 1 || 1, now, this.reportedVersion! + 1 || 1) });
      round = { stored, wrote, before, next, result, now, seq: ++this.rounds };
      return wrote;
    };
    const store = this.store;
    const written: Observable<unknown> = store.update
      ? defer$(() => store.update!(this.key, change))
      : this.queue.run(() =>
          this.read().pipe(
            concatMap((stored) => {
              const next = change(stored);
              return next === stored ? of(undefined) : defer$(() => store.set(this.key, next));
            }),
          ),
        );
    const answered = written.pipe(
      map(() => {
        const { stored, wrote, before, next, result, now, seq } = round!;
        const version = versionOf(wrote);
        if (sent < this.reports && this.stale(wrote, stored, seq, !!store.update && sent < this.restarted && !(version! < was!), version! - this.reportedVersion!)) return [result, []] as [R, readonly BreakerStateChange[]];
        // recorded before the callbacks run: one that calls through the breaker at once sees this round as reported
        const seen = this.lastSeen;
        this.reported = Math.max(this.reported, seq);
        // a malformed version after a well-formed one goes back too; never with none reported yet (undefined compares false)
        if ((version ?? -1) < this.reportedVersion!) this.restarted = this.reports + 1;
        this.reports++;
        this.reportedVersion = version;
        this.storeView = wrote;
        this.lastSeen = next.state;
        const changes: BreakerStateChange[] = [];
        if (seen !== before.state) changes.push(this.emit(seen, before.state, now));
        if (before.state !== next.state) changes.push(this.emit(before.state, next.state, now));
        return [result, changes] as [R, readonly BreakerStateChange[]];
      }),
      catchError(() => of<[R, readonly BreakerStateChange[]]>([onStoreError, []])),
    );
    // a store that does not answer within storeTimeout is one that fails (its late answer is still applied)
    return withinStoreTimeout(answered, this.storeTimeout, this.scheduler, [onStoreError, []], late && (([result]) => late(result)), !store.update);
  }

  /**
   * Whether a round's answer is older than what the rounds reported had seen: by the `version` of
   * the record it read (no write) or wrote, when both have one and they differ; else (one version,
   * or a record from an earlier version) by when its change was computed, unless it wrote over the
   * very record they saw last (the same object in memory, or the same fields in a store that keeps JSON).
   * `unordered` (sent before the version went back, its version not below the one reported then): by that last test alone. `newer`: its version
   * less the one reported (NaN when either is missing).
   */
  private stale(wrote: BreakerRecord | undefined, stored: BreakerRecord | undefined, seq: number, unordered: boolean, newer: number): boolean {
    if (!unordered && newer) return newer < 0;
    return (unordered || seq < this.reported) && (wrote === stored || JSON.stringify(stored) !== JSON.stringify(this.storeView));
  }

  private emit(from: BreakerState, to: BreakerState, at: number): BreakerStateChange {
    const change = Object.freeze({ key: this.key, from, to, at });
    try {
      // an async callback (`async (c) => log.write(c)`): its rejection is ignored as a throw is, never left unhandled
      quiet(this.onStateChange?.(change));
    } catch {
      /* a callback that throws never breaks a call */
    }
    this.changes.next(change);
    return change;
  }
}

/**
 * A record's place in the store's history: 0 for none stored yet; `undefined` for one written by a
 * version without the counter, or by another writer with one that is no number from 0 to 2^53 - 1
 * (a string, null, NaN, a negative one, one that `+ 1` no longer raises): it would be compared as text,
 * as 0, or as never older, and written over with itself. Read as missing, it is replaced at the next write.
 */
const versionOf = (rec: BreakerRecord | undefined): number | undefined => {
  if (rec === undefined) return 0;
  const v = rec.version;
  return typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER ? v : undefined;
};
