/** @test {createJsonlEventStore} {createRedisEventStore} {createMemoryEventStore} a budget's cut keeps its mark through every event store: replayed and followed, it is the caller's limit, never zero output */
import { appendFile, readFile } from 'node:fs/promises';
import { lastValueFrom, of, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { budget, createMemoryEventStore, detectZeroOutput, recordEvents, replayEvents, type EventEnvelope, type EventStore, type L0Event } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { useRedisServer } from '../helpers/redisServer.js';
import { useTempDir } from '../helpers/tempDir.js';

const START: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
/** The budget's cut: the token would make 3 output tokens of 2, so nothing was streamed. */
const CUT: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 0, inputTokens: 0 } };
/** Records `events$` as `streamId`: its events, once every envelope is written. */
function record(events$: Observable<L0Event>, store: EventStore, streamId: string): Promise<readonly L0Event[]> {
  return new Promise((resolve, reject) => {
    const events: L0Event[] = [];
    events$.pipe(recordEvents(store, { streamId, onRecorded: (info) => (info.error ? reject(info.error) : resolve(events)) })).subscribe({ next: (e) => events.push(e), error: reject });
  });
}
/** A run cut by its budget before its first token, recorded as `streamId`: `start`, then the cut (seq 1). */
const recordCut = (store: EventStore, streamId: string) => record(of(START, { type: 'token', value: 'twelve chars' } as L0Event).pipe(budget({ maxOutputTokens: 2, onExceeded: 'complete' })), store, streamId);
/** The replay as `detectZeroOutput` after it sees it: a plain `length` completion with nothing before it would be ZERO_OUTPUT. */
const replayed = (store: EventStore, streamId: string) => lastValueFrom(replayEvents(store, streamId).pipe(detectZeroOutput(), toArray()));
/** A stored cut's event with a `limitCut` that is not the one the stores write, and a token carrying one. */
const BAD: [string, object][] = [
  ['false on a complete', { ...CUT, limitCut: false }],
  ['"yes" on a complete', { ...CUT, limitCut: 'yes' }],
  ['true on a token', { type: 'token', value: 'a', limitCut: true }],
];
const invalid = (streamId: string, seq: number) => expect.objectContaining({ name: 'EventLogError', code: 'INVALID_LOG', message: `Stream ${streamId} is not a valid event log: the envelope at seq ${seq} holds an invalid event (\`limitCut\` is not true on a complete event)` });

describe("a budget's cut in an event store", () => {
  it('memory: should replay and follow the recorded cut as a cut (the store keeps the event itself)', async () => {
    const store = createMemoryEventStore();
    expect(await recordCut(store, 'm')).toEqual([START, CUT]);
    expect(await replayed(store, 'm')).toEqual([START, CUT]);
    const [followed] = await lastValueFrom(store.follow!('m', 1).pipe(toArray()));
    expect(await lastValueFrom(of(START, followed!.event as L0Event).pipe(detectZeroOutput(), toArray()))).toEqual([START, CUT]);
  });

  describe('JSONL', () => {
    const tmp = useTempDir('l0-cut-');

    it('should store the cut with "limitCut": true and replay it as a cut: the field gone, detectZeroOutput lets it pass', async () => {
      const store = createJsonlEventStore(tmp.path);
      await recordCut(store, 'j');
      expect((await readFile(tmp.path, 'utf8')).split('\n').filter((l) => l.includes('"complete"')).map((l) => (JSON.parse(l) as EventEnvelope).event)).toEqual([{ ...CUT, limitCut: true }]);
      // before: stored without the field, the replay ended with a ZeroOutputError
      const events = await replayed(store, 'j');
      expect([events, Object.keys(events[1]!)]).toEqual([[START, CUT], ['type', 'finishReason', 'usage']]);
    });

    it("should store a model's own length finish, and every other event, without the field", async () => {
      const store = createJsonlEventStore(tmp.path);
      await record(of(START, CUT), store, 'own');
      await expect(replayed(store, 'own')).rejects.toMatchObject({ code: 'ZERO_OUTPUT' });
    });

    it.each(BAD)('should refuse a stored limitCut of %s as an invalid log (INVALID_LOG naming it), never read it as the mark', async (_, event) => {
      await appendFile(tmp.path, `${JSON.stringify({ v: 1, streamId: 'bad', seq: 0, ts: 0, event: START })}\n${JSON.stringify({ v: 1, streamId: 'bad', seq: 1, ts: 0, event })}\n`);
      const store = createJsonlEventStore(tmp.path);
      await expect(store.read('bad')).rejects.toEqual(invalid('bad', 1));
    });
  });

  describe('Redis (against a real redis-server)', () => {
    const redis = useRedisServer();

    it('should store the cut with "limitCut": true and replay it as a cut: the field gone, detectZeroOutput lets it pass', async () => {
      const store = createRedisEventStore(redis.client);
      await recordCut(store, 'r');
      const [, fields] = (await redis.client.sendCommand(['XRANGE', 'l0:events:stream:r', '0-2', '0-2']) as [string, string[]][])[0]!;
      expect((JSON.parse(fields[fields.indexOf('envelope') + 1]!) as EventEnvelope).event).toEqual({ ...CUT, limitCut: true });
      // before: stored without the field, the replay ended with a ZeroOutputError
      const events = await replayed(store, 'r');
      expect([events, Object.keys(events[1]!)]).toEqual([[START, CUT], ['type', 'finishReason', 'usage']]);
    });

    it('should keep the run tag of a run that is only its cut (seq 0), stored with the field', async () => {
      const store = createRedisEventStore(redis.client);
      await record(of(START).pipe(budget({ maxTotalTokens: 10, inputTokens: 20, onExceeded: 'complete' })), store, 'only');
      const [envelope] = await store.read('only');
      expect([typeof envelope!.run, envelope!.event]).toEqual(['string', CUT]);
      await expect(lastValueFrom(replayEvents(store, 'only').pipe(detectZeroOutput()))).resolves.toEqual(CUT);
    });

    it('should follow the cut as a cut, from seq 0 and from the cut itself', async () => {
      const store = createRedisEventStore(redis.client, { followBlockMs: 50 });
      await recordCut(store, 'f');
      for (const from of [0, 1]) {
        const events = await lastValueFrom(store.follow!('f', from).pipe(toArray()));
        const cut = events.at(-1)!.event as L0Event;
        await expect(lastValueFrom(of(START, cut).pipe(detectZeroOutput(), toArray())), `from seq ${from}`).resolves.toEqual([START, CUT]);
      }
    });

    it.each(BAD)('should refuse a stored limitCut of %s as an invalid log (INVALID_LOG naming it), in read and follow', async (_, event) => {
      const store = createRedisEventStore(redis.client, { followBlockMs: 50 });
      await store.append([{ v: 1, streamId: 'bad', seq: 0, ts: 0, event: START }]);
      await redis.client.sendCommand(['XADD', 'l0:events:stream:bad', '0-2', 'envelope', JSON.stringify({ v: 1, streamId: 'bad', seq: 1, ts: 0, event })]);
      await expect(store.read('bad')).rejects.toEqual(invalid('bad', 1));
      await expect(lastValueFrom(store.follow!('bad', 1))).rejects.toEqual(invalid('bad', 1));
    });
  });
});
