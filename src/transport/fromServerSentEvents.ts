import { asyncScheduler, concatWith, defer, EMPTY, filter, map, Observable, retry, throwError, timer, type SchedulerLike } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { markRelayed, waiveAttemptContext } from '../attempt/attemptContext.js';
import { checkBag, checkKeys, isSchedulerLike, optionError, optionKeys, optionPath } from '../internal/options.js';
import { checkTimerDelay } from '../internal/timerDelay.js';
import { connect, DROPPED, headersOf, incomplete } from './sseConnection.js';

/** Options of {@link fromServerSentEvents}. */
export interface FromServerSentEventsConfig {
  /** Extra request options (headers, credentials, a `POST` body as a string). `signal` is ours (one that is not an `AbortSignal` is refused, as fetch refuses it); a `Last-Event-ID` header is read as `lastEventId` (rule 11). @default {} */
  readonly init?: Omit<RequestInit, 'signal'>;
  /** Reconnections in a row without a new event before giving up with the connection's error. 0: never reconnect. @default 3 */
  readonly reconnectAttempts?: number;
  /** Wait before each reconnection, in milliseconds (at most 2147483647). @default 1000 */
  readonly reconnectDelay?: number;
  /** Resume after this event id on the first connection too (not on a `retryWithBackoff` retry, which asks for the whole run); an SSE id (no CR, LF or NUL, not even a trailing line break, which no server's id holds) sent as a header (no character above U+00FF). `''`: from the start. @default undefined (a `Last-Event-ID` in `init.headers` or the `Request`'s, else from the start) */
  readonly lastEventId?: string;
  /** The fetch to use (a test double, an instrumented one). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * How long a connection may give no bytes at all (no frame, no heartbeat comment) before it is
   * taken for dropped and reconnected with `Last-Event-ID` (rule 10), in ms (at most 2147483647):
   * a dead path through a proxy, a server whose heartbeats stopped. Keep it above twice the
   * server's `heartbeatMs` (its longest silence): `45000` for `toServerSentEvents`' default 15000.
   * `Infinity`: no check (a server that sends no heartbeats).
   * @default Infinity
   */
  readonly heartbeatTimeout?: number;
  /** Time source of `reconnectDelay` and `heartbeatTimeout`. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

/**
 * The defaults of {@link fromServerSentEvents}, frozen.
 * @example
 * import { FROM_SERVER_SENT_EVENTS_DEFAULTS } from 'l0-rx';
 * console.log(FROM_SERVER_SENT_EVENTS_DEFAULTS.reconnectAttempts); // 3
 */
export const FROM_SERVER_SENT_EVENTS_DEFAULTS: Readonly<Required<Pick<FromServerSentEventsConfig, 'reconnectAttempts' | 'reconnectDelay' | 'heartbeatTimeout'>>> = Object.freeze({
  reconnectAttempts: 3,
  reconnectDelay: 1000,
  heartbeatTimeout: Infinity,
});

const PATH = /*#__PURE__*/ optionPath('fromServerSentEvents', 'url, ');
const INIT_PATH = /*#__PURE__*/ optionPath('fromServerSentEvents', 'url, ', 'config.init');
const KEYS = /*#__PURE__*/ optionKeys<FromServerSentEventsConfig>()(['init', 'reconnectAttempts', 'reconnectDelay', 'lastEventId', 'fetch', 'heartbeatTimeout', 'scheduler']);

/**
 * The events a backend streams with {@link toServerSentEvents}, as the same typed
 * `Observable<L0Event>`, in browsers, edge runtimes and Node (fetch + ReadableStream, read as
 * WHATWG `EventSource` reads the event stream format).
 *
 *   a-b-c-X                    connection 1 drops after c (id 3)
 *            d-e-end           connection 2, requested reconnectDelay after the drop with `Last-Event-ID: 3`
 *   a-b-c----d-e-|             fromServerSentEvents(url, { reconnectDelay: 3 })
 *
 * Rules:
 * 1. Each subscription makes its own request; unsubscribing cancels the fetch and its body. A `Request`
 *    or `URL` is told by its shape, so an injected fetch's own (another realm's, a polyfill's) is taken;
 *    a plain object is neither (a `{method, url}` has no `clone()`, a `{href}` does not read as its href): a TypeError at once.
 *    A relative url throws a TypeError naming it at once where the global fetch has no page to resolve
 *    it against (Node's, Deno's without `--location`; a browser's resolves it). An `init.signal` is replaced by ours (one that is not
 *    an `AbortSignal` is refused, as fetch refuses it). A
 *    `Request` is accepted without a body only (a reconnect resends it; or with one an `init.body`
 *    replaces), and `init` without a stream body (a `ReadableStream` or an async iterable); its headers are kept. An `init` fetch would refuse (a `GET` with a body, a bad
 *    method or header) throws a TypeError naming `config.init` at once, never a dropped connection.
 * 2. A body that ends without the server's `end` or `error` frame, or a failed fetch, is a dropped
 *    connection: it reconnects after `reconnectDelay`, sending `Last-Event-ID`, up to
 *    `reconnectAttempts` times in a row (a new event resets the count); then it errors with a
 *    `ProviderError` `NETWORK_ERROR` (a dropped body: `INCOMPLETE_STREAM`). A drop after the run's
 *    `complete` event lost only the `end` frame: the stream ends there, with no reconnect (a `retry` or
 *    `fallback` after the `complete`, a server's `retryWithBackoff` around a check failing at the end, reopens the run).
 * 3. An event whose numeric id is not above the last one received (or `lastEventId`) is sent again:
 *    the same event as before under that id is dropped, and is not a new event (a server that replays
 *    the run from its start repeats nothing; one that does so on every reconnect uses up
 *    `reconnectAttempts`). Another event under an id already received means the server restarted the
 *    run instead of resuming it: a `ProviderError` `INCOMPLETE_STREAM` (retryable by
 *    `retryWithBackoff`, never reconnected), so two answers are never spliced. Events are told apart
 *    by a 32-bit hash of their data, kept per id. Ids that are not numbers, or above 2^53 (where two
 *    ids can be one number), are not compared. An id `<run>:<seq>` (a replay buffer's) is compared
 *    by its `seq`, and one whose run tag differs from the last id's means the server resumed another
 *    run of the stream id: `INCOMPLETE_STREAM` too. An id without a tag is not compared by tag.
 * 4. An `error` frame (the run's terminal error) is rethrown typed, through `deserializeError`;
 *    one whose data is not a serialised error is an `InvalidStreamError`, never a dropped connection.
 * 5. A non-2xx response errors with a `ProviderError` carrying `status`, typed as the library's status
 *    table types it (`SERVER_ERROR` for 5xx, 409 and 425, `RATE_LIMITED` for 429, a `timeout`
 *    `NETWORK_ERROR` for 408, all retryable; `AUTH_ERROR` for 401/402/403/407, `BAD_REQUEST` otherwise) and the
 *    `Retry-After` as `retryAfterMs` (in seconds, or `retry-after-ms`; not an HTTP date, read
 *    without a clock as `fromStream` does), never reconnected. So does a 2xx that is not
 *    `text/event-stream` (a login page, a JSON error), as a `BAD_REQUEST` that is not retryable
 *    and names its content type, as WHATWG `EventSource` fails the connection. A 204 answering a
 *    request with `Last-Event-ID`, or a reconnect without one after events (an empty `id:` reset it), is a server that
 *    cannot resume or go on (the quick start's backend refuses so; WHATWG `EventSource` stops
 *    reconnecting): after the run's `complete` it ends the stream, as an `end` frame would; otherwise it is
 *    the retryable `INCOMPLETE_STREAM` of rule 8, so a `retryWithBackoff` asks for the whole answer again.
 *    A 204 to a first request without `Last-Event-ID` (or its reconnect, before anything came) is the `BAD_REQUEST` above (no stream to give).
 *    So is an error frame coded `STREAM_NOT_FOUND` or `RESUME_GAP` answering such a request (a
 *    replay buffer or store that no longer holds the run, after a restart or an eviction).
 * 6. Every event is validated: an invalid one errors with `InvalidStreamError`, and so does a
 *    reconnect after an event id that no header can carry (a character above U+00FF). A `complete`
 *    with `"limitCut": true` (a server's `budget()` cut: see `toServerSentEvents`) is passed without
 *    the field, marked as the cut it was, so `detectZeroOutput` and `parseStructured` after it read
 *    the caller's limit, not an empty answer; `limitCut` of another value or on another event is invalid.
 * 7. A `retryWithBackoff` or `fallbackTo` after it requests the whole run again on a retry (without
 *    `lastEventId`, which only the first attempt resumes after: a retry is told by the attempt the
 *    loop hands on subscribing, so a retry subscribed later, after `subscribeOn` or inside an
 *    asynchronous `switchMap`, and a fallback to this same source still resume after it); the
 *    server's events number their attempts themselves (its `start` says attempt 1), which those
 *    operators accept from this source (they check the attempt of a `fromStream` source) and never
 *    number their own attempts or streams by, however they nest. Their attempt context stays for a
 *    `fromStream` merged after it in the same attempt.
 * 8. An `end` frame that comes inside a run (after a `start`, `retry` or `fallback` with no `complete` since) is a
 *    `ProviderError` `INCOMPLETE_STREAM`, retryable, never a short answer that looks finished: a
 *    server that resumed another run of the stream id, or ended the stream early, sends one.
 * 9. As `EventSource`: a block with an `id:` and no `data:` dispatches nothing but sets the last event id
 *    a reconnect sends (one not above the last numeric id is ignored, as a replay is), and an empty `id:`
 *    resets it (no `Last-Event-ID`, as on a first connection).
 * 10. With a finite `heartbeatTimeout`, a connection that gives no bytes for that long (no frame, no
 *    heartbeat comment; counted from the request on, and from when it reads again after handing on a chunk,
 *    so a subscriber slower than it is no silence of the server's) is a dropped connection (rule 2): its fetch is
 *    aborted and it reconnects with `Last-Event-ID`, after the last of `reconnectAttempts` a
 *    `ProviderError` `NETWORK_ERROR` naming the silence. One timer a connection, re-armed for what is
 *    left since the last bytes (never one per frame), on `scheduler`.
 * 11. A `Last-Event-ID` set by hand in `init.headers` (or the `Request`'s headers) is read as `lastEventId` as each subscription starts
 *    (which wins when both are given): sent on the first connection only, its replay dropped (rule 3); a
 *    reconnect sends the client's own last event id (none after an empty `id:`), a retry none (rule 7).
 *
 * @example
 * import { accumulate, fromServerSentEvents } from 'l0-rx';
 * fromServerSentEvents('/api/chat?q=hello').pipe(accumulate()).subscribe((s) => render(s.content));
 * @see {@link toServerSentEvents} {@link accumulate}
 */
export function fromServerSentEvents(url: string | URL | Request, config: FromServerSentEventsConfig = {}): Observable<L0Event> {
  // a Request or URL told by shape: an injected fetch (another realm's, a polyfill's) takes its own (rule 1); a
  // Request by its method, which a Response (whose url is a string too) has not, and its clone(), which a plain
  // `{method, url}` has not; a URL by its href, which it reads as (a plain `{href}` reads as "[object Object]", a
  // null-prototype one as nothing: no toString)
  const isRequest = typeof (url as Request)?.method === 'string' && typeof (url as Request).clone === 'function';
  if (typeof url !== 'string' && !isRequest && !(typeof (url as URL)?.href === 'string' && (url as URL).toString?.() === (url as URL).href)) throw new TypeError(`fromServerSentEvents(url) must be a string, a URL or a Request, got ${typeof url}`);
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { init = {}, reconnectAttempts = FROM_SERVER_SENT_EVENTS_DEFAULTS.reconnectAttempts, reconnectDelay = FROM_SERVER_SENT_EVENTS_DEFAULTS.reconnectDelay, lastEventId, fetch: fetchFn = globalThis.fetch, heartbeatTimeout = FROM_SERVER_SENT_EVENTS_DEFAULTS.heartbeatTimeout, scheduler = asyncScheduler } = config;
  checkBag(INIT_PATH, init);
  let once: unknown;
  try {
    // a body goes with the first request: a reconnect could not resend a stream (a ReadableStream, or an async
    // iterable undici sends; told by shape, so no global is needed) or a Request's, which building the request
    // fetch(request, init) builds uses up (Firefox has no `Request.body`; an init body replaces it) (rule 1).
    // A request fetch refuses to make (a GET with a body, a bad method or header) is the caller's, never a
    // dropped connection to reconnect
    // (a Request is rebuilt by its own realm's class, or by the global one the global fetch rebuilds it with, which
    // refuses another's, as Node's does; a string's or a URL's bodyUsed: undefined)
    const R = isRequest && fetchFn !== globalThis.fetch ? ((url as Request).constructor as typeof Request) : typeof Request === 'function' && Request;
    once = (init.body as any)?.getReader || (init.body as any)?.[Symbol.asyncIterator] || (R && new R(isRequest ? url : 'http://localhost/', init) && (url as Request).bodyUsed);
  } catch (e) {
    throw new TypeError(`${INIT_PATH.self} cannot make a request: ${(e as Error).message}`, { cause: e });
  }
  if (once) throw new TypeError("fromServerSentEvents: a Request's body or a stream body cannot be resent on reconnect; pass the url and `init: { method, body }` with a string body");
  need(Number.isSafeInteger(reconnectAttempts) && reconnectAttempts >= 0, 'reconnectAttempts', 'an integer >= 0', reconnectAttempts);
  need(Number.isFinite(reconnectDelay) && reconnectDelay >= 0, 'reconnectDelay', 'a finite number of milliseconds >= 0', reconnectDelay);
  checkTimerDelay(PATH, 'reconnectDelay', reconnectDelay);
  need(typeof heartbeatTimeout === 'number' && heartbeatTimeout > 0, 'heartbeatTimeout', 'a number of milliseconds > 0 (Infinity: no check)', heartbeatTimeout);
  checkTimerDelay(PATH, 'heartbeatTimeout', heartbeatTimeout);
  // (sent as a header: not the server's id that rule 6 fails at the reconnect)
  need(lastEventId === undefined || (typeof lastEventId === 'string' && !/[^\0-\xff]|[\0\n\r]/.test(lastEventId)), 'lastEventId', 'an SSE event id a header can carry (Latin-1; no CR, LF or NUL, at its end either)', lastEventId);
  need(typeof fetchFn === 'function', 'fetch', 'a fetch function (none is global here)', fetchFn);
  // a relative url the runtime's fetch has no page to resolve against (Node's) never connects: no reconnects. Fetch's base:
  // a page's document base url (an about:srcdoc frame's is its parent's), a worker's location; read for a relative url
  // only (Deno without --location throws reading `location`)
  if (fetchFn === globalThis.fetch && typeof url === 'string') {
    try {
      new URL(url);
    } catch {
      try {
        new URL(url, globalThis.document?.baseURI ?? location.href);
      } catch {
        throw new TypeError(`fromServerSentEvents(url) must be an absolute url where there is no page to resolve it against, got ${JSON.stringify(url)}`);
      }
    }
  }
  need(isSchedulerLike(scheduler), 'scheduler', 'a SchedulerLike', scheduler);
  return defer(() => {
    // each subscription is a new request for a whole run, whose own starts number its attempts: a
    // retryWithBackoff or fallbackTo around it hands a context the server never sees (rule 7); it is
    // left in place for a fromStream merged after this one, which does use it; a retry's (attempt 2 on)
    // asks for the whole run again, so `lastEventId` is only the first attempt's; a Last-Event-ID set by hand is a
    // lastEventId, read as each subscription starts as the headers are (rule 11), the first connection's only
    let lastId = waiveAttemptContext() > 1 ? undefined : (lastEventId ?? headersOf(url, init).get('last-event-id') ?? undefined);
    /** `lastId` as a run tag and sequence number (rule 3), kept with it. */
    let last = idOf(lastId);
    /** The hash of each numbered event's data, by id (rule 3). */
    const seen: number[] = [];
    /** Whether a run has started and not completed (rule 8): undefined until a run starts, false once it completed (rules 2 and 5), until a retry or fallback. */
    let open: boolean | undefined;
    /** Whether anything came (an event, an id): a 204 to the reconnect then stops the stream (rule 5). */
    let had = false;
    return defer(() => connect(url, init, lastId, had, fetchFn, () => open === false, heartbeatTimeout, scheduler)).pipe(
      filter(({ id, data, event }) => {
        had = true;
        const got = idOf(id);
        if (got !== undefined) {
          const [run, n] = got;
          const hash = hashOf(data);
          // another run tag than the last id's (a replay buffer's ids): the server resumed a new run of the stream id
          const other = run !== undefined && last?.[0] !== undefined && run !== last[0];
          if (other || (last !== undefined && n <= last[1])) {
            if (other || (event && seen[n] !== undefined && seen[n] !== hash)) {
              throw incomplete(`sent another event ${id} after Last-Event-ID ${lastId}: it restarted the run instead of resuming it`);
            }
            return false; // a replay of an event already passed on (or an id alone the client is past)
          }
          if (event) seen[n] = hash; // (an id alone has no data to tell a later event under it by)
        }
        if (id !== undefined) [lastId, last] = [id, got];
        const type = event?.type;
        if (type === 'start') {
          open = true;
          markRelayed(event!); // the server's numbers: no loop around this source counts by them (rule 7)
        } else if (type === 'complete') open = false;
        // a retry or fallback after the complete (a server's retryWithBackoff around an operator that fails at the end)
        // retracts it: another attempt follows, so a drop reconnects and an end frame is short (rules 2 and 8)
        else if (type === 'retry' || type === 'fallback') open = true;
        return !!event; // an id alone (rule 9) is no event
      }),
      retry({
        count: reconnectAttempts,
        resetOnSuccess: true,
        delay: (e: unknown) => (DROPPED.has(e as object) ? timer(reconnectDelay, scheduler) : throwError(() => e)),
      }),
      map(({ event }) => event!),
      // rule 8: an end frame inside a run (a start and no complete after it) ends a short answer
      concatWith(defer(() => (open ? throwError(() => incomplete("ended the stream before the run's complete event")) : EMPTY))),
    );
  });
}

function need(ok: boolean, key: string, what: string, value: unknown): void {
  if (!ok) throw optionError(PATH, key, what, value);
}

/** An SSE id that is a sequence number, `<seq>` or `<run>:<seq>` (a run tag as the replay buffer makes them), compared with the last id (rule 3). */
const SEQUENCE_ID = /^(?:([\w.-]+):)?(\d+)$/;

/** The id as its run tag and sequence number; none above 2^53, where two ids can round to one number (snowflake ids). */
function idOf(id: string | undefined): [string | undefined, number] | undefined {
  const match = id === undefined ? null : SEQUENCE_ID.exec(id);
  const n = match ? +match[2]! : NaN;
  return Number.isSafeInteger(n) ? [match![1], n] : undefined;
}

/** FNV-1a, 32 bits: tells two events under one id apart (rule 3). */
function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}
