/** @test {createStoreReplaySource} end to end: two examples/server instances sharing a real redis-server */
import { createClient } from 'redis';
import { firstValueFrom, lastValueFrom, tap, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accumulate, fromServerSentEvents, parseLastEventId, replayEvents, retryWithBackoff, type L0Event } from 'l0-rx';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { FAULT_SERVER_DEFAULTS, startFaultServer, type FaultServer } from 'l0-rx/testing';
import { startChatServer, type ChatServer } from '../../examples/server/chatServer.mjs';
import { startRedisServer, type RedisServer } from '../helpers/redisServer.js';

const REPLY = FAULT_SERVER_DEFAULTS.reply;
const text = (events: readonly L0Event[]) => events.map((e) => (e.type === 'token' ? e.value : '')).join('');

/**
 * A fetch that sends the first connection to `first` and cuts its body once it carried `frames`
 * event ids (a dropped connection), and every later one to `then`: a load balancer that picks
 * another server for the reconnect. `beforeReconnect` runs before the second request.
 */
function failoverFetch(first: string, then: string, frames: number, seen: { url: string; lastEventId: string | null }[], beforeReconnect?: () => Promise<void>): typeof fetch {
  return async (input, init) => {
    if (seen.length === 1) await beforeReconnect?.();
    const path = new URL(String(input)).pathname;
    const url = `${seen.length === 0 ? first : then}${path}`;
    seen.push({ url, lastEventId: new Headers(init?.headers).get('last-event-id') });
    const response = await fetch(url, init);
    if (seen.length > 1 || response.body === null) return response;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let received = '';
    return new Response(new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await reader.read();
        if (done) return controller.close();
        controller.enqueue(value);
        received += decoder.decode(value, { stream: true });
        if ((received.match(/(^|\n)id: /g) ?? []).length >= frames) {
          await reader.cancel();
          controller.close();
        }
      },
    }), { status: response.status, headers: response.headers });
  };
}

describe('examples/server: a fleet sharing the Redis event store', () => {
  let redis: RedisServer;
  let faults: FaultServer;
  const clients: { quit(): Promise<unknown> }[] = [];
  const servers: ChatServer[] = [];
  const redisStore = async () => {
    const client = createClient({ url: redis.url });
    await client.connect();
    clients.push(client);
    return createRedisEventStore(client, { followBlockMs: 1000 });
  };
  beforeAll(async () => {
    redis = await startRedisServer();
    faults = await startFaultServer({ tokenDelayMs: 15 });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await Promise.all(clients.map((c) => c.quit()));
    await faults?.close();
    await redis?.stop();
  });

  it('should resume on server B a run server A is recording: every event once, in order, from one model request', async () => {
    const a = await startChatServer({ baseURL: faults.url, store: await redisStore(), keepAliveMs: 10_000 });
    const b = await startChatServer({ baseURL: faults.url, store: await redisStore(), keepAliveMs: 10_000 });
    servers.push(a, b);
    const seen: { url: string; lastEventId: string | null }[] = [];
    const received: L0Event[] = [];
    await lastValueFrom(
      fromServerSentEvents('http://balancer/chat/fleet-1?q=fox', { fetch: failoverFetch(a.url, b.url, 3, seen), reconnectDelay: 0 }).pipe(tap((e) => received.push(e))),
    );
    // the cut comes after the chunk holding the third id, so the client may have seen a few more
    // server A's replay buffer tags its ids with the run (<run>:<seq>); server B reads the seq, the client compares it with B's plain ids
    expect(seen.map((s) => [s.url.startsWith(a.url) ? 'A' : 'B', s.lastEventId])).toEqual([['A', null], ['B', expect.stringMatching(/^[\w.-]+:\d+$/)]]);
    expect(parseLastEventId(seen[1]!.lastEventId)).toBeGreaterThanOrEqual(3);
    expect(parseLastEventId(seen[1]!.lastEventId)).toBeLessThan(received.length);
    expect(received).toEqual(await lastValueFrom(replayEvents(await redisStore(), 'fleet-1').pipe(toArray())));
    expect(received.filter((e) => e.type === 'start')).toHaveLength(1);
    expect([received.at(-1)?.type, text(received)]).toEqual(['complete', REPLY]);
    expect(faults.requests).toHaveLength(1);
  });

  it('should fail, never splice, a resume on server B after a new question under the chat id replaced the run read on server A; the retry gets a whole answer', async () => {
    // server C answers with another text, so a splice of its run would show
    const zebras = await startFaultServer({ tokenDelayMs: 15, reply: 'Zebras graze quietly while the herd keeps watch.' });
    const store = await redisStore();
    const [a, b, c] = [
      await startChatServer({ baseURL: faults.url, store: await redisStore(), keepAliveMs: 10_000 }),
      await startChatServer({ baseURL: faults.url, store: await redisStore(), keepAliveMs: 10_000 }),
      await startChatServer({ baseURL: zebras.url, store: await redisStore(), keepAliveMs: 10_000 }),
    ];
    servers.push(a, b, c);
    const asked = faults.requests.length; // the other specs' requests
    let other: ReadableStreamDefaultReader<Uint8Array> | undefined;
    const askAgainOnC = async () => {
      other = (await fetch(`${c.url}/chat/fleet-2?q=other`)).body!.getReader(); // another tab asks under the chat id: run 2
      await other.read();
      await firstValueFrom(store.follow!('fleet-2', 0)); // run 1's log is deleted: this is run 2's seq 0, so B resumes from run 2's log
    };
    const seen: { url: string; lastEventId: string | null }[] = [];
    const received: L0Event[] = [];
    try {
      const state = await lastValueFrom(
        fromServerSentEvents('http://balancer/chat/fleet-2?q=fox', { fetch: failoverFetch(a.url, b.url, 3, seen, askAgainOnC), reconnectDelay: 0 }).pipe(
          retryWithBackoff({ baseDelay: 1 }),
          tap((e) => received.push(e)),
          accumulate(),
        ),
      );
      expect(text(received)).not.toMatch(/Zebras|graze|herd|watch/); // nothing of run 2 after run 1's head
      expect(seen.map((s) => [s.url.startsWith(a.url) ? 'A' : 'B', s.lastEventId])).toEqual([['A', null], ['B', expect.stringMatching(/^[\w.-]+:\d+$/)], ['B', null]]);
      // the resume on B found run 2 (its ids tagged with its run): INCOMPLETE_STREAM, and the retry asked B for a new answer
      expect(received.filter((e) => e.type === 'retry')).toEqual([expect.objectContaining({ error: expect.objectContaining({ code: 'INCOMPLETE_STREAM' }) })]);
      expect([state.status, state.content]).toEqual(['complete', REPLY]);
      expect([faults.requests.length - asked, zebras.requests.length]).toEqual([2, 1]); // run 1 on A, the retry's run 3 on B; run 2 on C
    } finally {
      await other?.cancel();
      await zebras.close();
    }
  });
});
