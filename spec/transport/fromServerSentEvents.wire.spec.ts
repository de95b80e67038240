/** @test {fromServerSentEvents} the wire edge cases, against a scripted node:http server on loopback */
import type { ServerResponse } from 'node:http';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { accumulate, classifyError, fromServerSentEvents, isInvalidStreamError, L0Error, retryWithBackoff, serializeError, type L0Event } from 'l0-rx';
import { failure, sse, useScriptedServer } from '../helpers/scriptedServer.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const START: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const COMPLETE: L0Event = { type: 'complete', finishReason: 'stop' };
const frame = (id: number, event: L0Event, eol = '\n') => `id: ${id}${eol}event: ${event.type}${eol}data: ${JSON.stringify(event)}${eol}${eol}`;
const END = 'event: end\ndata: {}\n\n';

const wire = useScriptedServer();
const serve = wire.serve;
/** Writes the frames, then cuts the connection once they reached the client. */
const cut = (res: ServerResponse, ...frames: string[]) => { sse(res, ...frames); res.write('', () => setImmediate(() => res.destroy())); };

describe('fromServerSentEvents on the wire', () => {
  describe('line endings', () => {
    it('should read a stream whose lines end with a bare CR, up to its end frame at the very end of the body', async () => {
      serve((_req, res) => { sse(res, frame(1, tok('a'), '\r'), 'event: end\rdata: {}\r\r'); res.end(); });
      expect(await lastValueFrom(fromServerSentEvents(wire.url, { reconnectAttempts: 0 }).pipe(toArray()))).toEqual([tok('a')]);
    });

    it('should read CRLF lines and multi-line data cut anywhere between two writes', async () => {
      const body = Buffer.from(`id: 1\r\nevent: token\r\ndata: {"type":"token",\r\ndata: "value":"a😀"}\r\n\r\n${frame(2, tok('b'), '\r\n')}event: end\r\ndata: {}\r\n\r\n`);
      for (const at of [1, 20, 38, 39, 40, 58, 59, 60, body.length - 2, body.length - 1]) {
        serve((_req, res) => { sse(res, body.subarray(0, at)); setImmediate(() => res.end(body.subarray(at))); });
        expect(await lastValueFrom(fromServerSentEvents(wire.url, { reconnectAttempts: 0 }).pipe(toArray())), `cut at byte ${at}`).toEqual([tok('a😀'), tok('b')]);
      }
    });

    it('should still drop an event whose last line ends the body with a CR and no blank line after it (an incomplete frame)', async () => {
      serve((_req, res, n) => { sse(res, ...(n === 1 ? ['id: 1\revent: token\rdata: {"type":"token","value":"a"}\r'] : [END])); res.end(); });
      expect(await lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(toArray()))).toEqual([]);
      expect(wire.requests.length).toBe(2);
    });
  });

  it('should error with InvalidStreamError naming an event id no Last-Event-ID header can carry, when it has to reconnect', async () => {
    serve((_req, res) => cut(res, `id: r\u00e9sum\u00e9-\u4e00:1\nevent: token\ndata: ${JSON.stringify(tok('a'))}\n\n`));
    const seen: L0Event[] = [];
    const e = await failure(lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(tap((x) => seen.push(x)))));
    expect([isInvalidStreamError(e), (e as Error).message, seen, wire.requests.length]).toEqual([true, expect.stringContaining('cannot be sent back as Last-Event-ID'), [tok('a')], 1]);
  });

  describe('an error frame that is not a serialised error', () => {
    for (const data of ['{"name":"AllStreamsExhaustedError","message":"m","errors":[null]}', 'null', '{"name":"E"}']) {
      it(`should error with InvalidStreamError at once for ${data}, never read it as a dropped connection and reconnect`, async () => {
        serve((_req, res) => { sse(res, `event: error\ndata: ${data}\n\n`); res.end(); });
        const e = await failure(lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 })));
        expect([isInvalidStreamError(e), wire.requests.length]).toEqual([true, 1]);
      });
    }
  });

  describe("a drop after the run's complete event (only the end frame lost)", () => {
    const RUN = [frame(1, START), frame(2, tok('a')), frame(3, COMPLETE)];

    it('should end the stream there without reconnecting, even with reconnectAttempts: 0 (before: a retryable INCOMPLETE_STREAM, so a retry ran the answer again, its retry after its complete)', async () => {
      serve((_req, res) => cut(res, ...RUN));
      const types: string[] = [];
      const events = fromServerSentEvents(wire.url, { reconnectAttempts: 0 }).pipe(retryWithBackoff({ baseDelay: 0, maxRetries: 1 }), tap((e) => types.push(e.type)));
      expect(await lastValueFrom(events.pipe(toArray()))).toEqual([START, tok('a'), COMPLETE]);
      expect([types, wire.requests.length]).toEqual([['start', 'token', 'complete'], 1]);
    });

    it('should end the stream there when the server is gone for the reconnects (before: reconnects that failed, then NETWORK_ERROR)', async () => {
      serve((req, res, n) => (n === 1 ? cut(res, ...RUN) : void req.socket.destroy()));
      const state = await lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(retryWithBackoff({ baseDelay: 0, maxRetries: 1 }), accumulate()));
      expect([state.status, state.content, wire.requests.length]).toEqual(['complete', 'a', 1]);
    });

    // a server's retryWithBackoff around an operator that fails after passing complete retries after it (retryWithBackoff's docs)
    const LATE = serializeError(new L0Error('late', { code: 'SERVER_ERROR', category: 'server', retryable: true }));
    const RETRY: L0Event = { type: 'retry', attempt: 1, delayMs: 50, error: LATE, reason: 'server_error', countsTowardAttempts: false };
    const AGAIN: L0Event = { type: 'start', attempt: 2, fallbackIndex: 0, isRetry: true, isFallback: false };

    it("should reconnect after a relayed retry that followed the complete (before: the stream ended in its backoff, 'retrying', no answer)", async () => {
      serve((req, res) => {
        if (req.headers['last-event-id'] === undefined) return cut(res, ...RUN, frame(4, RETRY));
        sse(res, frame(5, AGAIN), frame(6, tok('b')), frame(7, COMPLETE), END);
        res.end();
      });
      const state = await lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(accumulate()));
      expect([state.status, state.content, wire.requests.map((r) => r.headers['last-event-id'])]).toEqual(['complete', 'b', [undefined, '4']]);
    });

    const FALLBACK: L0Event = { type: 'fallback', fromIndex: 0, toIndex: 1, error: LATE };
    for (const after of [RETRY, FALLBACK]) {
      it(`should fail an end frame after such a ${after.type}, as inside a run (before: a finished stream that says retrying)`, async () => {
        serve((_req, res) => { sse(res, ...RUN, frame(4, after), END); res.end(); });
        const e = await failure(lastValueFrom(fromServerSentEvents(wire.url, { reconnectAttempts: 0 })));
        expect([(e as { code: string }).code, classifyError(e).retryable]).toEqual(['INCOMPLETE_STREAM', true]);
      });
    }
  });

  describe('a reconnect the server refuses with a 204 (it cannot resume)', () => {
    it('should error with a retryable INCOMPLETE_STREAM inside a run, so retryWithBackoff asks for the whole answer again', async () => {
      serve((req, res, n) => {
        if (req.headers['last-event-id'] !== undefined) return void res.writeHead(204).end();
        if (n === 1) return cut(res, frame(1, START), frame(2, tok('a')));
        sse(res, frame(1, START), frame(2, tok('ab')), frame(3, COMPLETE), END);
        res.end();
      });
      const e = await failure(lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 })));
      expect([(e as { code: string }).code, classifyError(e).retryable, wire.requests.length]).toEqual(['INCOMPLETE_STREAM', true, 2]);
      const state = await lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(retryWithBackoff({ baseDelay: 0 }), accumulate()));
      expect([state.status, state.content, wire.requests.length]).toEqual(['complete', 'ab', 3]);
    });

    it("should complete when the run's complete event came before the drop (only the end frame was lost)", async () => {
      serve((req, res) => (req.headers['last-event-id'] === undefined ? cut(res, frame(1, START), frame(2, tok('a')), frame(3, COMPLETE)) : void res.writeHead(204).end()));
      expect(await lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(toArray()))).toEqual([START, tok('a'), COMPLETE]);
    });

    it('should error with a retryable INCOMPLETE_STREAM for a stream that is not a run (no start to tell its end by)', async () => {
      serve((req, res) => (req.headers['last-event-id'] === undefined ? cut(res, frame(1, tok('a'))) : void res.writeHead(204).end()));
      const e = await failure(lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 })));
      expect([(e as { code: string }).code, classifyError(e).retryable]).toEqual(['INCOMPLETE_STREAM', true]);
    });

    for (const code of ['STREAM_NOT_FOUND', 'RESUME_GAP']) {
      it(`should read a ${code} error frame answering the reconnect as the same retryable INCOMPLETE_STREAM (a replay source that lost the run)`, async () => {
        const refused = `event: error\ndata: ${JSON.stringify(serializeError(new L0Error('cannot resume', { code, category: 'bad-request', retryable: false })))}\n\n`;
        serve((req, res, n) => {
          if (req.headers['last-event-id'] !== undefined) return void (sse(res, refused), res.end());
          if (n === 1) return cut(res, frame(1, START), frame(2, tok('a')));
          sse(res, frame(1, START), frame(2, tok('ab')), frame(3, COMPLETE), END);
          res.end();
        });
        const e = await failure(lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 })));
        expect([(e as { code: string }).code, classifyError(e).retryable, ((e as Error).cause as { code?: string } | undefined)?.code]).toEqual(['INCOMPLETE_STREAM', true, code]);
        const state = await lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(retryWithBackoff({ baseDelay: 0 }), accumulate()));
        expect([state.status, state.content]).toEqual(['complete', 'ab']);
      });
    }

    it('should ask a retry for the whole run, without the configured lastEventId (a reload that resumes a run the server lost)', async () => {
      const refused = `event: error\ndata: ${JSON.stringify(serializeError(new L0Error('cannot resume', { code: 'STREAM_NOT_FOUND', category: 'bad-request', retryable: false })))}\n\n`;
      serve((req, res) => {
        if (req.headers['last-event-id'] !== undefined) return void (sse(res, refused), res.end());
        sse(res, frame(1, START), frame(2, tok('ab')), frame(3, COMPLETE), END);
        res.end();
      });
      const state = await lastValueFrom(fromServerSentEvents(wire.url, { lastEventId: '7', reconnectDelay: 0 }).pipe(retryWithBackoff({ baseDelay: 0 }), accumulate()));
      expect([state.status, state.content, wire.requests.map((r) => r.headers['last-event-id'])]).toEqual(['complete', 'ab', ['7', undefined]]);
    });

    it('should keep such an error frame to a first request (no Last-Event-ID) the error it is', async () => {
      serve((_req, res) => { sse(res, `event: error\ndata: ${JSON.stringify(serializeError(new L0Error('gone', { code: 'STREAM_NOT_FOUND', category: 'bad-request', retryable: false })))}\n\n`); res.end(); });
      const e = await failure(lastValueFrom(fromServerSentEvents(wire.url)));
      expect([(e as { code: string }).code, classifyError(e).retryable]).toEqual(['STREAM_NOT_FOUND', false]);
    });

    it('should keep a 204 to the first request an HTTP error (BAD_REQUEST), not an empty stream', async () => {
      serve((_req, res) => void res.writeHead(204).end());
      expect(((await failure(lastValueFrom(fromServerSentEvents(wire.url)))) as { code: string }).code).toBe('BAD_REQUEST');
    });
  });
});
