import { asyncScheduler, catchError, concatMap, defer, map, Observable, of, ReplaySubject, Subject, type SchedulerLike } from 'rxjs';
import { classifyError, type ErrorClassification } from '../errors/classifyError.js';
import { L0Error } from '../errors/L0Error.js';
import { checkBag, checkKeys, isSchedulerLike, optionError, optionKeys, optionPath } from '../internal/options.js';
import { isPromiseLike, quiet } from '../internal/isPromiseLike.js';
import { checkTimerDelay } from '../internal/timerDelay.js';
import { defer$, RoundQueue, withinStoreTimeout } from './storeRounds.js';
import { acquire, current, release, settle } from './breakerState.js';
import type { BreakerRecord, BreakerRules, BreakerState, CallOutcome, Probe } from './breakerState.js';
import { memoryBreakerStore, type BreakerStore } from './breakerStore.js';

/** Options of {@link createCircuitBreaker}. */
export interface CircuitBreakerConfig {
  /** The breaker's name in the store: one per model (`'openai:gpt-4o'`). Required. */
  readonly key: string;
  /** Consecutive counted failures that open the breaker; 0 turns this trigger off (only with `failureRatio` set: alone, a TypeError). @default 5 */
  readonly failureThreshold?: number;
  /** Share of counted failures in the window that opens it, in (0, 1]. @default undefined (off) */
  readonly failureRatio?: number;
  /** Calls in the window before `failureRatio` applies. @default 10 */
  readonly minimumThroughput?: number;
  /** The failure-ratio window (tumbling), in ms. @default 60000 */
  readonly windowMs?: number;
  /** How long it stays open before letting probes through (half-open), in ms. @default 30000 */
  readonly resetTimeout?: number;
  /**
   * Probes at once while half-open. A slot is held for at most `resetTimeout` from the last probe let
   * through: then it is given back, so a probe whose end was never recorded (its server crashed, a
   * store write failed) cannot hold the breaker half-open, failing every call, for good; a slow probe
   * that ends later still counts (and frees no slot: its own was given back, and one taken since is
   * not its to free). @default 1
   */
  readonly halfOpenMaxProbes?: number;
  /** Successful probes that close it again. @default 1 */
  readonly successThreshold?: number;
  /**
   * Which errors count as failures (a throw, or a value that is not a boolean, counts the call as a
   * failure; the call still fails with its own error). May be async: its promise is awaited up to
   * `storeTimeout` (the call's end waits for it), and a rejection, or no answer by then, counts the
   * call as a failure. @default provider health only: network, server, timeout and rate-limit categories
   * (never a 400, context length, auth, content or abort)
   */
  readonly isFailure?: (error: unknown, classification: ErrorClassification) => boolean | PromiseLike<boolean>;
  /** Where the state lives. @default memoryBreakerStore() (this breaker only) */
  readonly store?: BreakerStore;
  /**
   * How long a store answer is waited for, in ms of `scheduler` time; past it the breaker acts as on
   * a store that fails (a call is let through, a call's end is not held back) and applies the answer
   * when it comes (a probe slot it took is given back). A store that hangs (a Redis client queueing
   * commands while it reconnects) never holds a call. An async `isFailure` is waited for as long:
   * past it the call counts as failed, and its answer, when it comes, is ignored. `state()` errors
   * past it (`BREAKER_STORE_TIMEOUT`), as it does with the error of a store that fails. `Infinity` waits
   * forever; a finite one is at most 2147483647 (about 24.8 days, the longest a timer waits). Each
   * clock starts a microtask after its store call (or `isFailure` call), once the promise had its
   * own reactions, as the event log's `storeTimeout`: a virtual flush (`TestScheduler.run`) never
   * beats a real store's answer, so a test flushes (or awaits) again to see a bound pass. @default 1000
   */
  readonly storeTimeout?: number;
  /** Time source (`resetTimeout`, the window). @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** Called on every state change this process sees. A throw is ignored, and so is the rejection of the promise an async one returns. @default undefined */
  readonly onStateChange?: (change: BreakerStateChange) => void;
}

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

const HEALTH: ReadonlySet<string> = /*#__PURE__*/ new Set(['network', 'server', 'timeout', 'rate-limit']);
const KEYS = /*#__PURE__*/ optionKeys<CircuitBreakerConfig>()([
  'key', 'failureThreshold', 'failureRatio', 'minimumThroughput', 'windowMs', 'resetTimeout', 'halfOpenMaxProbes', 'successThreshold', 'isFailure', 'store', 'storeTimeout', 'scheduler', 'onStateChange',
]);
const PATH = /*#__PURE__*/ optionPath('createCircuitBreaker');

/** A circuit breaker for one model, shared by every call that pipes {@link circuitBreaker} with it. */
export class CircuitBreaker {
  readonly key: string;
  /** Every state change this process sees (a change made by another server shows when this one next reads it). */
  readonly stateChanges: Observable<BreakerStateChange>;
  private readonly changes = new Subject<BreakerStateChange>();
  /** The state this process last saw, so a change made by another server is reported when read. */
  private lastSeen: BreakerState = 'closed';
  /** Rounds numbered as the store applies them, and the newest one reported: an older answer arriving late is stale. */
  private rounds = 0;
  private reported = 0;
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
   * memory store. A store that fails errors it with the store's error, and one that has not answered
   * within `storeTimeout` with an {@link L0Error} `BREAKER_STORE_TIMEOUT` (category `timeout`), so a
   * health check never hangs on a store that is away (its clock starts a microtask after the read,
   * as every `storeTimeout` clock does).
   */
  state(): Observable<BreakerState> {
    return defer(() => {
      const read = this.read().pipe(map((rec): BreakerState | undefined => current(rec, this.scheduler.now(), this.rules).state));
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
   * the state this process has seen never goes backwards.
   */
  private update<R>(fn: (rec: BreakerRecord, now: number) => [BreakerRecord, R], onStoreError: R, late?: (result: R) => void): Observable<[R, readonly BreakerStateChange[]]> {
    let round: { before: BreakerRecord; next: BreakerRecord; result: R; now: number; seq: number } | undefined;
    const change = (stored: BreakerRecord | undefined): BreakerRecord => {
      const now = this.scheduler.now();
      const before = current(stored, now, this.rules);
      const [next, result] = fn(before, now);
      round = { before, next, result, now, seq: ++this.rounds };
      return next === stored ? stored : Object.freeze(next);
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
        const { before, next, result, now, seq } = round!;
        if (seq < this.reported) return [result, []] as [R, readonly BreakerStateChange[]];
        // recorded before the callbacks run: one that calls through the breaker at once sees this round as reported
        const seen = this.lastSeen;
        this.reported = seq;
        this.lastSeen = next.state;
        const changes: BreakerStateChange[] = [];
        if (seen !== before.state) changes.push(this.emit(seen, before.state, now));
        if (before.state !== next.state) changes.push(this.emit(before.state, next.state, now));
        return [result, changes] as [R, readonly BreakerStateChange[]];
      }),
      catchError(() => of<[R, readonly BreakerStateChange[]]>([onStoreError, []])),
    );
    // a store that does not answer within storeTimeout is one that fails (its late answer is still applied)
    return withinStoreTimeout(answered, this.storeTimeout, this.scheduler, [onStoreError, []], late && (([result]) => late(result)), store.update === undefined);
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
 * Creates a circuit breaker for one model key. Share it: every call piped through
 * `circuitBreaker(breaker)` counts towards the same state.
 *
 *   closed --(failureThreshold failures, or failureRatio over minimumThroughput)--> open
 *   open --(resetTimeout)--> half-open --(successThreshold probes succeed)--> closed
 *                            half-open --(a probe fails)--> open
 *
 * @example
 * import { createCircuitBreaker } from 'l0-rx';
 * const gpt = createCircuitBreaker({ key: 'gpt-4o', failureThreshold: 3, resetTimeout: 10_000 });
 * gpt.stateChanges.subscribe((c) => console.log(`${c.key}: ${c.from} -> ${c.to}`));
 * @see {@link circuitBreaker}
 * @param config See {@link CircuitBreakerConfig}.
 */
export function createCircuitBreaker(config: CircuitBreakerConfig): CircuitBreaker {
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { key, failureThreshold = 5, failureRatio, minimumThroughput = 10, windowMs = 60_000, resetTimeout = 30_000, halfOpenMaxProbes = 1, successThreshold = 1 } = config;
  const { isFailure = (_e: unknown, c: ErrorClassification) => HEALTH.has(c.category), store = memoryBreakerStore(), storeTimeout = 1000, scheduler = asyncScheduler, onStateChange } = config;
  if (typeof key !== 'string' || key === '') throw optionError(PATH, 'key', 'a non-empty string', key);
  const ints = { failureThreshold, minimumThroughput, halfOpenMaxProbes, successThreshold } as const;
  for (const [name, v] of Object.entries(ints)) {
    if (!Number.isInteger(v) || v < (name === 'failureThreshold' ? 0 : 1)) throw optionError(PATH, name, `an integer >= ${name === 'failureThreshold' ? 0 : 1}`, v);
  }
  for (const [name, v] of Object.entries({ windowMs, resetTimeout })) {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw optionError(PATH, name, 'a finite number of ms > 0', v);
  }
  if (failureRatio !== undefined && !(typeof failureRatio === 'number' && failureRatio > 0 && failureRatio <= 1)) throw optionError(PATH, 'failureRatio', 'a number in (0, 1]', failureRatio);
  if (failureThreshold === 0 && failureRatio === undefined) throw optionError(PATH, 'failureThreshold', 'above 0 when failureRatio is not set (nothing would open the breaker)', failureThreshold);
  if (typeof store?.get !== 'function' || typeof store.set !== 'function') throw optionError(PATH, 'store', 'a BreakerStore ({get, set})', store);
  if (typeof storeTimeout !== 'number' || !(storeTimeout > 0)) throw optionError(PATH, 'storeTimeout', 'a number of ms > 0 (Infinity: wait for the store forever)', storeTimeout);
  checkTimerDelay(PATH, 'storeTimeout', storeTimeout);
  if (!isSchedulerLike(scheduler)) throw optionError(PATH, 'scheduler', 'a SchedulerLike', scheduler);
  for (const [name, fn] of Object.entries({ isFailure, onStateChange })) {
    if (fn !== undefined && typeof fn !== 'function') throw optionError(PATH, name, 'a function', fn);
  }
  const rules: BreakerRules = { failureThreshold, failureRatio, minimumThroughput, windowMs, resetTimeout, halfOpenMaxProbes, successThreshold };
  return new CircuitBreaker(key, rules, { store, scheduler, storeTimeout, isFailure, ...(onStateChange ? { onStateChange } : {}) });
}
