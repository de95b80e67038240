import { asyncScheduler, defer, EMPTY, filter, isObservable, map, ReplaySubject, share, tap, throwError, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { L0Error } from '../errors/L0Error.js';
import { checkBag, checkKeys, isSchedulerLike, optionError, optionKeys, optionLabel, optionPath } from '../internal/options.js';
import { checkTimerDelay } from '../internal/timerDelay.js';
import { checkRunTag, newRunTag } from '../events/runTag.js';

/** An event with its per-stream sequence number (1-based): what an SSE `id:` carries. */
export interface SequencedEvent {
  readonly seq: number;
  readonly event: L0Event;
  /**
   * Which run of the stream id it belongs to, when the source tells runs apart (a replay buffer
   * does, and a store replay of a log with a run tag): the SSE id is then `<run>:<seq>`, and a
   * client that resumes into another run fails instead of splicing two answers. 1 to 40 letters,
   * digits, `.`, `_` or `-`.
   * @default undefined (the id is `<seq>`)
   */
  readonly run?: string;
}

/**
 * Where a reconnecting client's missed events come from: every event of `streamId` after
 * `afterSeq`, in order, once (`checkpoint` events may be left out: they are never sent), then
 * (for a run still going) the live ones until it ends. The
 * in-memory {@link createSseReplayBuffer} implements it; an event store plugs in with a few lines
 * mapping its envelopes `{seq, event}` (see the README, "From backend to browser: SSE").
 */
export interface SseReplaySource {
  replay(streamId: string, afterSeq: number): Observable<SequencedEvent>;
}

/** Options of {@link createSseReplayBuffer}. */
export interface SseReplayBufferConfig {
  /** Events kept per stream for replay (`checkpoint` events are not kept); older ones are dropped, and resuming before them errors. @default 10000 */
  readonly maxEvents?: number;
  /**
   * Streams kept; adding one more forgets the oldest finished run, or when every run is still
   * going, the oldest one (its clients keep streaming; it can no longer be resumed). @default 100
   */
  readonly maxStreams?: number;
  /** How long a run keeps going with no client connected, waiting for a reconnect, in ms (at most 2147483647); 0 aborts it at once. @default 10000 */
  readonly keepAliveMs?: number;
  /** Time source of `keepAliveMs`. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

/** Options of {@link SseReplayBuffer.add}. */
export interface SseReplayRunOptions {
  /**
   * The run's tag (the `<run>` of its SSE ids `<run>:<seq>`): 1 to 40 letters, digits, `.`, `_` or
   * `-`, a new one per run. Pass the tag the run records with (`recordEvents`' `runTag`), so a
   * reconnect served from the event store (`createStoreReplaySource`, which tags the ids with the
   * log's tag) by another server of a fleet carries the same ids as this buffer's: the client
   * then resumes the same run and fails on another run.
   * @default a new random one per run: 64 bits from `crypto.getRandomValues` (as `recordEvents`' default)
   */
  readonly run?: string;
}

/** An in-memory, bounded {@link SseReplaySource}: one shared run per stream id. */
export interface SseReplayBuffer extends SseReplaySource {
  /**
   * Registers the run of `streamId` (replacing any earlier one), tagged with `options.run` or a
   * tag of the buffer's. It stays cold until the first `replay` subscribes.
   * @throws TypeError for an empty stream id, `events$` that is not an Observable, or a `run` that is no run tag.
   */
  add(streamId: string, events$: Observable<L0Event>, options?: SseReplayRunOptions): void;
  /** True while `streamId` can be replayed. */
  has(streamId: string): boolean;
}

/**
 * The defaults of {@link createSseReplayBuffer}, frozen.
 * @example
 * import { SSE_REPLAY_BUFFER_DEFAULTS } from 'l0-rx';
 * console.log(SSE_REPLAY_BUFFER_DEFAULTS.keepAliveMs); // 10000
 */
export const SSE_REPLAY_BUFFER_DEFAULTS: Readonly<Required<Omit<SseReplayBufferConfig, 'scheduler'>>> = Object.freeze({
  maxEvents: 10_000,
  maxStreams: 100,
  keepAliveMs: 10_000,
});

const PATH = optionPath('createSseReplayBuffer');
const KEYS = /*#__PURE__*/ optionKeys<SseReplayBufferConfig>()(['maxEvents', 'maxStreams', 'keepAliveMs', 'scheduler']);
const ADD_PATH = optionPath('createSseReplayBuffer: add', 'streamId, events$, ', 'options');
const ADD_KEYS = /*#__PURE__*/ optionKeys<SseReplayRunOptions>()(['run']);

/**
 * A bounded in-memory replay buffer for resumable SSE streams, like the AI SDK's `resumable-stream`
 * without Redis: each run is shared by its clients, keeps going for `keepAliveMs` after the last
 * one left (so a reconnect finds it), and is aborted after that; a reconnect gets the events after
 * its `Last-Event-ID`, then the live ones.
 *
 *   a-b-c-d-e|      the run of 'chat-1' (seq 1..5)
 *   ------d-e|      buffer.replay('chat-1', 3), subscribed after c
 *
 * Rules:
 * 1. `replay` of an unknown (or forgotten, or aborted) stream errors with an L0Error `STREAM_NOT_FOUND`.
 * 2. Resuming before the oldest kept event errors with `RESUME_GAP`: events are never silently lost.
 *    `checkpoint` events are numbered but not kept, nor replayed (`toServerSentEvents` never sends
 *    one: each holds the whole text so far), so `maxEvents` counts the events a client is sent, and
 *    a client that missed only checkpoints resumes.
 * 3. The run's terminal error reaches every replay; a finished run stays replayable until evicted.
 * 4. Each `add` tags its run (`run` on its events, so its SSE ids are `<run>:<seq>`): a client
 *    that read an earlier run of the stream id and resumes into this one fails with
 *    `INCOMPLETE_STREAM` at the first event, never splicing two answers. A run that ends before
 *    `afterSeq` never had the client's event: the replay errors with `STREAM_NOT_FOUND`. The tag
 *    is `add`'s `{run}` when given: a run recorded with the same tag (`recordEvents`' `runTag`)
 *    has the same ids when another server resumes it from the store (`createStoreReplaySource`).
 * 5. Beyond `maxStreams`, the oldest finished run is forgotten; when every run is still going, the
 *    oldest one (its clients keep streaming to its end, a reconnect to it gets `STREAM_NOT_FOUND`):
 *    a new run is never refused.
 * 6. An `afterSeq` that is not a non-negative integer (`parseLastEventId`'s) errors with a TypeError.
 *
 * @example
 * import { createSseReplayBuffer, parseLastEventId, toServerSentEvents } from 'l0-rx';
 * const buffer = createSseReplayBuffer({ keepAliveMs: 30_000 });
 * buffer.add('chat-1', events$);
 * toServerSentEvents(buffer.replay('chat-1', parseLastEventId(undefined)));
 * @see {@link toServerSentEvents} {@link fromServerSentEvents}
 */
export function createSseReplayBuffer(config: SseReplayBufferConfig = {}): SseReplayBuffer {
  const { maxEvents, maxStreams, keepAliveMs, scheduler } = resolveConfig(config);
  /** The runs by stream id, oldest first (a run added again moves to the end). */
  const runs = new Map<string, Run>();
  return {
    add(streamId, events$, options = {}) {
      if (typeof streamId !== 'string' || streamId === '') throw new TypeError(`createSseReplayBuffer: add(streamId) must be a non-empty string, got ${String(streamId)}`);
      if (!isObservable(events$)) throw new TypeError('createSseReplayBuffer: add(streamId, events$) needs an Observable');
      checkBag(ADD_PATH, options);
      checkKeys(ADD_PATH, options, ADD_KEYS);
      if (options.run !== undefined) checkRunTag(`${optionLabel(ADD_PATH, 'run')} must be`, options.run);
      // random, not the clock: servers of a fleet, or restarted, start in the same millisecond
      const run = options.run ?? newRunTag();
      const entry: Run = { settled: false, events: EMPTY, kept: 0 };
      const settle = () => (entry.settled = true);
      entry.events = events$.pipe(
        map((event, i): SequencedEvent => ({ seq: i + 1, event, run })),
        // numbered, then left out (rule 2): toServerSentEvents never sends a checkpoint, which holds the whole text so far
        filter(({ event }) => event?.type !== 'checkpoint'),
        tap({
          next: () => entry.kept++,
          complete: settle,
          error: settle,
          finalize: () => { if (!entry.settled && runs.get(streamId) === entry) runs.delete(streamId); },
        }),
        share({
          // one more than maxEvents: the newest event dropped, which tells whether a client missed one (rule 2)
          connector: () => new ReplaySubject<SequencedEvent>(maxEvents + 1),
          resetOnError: false,
          resetOnComplete: false,
          resetOnRefCountZero: keepAliveMs === 0 ? true : () => timer(keepAliveMs, scheduler),
        }),
      );
      runs.delete(streamId);
      runs.set(streamId, entry);
      if (runs.size > maxStreams) runs.delete(evictable(runs));
    },
    has: (streamId) => runs.has(streamId),
    replay: (streamId, afterSeq) =>
      defer((): Observable<SequencedEvent> => {
        checkAfterSeq('createSseReplayBuffer', afterSeq);
        const entry = runs.get(streamId);
        if (entry === undefined) return throwError(() => resumeError('STREAM_NOT_FOUND', `no stream ${JSON.stringify(streamId)} to resume (unknown, finished long ago, or aborted)`));
        let last = 0;
        /** The replay begins with the newest event dropped, kept to tell a gap by: a gap is a dropped event after the client's. */
        const full = entry.kept > maxEvents;
        // a run that ends before the client's event never had it: the client read another run of the id (rule 4)
        const ended = () => {
          if (last < afterSeq) throw resumeError('STREAM_NOT_FOUND', `stream ${JSON.stringify(streamId)} has no event ${afterSeq} to resume after: the client read another run of it`);
        };
        return entry.events.pipe(
          tap({
            next: ({ seq }) => {
              if (last === 0 && full && seq > afterSeq) throw resumeError('RESUME_GAP', `stream ${JSON.stringify(streamId)} no longer holds the events after ${afterSeq} (it dropped those up to ${seq})`);
              last = seq;
            },
            complete: ended,
            error: ended,
          }),
          filter(({ seq }) => seq > afterSeq),
        );
      }),
  };
}

/** A stored run: its shared events, whether it has ended (completed or failed), and how many events it has kept (checkpoints are not). */
interface Run {
  events: Observable<SequencedEvent>;
  settled: boolean;
  kept: number;
}

/** The stream id to forget: its oldest finished run, else its oldest run (rule 5). */
function evictable(runs: ReadonlyMap<string, Run>): string {
  for (const [streamId, run] of runs) if (run.settled) return streamId;
  return runs.keys().next().value!;
}

/**
 * A TypeError for an `afterSeq` that is not a sequence number (a raw header passed instead of
 * `parseLastEventId`'s number would compare as text). @internal Shared with the store replay source.
 */
export function checkAfterSeq(where: string, afterSeq: number): void {
  if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new TypeError(`${where}: replay(streamId, afterSeq) needs a non-negative integer (parseLastEventId's), got ${typeof afterSeq === 'string' ? JSON.stringify(afterSeq) : String(afterSeq)}`);
}

/** The typed error of a resume that cannot be served. @internal Shared with the store replay source. */
export function resumeError(code: 'STREAM_NOT_FOUND' | 'RESUME_GAP', message: string): L0Error {
  return new L0Error(message, { code, category: 'bad-request', retryable: false });
}

function resolveConfig(config: SseReplayBufferConfig): Required<SseReplayBufferConfig> {
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { maxEvents = SSE_REPLAY_BUFFER_DEFAULTS.maxEvents, maxStreams = SSE_REPLAY_BUFFER_DEFAULTS.maxStreams, keepAliveMs = SSE_REPLAY_BUFFER_DEFAULTS.keepAliveMs, scheduler = asyncScheduler } = config;
  for (const [key, value] of [['maxEvents', maxEvents], ['maxStreams', maxStreams]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw optionError(PATH, key, 'a positive integer', value);
  }
  if (typeof keepAliveMs !== 'number' || !Number.isFinite(keepAliveMs) || keepAliveMs < 0) throw optionError(PATH, 'keepAliveMs', 'a finite number of milliseconds >= 0', keepAliveMs);
  checkTimerDelay(PATH, 'keepAliveMs', keepAliveMs);
  if (!isSchedulerLike(scheduler)) throw optionError(PATH, 'scheduler', 'a SchedulerLike', scheduler);
  return { maxEvents, maxStreams, keepAliveMs, scheduler };
}
