import { asyncScheduler, defer, filter, isObservable, map, ReplaySubject, share, tap, throwError, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { L0Error } from '../errors/L0Error.js';
import { checkBag, checkKeys, isSchedulerLike, optionError, optionKeys, optionPath } from '../internal/options.js';

/** An event with its per-stream sequence number (1-based): what an SSE `id:` carries. */
export interface SequencedEvent {
  readonly seq: number;
  readonly event: L0Event;
}

/**
 * Where a reconnecting client's missed events come from: every event of `streamId` after
 * `afterSeq`, in order, once, then (for a run still going) the live ones until it ends. The
 * in-memory {@link createSseReplayBuffer} implements it; an event store plugs in with a few lines
 * mapping its envelopes `{seq, event}` (see the README, "From backend to browser: SSE").
 */
export interface SseReplaySource {
  replay(streamId: string, afterSeq: number): Observable<SequencedEvent>;
}

/** Options of {@link createSseReplayBuffer}. */
export interface SseReplayBufferConfig {
  /** Events kept per stream for replay; older ones are dropped, and resuming before them errors. @default 10000 */
  readonly maxEvents?: number;
  /** Streams kept; adding one more forgets the oldest (its live clients keep streaming, it can no longer be resumed). @default 100 */
  readonly maxStreams?: number;
  /** How long a run keeps going with no client connected, waiting for a reconnect; 0 aborts it at once. @default 10000 */
  readonly keepAliveMs?: number;
  /** Time source of `keepAliveMs`. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

/** An in-memory, bounded {@link SseReplaySource}: one shared run per stream id. */
export interface SseReplayBuffer extends SseReplaySource {
  /** Registers the run of `streamId` (replacing any earlier one). It stays cold until the first `replay` subscribes. */
  add(streamId: string, events$: Observable<L0Event>): void;
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
 * 3. The run's terminal error reaches every replay; a finished run stays replayable until evicted.
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
  const runs = new Map<string, Observable<SequencedEvent>>();
  return {
    add(streamId, events$) {
      if (typeof streamId !== 'string' || streamId === '') throw new TypeError(`createSseReplayBuffer: add(streamId) must be a non-empty string, got ${String(streamId)}`);
      if (!isObservable(events$)) throw new TypeError('createSseReplayBuffer: add(streamId, events$) needs an Observable');
      let settled = false;
      const run: Observable<SequencedEvent> = events$.pipe(
        map((event, i) => ({ seq: i + 1, event })),
        tap({
          complete: () => (settled = true),
          error: () => (settled = true),
          finalize: () => { if (!settled && runs.get(streamId) === run) runs.delete(streamId); },
        }),
        share({
          connector: () => new ReplaySubject<SequencedEvent>(maxEvents),
          resetOnError: false,
          resetOnComplete: false,
          resetOnRefCountZero: keepAliveMs === 0 ? true : () => timer(keepAliveMs, scheduler),
        }),
      );
      runs.delete(streamId);
      runs.set(streamId, run);
      for (const oldest of runs.keys()) {
        if (runs.size <= maxStreams) break;
        runs.delete(oldest);
      }
    },
    has: (streamId) => runs.has(streamId),
    replay: (streamId, afterSeq) =>
      defer(() => {
        const run = runs.get(streamId);
        if (run === undefined) return throwError(() => resumeError('STREAM_NOT_FOUND', `no stream ${JSON.stringify(streamId)} to resume (unknown, finished long ago, or aborted)`));
        let first = true;
        return run.pipe(
          tap(({ seq }) => {
            if (first && seq > afterSeq + 1) throw resumeError('RESUME_GAP', `stream ${JSON.stringify(streamId)} no longer holds the events after ${afterSeq} (oldest kept: ${seq})`);
            first = false;
          }),
          filter(({ seq }) => seq > afterSeq),
        );
      }),
  };
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
  if (!isSchedulerLike(scheduler)) throw optionError(PATH, 'scheduler', 'a SchedulerLike', scheduler);
  return { maxEvents, maxStreams, keepAliveMs, scheduler };
}
