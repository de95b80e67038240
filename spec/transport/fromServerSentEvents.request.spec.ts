/**
 * @test {fromServerSentEvents} the request it checks when called, across runtimes: a body told by
 * its shape (undici's async iterables), a runtime without `Request.body` (Firefox) or without a
 * global `ReadableStream`, against a scripted node:http server on loopback.
 */
import { Readable } from 'node:stream';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { fromServerSentEvents, type L0Event } from 'l0-rx';
import { sse, useScriptedServer } from '../helpers/scriptedServer.js';

const A: L0Event = { type: 'token', value: 'a' };
const EVENTS = `id: 1\nevent: token\ndata: ${JSON.stringify(A)}\n\nevent: end\ndata: {}\n\n`;
const RESENT = "fromServerSentEvents: a Request's body or a stream body cannot be resent on reconnect; pass the url and `init: { method, body }` with a string body";

const wire = useScriptedServer();

describe('fromServerSentEvents: the request it checks', () => {
  it('should refuse at once an async iterable body undici sends (before: a Node stream failed every reconnect, a generator was resent empty)', () => {
    wire.serve((_req, res) => { sse(res, EVENTS); res.end(); });
    const bodies = [Readable.from(['q']), (async function* () { yield new TextEncoder().encode('q'); })()];
    for (const body of bodies) expect(() => fromServerSentEvents(wire.url, { init: { method: 'POST', body, duplex: 'half' } as never })).toThrow(RESENT);
    expect(wire.requests.length).toBe(0);
  });

  it('should accept a Request without a body where Request has no `body` (Firefox), and still refuse one with a body (before: every Request refused)', async () => {
    wire.serve((_req, res) => { sse(res, EVENTS); res.end(); });
    const getter = Object.getOwnPropertyDescriptor(Request.prototype, 'body')!;
    Reflect.deleteProperty(Request.prototype, 'body');
    try {
      const events = fromServerSentEvents(new Request(wire.url, { headers: { authorization: 'Bearer t' } }));
      expect(() => fromServerSentEvents(new Request(wire.url, { method: 'POST', body: 'q' }))).toThrow(RESENT);
      expect(await lastValueFrom(events.pipe(toArray()))).toEqual([A]);
      expect(wire.requests.map((r) => r.headers.authorization)).toEqual(['Bearer t']);
    } finally {
      Object.defineProperty(Request.prototype, 'body', getter);
    }
  });

  it("should accept a Request with a body that init.body replaces, sending init's on every connection (before: refused)", async () => {
    const bodies: string[] = [];
    wire.serve((req, res, n) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c)).on('end', () => { bodies.push(body); sse(res, n === 1 ? EVENTS.split('event: end')[0]! : EVENTS); res.end(); });
    });
    const events = fromServerSentEvents(new Request(wire.url, { method: 'POST', body: 'old' }), { init: { body: 'q' }, reconnectDelay: 0 });
    expect(await lastValueFrom(events.pipe(toArray()))).toEqual([A]);
    expect(bodies).toEqual(['q', 'q']);
  });

  it('should be made and read where there is no global ReadableStream (before: a TypeError when called)', async () => {
    // Node's fetch needs the global to read a body: a fetch that hands over a body made before it went, as a runtime's own would
    const response = new Response(EVENTS, { headers: { 'content-type': 'text/event-stream' } });
    vi.stubGlobal('ReadableStream', undefined);
    try {
      const events = fromServerSentEvents('/events', { fetch: async () => response });
      expect(await lastValueFrom(events.pipe(toArray()))).toEqual([A]);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
