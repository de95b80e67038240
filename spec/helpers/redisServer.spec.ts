/** @test {startRedisServer} */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { startRedisServer, type RedisServer } from './redisServer.js';

// The Redis-backed stores and breakers are tested against this real server; CI installs it.
describe('startRedisServer (spec helper)', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('should start a real redis-server that answers commands and streams', async () => {
    const client = createClient({ url: server.url });
    await client.connect();
    await client.xAdd('s', '*', { a: '1' });
    expect(await client.xLen('s')).toBe(1);
    await client.quit();
  });
});
