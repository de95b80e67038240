import { asyncScheduler, Observable, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import type { L0Event } from './eventTypes.js';
import type { EventStore } from './eventStore.js';
import type { EventLogError } from './EventLogError.js';
import { Recorder } from './recorder.js';
import { checkRunTag, newRunTag } from './runTag.js';
import { checkStoreCall, STORE_TIMEOUT } from './storeCall.js';
import { checkBag, checkKeys, describeOption, optionError, optionKeys, optionPath, type OptionPath } from '../internal/options.js';
import { warn } from '../internal/warn.js';

/** What {@link RecordEventsConfig.onRecorded} receives once a subscription's log is written. */
export interface RecordedInfo {
  readonly streamId: string;
  /** The run tag of this subscription's envelopes (`run`; the log keeps it with its `seq` 0). */
  readonly run: string;
  /** Envelopes the store accepted. */
  readonly count: number;
  /** The failure that stopped recording (the log then holds a gap-free prefix of the run), if any. */
  readonly error: EventLogError | undefined;
}

/** Options of {@link recordEvents}. Every field is optional. */
export interface RecordEventsConfig {
  /**
   * The log's stream id: a string (for one subscription), or a function called once per
   * subscription. @default a `crypto.randomUUID()` per subscription (read it in `onRecorded`)
   */
  readonly streamId?: string | (() => string);
  /**
   * The run tag of each subscription's envelopes (`run`), called once per subscription: the
   * stores keep one run per log by it, so every call must return a new tag (a fixed one makes
   * every run one run to the stores). A tag is 1 to 40 letters, digits, `.`, `_` or `-`, as it is
   * also the `<run>` of the SSE ids `<run>:<seq>` that `createStoreReplaySource` gives the log's
   * events; another errors the subscription with a TypeError. Pass one for logs that must be
   * reproducible (golden files, tests), or to give a run the tag its replay buffer gives it
   * (`createSseReplayBuffer`'s `add(id, events$, {run})`). @default 64 random bits from `crypto.getRandomValues`
   */
  readonly runTag?: () => string;
  /** Source of each envelope's `ts`, and the clock of `storeTimeout`. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /**
   * How long one `append` is waited for, in ms of `scheduler` time. A store that has not answered
   * by then stops recording for that subscription (the stream goes on, as it never waits for the
   * store) with an `EventLogError` `STORE_TIMEOUT` naming the call and the time (`onRecordError`,
   * then `onRecorded`), so a store that hangs never holds `onRecorded` back. The unanswered batch
   * may still land later; nothing of the run after it is written, so the log stays a gap-free
   * prefix, and `count` leaves it out. Should it land, that `STORE_TIMEOUT` error is appended after
   * it as the log's end, so a follower or replay of the run ends with it instead of waiting. A store that answers synchronously (the memory store) is never timed.
   * `Infinity` waits forever; a finite one is at most 2147483647 (about 24.8 days). @default 30000
   */
  readonly storeTimeout?: number;
  /**
   * Envelopes that may wait for a slow store. One more stops recording for that subscription
   * (the stream goes on) and reports a `RECORD_OVERFLOW` {@link EventLogError}; the envelopes
   * waiting are still written, then that error as the log's end. @default 10000
   */
  readonly maxPending?: number;
  /**
   * Called once per subscription when the store rejects an append (`RECORD_FAILED`), does not
   * answer one within `storeTimeout` (`STORE_TIMEOUT`), refuses it
   * because the stream's log belongs to another run (`RUN_MISMATCH`: the stream was deleted, and
   * perhaps taken by a new run, while this one recorded) or the queue overflows (`RECORD_OVERFLOW`);
   * recording then stops, so the log stays an ordered prefix.
   * @default one `console.warn` per recordEvents() call
   */
  readonly onRecordError?: (error: EventLogError) => void;
  /** Called once per subscription when the run has ended and every envelope is written (or recording stopped). */
  readonly onRecorded?: (info: RecordedInfo) => void;
}

/** The documented defaults of {@link recordEvents}. */
export const RECORD_EVENTS_DEFAULTS = /*#__PURE__*/ Object.freeze({ maxPending: 10_000, storeTimeout: STORE_TIMEOUT } as const);

/** Every key of {@link RecordEventsConfig}. @internal The l0 preset's `record` option takes them too. */
export const RECORD_EVENTS_KEYS = /*#__PURE__*/ optionKeys<RecordEventsConfig>()(['streamId', 'runTag', 'scheduler', 'storeTimeout', 'maxPending', 'onRecordError', 'onRecorded']);
const ROOT = /*#__PURE__*/ optionPath('recordEvents', 'store, ');

/**
 * Appends every event, and the run's terminal error, to an {@link EventStore} as
 * {@link EventEnvelope}s `{v, streamId, seq, ts, run, event}`, and passes the events through untouched,
 * unbuffered and undelayed.
 *
 *   -s-a-b-x|       source (s start, x complete)
 *   -s-a-b-x|       recordEvents(store)    log: s a b x, seq 0..3
 *   -s-a-b-x|       recordEvents(hung, { storeTimeout: 50, scheduler })   (an append that never settles)
 *   --------------------------------------------------r   onRecorded 50 ms after the append of s: STORE_TIMEOUT
 *
 * 1. Each subscription gets its own stream id, `seq` from 0 and run tag `run` (64 random bits, from
 *    `crypto.getRandomValues`); `ts` is `scheduler.now()`. The stores keep one run per log: a run
 *    whose stream was deleted, or taken by another run, is refused (`RUN_MISMATCH`, see 4).
 * 2. Appends never block the stream: envelopes queue while the store works, one append call at
 *    a time, in `seq` order (a synchronous store such as the memory store is written at once).
 * 3. An error notification is recorded as `{type: 'error', error}` (plain {@link SerializedError})
 *    and then passed on; {@link replayEvents} turns it back into the typed error.
 * 4. A store that rejects (`RECORD_FAILED`; `RUN_MISMATCH` when it refused the envelopes of this
 *    run), an append not answered within `storeTimeout` (`STORE_TIMEOUT`, 30 s by default: a store
 *    that hangs never holds `onRecorded` back), or a queue past `maxPending`, stops recording for that subscription and
 *    calls `onRecordError` once; the stream is never affected. After an overflow (the store works,
 *    slowly) what waited is written, then the `RECORD_OVERFLOW` error as an error envelope, so a
 *    follower or replay of the run ends with it instead of waiting for an end never written; so,
 *    after the append it gave up lands, does the `STORE_TIMEOUT` error.
 * 5. Unsubscribing stops recording new events; what was queued is still written, then an error
 *    envelope with a `StreamAbortedError` ends the log (a follower or replay of the run ends too),
 *    unless the run's `complete` event is logged already (a consumer's `first()`): nothing follows it.
 * 6. An event (or the end) that arrives while the previous event is being appended or passed on
 *    (a synchronous store's `follow` subscriber, or the consumer, feeding the source) is appended
 *    and passed on right after it: the consumer sees the events in the log's order.
 *
 * @example
 * import { l0, createMemoryEventStore, recordEvents } from 'l0-rx';
 * const store = createMemoryEventStore();
 * l0({ stream, runOperators: [recordEvents(store, { streamId: 'req-42' })] }).subscribe();
 * @see {@link replayEvents} {@link createMemoryEventStore}
 * @param store Where the envelopes go.
 * @param config See {@link RecordEventsConfig}.
 */
export function recordEvents(store: EventStore, config: RecordEventsConfig = {}): MonoTypeOperatorFunction<L0Event> {
  const c = resolveRecordEvents(store, config, ROOT);
  let warned = false;
  const report = (error: EventLogError): void => {
    if (c.onRecordError) {
      try {
        c.onRecordError(error);
      } catch {
        // the report channel itself failed; the stream must not
      }
    } else if (!warned) {
      warned = true;
      const message = `l0-rx recordEvents: ${error.message}; recording stopped, the stream goes on.`;
      if (error.cause === undefined) warn(message);
      else warn(message, error.cause);
    }
  };
  return (source) =>
    new Observable<L0Event>((subscriber) => {
      const streamId = c.streamId();
      const run = c.runTag();
      if (typeof streamId !== 'string' || streamId === '') throw new TypeError(`recordEvents(store, {streamId}) must return a non-empty string, got ${describeOption(streamId)}`);
      checkRunTag('recordEvents(store, {runTag}) must return', run); // also the <run> of a store replay's SSE ids: refused here, not there
      return source.subscribe(new Recorder(subscriber, store, streamId, run, c, report));
    });
}

/** Validated options with defaults. @internal The l0 preset passes its own path. */
export function resolveRecordEvents(store: EventStore, config: RecordEventsConfig, path: OptionPath, storeLabel = 'recordEvents(store)', extraKeys: readonly string[] = []) {
  if (typeof store !== 'object' || store === null || typeof store.append !== 'function') {
    throw new TypeError(`${storeLabel} must be an EventStore (an object with append, read, streams and delete), got ${describeOption(store)}`);
  }
  checkBag(path, config);
  checkKeys(path, config, extraKeys.length === 0 ? RECORD_EVENTS_KEYS : [...RECORD_EVENTS_KEYS, ...extraKeys]);
  const { streamId, runTag = newRunTag, scheduler = asyncScheduler, storeTimeout = RECORD_EVENTS_DEFAULTS.storeTimeout, maxPending = RECORD_EVENTS_DEFAULTS.maxPending, onRecordError, onRecorded } = config;
  if (streamId !== undefined && typeof streamId !== 'function' && (typeof streamId !== 'string' || streamId === '')) {
    throw optionError(path, 'streamId', 'a non-empty string or a function', streamId);
  }
  if (typeof runTag !== 'function') throw optionError(path, 'runTag', 'a function', runTag);
  checkStoreCall(path, storeTimeout, scheduler);
  if (!(Number.isInteger(maxPending) && maxPending >= 1)) throw optionError(path, 'maxPending', 'a positive integer', maxPending);
  if (onRecordError !== undefined && typeof onRecordError !== 'function') throw optionError(path, 'onRecordError', 'a function', onRecordError);
  if (onRecorded !== undefined && typeof onRecorded !== 'function') throw optionError(path, 'onRecorded', 'a function', onRecorded);
  const nextId = typeof streamId === 'function' ? streamId : streamId === undefined ? () => crypto.randomUUID() : () => streamId;
  return { streamId: nextId, runTag, scheduler, storeTimeout, maxPending, onRecordError, onRecorded };
}
