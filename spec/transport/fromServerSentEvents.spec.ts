/** @test {fromServerSentEvents} against a scripted node:http server on loopback */
import type { ServerResponse } from 'node:http';
import { asapScheduler, firstValueFrom, lastValueFrom, merge, take, tap, throwError, toArray, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { accumulate, classifyError, fromServerSentEvents, fromStream, isInvalidStreamError, isProviderError, isTokenTimeoutError, ProviderError, retryWithBackoff, serializeError, TokenTimeoutError, withTimeouts, type L0Event, type TokenTimeoutInfo } from 'l0-rx';
import { eventually } from '../testing/sdkDrivers.js';
import { failure, sse, useScriptedServer } from '../helpers/scriptedServer.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const START: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const frame = (id: number, event: L0Event) => `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
const END = 'event: end\ndata: {}\n\n';

const wire = useScriptedServer();
const serve = wire.serve;

describe('fromServerSentEvents', () => {
  it('should emit the events in order and complete at the end frame', async () => {
    serve((_req, res) => { sse(res, frame(1, tok('a')), frame(2, tok('b')), END); res.end(); });
    expect(await lastValueFrom(fromServerSentEvents(wire.url).pipe(toArray()))).toEqual([tok('a'), tok('b')]);
  });

  describe('an end frame inside a run', () => {
    const COMPLETE: L0Event = { type: 'complete', finishReason: 'stop' };

    it('should error with a retryable INCOMPLETE_STREAM after the events, never end as a short answer', async () => {
      serve((_req, res) => { sse(res, frame(1, START), frame(2, tok('a')), END); res.end(); });
      const seen: L0Event[] = [];
      const e = await failure(lastValueFrom(fromServerSentEvents(wire.url).pipe(tap((x) => seen.push(x)))));
      expect([isProviderError(e), (e as { code: string }).code, classifyError(e).retryable, seen]).toEqual([true, 'INCOMPLETE_STREAM', true, [START, tok('a')]]);
    });

    it('should complete when the run completed before the end frame, and after a retry its next start and complete', async () => {
      serve((_req, res) => { sse(res, frame(1, START), frame(2, tok('a')), frame(3, COMPLETE), END); res.end(); });
      expect(await lastValueFrom(fromServerSentEvents(wire.url).pipe(toArray()))).toEqual([START, tok('a'), COMPLETE]);
      const retried: L0Event[] = [START, tok('a'), { type: 'retry', attempt: 2, reason: 'network_error', delayMs: 5, countsTowardAttempts: false, error: serializeError(new Error('x')) }, { ...START, attempt: 2, isRetry: true }, COMPLETE];
      serve((_req, res) => { sse(res, ...retried.map((x, i) => frame(i + 1, x)), END); res.end(); });
      expect(await lastValueFrom(fromServerSentEvents(wire.url).pipe(toArray()))).toEqual(retried);
    });

    it('should error when a reconnect is answered with nothing but the end frame (the server resumed another run that ended where the client was)', async () => {
      serve((req, res) => {
        if (req.headers['last-event-id'] === undefined) sse(res, frame(1, START), frame(2, tok('a')));
        else sse(res, END);
        res.end();
      });
      const e = await failure(lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 })));
      expect([(e as { code: string }).code, wire.requests.length, wire.requests[1]?.headers['last-event-id']]).toEqual(['INCOMPLETE_STREAM', 2, '2']);
    });
  });

  it('should complete without a value on an end frame alone', async () => {
    serve((_req, res) => { sse(res, END); res.end(); });
    expect(await lastValueFrom(fromServerSentEvents(wire.url).pipe(toArray()))).toEqual([]);
  });

  it('should send Accept: text/event-stream', async () => {
    serve((_req, res) => { sse(res, END); res.end(); });
    await lastValueFrom(fromServerSentEvents(wire.url).pipe(toArray()));
    expect(wire.requests[0]?.headers.accept).toBe('text/event-stream');
  });

  it('should rethrow the error frame as a typed error', async () => {
    const error = new TokenTimeoutError({ kind: 'inter', timeoutMs: 5, elapsedMs: 6, tokenCount: 1 });
    serve((_req, res) => { sse(res, frame(1, tok('a')), `event: error\ndata: ${JSON.stringify(serializeError(error))}\n\n`); res.end(); });
    const e = await failure(lastValueFrom(fromServerSentEvents(wire.url)));
    expect([isTokenTimeoutError(e), (e as { info: TokenTimeoutInfo }).info.kind, wire.requests.length]).toEqual([true, 'inter', 1]);
  });

  it('should error with a ProviderError carrying the status for a non-2xx answer, without reconnecting', async () => {
    serve((_req, res) => res.writeHead(503).end('down'));
    const e = await failure(lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 })));
    expect([isProviderError(e), (e as { code: string }).code, (e as { status: number }).status, wire.requests.length]).toEqual([true, 'SERVER_ERROR', 503, 1]);
  });

  it.each([
    [408, 'NETWORK_ERROR', 'timeout', true], // a proxy's idle cut: retried, as the library's status table types it
    [409, 'SERVER_ERROR', 'server', true],
    [425, 'SERVER_ERROR', 'server', true],
    [402, 'AUTH_ERROR', 'auth', false],
    [404, 'BAD_REQUEST', 'bad-request', false],
  ])('should type an HTTP %i as the library types that status (%s, %s, retryable %s), as classifyError does', async (status, code, category, retryable) => {
    serve((_req, res) => res.writeHead(status).end());
    const e = await failure(lastValueFrom(fromServerSentEvents(wire.url)));
    expect(e).toMatchObject({ code, category, retryable, status });
    expect(classifyError(e)).toMatchObject({ category, retryable });
  });

  it('should type a 401 as AUTH_ERROR', async () => {
    serve((_req, res) => res.writeHead(401).end());
    expect((await failure(lastValueFrom(fromServerSentEvents(wire.url))) as { code: string }).code).toBe('AUTH_ERROR');
  });

  it('should carry the Retry-After of a 429 as retryAfterMs, for retryWithBackoff to honour', async () => {
    serve((_req, res) => res.writeHead(429, { 'retry-after': '7' }).end());
    const e = await failure(lastValueFrom(fromServerSentEvents(wire.url)));
    expect([(e as { code: string }).code, (e as { retryAfterMs: number }).retryAfterMs, classifyError(e).retryAfterMs]).toEqual(['RATE_LIMITED', 7000, 7000]);
  });

  describe('a 2xx answer that is not text/event-stream', () => {
    it('should error at once with a BAD_REQUEST that is not retryable and names the content type, without reconnecting', async () => {
      serve((_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<!doctype html><p>login</p>'); });
      const e = await failure(lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 })));
      expect([isProviderError(e), (e as { code: string }).code, classifyError(e).retryable, (e as Error).message, wire.requests.length]).toEqual([
        true, 'BAD_REQUEST', false, 'fromServerSentEvents: the server answered HTTP 200 with content-type "text/html", not text/event-stream', 1,
      ]);
    });

    it('should treat a missing content type the same way', async () => {
      serve((_req, res) => { res.writeHead(200); res.end(frame(1, tok('a')) + END); });
      expect((await failure(lastValueFrom(fromServerSentEvents(wire.url)))) as Error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('content-type "", not text/event-stream') });
    });

    it('should accept text/event-stream in any case and with parameters', async () => {
      serve((_req, res) => { res.writeHead(200, { 'content-type': 'Text/Event-Stream; charset=utf-8' }); res.end(frame(1, tok('a')) + END); });
      expect(await lastValueFrom(fromServerSentEvents(wire.url).pipe(toArray()))).toEqual([tok('a')]);
    });
  });

  it('should error with InvalidStreamError for an event that is not an L0Event', async () => {
    serve((_req, res) => { sse(res, 'id: 1\nevent: token\ndata: {"type":"token","value":3}\n\n', END); res.end(); });
    expect(isInvalidStreamError(await failure(lastValueFrom(fromServerSentEvents(wire.url))))).toBe(true);
  });

  it('should reconnect after a dropped body with Last-Event-ID and deliver every event once, in order', async () => {
    serve((req, res, n) => {
      if (n === 1) { sse(res, frame(1, tok('a')), frame(2, tok('b'))); res.end(); return; }
      sse(res, ...(req.headers['last-event-id'] === '2' ? [frame(3, tok('c')), END] : [])); res.end();
    });
    const events = await lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(toArray()));
    expect([events, wire.requests[1]?.headers['last-event-id']]).toEqual([[tok('a'), tok('b'), tok('c')], '2']);
  });

  it('should drop a frame cut in the middle by the connection, resuming after the last whole one', async () => {
    serve((req, res, n) => {
      if (n === 1) sse(res, frame(1, tok('a')), frame(2, tok('b')).slice(0, 30)); // id and event lines, half the data
      else sse(res, ...(req.headers['last-event-id'] === '1' ? [frame(2, tok('b')), END] : []));
      res.end();
    });
    const events = await lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(toArray()));
    expect([events, wire.requests[1]?.headers['last-event-id']]).toEqual([[tok('a'), tok('b')], '1']);
  });

  it("should be retried whole by retryWithBackoff after a run's retryable error frame (the server's start says attempt 1 again)", async () => {
    const failed = serializeError(Object.assign(new Error('upstream 503'), { status: 503 }));
    serve((_req, res, n) => {
      if (n === 1) sse(res, frame(1, START), frame(2, tok('The')), `event: error\ndata: ${JSON.stringify({ ...failed, name: 'ProviderError', code: 'SERVER_ERROR', category: 'server', retryable: true })}\n\n`);
      else sse(res, frame(1, START), frame(2, tok('A cat')), frame(3, { type: 'complete', finishReason: 'stop' }), END);
      res.end();
    });
    const events = await lastValueFrom(fromServerSentEvents(wire.url).pipe(retryWithBackoff({ baseDelay: 0, scheduler: asapScheduler }), toArray()));
    expect(events.map((e) => e.type)).toEqual(['start', 'token', 'retry', 'start', 'token', 'complete']);
    expect(wire.requests.length).toBe(2);
  });

  it('should let withTimeouts end a run that stopped moving behind heartbeats (a dead recorder), and retryWithBackoff run it again', async () => {
    const answered: ServerResponse[] = [];
    serve((_req, res, n) => {
      answered.push(res);
      if (n === 1) sse(res, frame(1, START), frame(2, tok('The')), ': heartbeat\n\n'); // then only heartbeats, never an end
      else { sse(res, frame(1, START), frame(2, tok('A cat')), frame(3, { type: 'complete', finishReason: 'stop' }), END); res.end(); }
    });
    const state = await lastValueFrom(fromServerSentEvents(wire.url).pipe(
      withTimeouts({ initialToken: 2_000, interToken: 100 }),
      retryWithBackoff({ baseDelay: 0, scheduler: asapScheduler }),
      accumulate(),
    ));
    expect([state.status, state.content, wire.requests.length]).toEqual(['complete', 'A cat', 2]);
    await eventually(() => answered[0]!.destroyed || answered[0]!.writableEnded); // the silent response was closed by the client
  });

  describe('a server that restarts the stream instead of resuming it', () => {
    it('should drop the events it sends again, with ids up to Last-Event-ID', async () => {
      serve((_req, res, n) => { sse(res, frame(1, tok('a')), frame(2, tok('b')), ...(n === 1 ? [] : [frame(3, tok('c')), END])); res.end(); });
      const events = await lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(toArray()));
      expect([events, wire.requests[1]?.headers['last-event-id']]).toEqual([[tok('a'), tok('b'), tok('c')], '2']);
    });

    it('should not count the events it sends again as progress: reconnectAttempts runs out', async () => {
      serve((_req, res) => { sse(res, frame(1, tok('a')), frame(2, tok('b'))); res.end(); });
      const events: L0Event[] = [];
      const e = await failure(lastValueFrom(fromServerSentEvents(wire.url, { reconnectAttempts: 2, reconnectDelay: 0 }).pipe(take(10), tap((event) => events.push(event)))));
      expect([events, (e as { code: string }).code, wire.requests.length]).toEqual([[tok('a'), tok('b')], 'INCOMPLETE_STREAM', 3]);
    });

    it('should drop the events up to the lastEventId option on the first connection too', async () => {
      serve((_req, res) => { sse(res, frame(1, tok('a')), frame(2, tok('b')), END); res.end(); });
      expect(await lastValueFrom(fromServerSentEvents(wire.url, { lastEventId: '1' }).pipe(toArray()))).toEqual([tok('b')]);
    });

    it('should fail a run the server started again with other events (INCOMPLETE_STREAM, retryable, not reconnected), never splicing two answers', async () => {
      // a server without a replay buffer runs the model again: event 2 is another answer's second token
      serve((_req, res, n) => {
        sse(res, ...(n === 1 ? [frame(1, tok('The')), frame(2, tok(' fox'))] : [frame(1, tok('A')), frame(2, tok(' dog')), frame(3, tok(' sat')), END]));
        res.end();
      });
      const events: L0Event[] = [];
      const e = await failure(lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(tap((event) => events.push(event)))));
      expect(events).toEqual([tok('The'), tok(' fox')]);
      expect(e).toMatchObject({ name: 'ProviderError', code: 'INCOMPLETE_STREAM', retryable: true });
      expect((e as Error).message).toMatch(/another event 1 after Last-Event-ID 2: it restarted the run/);
      expect(wire.requests.length).toBe(2);
    });

    it('should let retryWithBackoff run the whole answer again after a restarted run, retracting the first', async () => {
      serve((req, res, n) => {
        if (n === 1) sse(res, frame(1, START), frame(2, tok('The')), frame(3, tok(' fox')));
        else if (req.headers['last-event-id'] !== undefined) sse(res, frame(1, START), frame(2, tok('A')), frame(3, tok(' dog')), END);
        else sse(res, frame(1, START), frame(2, tok('A')), frame(3, tok(' cat')), frame(4, { type: 'complete', finishReason: 'stop' }), END);
        res.end();
      });
      const state = await lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(retryWithBackoff({ baseDelay: 0, scheduler: asapScheduler }), accumulate()));
      expect([state.status, state.content]).toEqual(['complete', 'A cat']);
    });

    it('should pass every event of a stream whose numeric ids are beyond 2^53 (snowflake ids), never comparing two that round to one number', async () => {
      // 1800000000000000001 and ...002 are the same double: compared as numbers, the second looked sent again
      const big = (id: string, event: L0Event) => `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
      serve((_req, res) => { sse(res, big('1800000000000000001', tok('a')), big('1800000000000000002', tok('b')), big('1800000000000000003', tok('c')), END); res.end(); });
      expect(await lastValueFrom(fromServerSentEvents(wire.url).pipe(toArray()))).toEqual([tok('a'), tok('b'), tok('c')]);
    });

    describe('ids tagged with their run (`<run>:<seq>`, as a replay buffer numbers them)', () => {
      const tagged = (id: string, event: L0Event) => `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

      it('should resume within the run, sending the tagged id as Last-Event-ID and dropping what is sent again', async () => {
        serve((req, res, n) => {
          sse(res, tagged('r1:1', tok('a')), tagged('r1:2', tok('b')), ...(n === 1 ? [] : [tagged('r1:3', tok('c')), END]));
          res.end();
        });
        const events = await lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(toArray()));
        expect([events, wire.requests[1]?.headers['last-event-id']]).toEqual([[tok('a'), tok('b'), tok('c')], 'r1:2']);
      });

      it('should fail a reconnect that resumed another run of the stream id (INCOMPLETE_STREAM, not reconnected), never splicing two answers', async () => {
        // the run the client read is gone; the server resumed the new run under the same stream id after seq 2
        serve((_req, res, n) => {
          sse(res, ...(n === 1 ? [tagged('r1:1', tok('The')), tagged('r1:2', tok(' fox'))] : [tagged('r2:3', tok(' sat')), END]));
          res.end();
        });
        const events: L0Event[] = [];
        const e = await failure(lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(tap((event) => events.push(event)))));
        expect(events).toEqual([tok('The'), tok(' fox')]);
        expect(e).toMatchObject({ name: 'ProviderError', code: 'INCOMPLETE_STREAM', retryable: true });
        expect((e as Error).message).toMatch(/another event r2:3 after Last-Event-ID r1:2: it restarted the run/);
        expect(wire.requests.length).toBe(2);
      });

      it('should not read ids with colons that are not run tags (timestamps) as tagged: they are not compared', async () => {
        serve((_req, res) => { sse(res, tagged('2026-01-01T10:05:59', tok('a')), tagged('2026-01-01T10:06:00', tok('b')), tagged('x y:3', tok('c')), tagged('x y:2', tok('d')), END); res.end(); });
        expect(await lastValueFrom(fromServerSentEvents(wire.url).pipe(toArray()))).toEqual([tok('a'), tok('b'), tok('c'), tok('d')]);
      });

      it('should accept untagged ids after tagged ones (a fleet server resuming from the event store), comparing their numbers', async () => {
        serve((_req, res, n) => {
          sse(res, ...(n === 1 ? [tagged('r1:1', tok('a')), tagged('r1:2', tok('b'))] : [tagged('2', tok('b')), tagged('3', tok('c')), END]));
          res.end();
        });
        expect(await lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 0 }).pipe(toArray()))).toEqual([tok('a'), tok('b'), tok('c')]);
      });
    });

    it('should not compare ids that are not numbers', async () => {
      serve((_req, res) => { sse(res, 'id: b\nevent: token\ndata: {"type":"token","value":"a"}\n\n', 'id: a\nevent: token\ndata: {"type":"token","value":"b"}\n\n', END); res.end(); });
      expect(await lastValueFrom(fromServerSentEvents(wire.url).pipe(toArray()))).toEqual([tok('a'), tok('b')]);
    });
  });

  it('should ignore heartbeat comments between events', async () => {
    serve((_req, res) => { sse(res, ': heartbeat\n\n', frame(1, tok('a')), ': heartbeat\n\n', END); res.end(); });
    expect(await lastValueFrom(fromServerSentEvents(wire.url).pipe(toArray()))).toEqual([tok('a')]);
  });

  it('should accept a Request without a body and keep its headers', async () => {
    serve((_req, res) => { sse(res, END); res.end(); });
    await lastValueFrom(fromServerSentEvents(new Request(wire.url, { headers: { authorization: 'Bearer t' } })).pipe(toArray()));
    expect([wire.requests[0]?.headers.authorization, wire.requests[0]?.headers.accept]).toEqual(['Bearer t', 'text/event-stream']);
  });

  it('should send the lastEventId option on the first connection', async () => {
    serve((_req, res) => { sse(res, END); res.end(); });
    await lastValueFrom(fromServerSentEvents(wire.url, { lastEventId: '41' }).pipe(toArray()));
    expect(wire.requests[0]?.headers['last-event-id']).toBe('41');
  });

  it('should give up after reconnectAttempts drops in a row with INCOMPLETE_STREAM', async () => {
    serve((_req, res) => { sse(res); res.end(); });
    const e = await failure(lastValueFrom(fromServerSentEvents(wire.url, { reconnectAttempts: 2, reconnectDelay: 0 })));
    expect([(e as { code: string }).code, wire.requests.length]).toEqual(['INCOMPLETE_STREAM', 3]);
  });

  it('should wait reconnectDelay on the injected scheduler before reconnecting', async () => {
    const delays: number[] = [];
    const scheduler: SchedulerLike = {
      now: () => asapScheduler.now(),
      schedule: (work: any, delay?: number, state?: unknown) => { delays.push(delay ?? 0); return asapScheduler.schedule(work, 0, state); },
    };
    serve((_req, res, n) => { sse(res, ...(n === 1 ? [] : [END])); res.end(); });
    await lastValueFrom(fromServerSentEvents(wire.url, { reconnectDelay: 250, scheduler }).pipe(toArray()));
    expect(delays).toEqual([250]);
  });

  it('should cancel the request when unsubscribed', async () => {
    let closed = false;
    serve((req, res) => { sse(res, frame(1, tok('a'))); req.socket.once('close', () => (closed = true)); });
    expect(await firstValueFrom(fromServerSentEvents(wire.url).pipe(take(1)))).toEqual(tok('a'));
    await eventually(() => closed);
  });

  it('should error with NETWORK_ERROR once a refused connection has used its reconnects', async () => {
    const e = await failure(lastValueFrom(fromServerSentEvents('http://127.0.0.1:1/none', { reconnectAttempts: 1, reconnectDelay: 0 })));
    expect([isProviderError(e), (e as { code: string }).code]).toEqual([true, 'NETWORK_ERROR']);
  });

  it("should leave retryWithBackoff's attempt context to a fromStream merged after it", async () => {
    serve((_req, res) => { sse(res, frame(1, START)); }); // stays open: the merged stream decides
    const attempts: number[] = [];
    const model = fromStream(({ attempt }) => {
      attempts.push(attempt);
      return attempt === 1 ? throwError(() => new ProviderError('down', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 })) : (async function* () { yield 'done'; })();
    });
    const events = await lastValueFrom(merge(fromServerSentEvents(wire.url), model).pipe(retryWithBackoff({ baseDelay: 0, scheduler: asapScheduler }), take(6), toArray()));
    expect(attempts).toEqual([1, 2]);
    expect(events.filter((e) => e.type === 'start').map((e) => e.type === 'start' && e.attempt)).toContain(2);
  });

  describe('validation', () => {
    it('should name an unknown option with a suggestion', () => {
      expect(() => fromServerSentEvents(wire.url, { reconnectAttempt: 1 } as never)).toThrow('fromServerSentEvents(url, config): unknown option `reconnectAttempt` (did you mean `reconnectAttempts`?)');
    });

    it('should reject a negative reconnectDelay', () => {
      expect(() => fromServerSentEvents(wire.url, { reconnectDelay: 3e9 })).toThrow('fromServerSentEvents(url, {reconnectDelay}) must be at most 2147483647 ms (about 24.8 days), got 3000000000');
      expect(() => fromServerSentEvents(wire.url, { reconnectDelay: -1 })).toThrow('fromServerSentEvents(url, {reconnectDelay}) must be a finite number of milliseconds >= 0, got -1');
    });

    it('should reject a url that is not a string, URL or Request', () => {
      expect(() => fromServerSentEvents(42 as never)).toThrow('fromServerSentEvents(url) must be a string, a URL or a Request, got number');
    });

    it('should refuse at once, naming config.init, a request fetch would refuse (before: a dropped connection, reconnected, then a retryable NETWORK_ERROR)', () => {
      serve((_req, res) => { sse(res, END); res.end(); });
      const stream = new ReadableStream<Uint8Array>({ start: (c) => c.close() });
      const refused = (init: RequestInit) => () => fromServerSentEvents(wire.url, { init, reconnectDelay: 0 });
      expect(refused({ body: 'q' })).toThrow(/^fromServerSentEvents\(url, config\.init\) cannot make a request: .*GET\/HEAD/);
      expect(refused({ method: 'CONNECT' })).toThrow(/^fromServerSentEvents\(url, config\.init\) cannot make a request: .*CONNECT/);
      expect(refused({ headers: { 'x y': '1' } })).toThrow(/^fromServerSentEvents\(url, config\.init\) cannot make a request: .*x y/);
      expect(refused({ method: 'POST', body: stream, duplex: 'half' } as RequestInit)).toThrow("fromServerSentEvents: a Request's body or a stream body cannot be resent on reconnect; pass the url and `init: { method, body }` with a string body");
      expect(() => fromServerSentEvents(new Request(wire.url, { method: 'POST' }), { init: { body: 'q' } })).not.toThrow(); // a POST Request's method holds
      expect(wire.requests.length).toBe(0);
    });

    it('should refuse at once, naming it, a lastEventId no Last-Event-ID header can carry (before: an InvalidStreamError blaming the server\'s id, at subscription)', () => {
      serve((_req, res) => { sse(res, END); res.end(); });
      // a trailing line break too: a header would trim it, but no server's SSE id holds one (a line break ends the id's line)
      for (const [id, shown] of [['r:\u20ac1', '"r:€1"'], ['1\n2', '"1\\n2"'], ['1\r', '"1\\r"'], ['5\n', '"5\\n"'], ['\u00001', '"\\u00001"']]) {
        expect(() => fromServerSentEvents(wire.url, { lastEventId: id! })).toThrow(`fromServerSentEvents(url, {lastEventId}) must be an SSE event id a header can carry (Latin-1; no CR, LF or NUL, at its end either), got ${shown!}`);
      }
      expect(() => fromServerSentEvents(wire.url, { lastEventId: 'r\u00e9sum\u00e9:1\t' })).not.toThrow(); // Latin-1 and a tab: a header carries them
      expect(wire.requests.length).toBe(0);
    });

    it('should reject a Request with a body, which a reconnect could not resend', () => {
      expect(() => fromServerSentEvents(new Request(wire.url, { method: 'POST', body: 'q' }))).toThrow(/cannot be resent on reconnect/);
    });
  });
});
