/**
 * @test {createRedisEventStore}: refusals met inside its scripts (an `XADD` refused with `OOM` at
 * `maxmemory`, an out-of-order id, the run check's `XRANGE`) as the event log's typed errors, naming
 * the command, against a real redis-server; and a listing's errors, about no one stream.
 */
import { Subject } from 'rxjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { isEventLogError, recordEvents, type EventEnvelope, type L0Event, type RecordedInfo } from 'l0-rx';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { until, useRedisServer } from '../helpers/redisServer.js';
import { env } from './storeFixtures.js';

const tagged = (streamId: string, seq: number): EventEnvelope => ({ ...env(streamId, seq), run: 'run1' });
const OOM = /^OOM command not allowed when used memory > 'maxmemory'/;

describe('createRedisEventStore on a server at maxmemory that evicts nothing (OOM)', () => {
  const redis = useRedisServer(['--maxmemory-policy', 'noeviction']);
  beforeEach(async () => {
    await redis.client.sendCommand(['CONFIG', 'SET', 'maxmemory', '0']);
  });
  /** From now on every write is refused: the server is past its limit (1 byte), and evicts nothing. */
  const fill = () => redis.client.sendCommand(['CONFIG', 'SET', 'maxmemory', '1']);

  it('should reject an append whose XADD the add script met refused with STORE_UNAVAILABLE (retryable), naming XADD and the seq, the OOM reply as cause', async () => {
    const store = createRedisEventStore(redis.client);
    await store.append([tagged('a', 0)]);
    await fill();
    const refused = await Promise.resolve(store.append([tagged('a', 1), tagged('a', 2)])).then(() => undefined, (e: unknown) => e);
    // it was a bare Error ("createRedisEventStore: Redis refused seq 1 ..."): no code, not retryable
    expect(isEventLogError(refused)).toBe(true);
    expect(refused).toMatchObject({
      name: 'EventLogError', code: 'STORE_UNAVAILABLE', category: 'network', retryable: true, streamId: 'a',
      message: expect.stringMatching(/^Redis refused XADD in the add script for stream "a" at seq 1 \(it and the rest of its batch are not appended\) with OOM, a passing state of the server \(retry later\): OOM /),
      cause: expect.objectContaining({ message: expect.stringMatching(OOM) }),
    });
    // it passes: the same append goes through once the server has room again
    await redis.client.sendCommand(['CONFIG', 'SET', 'maxmemory', '0']);
    await store.append([tagged('a', 1), tagged('a', 2)]);
    expect(((await store.read('a')) as EventEnvelope[]).map((e) => e.seq)).toEqual([0, 1, 2]);
  });

  it('should give a recorder that typed error as its RECORD_FAILED\'s cause', async () => {
    const store = createRedisEventStore(redis.client);
    const source = new Subject<L0Event>();
    const recorded = new Promise<RecordedInfo>((onRecorded) => source.pipe(recordEvents(store, { streamId: 'r', onRecorded, onRecordError: () => undefined })).subscribe());
    source.next({ type: 'token', value: 'x' });
    await until(async () => Number(await redis.client.sendCommand(['SISMEMBER', 'l0:events:streams', 'r'])) === 1); // seq 0 is in, and listed
    await fill();
    source.next({ type: 'token', value: 'y' });
    source.complete();
    const { error } = await recorded;
    expect(error).toMatchObject({ code: 'RECORD_FAILED', cause: { name: 'EventLogError', code: 'STORE_UNAVAILABLE', message: expect.stringContaining('Redis refused XADD in the add script for stream "r"') } });
  });

  it('should name the XADD of the delete marker that Redis refused (the DEL after it goes through)', async () => {
    const store = createRedisEventStore(redis.client);
    await store.append([tagged('d', 0)]);
    await fill();
    await expect(store.delete('d')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', streamId: 'd', message: expect.stringMatching(/^Redis answered XADD for stream "d" with OOM/) });
    expect(await redis.client.exists('l0:events:stream:d')).toBe(0);
  });
});

describe('createRedisEventStore: other refusals inside its scripts, and a listing\'s errors (against a real redis-server)', () => {
  const redis = useRedisServer();

  it('should reject an out-of-order seq the add script met with STORE_FAILED (not retryable), naming XADD', async () => {
    const store = createRedisEventStore(redis.client);
    await store.append([env('o', 0), env('o', 1)]);
    await expect(store.append([env('o', 1)])).rejects.toMatchObject({
      name: 'EventLogError', code: 'STORE_FAILED', retryable: false, streamId: 'o',
      message: expect.stringMatching(/^Redis refused XADD in the add script for stream "o" at seq 1 \(it and the rest of its batch are not appended\): ERR The ID specified in XADD is equal or smaller/),
    });
  });

  it('should name the run check\'s XRANGE when that is what Redis refused, not XADD', async () => {
    await redis.client.set('l0:events:stream:w', 'not a stream');
    const store = createRedisEventStore(redis.client);
    await expect(store.append([tagged('w', 1)])).rejects.toMatchObject({
      code: 'STORE_FAILED', streamId: 'w', message: expect.stringMatching(/^Redis refused XRANGE in the add script for stream "w" at seq 1 .*: WRONGTYPE/),
    });
  });

  it('should give a listing\'s error no stream id (it is about no one stream), typed as such, and say what failed', async () => {
    await redis.client.set('l0:events:streams', 'not a set');
    const store = createRedisEventStore(redis.client);
    const refused = await Promise.resolve(store.streams()).then(() => undefined, (e: unknown) => e);
    // it was streamId: '', a stream id no stream has
    expect(refused).toMatchObject({ name: 'EventLogError', code: 'STORE_FAILED', message: expect.stringMatching(/^Redis refused SSCAN: WRONGTYPE/) });
    expect(isEventLogError(refused) && refused.streamId).toBeUndefined();
    expect(isEventLogError(refused) && refused.info).toEqual({});
  });
});
