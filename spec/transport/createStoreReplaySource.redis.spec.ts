/** @test {createStoreReplaySource} {toServerSentEvents} over a real Redis store: a backlog is not held against maxQueuedBytes until read, and reconnects racing the run's end lose and repeat nothing */
import { lastValueFrom, map, Subject, tap, timeout, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createStoreReplaySource, recordEvents, StreamAbortedError, toServerSentEvents, type EventEnvelope, type L0Event } from 'l0-rx';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { until, useRedisServer } from '../helpers/redisServer.js';
import { DestroyableResponse, END } from './sseTestResponses.js';

const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const tok: L0Event = { type: 'token', value: 'abcdefghij' };
const complete: L0Event = { type: 'complete', finishReason: 'stop' };
/** Envelope `seq` of the run `r1` of 'chat': its start, then tokens (or `event`). */
const envelope = (seq: number, event: L0Event = seq === 0 ? start : tok): EventEnvelope => ({ v: 1, streamId: 'chat', seq, ts: seq, event, ...(seq === 0 ? { run: 'r1' } : {}) }) as EventEnvelope;
const seqs = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
/** The frame of envelope `seq` (SSE id `r1:<seq + 1>`): every token frame from seq 9 to 98 is as long. */
const frame = (seq: number, event: L0Event = tok) => `id: r1:${seq + 1}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
const L = frame(10).length;

describe('createStoreReplaySource over Redis, behind toServerSentEvents: maxQueuedBytes', () => {
  const redis = useRedisServer();
  /** Waits until `check` holds, a Redis round trip between two checks (the follower reads meanwhile). */
  const when = (check: () => boolean) => until(async () => (await redis.client.ping(), check()));

  /** A client reconnecting after SSE id r1:10 (seq 9) to the run 'chat' as recorded so far, served as writeTo serves it; `given`: the items the replay gave. */
  const reconnect = (config: { maxQueuedBytes: number }) => {
    const store = createRedisEventStore(redis.client, { followBlockMs: 50 });
    const state = { given: 0 };
    const replay = createStoreReplaySource(store).replay('chat', 10).pipe(tap(() => state.given++));
    const sse = toServerSentEvents(replay, { heartbeatMs: 0, resumeFrom: 10, ...config });
    return { store, state, sse };
  };

  it('writeTo: should write whole a backlog past the bound that the client has not read, and cut only for what came after it', async () => {
    const { store, state, sse } = reconnect({ maxQueuedBytes: 4 * L });
    await store.append(seqs(0, 20).map((s) => envelope(s)));
    const res = Object.assign(new DestroyableResponse(), { full: true }); // the client reads nothing for now
    const subscription = sse.writeTo(res);
    try {
      await when(() => state.given === 10); // seq 10 to 19: one written, 9 * L queued
      // cut before, at the backlog's sixth frame: the client reconnected, was cut again, and again
      expect(res.destroyed).toBe(false);
      await store.append(seqs(20, 24).map((s) => envelope(s))); // 4 * L after the backlog: at the bound
      await when(() => state.given === 14);
      expect(res.destroyed).toBe(false);
      await store.append([envelope(24)]);
      await when(() => res.destroyed);
      expect([state.given, subscription.closed, res.writes]).toEqual([15, true, [frame(10)]]);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('writeTo: should send a finished run\'s backlog past the bound whole, then end', async () => {
    const { store, state, sse } = reconnect({ maxQueuedBytes: 2 * L });
    await store.append([...seqs(0, 20).map((s) => envelope(s)), envelope(20, complete)]);
    const res = Object.assign(new DestroyableResponse(), { full: true });
    sse.writeTo(res);
    await when(() => state.given === 11); // seq 10 to 20 (its complete): one written, the rest queued, and the end
    expect(res.destroyed).toBe(false); // cut before, at the backlog's fourth frame
    res.drain();
    expect([res.destroyed, res.ended, res.writes]).toEqual([false, true, [...seqs(10, 20).map((s) => frame(s)), frame(20, complete), END]]);
  });

  it('toReadableStream: should enqueue whole a backlog past the bound the reader has not read, and error only for what came after it', async () => {
    const { store, state, sse } = reconnect({ maxQueuedBytes: 4 * L });
    await store.append(seqs(0, 20).map((s) => envelope(s)));
    const reader = sse.toReadableStream().getReader();
    const text = new TextDecoder();
    expect(text.decode((await reader.read()).value)).toBe(frame(10));
    await when(() => state.given === 10); // 9 * L wait unread
    await store.append(seqs(20, 24).map((s) => envelope(s)));
    await when(() => state.given === 14);
    // errored before, at the backlog's sixth frame
    for (const s of seqs(11, 24)) expect(text.decode((await reader.read()).value)).toBe(frame(s));
    await store.append(seqs(24, 29).map((s) => envelope(s))); // 5 * L queued, none read: past the bound
    await when(() => state.given === 19);
    await expect(reader.read()).rejects.toThrow(new StreamAbortedError(`toServerSentEvents: the reader fell more than maxQueuedBytes (${4 * L}) behind`));
  });
  it('should give reconnects racing the run\'s end each event after their id once, the backlog read apart from the tail', async () => {
    const store = createRedisEventStore(redis.client, { followBlockMs: 50 });
    const events = [start, ...seqs(1, 12).map(() => tok), complete];
    const run = new Subject<L0Event>();
    run.pipe(recordEvents(store, { streamId: 'chat', runTag: () => 'r1' })).subscribe();
    const replays: Promise<unknown>[] = [];
    for (let i = 0; i < events.length; i++) {
      run.next(events[i]!);
      await new Promise((resolve) => setImmediate(resolve)); // (the append goes out meanwhile, or not yet)
      // from the start, from just behind, from the last event sent, and from past what is recorded yet
      if (i >= 8) for (const after of [0, i - 2, i, i + 2]) replays.push(lastValueFrom(createStoreReplaySource(store).replay('chat', after).pipe(map((e) => e.seq), toArray(), timeout(5_000))).then((got) => ({ after, got })));
    }
    run.complete();
    const want = ({ after }: { after: number }) => ({ after, got: seqs(after + 1, events.length + 1) });
    const got = await Promise.all(replays);
    expect(got).toEqual(got.map((r) => want(r as { after: number })));
  });
});
