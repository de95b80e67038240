/** @test {fromServerSentEvents} heartbeatTimeout: a connection that goes silent, on virtual time against a scripted node:http server on loopback */
import type { ServerResponse } from 'node:http';
import { lastValueFrom, tap, toArray, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { classifyError, fromServerSentEvents, FROM_SERVER_SENT_EVENTS_DEFAULTS, isProviderError, type L0Event } from 'l0-rx';
import { eventually } from '../testing/sdkDrivers.js';
import { sse, useScriptedServer } from '../helpers/scriptedServer.js';
import { testScheduler } from '../helpers/testScheduler.js';
import { advanceTo, END, frame, HEARTBEAT, tok } from './sseTestResponses.js';

const START: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const COMPLETE: L0Event = { type: 'complete', finishReason: 'stop' };

const wire = useScriptedServer();
const serve = wire.serve;

/** A TestScheduler as the client's clock, counting the timers scheduled on it and the times it was read (the client reads it as bytes come). */
function clock() {
  const ts = testScheduler();
  const count = { scheduled: 0, reads: 0 };
  const scheduler: SchedulerLike = {
    now: () => (count.reads++, ts.now()),
    schedule: (work: never, delay?: number, state?: never) => (count.scheduled++, ts.schedule(work, delay, state)),
  };
  return { ts, scheduler, count };
}

/** Subscribes, noting the events, the end and the error as they come (synchronously, on the virtual clock's flush). */
function watch(events$: ReturnType<typeof fromServerSentEvents>) {
  const seen = { events: [] as L0Event[], error: undefined as unknown, complete: false };
  const subscription = events$.subscribe({ next: (e) => seen.events.push(e), error: (e: unknown) => (seen.error = e), complete: () => (seen.complete = true) });
  return { seen, subscription };
}

describe('fromServerSentEvents heartbeatTimeout', () => {
  it('should take a connection without bytes for heartbeatTimeout for dropped, counting from its last bytes, a heartbeat comment included', async () => {
    const { ts, scheduler, count } = clock();
    let res: ServerResponse | undefined;
    let closed = false;
    serve((_req, r) => { res = r; r.once('close', () => (closed = true)); sse(r, frame(1, START), frame(2, tok('a'))); });
    const { seen } = watch(fromServerSentEvents(wire.url, { heartbeatTimeout: 50, reconnectAttempts: 0, scheduler }));
    await eventually(() => seen.events.length === 2);
    advanceTo(ts, 40);
    const reads = count.reads;
    res!.write(HEARTBEAT);
    await eventually(() => count.reads > reads); // the client read the heartbeat at 40
    advanceTo(ts, 89); // 49 ms after the heartbeat (and 89 after the last event): alive
    expect([seen.error, seen.complete, closed]).toEqual([undefined, false, false]);
    advanceTo(ts, 90);
    const e = seen.error as Error;
    expect([isProviderError(e), (e as { code?: string }).code, classifyError(e).retryable, e.message]).toEqual([
      true, 'NETWORK_ERROR', true, 'fromServerSentEvents: the connection went silent for 50 ms (heartbeatTimeout)',
    ]);
    await eventually(() => closed); // the dead connection's request was aborted
    expect([seen.events, wire.requests.length]).toEqual([[START, tok('a')], 1]);
  });

  it('should reconnect with Last-Event-ID after such a silence, as after any drop, and give the run whole', async () => {
    const { ts, scheduler } = clock();
    serve((_req, res, n) => {
      if (n === 1) return sse(res, frame(1, START), frame(2, tok('a'))); // then silent, the connection open
      sse(res, frame(3, tok('b')), frame(4, COMPLETE), END);
      res.end();
    });
    const { seen } = watch(fromServerSentEvents(wire.url, { heartbeatTimeout: 50, reconnectDelay: 0, scheduler }));
    await eventually(() => seen.events.length === 2);
    advanceTo(ts, 50);
    await eventually(() => seen.complete);
    expect([seen.events, seen.error, wire.requests.map((r) => r.headers['last-event-id'])]).toEqual([[START, tok('a'), tok('b'), COMPLETE], undefined, [undefined, '2']]);
  });

  it("should count from when it reads again, not from when the last chunk came: a subscriber slower than heartbeatTimeout is no silence of the server's (before: a false drop)", async () => {
    const { ts, scheduler } = clock();
    serve((_req, res) => sse(res, frame(1, START)));
    const events$ = fromServerSentEvents(wire.url, { heartbeatTimeout: 50, reconnectAttempts: 0, scheduler });
    const seen = { events: [] as L0Event[], error: undefined as unknown };
    events$.subscribe({ next: (e) => (seen.events.push(e), (ts.frame = 60)), error: (e: unknown) => (seen.error = e) }); // the event takes it 60 ms
    await eventually(() => seen.events.length === 1);
    advanceTo(ts, 60); // the timer, due at 50, runs once the client is back to reading, at 60
    expect(seen.error).toBeUndefined();
    advanceTo(ts, 109);
    expect(seen.error).toBeUndefined();
    advanceTo(ts, 110); // 50 ms after it read again
    expect([(seen.error as { code?: string }).code, seen.events]).toEqual(['NETWORK_ERROR', [START]]);
  });

  it('should count from the request on: a server that never answers is dropped too, and after reconnectAttempts it errors', async () => {
    const { ts, scheduler } = clock();
    serve(() => undefined); // no answer, not even the headers
    const { seen } = watch(fromServerSentEvents(wire.url, { heartbeatTimeout: 50, reconnectAttempts: 1, reconnectDelay: 10, scheduler }));
    await eventually(() => wire.requests.length === 1);
    advanceTo(ts, 60); // silent at 50, reconnected at 60
    await eventually(() => wire.requests.length === 2);
    advanceTo(ts, 109);
    expect(seen.error).toBeUndefined();
    advanceTo(ts, 110);
    expect([(seen.error as { code?: string }).code, seen.events, wire.requests.length]).toEqual(['NETWORK_ERROR', [], 2]);
  });

  it('should take the response headers for bytes: a server that answers, then says nothing yet, is timed from its answer', async () => {
    const { ts, scheduler, count } = clock();
    let res: ServerResponse | undefined;
    serve((_req, r) => (res = r)); // no answer until the spec sends the headers
    const { seen } = watch(fromServerSentEvents(wire.url, { heartbeatTimeout: 50, reconnectAttempts: 0, scheduler }));
    await eventually(() => res !== undefined);
    advanceTo(ts, 40);
    const reads = count.reads;
    res!.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders();
    await eventually(() => count.reads > reads); // the client's fetch resolved at 40
    advanceTo(ts, 89);
    expect(seen.error).toBeUndefined();
    advanceTo(ts, 90);
    expect([(seen.error as { code?: string }).code, seen.events, wire.requests.length]).toEqual(['NETWORK_ERROR', [], 1]);
  });

  it("should end the stream, without reconnecting, when the silence comes after the run's complete event (only the end frame was lost)", async () => {
    const { ts, scheduler } = clock();
    serve((_req, res) => sse(res, frame(1, START), frame(2, tok('a')), frame(3, COMPLETE)));
    const { seen } = watch(fromServerSentEvents(wire.url, { heartbeatTimeout: 50, scheduler }));
    await eventually(() => seen.events.length === 3);
    advanceTo(ts, 50);
    expect([seen.complete, seen.error, wire.requests.length]).toEqual([true, undefined, 1]);
  });

  it('should arm one timer a connection, not one per frame, and clear it when unsubscribed', async () => {
    const { ts, scheduler, count } = clock();
    serve((_req, res) => sse(res, ...Array.from({ length: 200 }, (_, i) => frame(i + 1, tok(`${i}`)))));
    const { seen, subscription } = watch(fromServerSentEvents(wire.url, { heartbeatTimeout: 50, scheduler }));
    await eventually(() => seen.events.length === 200);
    expect([count.scheduled, ts.actions.length]).toEqual([1, 1]);
    subscription.unsubscribe();
    expect(ts.actions.length).toBe(0);
  });

  it('should arm no timer by default (Infinity: no check)', async () => {
    const { scheduler, count } = clock();
    serve((_req, res) => { sse(res, frame(1, tok('a')), END); res.end(); });
    expect(await lastValueFrom(fromServerSentEvents(wire.url, { scheduler }).pipe(tap(() => undefined), toArray()))).toEqual([tok('a')]);
    expect([count.scheduled, count.reads, FROM_SERVER_SENT_EVENTS_DEFAULTS.heartbeatTimeout]).toEqual([0, 0, Infinity]);
  });

  it('should refuse a heartbeatTimeout that is not a number of milliseconds above 0 with a TypeError naming it', () => {
    for (const bad of [0, -1, Number.NaN, '50', null]) {
      expect(() => fromServerSentEvents(wire.url, { heartbeatTimeout: bad as never })).toThrow(`fromServerSentEvents(url, {heartbeatTimeout}) must be a number of milliseconds > 0 (Infinity: no check), got`);
    }
    expect(() => fromServerSentEvents(wire.url, { heartbeatTimeout: 3e9 })).toThrow('fromServerSentEvents(url, {heartbeatTimeout}) must be at most 2147483647 ms (about 24.8 days), got 3000000000');
    expect(() => fromServerSentEvents(wire.url, { heartbeatTimeout: Infinity })).not.toThrow();
  });
});
