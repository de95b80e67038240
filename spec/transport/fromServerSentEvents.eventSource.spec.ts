/**
 * @test {fromServerSentEvents} read as WHATWG `EventSource` reads a stream (an `id:` without `data:`, an
 * empty `id:`), and the urls and requests it takes when called: another realm's `Request` with its own
 * fetch, a relative url where there is no page to resolve it, against a scripted node:http server on loopback.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { Request as UndiciRequest, fetch as undiciFetch } from 'undici';
import { describe, expect, it, vi } from 'vitest';
import { fromServerSentEvents, type L0Event } from 'l0-rx';
import { failure, sse, useScriptedServer } from '../helpers/scriptedServer.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const frame = (id: number | string, event: L0Event) => `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
const END = 'event: end\ndata: {}\n\n';
const RESENT = "fromServerSentEvents: a Request's body or a stream body cannot be resent on reconnect; pass the url and `init: { method, body }` with a string body";

const wire = useScriptedServer();

/** Serves `first` on the first connection (then drops it), `END` on the next; the Last-Event-ID of each request. */
async function resumedWith(first: string): Promise<{ events: L0Event[]; ids: (string | undefined)[] }> {
  wire.serve((_req, res, n) => { sse(res, n === 1 ? first : END); res.end(); });
  const events = await lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(toArray()));
  return { events, ids: wire.requests.map((r) => r.headers['last-event-id'] as string | undefined) };
}

describe('fromServerSentEvents, as EventSource reads the stream', () => {
  it('should resume after an id sent without data, which sets the last event id and dispatches nothing (before: it resumed after the last event\'s id)', async () => {
    expect(await resumedWith(`${frame(1, tok('a'))}id: 7\n\n`)).toEqual({ events: [tok('a')], ids: [undefined, '7'] });
    expect(await resumedWith(`${frame('r:1', tok('a'))}: a comment\r\nid: r:9\r\nevent: ignored\r\n\r\n`)).toEqual({ events: [tok('a')], ids: [undefined, 'r:9'] });
  });

  it('should drop, as a replay is, an event up to an id sent without data, and ignore such an id not above the last', async () => {
    wire.serve((_req, res) => { sse(res, frame(1, tok('a')), 'id: 3\n\n', frame(2, tok('b')), frame(4, tok('c')), 'id: 2\n\n', END); res.end(); });
    expect(await lastValueFrom(fromServerSentEvents(wire.url).pipe(toArray()))).toEqual([tok('a'), tok('c')]);
  });

  it('should send no Last-Event-ID after an empty id, which resets it (before: the last event\'s id)', async () => {
    expect(await resumedWith(`${frame(1, tok('a'))}id\n\n`)).toEqual({ events: [tok('a')], ids: [undefined, undefined] });
    expect(await resumedWith(`${frame(1, tok('a'))}id:\ndata: ${JSON.stringify(tok('b'))}\n\n`)).toEqual({ events: [tok('a'), tok('b')], ids: [undefined, undefined] });
  });

  it('should drop, as a replay is, an event under the very id an id alone set (before: INCOMPLETE_STREAM, the id\'s empty data taken for another event)', async () => {
    wire.serve((_req, res) => { sse(res, frame(1, tok('a')), 'id: 2\n\n', frame(2, tok('b')), frame(3, tok('c')), END); res.end(); });
    expect(await lastValueFrom(fromServerSentEvents(wire.url).pipe(toArray()))).toEqual([tok('a'), tok('c')]);
    // a server that resumes after Last-Event-ID 2 with event 2 again (inclusive) is a replay too
    wire.serve((_req, res, n) => { sse(res, ...(n === 1 ? [frame(1, tok('a')), 'id: 2\n\n'] : [frame(2, tok('b')), frame(3, tok('c')), END])); res.end(); });
    expect(await lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(toArray()))).toEqual([tok('a'), tok('c')]);
  });

  it('should read a 204 to a request an empty lastEventId sends without Last-Event-ID as the first request\'s, an HTTP error (before: a refused resume)', async () => {
    wire.serve((_req, res) => void res.writeHead(204).end());
    const e = (await failure(lastValueFrom(fromServerSentEvents(wire.url, { lastEventId: '' })))) as { code: string; message: string };
    expect([e.code, e.message, wire.requests[0]!.headers['last-event-id']]).toEqual(['BAD_REQUEST', 'fromServerSentEvents: the server answered HTTP 204', undefined]);
  });

  it('should ignore an id holding NUL, and keep the last event id over events without one', async () => {
    expect(await resumedWith(`${frame(1, tok('a'))}id: 5\0\ndata: ${JSON.stringify(tok('b'))}\n\n`)).toEqual({ events: [tok('a'), tok('b')], ids: [undefined, '1'] });
  });
});

describe('fromServerSentEvents: the url it takes', () => {
  it("should take another fetch's own Request, with its headers, and refuse one with a body (before: 'must be a string, a URL or a Request, got object')", async () => {
    wire.serve((_req, res) => { sse(res, frame(1, tok('a')), END); res.end(); });
    const request = new UndiciRequest(wire.url, { headers: { authorization: 'Bearer t' } });
    expect(request instanceof Request).toBe(false); // another realm's class, as a polyfill's or an iframe's
    const events = fromServerSentEvents(request as unknown as Request, { fetch: undiciFetch as unknown as typeof fetch });
    expect(await lastValueFrom(events.pipe(toArray()))).toEqual([tok('a')]);
    expect(wire.requests.map((r) => r.headers.authorization)).toEqual(['Bearer t']);
    expect(() => fromServerSentEvents(new UndiciRequest(wire.url, { method: 'POST', body: 'q' }) as unknown as Request, { fetch: undiciFetch as unknown as typeof fetch })).toThrow(RESENT);
  });

  it("should refuse at once another fetch's Request given to the global fetch, which cannot send it (before: accepted, then every reconnect failed with ERR_INVALID_URL)", () => {
    wire.serve((_req, res) => { sse(res, END); res.end(); });
    expect(() => fromServerSentEvents(new UndiciRequest(wire.url) as unknown as Request, { reconnectDelay: 0 })).toThrow(
      'fromServerSentEvents(url, config.init) cannot make a request: Failed to parse URL from [object Request]',
    );
    expect(wire.requests.length).toBe(0);
  });

  it('should refuse at once, naming it, a relative url the global fetch has no page to resolve against (before: three reconnects, then a retryable NETWORK_ERROR)', () => {
    expect(() => fromServerSentEvents('/chat/42')).toThrow('fromServerSentEvents(url) must be an absolute url where there is no page to resolve it against, got "/chat/42"');
    expect(() => fromServerSentEvents('/chat/42', { fetch: (input) => fetch(new URL(String(input), wire.url)) })).not.toThrow(); // an injected fetch resolves it its own way
    vi.stubGlobal('location', { href: wire.url }); // a page (a browser's fetch resolves against it)
    try {
      expect(() => fromServerSentEvents('/chat/42')).not.toThrow();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('should take an absolute url where reading `location` throws (Deno without --location), and refuse a relative one there (before: every url refused)', async () => {
    wire.serve((_req, res) => { sse(res, frame(1, tok('a')), END); res.end(); });
    Object.defineProperty(globalThis, 'location', { configurable: true, get: () => { throw new ReferenceError('Access to "location", run again with --location <href>.'); } });
    try {
      expect(() => fromServerSentEvents('/chat/42')).toThrow('fromServerSentEvents(url) must be an absolute url where there is no page to resolve it against, got "/chat/42"');
      expect(await lastValueFrom(fromServerSentEvents(wire.url).pipe(toArray()))).toEqual([tok('a')]);
    } finally {
      delete (globalThis as { location?: unknown }).location;
    }
  });

  it("should resolve a relative url against the document's base url, as a page's fetch does (an about:srcdoc or about:blank frame inherits its parent's; before: refused)", () => {
    vi.stubGlobal('location', { href: 'about:srcdoc' });
    vi.stubGlobal('document', { baseURI: wire.url });
    try {
      expect(() => fromServerSentEvents('/chat/42')).not.toThrow();
      vi.stubGlobal('document', { baseURI: 'about:blank' }); // no base to resolve against: refused
      expect(() => fromServerSentEvents('/chat/42')).toThrow('must be an absolute url');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("should refuse at once a Response, or another object with a url that is no Request (before: taken as a Request, then fetch failed every reconnect)", () => {
    for (const url of [new Response('', { status: 200 }), { url: wire.url }]) {
      expect(() => fromServerSentEvents(url as never)).toThrow('fromServerSentEvents(url) must be a string, a URL or a Request, got object');
    }
  });

  it('should refuse at once a plain `{method, url}` or `{href}`, which is no Request or URL, with any fetch (before: taken by its shape; an injected fetch failed every reconnect, then a retryable NETWORK_ERROR)', () => {
    const injected = (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init); // (a wrapper: it stringifies the object as fetch does)
    // (a null-prototype `{href}`, which cannot be turned into a string: before, a raw "Cannot convert object to primitive value")
    for (const url of [{ method: 'GET', url: wire.url }, { href: wire.url }, Object.assign(Object.create(null) as object, { href: wire.url })]) {
      for (const config of [{}, { fetch: injected }]) {
        expect(() => fromServerSentEvents(url as never, config)).toThrow('fromServerSentEvents(url) must be a string, a URL or a Request, got object');
      }
    }
    // a URL (of any realm: told by its href too) is taken
    expect(() => fromServerSentEvents(new URL(wire.url), { fetch: injected })).not.toThrow();
  });

  it('should refuse an init.signal that is not an AbortSignal, as fetch does, and replace an AbortSignal with its own', async () => {
    await expect(fetch(wire.url, { signal: {} as AbortSignal })).rejects.toThrow('member signal is not of type AbortSignal');
    expect(() => fromServerSentEvents(wire.url, { init: { signal: {} } as never })).toThrow(/^fromServerSentEvents\(url, config\.init\) cannot make a request: .*signal is not of type AbortSignal/);
    wire.serve((_req, res) => { sse(res, frame(1, tok('a')), END); res.end(); });
    expect(await lastValueFrom(fromServerSentEvents(wire.url, { init: { signal: AbortSignal.abort() } as never }).pipe(toArray()))).toEqual([tok('a')]);
  });
});
