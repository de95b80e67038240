import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createMemoryEventStore, recordEvents, type EventLogError, type EventStore, type L0Event, type RecordedInfo } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { useRedisServer } from '../helpers/redisServer.js';
import { useTempDir } from '../helpers/tempDir.js';

const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const complete: L0Event = { type: 'complete', finishReason: 'stop' };

/** Records what `feed` sends under `streamId`, resolving once every envelope is written: the record errors and onRecorded's info. */
async function record(store: EventStore, streamId: string, feed: (source: Subject<L0Event>) => void) {
  const errors: EventLogError[] = [];
  const source = new Subject<L0Event>();
  const recorded = new Promise<RecordedInfo>((resolve) => {
    source.pipe(recordEvents(store, { streamId, onRecordError: (e) => errors.push(e), onRecorded: resolve })).subscribe({ error: () => undefined });
  });
  feed(source);
  return { errors, info: await recorded };
}

describe('run tags at the edges of a log', () => {
  const tmp = useTempDir('l0-run-edges-');
  const redis = useRedisServer();
  const stores: [string, () => EventStore][] = [
    ['memory', () => createMemoryEventStore()],
    ['jsonl', () => createJsonlEventStore(tmp.path)],
    ['redis', () => createRedisEventStore(redis.client, { keyPrefix: 'edges:late:' })],
  ];

  it.each(stores)('%s: keeps an error the run sends after its complete event as the run\'s own (JSONL refused it as another run\'s)', async (_, make) => {
    const store = make();
    const { errors, info } = await record(store, 'late', (source) => {
      source.next(start);
      source.next(complete);
      source.error(new Error('late'));
    });
    expect(errors).toEqual([]);
    expect(info.count).toBe(3);
    expect((await store.read('late')).map((e) => e.event.type)).toEqual(['start', 'complete', 'error']);
  });

  it('redis: a stream holding only a delete marker (its DEL lost with the connection) is no run\'s log: the new run fails as RECORD_FAILED, not RUN_MISMATCH', async () => {
    const prefix = 'edges:marker:';
    const store = createRedisEventStore(redis.client, { keyPrefix: prefix });
    await redis.client.sendCommand(['XADD', `${prefix}stream:m`, '*', 'deleted', '1']);
    const { errors } = await record(store, 'm', (source) => {
      source.next(start);
      source.complete();
    });
    expect(errors.map((e) => e.code)).toEqual(['RECORD_FAILED']);
    expect(errors[0]!.message).not.toMatch(/run/);
  });
});
