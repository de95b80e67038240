import { asyncScheduler, concat, concatMap, defer, from, of, throwError, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { L0Event } from './eventTypes.js';
import { EVENT_LOG_VERSION, type EventEnvelope, type EventStore, type RecordedErrorEvent } from './eventStore.js';
import { EventLogError } from './EventLogError.js';
import { deserializeTypedError as deserializeError } from '../errors/deserializeTypedError.js';
import type { L0Error } from '../errors/L0Error.js';
import { MAX_DEPTH } from '../errors/deserializeError.js';
import { afterStore, answered, callName, checkStoreCall, STORE_TIMEOUT } from './storeCall.js';
import { checkBag, checkKeys, describeOption, optionError, optionKeys, optionPath } from '../internal/options.js';
import { clampTimerDelay } from '../internal/timerDelay.js';

/** Options of {@link replayEvents}. Every field is optional. */
export interface ReplayEventsConfig {
  /**
   * Playback speed: `0` replays every event at once (synchronously for a synchronous store); `1`
   * reproduces the recorded gaps between events, `10` ten times faster. @default 0
   */
  readonly speed?: number;
  /**
   * First `seq` to replay (inclusive). The replay starts there: a stream holding later envelopes
   * but not this one has lost it (`INVALID_LOG`); one holding none from here on is `STREAM_EMPTY`.
   * @default 0
   */
  readonly fromSeq?: number;
  /** Last `seq` to replay (inclusive). @default the last recorded */
  readonly toSeq?: number;
  /**
   * How long each store call of the replay (its `read`; on an empty read, the `has` or `streams`
   * that tells an unknown stream from an empty range) is waited for, in ms of `scheduler` time: a
   * store that has not answered by then errors the replay with an `EventLogError` `STORE_TIMEOUT`
   * (retryable) naming the call and the time, so a store that hangs never hangs the replay. A
   * store that answers synchronously (the memory store) is never timed. `Infinity` waits forever;
   * a finite one is at most 2147483647 (about 24.8 days). @default 30000
   */
  readonly storeTimeout?: number;
  /** Time source for the gaps when `speed > 0`, and for `storeTimeout`. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

/** The documented defaults of {@link replayEvents}. */
export const REPLAY_EVENTS_DEFAULTS = /*#__PURE__*/ Object.freeze({ speed: 0, storeTimeout: STORE_TIMEOUT } as const);

const KEYS = /*#__PURE__*/ optionKeys<ReplayEventsConfig>()(['speed', 'fromSeq', 'toSeq', 'storeTimeout', 'scheduler']);
const ROOT = /*#__PURE__*/ optionPath('replayEvents', 'store, streamId, ');

/**
 * The recorded events of one stream as a cold `Observable<L0Event>`; a recorded terminal error
 * is rethrown as the typed error it was ({@link deserializeError}), with the run's failed attempts
 * (`attemptErrors`). Piping the replay through the same operators (accumulate, tapLifecycle,
 * guardrails, drift detection) reproduces the live run's output, so new rules can be tried on old
 * runs.
 *
 *   log: s(0) a(1) b(2) x(3), 10 ms apart
 *   (sabx|)          replayEvents(store, id)
 *   s 9ms a 9ms b 9ms (x|)   replayEvents(store, id, { speed: 1, scheduler })
 *   (ab|)            replayEvents(store, id, { fromSeq: 1, toSeq: 2 })
 *   log: s(0) b(2) x(3)   (seq 1 lost)
 *   #                replayEvents(store, id): INVALID_LOG, "seq 1 is missing"
 *   store.read never answers
 *   50ms #           replayEvents(store, id, { storeTimeout: 50, scheduler }): STORE_TIMEOUT
 *
 * 1. The store is read on subscription; every subscription reads it again.
 * 2. An unknown stream errors with `EventLogError` `STREAM_NOT_FOUND`; a known stream with no
 *    envelope in the range with `STREAM_EMPTY`; a damaged log with `INVALID_LOG`, before any event:
 *    an envelope of another schema version or malformed (no integer `seq`, finite `ts`, `event`
 *    with a string `type`, or recorded error with a string `name` and `message`, and
 *    `attemptErrors` and `errors`, if any, lists of such, theirs too), or a `seq` that does not run `fromSeq`,
 *    `fromSeq + 1`... (a lost, repeated or reordered envelope; a log trimmed at its head), the
 *    message naming the envelope and the missing `seq`. A store whose `read` (or `streams`) answers
 *    no array (`undefined` for an unknown stream) errors it with a TypeError naming the call.
 * 3. With `speed > 0` the first event comes at once and each next one after
 *    `(its ts - previous ts) / speed` ms on `scheduler`, at most 2147483647 ms (about 24.8 days,
 *    the longest a timer waits: a longer gap, or a tiny `speed`, waits that long).
 * 4. Each store call that answers with a promise is waited for at most `storeTimeout` (30 s by
 *    default): then the replay errors with `STORE_TIMEOUT`, naming the call (`read("id")`) and
 *    the time, and a later answer is ignored.
 * 5. A log without its end (no `complete` event and no recorded error: the run is still being
 *    recorded, its events are still on their way to the store, or its process died before the
 *    recorder could end it) replays what it holds and completes: `accumulate()`'s last state is
 *    then `'streaming'` (`'retrying'` when the log stops at a `retry` or `fallback`: its attempt retracted), which says so. Wait for `recordEvents`' `onRecorded` before replaying a
 *    run you have just recorded; follow a live one with `store.follow` (or an SSE store replay).
 *
 * @example
 * import { accumulate, createMemoryEventStore, replayEvents } from 'l0-rx';
 * const store = createMemoryEventStore();
 * replayEvents(store, 'req-42').pipe(accumulate()).subscribe((s) => console.log(s.content));
 * @see {@link recordEvents}
 * @param store The store the run was recorded to.
 * @param streamId The recorded stream.
 * @param config See {@link ReplayEventsConfig}.
 */
export function replayEvents(store: EventStore, streamId: string, config: ReplayEventsConfig = {}): Observable<L0Event> {
  if (typeof store !== 'object' || store === null || typeof store.read !== 'function' || typeof store.streams !== 'function') {
    throw new TypeError(`replayEvents(store) must be an EventStore (an object with append, read, streams and delete), got ${describeOption(store)}`);
  }
  if (typeof streamId !== 'string' || streamId === '') throw new TypeError(`replayEvents(store, streamId) must be a non-empty string, got ${describeOption(streamId)}`);
  const { speed, range, scheduler, storeTimeout } = resolveReplay(config);
  /** `next` of the store's answer to `call`: at once for a value, within storeTimeout for a promise. */
  const then = <T>(value: T | PromiseLike<T>, call: () => string, next: (v: T) => Observable<L0Event>): Observable<L0Event> =>
    afterStore(value, storeTimeout, scheduler, streamId, call, next);
  const known$ = (isKnown: boolean): Observable<L0Event> => isKnown
    ? throwError(() => new EventLogError('STREAM_EMPTY', streamId, `Stream ${streamId} has no events${range.fromSeq === undefined && range.toSeq === undefined ? '' : ` from seq ${range.fromSeq ?? 0} to ${range.toSeq ?? 'the end'}`}`))
    : throwError(() => new EventLogError('STREAM_NOT_FOUND', streamId, `Stream ${streamId} not found`));
  // an unknown stream or an empty range: the store's `has` when it has one (one key), else its listing
  const whenEmpty = (): Observable<L0Event> =>
    defer(() => {
      if (typeof store.has !== 'function') return then(store.streams(), () => 'streams()', (ids) => known$(answered(ids, 'replayEvents', 'streams()').includes(streamId)));
      return then(store.has(streamId), () => callName('has', streamId), (isKnown) => known$(isKnown === true));
    });
  const read = callName('read', streamId, Object.keys(range).length === 0 ? undefined : range);
  return defer(() =>
    then(store.read(streamId, range), () => read, (envelopes) => (answered(envelopes, 'replayEvents', read).length === 0 ? whenEmpty() : play(streamId, envelopes, range.fromSeq ?? 0, speed, scheduler))),
  );
}

function play(streamId: string, envelopes: readonly EventEnvelope[], first: number, speed: number, scheduler: SchedulerLike): Observable<L0Event> {
  let previous: EventEnvelope | undefined;
  for (const e of envelopes) {
    const wrong = malformed(e, previous) ?? misplaced(e.seq, previous, first);
    if (wrong !== undefined) throw invalid(streamId, wrong);
    previous = e;
  }
  const emit = (e: EventEnvelope): Observable<L0Event> => (e.event.type === 'error' ? throwError(() => replayedError(e.event as RecordedErrorEvent)) : of(e.event));
  if (speed === 0) {
    const last = envelopes[envelopes.length - 1]!;
    const events = (last.event.type === 'error' ? envelopes.slice(0, -1) : envelopes).map((e) => e.event as L0Event);
    return last.event.type === 'error' ? concat(from(events), emit(last)) : from(events);
  }
  return from(envelopes).pipe(
    concatMap((e, i) => {
      const gap = i === 0 ? 0 : clampTimerDelay(Math.max(0, (e.ts - envelopes[i - 1]!.ts) / speed));
      return gap > 0 ? timer(gap, scheduler).pipe(concatMap(() => emit(e))) : emit(e);
    }),
  );
}

/** What is wrong with the shape of envelope `e` (read after `previous`), or `undefined`: the fields a replay relies on. */
function malformed(e: EventEnvelope, previous: EventEnvelope | undefined): string | undefined {
  if (typeof e !== 'object' || e === null) return `${after(previous)} is ${describeOption(e)}, not an envelope`;
  // another schema version may lay its fields out differently: named by its version only
  if (e.v !== EVENT_LOG_VERSION) return `an envelope has schema version ${describeOption(e.v)}, expected ${EVENT_LOG_VERSION}`;
  if (!Number.isSafeInteger(e.seq)) return `${after(previous)} has seq ${describeOption(e.seq)}, not an integer`;
  if (typeof e.ts !== 'number' || !Number.isFinite(e.ts)) return `the envelope at seq ${e.seq} has ts ${describeOption(e.ts)}, not a finite number`;
  const event = e.event as unknown as { type?: unknown; error?: unknown } | null;
  if (typeof event !== 'object' || event === null) return `the envelope at seq ${e.seq} has no event object (event is ${describeOption(event)})`;
  if (typeof event.type !== 'string') return `the event at seq ${e.seq} has type ${describeOption(event.type)}, not a string`;
  if (event.type !== 'error') return undefined;
  const error = event.error as { name?: unknown; message?: unknown } | null;
  if (typeof error !== 'object' || error === null) return `the error event at seq ${e.seq} has no error object (error is ${describeOption(error)})`;
  if (typeof error.name !== 'string') return `the recorded error at seq ${e.seq} has name ${describeOption(error.name)}, not a string`;
  if (typeof error.message !== 'string') return `the recorded error at seq ${e.seq} has message ${describeOption(error.message)}, not a string`;
  const { attemptErrors, errors } = error as { attemptErrors?: unknown; errors?: unknown };
  // (each attempt is rebuilt on its own: its `errors` one level less deep than an `errors` entry's)
  if (attemptErrors !== undefined && !(Array.isArray(attemptErrors) && errorList(attemptErrors, -1))) {
    return `the recorded error at seq ${e.seq} has attemptErrors ${describeOption(attemptErrors)}, not a list of errors nested at most ${MAX_DEPTH} deep`;
  }
  // (an exhaustion's `errors` are rebuilt, and deserializeError refuses a list holding a non-error: a TypeError after the events)
  return errorList(errors) ? undefined : `the recorded error at seq ${e.seq} has errors ${describeOption(errors)}, not a list of errors nested at most ${MAX_DEPTH} deep`;
}

/**
 * Whether `list`, when it is an array, holds serialised errors only (a string `name` and `message`), and so do their
 * `errors`, nested at most {@link MAX_DEPTH} deep, as deserializeError checks them (a log line 3,000 exhaustions deep
 * was a RangeError, not INVALID_LOG).
 */
const errorList = (list: unknown, depth = 0): boolean =>
  !Array.isArray(list) || (depth <= MAX_DEPTH && list.every((a: { name?: unknown; message?: unknown; errors?: unknown } | null) => typeof a?.name === 'string' && typeof a.message === 'string' && errorList(a.errors, depth + 1)));

/** The recorded terminal error as the typed error the run ended with, its failed attempts (`attemptErrors`) rebuilt too. */
function replayedError({ error }: RecordedErrorEvent): L0Error {
  const typed = deserializeError(error);
  const attempts = error.attemptErrors;
  return attempts === undefined || attempts.length === 0 ? typed : typed.withRunInfo({ attemptErrors: attempts.map(deserializeError) });
}

function after(previous: EventEnvelope | undefined): string {
  return previous === undefined ? 'the first envelope' : `the envelope after seq ${previous.seq}`;
}

/** What is wrong with `seq` after `previous` in a replay from `first` (a log numbers its envelopes 0, 1, 2...), or `undefined`. */
function misplaced(seq: number, previous: EventEnvelope | undefined, first: number): string | undefined {
  if (previous === undefined) {
    if (seq === first) return undefined;
    const what = first === 0 ? 'the log' : `the range from seq ${first}`;
    return seq > first ? `seq ${first} is missing: ${what} starts at seq ${seq}` : `${what} starts at seq ${seq}`;
  }
  if (previous.event.type === 'error') return `seq ${seq} follows the recorded terminal error`;
  if (seq === previous.seq + 1) return undefined;
  return seq > previous.seq ? `seq ${previous.seq + 1} is missing: seq ${seq} follows seq ${previous.seq}` : `seq ${seq} follows seq ${previous.seq}`;
}

function invalid(streamId: string, why: string): EventLogError {
  return new EventLogError('INVALID_LOG', streamId, `Stream ${streamId} is not a valid event log: ${why}`);
}

function resolveReplay(config: ReplayEventsConfig) {
  checkBag(ROOT, config);
  checkKeys(ROOT, config, KEYS);
  const { speed = REPLAY_EVENTS_DEFAULTS.speed, fromSeq, toSeq, storeTimeout = REPLAY_EVENTS_DEFAULTS.storeTimeout, scheduler = asyncScheduler } = config;
  if (typeof speed !== 'number' || !(speed >= 0) || speed === Infinity) throw optionError(ROOT, 'speed', 'a finite number >= 0', speed);
  for (const [name, value] of [['fromSeq', fromSeq], ['toSeq', toSeq]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) throw optionError(ROOT, name, 'an integer >= 0', value);
  }
  if (fromSeq !== undefined && toSeq !== undefined && fromSeq > toSeq) throw optionError(ROOT, 'toSeq', `at least fromSeq (${fromSeq})`, toSeq);
  checkStoreCall(ROOT, storeTimeout, scheduler);
  const range = { ...(fromSeq === undefined ? {} : { fromSeq }), ...(toSeq === undefined ? {} : { toSeq }) };
  return { speed, range, scheduler, storeTimeout };
}
