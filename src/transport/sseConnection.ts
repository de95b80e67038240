import { Observable, type SchedulerAction, type SchedulerLike, type Subscriber } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { deserializeError } from '../errors/deserializeError.js';
import { describeValue, InvalidStreamError } from '../errors/InvalidStreamError.js';
import { ProviderError, type ProviderErrorOptions } from '../errors/ProviderError.js';
import { retryAfterFromHeaders } from '../errors/retryAfter.js';
import type { SerializedError } from '../errors/serializeError.js';
import { eventProblem } from '../sources/validateEvent.js';
import { readCutField } from '../internal/limitCut.js';
import { END_FRAME, ERROR_FRAME } from './sseFrames.js';

/* One connection of `fromServerSentEvents`: its request, HTTP answer and frames (the rules named are its rules). */

export interface Received {
  /** The block's `id:` field (the last event id is the last one received). */
  readonly id: string | undefined;
  /** None for a block with an `id:` and no `data:`, which dispatches nothing but sets the last event id (WHATWG). */
  readonly event?: L0Event;
  /** The frame's data as sent, whose hash tells an event sent again from another run's (rule 3). */
  readonly data: string;
}

/** The run the server sent cannot be the answer (rules 3 and 8): retryable, a retry asks for the whole run again. */
export function incomplete(what: string, cause?: unknown): ProviderError {
  return new ProviderError(`fromServerSentEvents: the server ${what}`, { code: 'INCOMPLETE_STREAM', category: 'network', retryable: true, cause });
}

/** The errors of a dropped connection (reconnected), as opposed to a terminal one (an error frame, an HTTP error). */
export const DROPPED: WeakSet<object> = /*#__PURE__*/ new WeakSet();

function dropped(message: string, options: Omit<ProviderErrorOptions, 'category' | 'retryable'>): ProviderError {
  const error = new ProviderError(`fromServerSentEvents: the connection ${message}`, { category: 'network', retryable: true, ...options });
  DROPPED.add(error);
  return error;
}

/** The request's headers, read at each connection (a token refreshed in them is sent): the Request's, then init's, and `accept`. */
export function headersOf(url: string | URL | Request, init: Omit<RequestInit, 'signal'>): Headers {
  const headers = new Headers((url as Request).headers); // (a string's or a URL's: undefined)
  new Headers(init.headers).forEach((value, key) => headers.set(key, value));
  headers.set('accept', 'text/event-stream');
  return headers;
}

/**
 * One request; `completed` tells whether the client has the whole run (rule 5's 204). `silence`: the
 * `heartbeatTimeout` (rule 10), watched on `scheduler` by one timer per connection that reads when bytes
 * last came and is re-armed for what is left (no timer per chunk); `Infinity`: none.
 */
export function connect(url: string | URL | Request, init: Omit<RequestInit, 'signal'>, lastId: string | undefined, had: boolean, fetchFn: typeof fetch, completed: () => boolean, silence: number, scheduler: SchedulerLike): Observable<Received> {
  return new Observable<Received>((subscriber) => {
    const controller = new AbortController();
    const timed = silence < Infinity;
    /** When the connection last gave bytes (its response, a chunk of frames or heartbeats), or began. */
    let heard = 0;
    // a connection silent for `silence` (a dead path through a proxy, a server whose heartbeats stopped) is
    // dropped, and reconnects as any drop does (rule 10); the teardown aborts the fetch
    if (timed) {
      heard = scheduler.now();
      subscriber.add(scheduler.schedule(function (this: SchedulerAction<unknown>) {
        const left = silence - (scheduler.now() - heard);
        if (left > 0) this.schedule(undefined, left);
        else lost(dropped(`went silent for ${silence} ms (heartbeatTimeout)`, { code: 'NETWORK_ERROR' }));
      }, silence));
    }
    const headers = headersOf(url, init);
    // ours only (one set by hand is lastId's start, rule 11); an empty id resets the last event id: no header, as EventSource sends none (WHATWG)
    headers.delete('last-event-id');
    const resuming = had || !!lastId;
    if (lastId) {
      try {
        headers.set('last-event-id', lastId);
      } catch (e) {
        // a header holds bytes: an id with a character above U+00FF cannot be sent back (rule 6)
        throw new InvalidStreamError(`fromServerSentEvents: the server's event id ${JSON.stringify(lastId)} cannot be sent back as Last-Event-ID`, e);
      }
    }
    let done = false;
    const feed = sseParser((id, type, data) => {
      if (!done) done = onMessage(id, type, data, subscriber, resuming ? completed : undefined);
    });
    const read = async (): Promise<void> => {
      const response = await fetchFn(url, { ...init, headers, signal: controller.signal });
      if (timed) heard = scheduler.now();
      const { body, headers: got, ok, status } = response;
      const type = got.get('content-type') ?? '';
      // a server that cannot resume or go on (rule 5; WHATWG: a 204 stops reconnecting, with or without Last-Event-ID): the end of the stream, which rule 8 fails inside a run
      if (status === 204 && resuming) return completed() ? subscriber.complete() : subscriber.error(incomplete('refused to resume it (HTTP 204)'));
      // a 2xx that is not text/event-stream (rule 5) falls through to BAD_REQUEST, not retryable
      if (!ok || body === null || !/^\s*text\/event-stream\s*(;|$)/i.test(type)) {
        await body?.cancel().catch(() => undefined);
        // as the library's status table reads them (classifyTables.ts, not imported: the browser path stays light; a spec
        // compares the two for every status): 408 a timeout (a proxy's idle cut), 409 and 425 a server's, 402 and 407 auth
        // (a fetch of the app's own may hand over a 407); 408, 409, 425, 429 and 5xx are retryable (by retryWithBackoff: this never reconnects on an HTTP error)
        const [code, category] =
          status === 429 ? (['RATE_LIMITED', 'rate-limit'] as const)
          : status === 408 ? (['NETWORK_ERROR', 'timeout'] as const)
          : status >= 500 || status === 409 || status === 425 ? (['SERVER_ERROR', 'server'] as const)
          : (status > 400 && status < 404) || status === 407 ? (['AUTH_ERROR', 'auth'] as const)
          : (['BAD_REQUEST', 'bad-request'] as const);
        throw new ProviderError(`fromServerSentEvents: the server answered HTTP ${status}${ok && body ? ` with content-type ${JSON.stringify(type)}, not text/event-stream` : ''}`, {
          code,
          category,
          retryable: category !== 'auth' && category !== 'bad-request',
          status,
          retryAfterMs: retryAfterFromHeaders((name) => got.get(name) ?? undefined, undefined, status === 429),
        });
      }
      // (the decoder drops a byte order mark)
      const reader = body.pipeThrough(new TextDecoderStream()).getReader();
      while (!done) {
        const { value, done: ended } = await reader.read();
        if (ended) break;
        feed(value);
        // timed from when it reads again: a subscriber slower than `silence` is no silence of the server's (rule 10)
        if (timed) heard = scheduler.now();
      }
      if (done) await reader.cancel().catch(() => undefined);
      else lost(dropped('closed before the stream ended', { code: 'INCOMPLETE_STREAM' }));
    };
    // a drop after the run's complete event (no retry or fallback since) lost only the end frame: the end, never a
    // reconnect nor an error after a whole answer (a retry would run it again, its `retry` after its `complete`) (rule 2)
    const lost = (e: unknown) => (completed() ? subscriber.complete() : subscriber.error(e));
    read().catch((e: unknown) => {
      if (controller.signal.aborted) return;
      const cause = (e as { cause?: { code?: unknown } } | null)?.cause?.code;
      const what = typeof cause === 'string' ? cause : e instanceof Error ? e.message : String(e);
      lost(e instanceof ProviderError ? e : dropped(`failed (${what})`, { code: 'NETWORK_ERROR', cause: e }));
    });
    return () => controller.abort();
  });
}

/**
 * The WHATWG event stream format, as `EventSource` reads it: lines end at CR LF, LF or CR (a CR ending one
 * chunk ends its line at once, an LF starting the next is skipped), `:` starts a comment, a field's value
 * loses one leading space, `data:` lines join with LF, an `id:` holding NUL is ignored, unknown fields and
 * `retry:` are ignored; a blank line dispatches a block with a `data:` line, or with an `id:` alone (`data`
 * undefined: it sets the last event id only). Each chunk is scanned once: a line's start waits in `rest`.
 */
export function sseParser(onBlock: (id: string | undefined, type: string | undefined, data: string | undefined) => void): (text: string) => void {
  let rest = '';
  let skipLf = false;
  let id: string | undefined;
  let type: string | undefined;
  let data: string | undefined;
  return (text) => {
    if (!text) return;
    if (skipLf && text[0] === '\n') text = text.slice(1);
    skipLf = text.endsWith('\r');
    if (!/[\r\n]/.test(text)) return void (rest += text);
    const lines = (rest + text).split(/\r\n?|\n/);
    rest = lines.pop()!;
    for (const line of lines) {
      if (!line) {
        if (data !== undefined || id !== undefined) onBlock(id, type, data);
        id = type = data = undefined;
      } else if (line[0] !== ':') {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
        if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
        else if (field === 'event') type = value;
        else if (field === 'id' && !value.includes('\0')) id = value;
      }
    }
  };
}

/** Delivers one SSE block; true when it ended the stream. `completed`: on a reconnect, whether the client has the whole run. */
function onMessage(id: string | undefined, type: string | undefined, text: string | undefined, subscriber: Subscriber<Received>, completed: (() => boolean) | undefined): boolean {
  // an id without data: no event, the last event id set (WHATWG), as a frame's own id is
  if (text === undefined) {
    subscriber.next({ id, data: '' });
    return false;
  }
  if (type === END_FRAME) {
    subscriber.complete();
    return true;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    subscriber.error(new InvalidStreamError(`fromServerSentEvents: a frame's data is not JSON: ${text.slice(0, 60)}`, e));
    return true;
  }
  if (type === ERROR_FRAME) {
    let error: Error | undefined;
    try {
      // (a throw here would read as a dropped connection, and reconnect)
      if (typeof (data as SerializedError).name === 'string' && typeof (data as SerializedError).message === 'string') error = deserializeError(data as SerializedError);
    } catch {
      // null, or nested errors that are not serialised errors
    }
    const code = (error as { code?: unknown } | undefined)?.code;
    // a reconnect the server cannot serve (a replay source's STREAM_NOT_FOUND or RESUME_GAP): as its 204 (rule 5)
    if (completed && (code === 'STREAM_NOT_FOUND' || code === 'RESUME_GAP')) {
      if (completed()) subscriber.complete();
      else subscriber.error(incomplete(`could not resume it (${code as string})`, error));
      return true;
    }
    subscriber.error(error ?? new InvalidStreamError('fromServerSentEvents: an error frame that is not a serialised error'));
    return true;
  }
  // a budget's cut made on the server (see eventFrame): the mark again, the field gone, so the event is the server's
  const problem = eventProblem(data) ?? readCutField(data);
  if (problem === undefined) {
    subscriber.next({ id, event: data as L0Event, data: text });
    return false;
  }
  subscriber.error(new InvalidStreamError(`fromServerSentEvents: the server sent an invalid event (${problem}): ${describeValue(data)}`));
  return true;
}
