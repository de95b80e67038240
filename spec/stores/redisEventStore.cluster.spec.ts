/**
 * @test {createRedisEventStore}: on a Redis Cluster (a real redis-server in cluster mode, owning
 * every slot), where a script's keys must share one slot: the default keyPrefix is refused with an
 * error that names the fix, and a hash-tagged one works, through the official cluster client too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCluster } from 'redis';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { redisBreakerStore } from 'l0-rx/breakers/redis';
import { useRedisServer } from '../helpers/redisServer.js';
import { env } from './storeFixtures.js';

describe('createRedisEventStore on a Redis Cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'l0-redis-cluster-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true })); // (registered first: it runs after the server stopped)
  const redis = useRedisServer(['--cluster-enabled', 'yes', '--dir', dir, '--cluster-config-file', 'nodes.conf']);
  beforeAll(async () => {
    await redis.client.sendCommand(['CLUSTER', 'ADDSLOTSRANGE', '0', '16383']);
    // a master waits about 2 s after its start before it says the cluster is ok (CLUSTER_WRITABLE_DELAY)
    for (let i = 0; i < 100 && !((await redis.client.sendCommand(['CLUSTER', 'INFO'])) as string).includes('cluster_state:ok'); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('should refuse an append under the default keyPrefix with STORE_FAILED naming CROSSSLOT and the hash-tagged keyPrefix that fixes it', async () => {
    const store = createRedisEventStore(redis.client);
    await expect(store.append([env('a', 0)])).rejects.toMatchObject({
      name: 'EventLogError', code: 'STORE_FAILED', streamId: 'a',
      // before: the CROSSSLOT reply alone, which does not say what to change
      message: expect.stringMatching(/CROSSSLOT .* \(on a Redis Cluster, give createRedisEventStore a keyPrefix with a hash tag, such as '\{l0\}:events:', so that all of its keys share one slot\)$/),
    });
    await expect(store.has!('a')).rejects.toMatchObject({ code: 'STORE_FAILED', message: expect.stringContaining("'{l0}:events:'") });
  });

  it('should append, read, list, find and delete under a hash-tagged keyPrefix, through the official cluster client', async () => {
    const cluster = createCluster({ rootNodes: [{ url: redis.server.url }] });
    await cluster.connect();
    try {
      const keyPrefix = '{l0}:events:';
      // every key of the store is in the slot of its hash tag: route each command there by the prefix
      const store = createRedisEventStore({ sendCommand: (args) => cluster.sendCommand(keyPrefix, false, [...args]) }, { keyPrefix });
      await store.append([env('a', 0), env('a', 1)]);
      await store.append([env('b', 0)]);
      expect((await store.read('a')).map((e) => e.seq)).toEqual([0, 1]);
      expect(await store.streams()).toEqual(['a', 'b']);
      expect(await store.has!('b')).toBe(true);
      await store.delete('b');
      expect(await store.streams()).toEqual(['a']);
    } finally {
      await cluster.close();
    }
  });

  it('should keep a breaker record on the cluster under the default prefix (its script uses one key)', async () => {
    const cluster = createCluster({ rootNodes: [{ url: redis.server.url }] });
    await cluster.connect();
    try {
      const store = redisBreakerStore(cluster);
      await store.update!('gpt', (stored) => ({ ...(stored ?? { state: 'closed', failures: 0, openedAt: 0, probes: 0, successes: 0, windowStart: 0, windowCalls: 0, windowFailures: 0 }), failures: 1 }));
      expect(await store.get('gpt')).toMatchObject({ state: 'closed', failures: 1 });
    } finally {
      await cluster.close();
    }
  });
});
