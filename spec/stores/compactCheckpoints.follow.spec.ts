/** @test {createRedisEventStore}: a follower from the middle of a run primes its checkpoint decoder (compact checkpoints), against a real redis-server. */
import { lastValueFrom, of, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { checkpointEvery, recordEvents, type EventEnvelope, type EventStore, type L0Event } from 'l0-rx';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { useRedisServer } from '../helpers/redisServer.js';

const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('following compact checkpoints from the middle of a Redis run (against a real redis-server)', () => {
  const redis = useRedisServer();
  /** Records `values` as tokens with a checkpoint every 2 under `id`, then `complete`; returns the live events. */
  const record = async (store: EventStore, id: string, values: readonly string[]): Promise<L0Event[]> => {
    let done!: () => void;
    const recorded = new Promise<void>((resolve) => (done = resolve));
    const events: L0Event[] = [...values.map((value): L0Event => ({ type: 'token', value })), { type: 'complete', finishReason: 'stop' }];
    const live = await lastValueFrom(of(...events).pipe(checkpointEvery(2), recordEvents(store, { streamId: id, onRecorded: () => done() }), toArray()));
    await recorded;
    return live;
  };
  /** A store whose followers' connection runs `before` once, ahead of the first priming read (`XRANGE key - <id>`). */
  const primingHook = (before: () => Promise<void>): EventStore => {
    let hooked = false;
    return createRedisEventStore({
      sendCommand: (args) => redis.client.sendCommand(args),
      duplicate: () => {
        const connection = redis.client.duplicate();
        return {
          connect: () => connection.connect(),
          on: (event: 'error' | 'ready', listener: (error?: unknown) => void) => connection.on(event, listener),
          get isReady() { return connection.isReady; },
          get isOpen() { return connection.isOpen; },
          destroy: () => connection.destroy(),
          sendCommand: async (args: readonly string[]) => {
            if (!hooked && args[0] === 'XRANGE' && args[2] === '-') {
              hooked = true;
              await before();
            }
            return connection.sendCommand([...args]);
          },
        };
      },
    });
  };
  /** What a follower passed on before it ended, and how it ended. */
  const outcome = (followed: Observable<EventEnvelope>) =>
    new Promise<{ events: EventEnvelope['event'][]; error?: unknown }>((resolve) => {
      const events: EventEnvelope['event'][] = [];
      followed.subscribe({ next: (e) => events.push(e.event), error: (error: unknown) => resolve({ events, error }), complete: () => resolve({ events }) });
    });
  const oldRun = ['one ', 'two ', 'three ', 'four ', 'five ', 'six '];

  it('should keep following when its connection drops during the read that primes it (as it does during any read)', async () => {
    const live = await record(createRedisEventStore(redis.client), 'r', oldRun);
    const store = primingHook(async () => {
      throw new Error('Socket closed unexpectedly'); // what the client rejects a command in flight with when its connection drops
    });
    // it failed with the connection's bare error: no reconnect, no STORE_UNAVAILABLE
    expect(await outcome(store.follow!('r', 3))).toEqual({ events: json(live.slice(3)) });
  });

  it('should end with STREAM_NOT_FOUND when its stream is deleted before the read that primes it, not INVALID_LOG', async () => {
    await record(createRedisEventStore(redis.client), 'r', oldRun);
    const store = primingHook(async () => {
      await createRedisEventStore(redis.client).delete('r');
    });
    expect((await outcome(store.follow!('r', 3))).error).toMatchObject({ name: 'EventLogError', code: 'STREAM_NOT_FOUND' });
  });

  it('should never rebuild a checkpoint from the text of a later run recorded under the same id while it primes', async () => {
    const live = await record(createRedisEventStore(redis.client), 'r', oldRun);
    const store = primingHook(async () => {
      await createRedisEventStore(redis.client).delete('r');
      await record(createRedisEventStore(redis.client), 'r', oldRun.map((w) => w.toUpperCase().repeat(3)));
    });
    const { events, error } = await outcome(store.follow!('r', 3));
    // it passed on a checkpoint holding the new run's text ('ONE ONE ONE TWO...') as the old run's, then ended
    expect(events).toEqual(json(live.slice(3, 3 + events.length)));
    expect(error).toMatchObject({ name: 'EventLogError', code: 'STREAM_NOT_FOUND' });
  });
});
