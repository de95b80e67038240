/** @test {createStoreReplaySource} end to end: two examples/server instances sharing a real redis-server */
import { createClient } from 'redis';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromServerSentEvents, parseLastEventId, replayEvents, type L0Event } from 'l0-rx';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { FAULT_SERVER_DEFAULTS, startFaultServer, type FaultServer } from 'l0-rx/testing';
import { startChatServer, type ChatServer } from '../../examples/server/chatServer.mjs';
import { startRedisServer, type RedisServer } from '../helpers/redisServer.js';

const REPLY = FAULT_SERVER_DEFAULTS.reply;
const text = (events: readonly L0Event[]) => events.map((e) => (e.type === 'token' ? e.value : '')).join('');

/**
 * A fetch that sends the first connection to `first` and cuts its body once it carried `frames`
 * event ids (a dropped connection), and every later one to `then`: a load balancer that picks
 * another server for the reconnect.
 */
function failoverFetch(first: string, then: string, frames: number, seen: { url: string; lastEventId: string | null }[]): typeof fetch {
  return async (input, init) => {
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
});
