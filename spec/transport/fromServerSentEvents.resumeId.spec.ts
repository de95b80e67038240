/**
 * @test {fromServerSentEvents} the id a reconnect resumes after: a `Last-Event-ID` set by hand in the
 * request's headers, and a 204 to a reconnect that carries none (an empty `id:` reset it), against a
 * scripted node:http server on loopback.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { accumulate, classifyError, fromServerSentEvents, retryWithBackoff, type L0Event } from 'l0-rx';
import { failure, sse, useScriptedServer } from '../helpers/scriptedServer.js';
import { END, frame, tok } from './sseTestResponses.js';

const START: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const COMPLETE: L0Event = { type: 'complete', finishReason: 'stop' };

const wire = useScriptedServer();
const ids = () => wire.requests.map((r) => r.headers['last-event-id']);
/** Writes the frames and closes the body without an end frame: a dropped connection. */
const cut = (res: Parameters<typeof sse>[0], ...frames: string[]) => { sse(res, ...frames); res.end(); };

describe('fromServerSentEvents: a Last-Event-ID set by hand in the headers', () => {
  it("should send it on the first connection only, and the client's own last id on a reconnect", async () => {
    wire.serve((_req, res, n) => (n === 1 ? cut(res, frame(6, tok('f'))) : (sse(res, frame(7, tok('g')), END), res.end())));
    const events = fromServerSentEvents(wire.url, { init: { headers: { 'Last-Event-ID': '5' } }, reconnectDelay: 0 });
    expect(await lastValueFrom(events.pipe(toArray()))).toEqual([tok('f'), tok('g')]);
    expect(ids()).toEqual(['5', '6']);
  });

  it('should send none on a reconnect after an empty id reset the last event id (before: the hand-set one again, and the server resumed after it)', async () => {
    for (const [url, init] of [[wire.url, { headers: { 'last-event-id': '5' } }], [new Request(wire.url, { headers: { 'Last-Event-ID': '5' } }), {}]] as const) {
      wire.serve((_req, res, n) => (n === 1 ? cut(res, frame(6, tok('f')), 'id\n\n') : (sse(res, END), res.end())));
      expect(await lastValueFrom(fromServerSentEvents(url, { init, reconnectDelay: 0 }).pipe(toArray()))).toEqual([tok('f')]);
      expect(ids()).toEqual(['5', undefined]);
    }
  });

  it("should drop the server's replay up to it, as it drops one up to lastEventId (before: events the caller had, passed on again)", async () => {
    wire.serve((_req, res) => { sse(res, frame(5, tok('e')), frame(6, tok('f')), END); res.end(); }); // a server that ignores the header
    const events = fromServerSentEvents(wire.url, { init: { headers: { 'Last-Event-ID': '5' } } });
    expect(await lastValueFrom(events.pipe(toArray()))).toEqual([tok('f')]);
  });

  it('should not send it when a retryWithBackoff retry asks for the whole run, as lastEventId is not (before: the retry resumed after it)', async () => {
    wire.serve((req, res) => {
      if (req.headers['last-event-id'] !== undefined) return void res.writeHead(204).end(); // a server that lost the run
      sse(res, frame(1, START), frame(2, tok('ab')), frame(3, COMPLETE), END);
      res.end();
    });
    const events = fromServerSentEvents(wire.url, { init: { headers: { 'Last-Event-ID': '7' } }, reconnectDelay: 0 });
    const state = await lastValueFrom(events.pipe(retryWithBackoff({ baseDelay: 0 }), accumulate()));
    expect([state.status, state.content, ids()]).toEqual(['complete', 'ab', ['7', undefined]]);
  });

  it('should read it at each subscription, as the other headers are read at each connection (before: the one set when it was made, and events up to it were dropped)', async () => {
    wire.serve((_req, res) => { sse(res, frame(5, tok('e')), frame(6, tok('f')), END); res.end(); }); // a server that ignores the header
    const headers: Record<string, string> = { 'Last-Event-ID': '5' };
    const events = fromServerSentEvents(wire.url, { init: { headers } });
    expect(await lastValueFrom(events.pipe(toArray()))).toEqual([tok('f')]);
    delete headers['Last-Event-ID']; // the caller wants the whole run now
    expect(await lastValueFrom(events.pipe(toArray()))).toEqual([tok('e'), tok('f')]);
    headers['Last-Event-ID'] = '6';
    expect(await lastValueFrom(events.pipe(toArray()))).toEqual([]);
    expect(ids()).toEqual(['5', undefined, '6']);
  });

  it('should let lastEventId win over it', async () => {
    wire.serve((_req, res) => { sse(res, END); res.end(); });
    await lastValueFrom(fromServerSentEvents(wire.url, { init: { headers: { 'Last-Event-ID': '5' } }, lastEventId: '' }).pipe(toArray()));
    await lastValueFrom(fromServerSentEvents(wire.url, { init: { headers: { 'Last-Event-ID': '5' } }, lastEventId: '9' }).pipe(toArray()));
    expect(ids()).toEqual([undefined, '9']);
  });
});

describe('fromServerSentEvents: a 204 to a reconnect without Last-Event-ID (WHATWG: stop reconnecting)', () => {
  it('should error inside a run with the retryable INCOMPLETE_STREAM a refused resume is, so retryWithBackoff asks for the whole answer (before: a BAD_REQUEST nothing retries)', async () => {
    wire.serve((_req, res, n) => {
      if (n === 1) return cut(res, frame(1, START), frame(2, tok('a')), 'id\n\n'); // an empty id: no Last-Event-ID on the reconnect
      if (n === 2) return void res.writeHead(204).end();
      sse(res, frame(1, START), frame(2, tok('ab')), frame(3, COMPLETE), END);
      res.end();
    });
    const state = await lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(retryWithBackoff({ baseDelay: 0 }), accumulate()));
    expect([state.status, state.content, ids()]).toEqual(['complete', 'ab', [undefined, undefined, undefined]]);
    wire.serve((_req, res, n) => (n === 1 ? cut(res, `event: token\ndata: ${JSON.stringify(tok('a'))}\n\n`) : void res.writeHead(204).end())); // a server that sends no ids
    const e = await failure(lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 })));
    expect([(e as { code: string }).code, classifyError(e).retryable, (e as Error).message]).toEqual(['INCOMPLETE_STREAM', true, 'fromServerSentEvents: the server refused to resume it (HTTP 204)']);
  });

  it('should keep a 204 to a reconnect before anything came the BAD_REQUEST of a first request (the same request: no stream to give)', async () => {
    wire.serve((_req, res, n) => (n === 1 ? cut(res) : void res.writeHead(204).end()));
    const e = await failure(lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 })));
    expect([(e as { code: string }).code, classifyError(e).retryable, ids()]).toEqual(['BAD_REQUEST', false, [undefined, undefined]]);
  });
});
