/** @test {fromServerSentEvents} @test {toServerSentEvents} @test {createSseReplayBuffer} @test {createStoreReplaySource}: resumes over loopback */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { concatMap, lastValueFrom, of, timer, toArray, map, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createMemoryEventStore, createSseReplayBuffer, createStoreReplaySource, fromServerSentEvents, parseLastEventId,
  recordEvents, retryWithBackoff, toServerSentEvents, type L0Event, type SseResponseLike,
} from 'l0-rx';
import { runs, runsTimeout } from '../helpers/propertyRuns.js';

/** One run's events: a start, tokens with checkpoints among them, maybe a retry and a resumed attempt, a complete. */
const runArb = fc.array(fc.oneof(
  fc.string({ minLength: 1, maxLength: 6 }).map((value): L0Event => ({ type: 'token', value })),
  fc.constant<L0Event>({ type: 'checkpoint', content: 'so far', tokenCount: 1 }),
  fc.constant<L0Event>({ type: 'progress', percent: 50 }),
), { minLength: 0, maxLength: 25 }).chain((body) => fc.tuple(fc.constant(body), fc.nat({ max: body.length }), fc.boolean())).map(([body, at, retried]): L0Event[] => {
  const start = (attempt: number): L0Event => ({ type: 'start', attempt, fallbackIndex: 0, isRetry: attempt > 1, isFallback: false });
  const events = [start(1), ...body.slice(0, at)];
  if (retried) {
    events.push(
      { type: 'retry', attempt: 2, delayMs: 1, reason: 'network_error', countsTowardAttempts: false, error: { name: 'Error', message: 'x' } } as L0Event,
      start(2), { type: 'resume', checkpoint: 'so far' });
  }
  return [...events, ...body.slice(at), { type: 'complete', finishReason: 'stop' }];
});

interface Plan {
  readonly events: L0Event[];
  /** Per connection: the writes it gets before the socket is destroyed (the last part of the last frame cut off); then no more drops. */
  readonly cuts: number[];
  /** How far into the cut write the socket still carries (a fraction of its text). */
  readonly partial: number;
  /** Milliseconds between the run's events (0: all at once, a backlog on every reconnect). */
  readonly gap: number;
  /** Reconnects served from the event store (another server of the fleet), not the replay buffer. */
  readonly fromStore: boolean;
  /** Served through `toReadableStream()` (an edge runtime's web body), not `writeTo`. */
  readonly web: boolean;
}

let server: Server;
let url = '';
let plan: Plan;
let connection = 0;
let id = 0;
const store = createMemoryEventStore();
const recorded = createStoreReplaySource(store);
const buffer = createSseReplayBuffer({ keepAliveMs: 5_000 });

/** The response, destroyed after the plan's number of writes for this connection (the last one written in part). */
function cutting(res: ServerResponse, cut: number | undefined): SseResponseLike {
  let writes = 0;
  return {
    get headersSent() { return res.headersSent; },
    get destroyed() { return res.destroyed; },
    writeHead: (status, headers) => res.writeHead(status, headers),
    write(chunk) {
      if (res.destroyed) return true;
      if (cut === undefined || ++writes < cut) return res.write(chunk);
      res.write(chunk.slice(0, Math.floor(chunk.length * plan.partial)));
      res.destroy();
      return true;
    },
    end: () => res.end(),
    once: (event, listener) => res.once(event, listener),
    destroy: () => res.destroy(),
  };
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const streamId = new URL(req.url ?? '/', 'http://localhost').pathname.slice(1);
    let after: number;
    try {
      after = parseLastEventId(req.headers['last-event-id']);
    } catch {
      return void res.writeHead(400).end();
    }
    const cut = plan.cuts[connection++];
    if (after === 0) {
      // a first connection (the client got no event before the drop) starts the run again, its old log deleted
      await store.delete(streamId);
      const run = `r${streamId}-${connection}`;
      const source: Observable<L0Event> = plan.gap === 0 ? of(...plan.events) : of(...plan.events).pipe(concatMap((e) => timer(plan.gap).pipe(map(() => e))));
      // (an earlier run of the id, replaced, still going for keepAliveMs, has its appends refused: RUN_MISMATCH, as designed)
      buffer.add(streamId, source.pipe(recordEvents(store, { streamId, runTag: () => run, onRecordError: () => undefined })), { run });
    }
    const events$ = plan.fromStore && after > 0 ? recorded.replay(streamId, after) : buffer.replay(streamId, after);
    const sse = toServerSentEvents(events$, { resumeFrom: after, heartbeatMs: 0 });
    if (!plan.web) return void sse.writeTo(cutting(res, cut));
    res.writeHead(200, sse.headers);
    const out = cutting(res, cut);
    const reader = sse.toReadableStream().getReader();
    res.once('close', () => void reader.cancel());
    const decoder = new TextDecoder();
    try {
      for (let r = await reader.read(); !r.done && !res.destroyed; r = await reader.read()) out.write(decoder.decode(r.value, { stream: true }));
      if (!res.destroyed) res.end();
    } catch {
      res.destroy(); // (the body errored: a cut client)
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));

describe('an SSE run across dropped connections', () => {
  it('should reach the client whole: every event but the checkpoints once, in order, however many drops and wherever they cut', async () => {
    await fc.assert(fc.asyncProperty(
      runArb,
      fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 6 }),
      fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      fc.constantFrom(0, 1),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      async (events, cuts, partial, gap, fromStore, web, reload) => {
        plan = { events, cuts, partial, gap, fromStore, web };
        connection = 0;
        // a reloaded page resumes after the id it kept, of a run the server no longer has: its retry asks for the whole run
        const config = { reconnectDelay: 0, reconnectAttempts: 10, ...(reload ? { lastEventId: 'gone:3' } : {}) };
        const got = await lastValueFrom(fromServerSentEvents(`${url}/${++id}`, config).pipe(retryWithBackoff({ baseDelay: 0, maxRetries: 1 }), toArray()));
        expect(got.filter((e) => e.type !== 'retry' || got.indexOf(e) >= (reload ? 1 : 0))).toEqual(events.filter((e) => e.type !== 'checkpoint'));
      }), { numRuns: runs(150) });
  }, runsTimeout(120_000));
});
