import { asyncScheduler, catchError, defer, endWith, filter, interval, isObservable, map, Observable, of, Subscription, type SchedulerLike } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { describeValue, InvalidStreamError } from '../errors/InvalidStreamError.js';
import { StreamAbortedError } from '../errors/StreamAbortedError.js';
import { serializeError } from '../errors/serializeError.js';
import { checkBag, checkKeys, isSchedulerLike, optionError, optionKeys, optionPath } from '../internal/options.js';
import { checkTimerDelay } from '../internal/timerDelay.js';
import { EVENT_TYPES } from '../sources/validateEvent.js';
import { END_FRAME_TEXT, errorFrame, eventFrame, HEARTBEAT_FRAME, parseLastEventId, RUN_TAG, SSE_HEADERS, SSE_HEADERS_HTTP2 } from './sseFrames.js';
import type { SequencedEvent } from './sseReplayBuffer.js';
import { BACKLOG } from './replayBacklog.js';
import { writeFrames, type Backlog } from './writeFrames.js';

/** Options of {@link toServerSentEvents}. */
export interface ToServerSentEventsConfig {
  /** A comment frame after this much silence (sent within `heartbeatMs` to `2 * heartbeatMs`), at most 2147483647 ms; 0 turns heartbeats off. @default 15000 */
  readonly heartbeatMs?: number;
  /**
   * The client's `Last-Event-ID`: events with a sequence number up to it are not sent. With a
   * replay source (`buffer.replay(id, after)`) they were never there; with plain events they are skipped.
   * @default undefined (from the start)
   */
  readonly resumeFrom?: string | number | null;
  /**
   * How far a client may fall behind before it is cut (rule 9): the frames waiting for it, as the
   * length of their text in `writeTo` (bytes for ASCII text), in bytes in `toReadableStream()`.
   * What `events$` sends at once when subscribed (a replay's backlog on a reconnect), and a store
   * replay's backlog, is not counted until the client has read it. A whole number from 1; `Infinity`: no bound. @default 8388608 (8 MiB)
   */
  readonly maxQueuedBytes?: number;
  /** Time source of the heartbeats. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

/** The subset of `node:http`'s ServerResponse (and `node:http2`'s, Express/Fastify `reply.raw`) that {@link ServerSentEvents.writeTo} uses. */
export interface SseResponseLike {
  readonly headersSent?: boolean;
  /** True once the socket is gone (node:http; node:http2's `stream.destroyed`); a response already closed unsubscribes at once. */
  readonly destroyed?: boolean;
  writeHead(status: number, headers: Record<string, string>): unknown;
  /** `false` (node:http's backpressure) holds the next frames until `'drain'`; any other result writes on. */
  write(chunk: string): unknown;
  end(): unknown;
  /** `'close'` unsubscribes; `'drain'` is listened to only after `write` returned `false`. */
  once(event: 'close' | 'drain', listener: () => void): unknown;
  /** node:http2's `Http2ServerResponse` has its stream here: the response then gets no `connection` header (HTTP/2 forbids it). */
  readonly stream?: unknown;
  /** Cuts a client more than `maxQueuedBytes` behind (`end()` when absent): node:http's frees the socket of one that never reads again. */
  destroy?(): unknown;
}

/** An SSE stream, cold: nothing runs until `frames` is subscribed, `writeTo` is called or the `toReadableStream()` body is first read. */
export interface ServerSentEvents {
  /** The frames as text, ending with an `end` frame, or an `error` frame carrying the run's error. Never errors. */
  readonly frames: Observable<string>;
  /** The response headers of an SSE stream (`content-type: text/event-stream`, no caching or proxy buffering). */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Streams into a `node:http` (or `node:http2` compatibility) response and ends it; the response closing (the client went away) unsubscribes.
   * While `write()` returns false, until `'drain'`, frames wait in order in a queue and heartbeats are skipped;
   * past `maxQueuedBytes` of them, the response is destroyed and the events unsubscribed.
   */
  writeTo(response: SseResponseLike): Subscription;
  /**
   * A web stream of the frames (for `new Response(body, {headers})`): its first read subscribes, cancelling it
   * unsubscribes. Frames queue in the stream while it is not read; a heartbeat goes in only for a waiting read;
   * past `maxQueuedBytes` of them, the stream errors with a {@link StreamAbortedError} and the events are unsubscribed.
   */
  toReadableStream(): ReadableStream<Uint8Array>;
}

/**
 * The defaults of {@link toServerSentEvents}, frozen.
 * @example
 * import { TO_SERVER_SENT_EVENTS_DEFAULTS } from 'l0-rx';
 * console.log(TO_SERVER_SENT_EVENTS_DEFAULTS.heartbeatMs, TO_SERVER_SENT_EVENTS_DEFAULTS.maxQueuedBytes); // 15000 8388608
 */
export const TO_SERVER_SENT_EVENTS_DEFAULTS: Readonly<Required<Omit<ToServerSentEventsConfig, 'scheduler' | 'resumeFrom'>>> = Object.freeze({
  heartbeatMs: 15_000,
  maxQueuedBytes: 8 * 1024 * 1024,
});

const PATH = optionPath('toServerSentEvents', 'events$, ');
const KEYS = /*#__PURE__*/ optionKeys<ToServerSentEventsConfig>()(['heartbeatMs', 'resumeFrom', 'maxQueuedBytes', 'scheduler']);

/**
 * Turns events into Server-Sent Events: `id:` the per-stream sequence number, `event:` the type,
 * `data:` the JSON event; heartbeats while idle; the terminal error as a last `event: error` frame.
 *
 *   a---b------c|        events$                                  (heartbeatMs: 3)
 *   a---b----h-c(e|)     toServerSentEvents(events$, { heartbeatMs: 3 }).frames   (h heartbeat, e end)
 *
 * Rules:
 * 1. `events$` is `Observable<L0Event>` (numbered 1, 2, ... per subscription) or the
 *    `Observable<SequencedEvent>` of a replay source, whose numbers are kept (and run tags: `id: <run>:<seq>`).
 *    The `complete` a `budget({onExceeded: 'complete'})` cut is sent with `"limitCut": true`, so the
 *    client's zero-output and structured checks read it as the caller's limit (`fromServerSentEvents`).
 * 2. Events numbered up to `resumeFrom` are not sent, so a reconnect gets each event once.
 * 3. Completion sends `event: end`; an error sends `event: error` with `serializeError(e)` as data
 *    (the client's `fromServerSentEvents` rethrows it typed). A client that sees neither reconnects.
 * 4. Unsubscribing (the client went away) unsubscribes `events$`, so the model request aborts.
 * 5. `toReadableStream()` subscribes on the body's first read, not when called: a `Response` that
 *    is never consumed never starts the run; cancelling the body unsubscribes.
 * 6. `checkpoint` events are numbered but not sent (their ids are skipped, so a run's ids stay its
 *    recorded envelopes' `seq + 1`, which `createStoreReplaySource` resumes by): each holds
 *    the whole text so far, so one every `checkpointInterval` tokens would send the answer again and
 *    again, quadratic in its length. They are the server's own resume points, read upstream by its
 *    retries and fallbacks; `accumulate()` ignores them, and a client's retry asks for the whole run.
 * 7. An event whose `type` is not one of `L0_EVENT_TYPES` (the client would reject it), or a run
 *    tag that is not 1 to 40 letters, digits, `.`, `_` or `-` (both are written outside `data:`,
 *    where a line break would corrupt the frame), ends the frames with an `error` frame carrying an
 *    {@link InvalidStreamError}; so do an item that is not an object and a replayed `seq` that is not a whole number from 1 (an
 *    id the client could not resume by).
 * 8. A client that is not reading (`write()` returned false until `'drain'`; no pending read of the
 *    web stream) gets no heartbeats; the events, which cannot wait, are queued in order, none lost.
 * 9. A client that falls more than `maxQueuedBytes` behind is cut rather than sent fewer events:
 *    `events$` is unsubscribed (as when it leaves), `writeTo` destroys the response (its `'close'`
 *    fires; `end()` without `destroy`) and the web stream errors with a {@link StreamAbortedError}.
 *    The client reconnects with its `Last-Event-ID` and resumes from a replay source (a server
 *    without one answers 204: the client's run fails with the retryable `INCOMPLETE_STREAM`).
 *    The frames `events$` sends synchronously when subscribed (a replay's backlog) count only once
 *    the client has read them: a backlog longer than the bound is sent whole, not cut at every reconnect.
 *    So do the backlog events of `createStoreReplaySource`, which a store that answers later (Redis)
 *    sends after the subscription.
 *
 * @example
 * import { l0, toServerSentEvents } from 'l0-rx';
 * import { createServer } from 'node:http';
 * createServer((req, res) => {
 *   // no replay buffer, so no resume: refuse a reconnect rather than run the model again
 *   if (req.headers['last-event-id'] !== undefined) return void res.writeHead(204).end();
 *   toServerSentEvents(l0({ stream: factory })).writeTo(res);
 * });
 * @see {@link fromServerSentEvents} {@link createSseReplayBuffer}
 */
export function toServerSentEvents(events$: Observable<L0Event | SequencedEvent>, config: ToServerSentEventsConfig = {}): ServerSentEvents {
  if (!isObservable(events$)) throw new TypeError(`toServerSentEvents(events$) needs an Observable, got ${typeof events$}`);
  const { heartbeatMs, after, maxQueuedBytes, scheduler } = resolveConfig(config);
  /** The frames; `backlog.frame` set as an event frame goes out: whether it is of a replay source's backlog (rule 9), for the writer to read and clear. */
  const framesOf = (backlog: Backlog) => defer(() => {
    let seq = 0;
    /** The last run tag checked: a replay source tags every event of a run alike, so each tag is tested once. */
    let checked: string | undefined;
    const body = events$.pipe(
      map((item) => {
        // untrusted shapes fail here, typed, before anything reads them (rule 7)
        if (typeof item !== 'object' || item === null) throw malformed('an event must be an object', item);
        if (!isSequenced(item)) return { seq: ++seq, event: item };
        if (!(Number.isSafeInteger(item.seq) && item.seq > 0)) throw malformed('a replayed event\'s `seq` must be a whole number from 1', item.seq);
        if (typeof item.event !== 'object' || item.event === null) throw malformed('a replayed item\'s `event` must be an object', item.event);
        return item;
      }),
      // numbered, then dropped (rule 6): the ids stay the recorded envelopes' seq + 1 that createStoreReplaySource resumes by
      filter((item) => item.seq > after && item.event.type !== 'checkpoint'),
      map((item) => {
        const { seq, event, run } = item;
        // the client rejects an unknown type, and a line break in the type (written into the `event:` line) or
        // the tag (the `id:` line) would corrupt the frame, as a colon in a tag would misplace its seq (rule 7)
        if (!EVENT_TYPES.has(event.type)) throw malformed('an event `type` must be one of L0_EVENT_TYPES', event.type);
        if (run !== undefined && run !== checked) {
          if (!(typeof run === 'string' && RUN_TAG.test(run))) throw malformed(`a run tag must match ${RUN_TAG}`, run);
          checked = run;
        }
        backlog.frame = BACKLOG.has(item);
        return eventFrame(seq, event, run);
      }),
      endWith(END_FRAME_TEXT),
      catchError((e: unknown) => of(errorFrame(serializeError(e)))),
    );
    return heartbeatMs === 0 ? body : withHeartbeats(body, heartbeatMs, scheduler);
  });
  const frames = framesOf({ frame: false });
  return {
    frames,
    headers: SSE_HEADERS,
    writeTo(response) {
      // the client left before we started: 'close' has been and gone, so never start the run
      // (node:http2's response has no `destroyed`: its stream does)
      if (response.destroyed || (response.stream as SseResponseLike | undefined)?.destroyed) return Subscription.EMPTY;
      // an HTTP/2 response (node:http2's compatibility API: it has the stream) gets no `connection` header
      if (!response.headersSent) response.writeHead(200, { ...(response.stream === undefined ? SSE_HEADERS : SSE_HEADERS_HTTP2) });
      const backlog: Backlog = { frame: false };
      const subscription = writeFrames(framesOf(backlog), response, maxQueuedBytes, backlog);
      response.once('close', () => subscription.unsubscribe());
      return subscription;
    },
    toReadableStream() {
      /** Closed by a cancel or a cut (rule 9); holds the run's subscription from the first read on. */
      const subscription = new Subscription();
      let started = false;
      /** A read is waiting (`pull` was called, nothing enqueued since): only then may a heartbeat go in. */
      let reading = false;
      /** Bytes enqueued since the first read's subscription returned and since the last `pull` (the queue is empty then): a synchronous backlog is not held against the reader (see writeFrames). */
      let live = 0;
      let subscribing = false;
      const backlog: Backlog = { frame: false };
      const encoder = new TextEncoder();
      const stream: ReadableStream<Uint8Array> = new ReadableStream<Uint8Array>(
        {
          // the first read starts the run (never `start`: a Response built and never consumed runs nothing)
          pull(controller) {
            reading = true;
            live = 0;
            if (started) return;
            started = subscribing = true;
            subscription.add(framesOf(backlog).subscribe({
              next: (frame) => {
                const ofBacklog = backlog.frame; // (a replay's backlog is held against the reader only once read)
                backlog.frame = false;
                if (subscription.closed) return; // cut while the events came synchronously
                // an event frame always goes in (queued past the high-water mark if need be); a heartbeat
                // for a consumer that is not reading would only pile up (rule 8), as it would for a read
                // abandoned by `releaseLock()` (the stream is unlocked then)
                if (frame !== HEARTBEAT_FRAME || (reading && stream.locked)) {
                  const bytes = encoder.encode(frame);
                  controller.enqueue(bytes);
                  // (a frame a waiting read took at once was never queued)
                  if (!subscribing && !reading && !ofBacklog) live += bytes.byteLength;
                }
                reading = false;
                // desiredSize: the high-water mark, 0, less the bytes queued; reads take the backlog first
                if (!subscribing && Math.min(-controller.desiredSize!, live) > maxQueuedBytes) {
                  subscription.unsubscribe();
                  controller.error(new StreamAbortedError(`toServerSentEvents: the reader fell more than maxQueuedBytes (${maxQueuedBytes}) behind`));
                }
              },
              complete: () => {
                if (!subscription.closed) controller.close();
              },
            }));
            subscribing = false;
          },
          cancel() {
            subscription.unsubscribe();
          },
        },
        // no read-ahead: `pull` is called only for a pending read
        { highWaterMark: 0, size: (chunk) => chunk.byteLength },
      );
      return stream;
    },
  };
}

/** An {@link InvalidStreamError} for an item that would corrupt its frame, naming the field's value. */
function malformed(what: string, value: unknown): InvalidStreamError {
  return new InvalidStreamError(`toServerSentEvents: ${what}, got ${describeValue(value)}`);
}

/** One interval for the whole stream (no timer per token): a tick with nothing sent since the previous one sends a heartbeat. */
function withHeartbeats(body: Observable<string>, heartbeatMs: number, scheduler: SchedulerLike): Observable<string> {
  return new Observable<string>((subscriber) => {
    let sent = false;
    const beats = interval(heartbeatMs, scheduler).subscribe(() => {
      if (!sent) subscriber.next(HEARTBEAT_FRAME);
      sent = false;
    });
    const frames = body.subscribe({
      next: (frame) => {
        sent = true;
        subscriber.next(frame);
      },
      error: (e: unknown) => subscriber.error(e),
      complete: () => subscriber.complete(),
    });
    return () => {
      beats.unsubscribe();
      frames.unsubscribe();
    };
  });
}

function isSequenced(item: L0Event | SequencedEvent): item is SequencedEvent {
  return typeof (item as SequencedEvent).seq === 'number' && typeof (item as { type?: unknown }).type !== 'string';
}

function resolveConfig(config: ToServerSentEventsConfig): { heartbeatMs: number; after: number; maxQueuedBytes: number; scheduler: SchedulerLike } {
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { heartbeatMs = TO_SERVER_SENT_EVENTS_DEFAULTS.heartbeatMs, resumeFrom, maxQueuedBytes = TO_SERVER_SENT_EVENTS_DEFAULTS.maxQueuedBytes, scheduler = asyncScheduler } = config;
  if (typeof heartbeatMs !== 'number' || !Number.isFinite(heartbeatMs) || heartbeatMs < 0) throw optionError(PATH, 'heartbeatMs', 'a finite number of milliseconds >= 0 (0: no heartbeats)', heartbeatMs);
  checkTimerDelay(PATH, 'heartbeatMs', heartbeatMs);
  if (!((Number.isSafeInteger(maxQueuedBytes) && maxQueuedBytes > 0) || maxQueuedBytes === Infinity)) throw optionError(PATH, 'maxQueuedBytes', 'a whole number of bytes >= 1 (Infinity: no bound)', maxQueuedBytes);
  if (!isSchedulerLike(scheduler)) throw optionError(PATH, 'scheduler', 'a SchedulerLike', scheduler);
  let after: number;
  try {
    after = parseLastEventId(resumeFrom);
  } catch {
    throw optionError(PATH, 'resumeFrom', 'a non-negative integer (a Last-Event-ID)', resumeFrom);
  }
  return { heartbeatMs, after, maxQueuedBytes, scheduler };
}
