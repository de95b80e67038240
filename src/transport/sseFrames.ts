/* SSE wire format shared by both ends of the transport. @internal Never re-exported except `parseLastEventId`. */
import type { L0Event } from '../events/eventTypes.js';
import type { SerializedError } from '../errors/serializeError.js';
import { withCutField } from '../internal/limitCut.js';

/**
 * The response headers of an SSE stream for an HTTP/2 response (Node's `http2` compatibility API):
 * no buffering by proxies, no caching; no `connection` header, which HTTP/2 forbids (Node warns on
 * each response that sets one).
 */
export const SSE_HEADERS_HTTP2: Readonly<Record<string, string>> = /*#__PURE__*/ Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
});

/** The response headers of an SSE stream: the same, kept alive over HTTP/1.1. */
export const SSE_HEADERS: Readonly<Record<string, string>> = /*#__PURE__*/ Object.freeze({ ...SSE_HEADERS_HTTP2, connection: 'keep-alive' });

/** The `event:` name of the frame carrying the run's terminal error. */
export const ERROR_FRAME = 'error';
/** The `event:` name of the frame that marks a clean end: without it, a closed body is a dropped connection. */
export const END_FRAME = 'end';

/**
 * One event as an SSE frame: `id:` its sequence number (`<run>:<seq>` for a replay buffer's run
 * or a store replay's tagged log, so a client can tell two runs of one stream id apart), `event:` its type, `data:` its JSON.
 */
export function eventFrame(seq: number, event: L0Event, run?: string): string {
  // JSON.stringify never emits a raw line break, so one `data:` line always holds the whole event;
  // a budget's cut carries a mark JSON leaves out (a symbol): it crosses as `"limitCut": true` (`true` or absent, on a
  // `complete` only), which `fromServerSentEvents` turns back into the mark and removes from the event
  return `id: ${run === undefined ? '' : `${run}:`}${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(withCutField(event))}\n\n`;
}

/**
 * The terminal error as a frame without an `id:`, so a reconnect resumes after the last event.
 * An error whose `info` or causes do not survive `JSON.stringify` (a BigInt, a cycle, a throwing
 * getter) keeps its plain fields (name, message, code...): the frame itself never throws.
 */
export function errorFrame(error: SerializedError): string {
  return `event: ${ERROR_FRAME}\ndata: ${errorJson(error)}\n\n`;
}

function errorJson(error: SerializedError): string {
  try {
    return JSON.stringify(error);
  } catch {
    try {
      return JSON.stringify(Object.fromEntries(Object.entries(error).filter(([, value]) => typeof value !== 'object' && typeof value !== 'bigint')));
    } catch {
      return JSON.stringify({ name: 'Error', message: 'an error that could not be serialised' });
    }
  }
}

export const END_FRAME_TEXT = `event: ${END_FRAME}\ndata: {}\n\n`;
/** A comment line: ignored by every SSE parser, it keeps proxies and load balancers from closing an idle stream. */
export const HEARTBEAT_FRAME = ': heartbeat\n\n';

export { RUN_TAG } from '../events/runTag.js';
/** `<seq>` or `<run>:<seq>`. */
const TAGGED_ID = /^(?:[\w.-]{1,40}:)?(\d{1,16})$/;

/**
 * Reads a `Last-Event-ID` header (or a `resumeFrom` option) as the sequence number to resume
 * after: `undefined`, `null` and `''` are 0 (from the start); an id tagged with its run
 * (`<run>:<seq>`, as a replay buffer numbers its events) gives its `seq` (the client, not the
 * server, checks the run: see `fromServerSentEvents`); anything but a non-negative safe integer
 * throws a TypeError naming the value, so a forged header is a 400, not a silent restart.
 *
 *   'Last-Event-ID: 12'   header
 *   12                    parseLastEventId(req.headers['last-event-id'])
 *
 * @example
 * import type { IncomingMessage } from 'node:http';
 * import { parseLastEventId } from 'l0-rx';
 * declare const req: IncomingMessage; // the browser's (re)connection
 * const after = parseLastEventId(req.headers['last-event-id']); // 0 on a first connection
 */
export function parseLastEventId(value: string | number | readonly string[] | null | undefined): number {
  const raw = Array.isArray(value) ? value[value.length - 1] : value;
  if (raw === undefined || raw === null || raw === '') return 0;
  const tagged = typeof raw === 'number' ? undefined : TAGGED_ID.exec(String(raw).trim());
  const seq = typeof raw === 'number' ? raw : tagged ? Number(tagged[1]) : Number.NaN;
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new TypeError(`Last-Event-ID must be a non-negative integer sequence number, got ${typeof raw === 'number' ? raw : JSON.stringify(raw) ?? String(raw)}`);
  }
  return seq;
}
