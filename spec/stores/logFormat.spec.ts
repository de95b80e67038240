/** @test {createJsonlEventStore} @test {createRedisEventStore}: the log format (version 1, compact checkpoints) and a log of another version. */
import { appendFile, readFile } from 'node:fs/promises';
import { lastValueFrom, of, toArray, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { checkpointEvery, recordEvents, replayEvents, type L0Event, type RecordedInfo } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { useRedisServer } from '../helpers/redisServer.js';
import { useTempDir } from '../helpers/tempDir.js';

/** Version 1 lines of stream `id`: a token 'abc', then (seq 1) a checkpoint as a later format might store it. */
const laterFormat = (id: string, v: unknown) => [
  { v: 1, streamId: id, seq: 0, ts: 0, event: { type: 'token', value: 'abc' } },
  { v, streamId: id, seq: 1, ts: 0, event: { type: 'checkpoint', contentLength: 1, tokenCount: 1 } },
];
const INVALID_VERSION_2 = { name: 'EventLogError', code: 'INVALID_LOG', message: expect.stringMatching(/seq 1 has log format version 2, and this l0-rx reads version 1/) };

describe('the JSONL log format', () => {
  const tmp = useTempDir('l0-format-');

  it('should write version 1 lines, the run tag on seq 0 only, a proved checkpoint as its length and token count (the documented format)', async () => {
    let done!: (info: RecordedInfo) => void;
    const recorded = new Promise<RecordedInfo>((resolve) => (done = resolve));
    const events: L0Event[] = [{ type: 'token', value: 'ab' }, { type: 'token', value: 'c' }, { type: 'complete', finishReason: 'stop' }];
    of(...events).pipe(checkpointEvery(2), recordEvents(createJsonlEventStore(tmp.path), { streamId: 'f', scheduler: new VirtualTimeScheduler(), onRecorded: (info) => done(info) })).subscribe();
    const { run } = await recorded;
    expect((await readFile(tmp.path, 'utf8')).split('\n').filter(Boolean)).toEqual([
      `{"v":1,"streamId":"f","seq":0,"ts":0,"run":"${run}","event":{"type":"token","value":"ab"}}`,
      '{"v":1,"streamId":"f","seq":1,"ts":0,"event":{"type":"token","value":"c"}}',
      '{"v":1,"streamId":"f","seq":2,"ts":0,"event":{"type":"checkpoint","contentLength":3,"tokenCount":2}}',
      '{"v":1,"streamId":"f","seq":3,"ts":0,"event":{"type":"complete","finishReason":"stop"}}',
    ]);
  });

  it('should fail a read with INVALID_LOG naming the version of an envelope of a later log format, not read it as version 1', async () => {
    await appendFile(tmp.path, laterFormat('s', 2).map((e) => JSON.stringify(e)).join('\n') + '\n');
    // it read the checkpoint as version 1: { v: 2, ..., event: { type: 'checkpoint', content: 'a', tokenCount: 1 } }
    await expect(createJsonlEventStore(tmp.path).read('s')).rejects.toMatchObject(INVALID_VERSION_2);
    await expect(lastValueFrom(replayEvents(createJsonlEventStore(tmp.path), 's'))).rejects.toMatchObject(INVALID_VERSION_2);
  });

  it('should name a missing version as none', async () => {
    await appendFile(tmp.path, laterFormat('s', undefined).map((e) => JSON.stringify(e)).join('\n') + '\n');
    await expect(createJsonlEventStore(tmp.path).read('s')).rejects.toMatchObject({ code: 'INVALID_LOG', message: expect.stringMatching(/seq 1 has log format version none/) });
  });

  it('should read a stream whole when another stream of the file is of a later format', async () => {
    await appendFile(tmp.path, [...laterFormat('later', 2), { v: 1, streamId: 's', seq: 0, ts: 0, event: { type: 'token', value: 'x' } }].map((e) => JSON.stringify(e)).join('\n') + '\n');
    expect((await createJsonlEventStore(tmp.path).read('s')).map((e) => e.event)).toEqual([{ type: 'token', value: 'x' }]);
  });
});

describe('the Redis log format (against a real redis-server)', () => {
  const redis = useRedisServer();
  const add = async (id: string, v: unknown) => {
    for (const e of laterFormat(id, v)) await redis.client.sendCommand(['XADD', `l0:events:stream:${id}`, `0-${e.seq + 1}`, 'envelope', JSON.stringify(e)]);
  };

  it('should fail a read with INVALID_LOG naming the version of an envelope of a later log format', async () => {
    await add('s', 2);
    await expect(createRedisEventStore(redis.client).read('s')).rejects.toMatchObject(INVALID_VERSION_2);
  });

  it('should end a follower with INVALID_LOG naming the version, from the start or from the envelope itself', async () => {
    await add('s', 2);
    const store = createRedisEventStore(redis.client);
    await expect(lastValueFrom(store.follow!('s').pipe(toArray()))).rejects.toMatchObject(INVALID_VERSION_2);
    // from seq 1 it has no text to rebuild, and passed the envelope of version 2 on as if it were version 1
    await expect(lastValueFrom(store.follow!('s', 1).pipe(toArray()))).rejects.toMatchObject(INVALID_VERSION_2);
  });
});
