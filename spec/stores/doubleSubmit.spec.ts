/** @test {createMemoryEventStore} @test {createRedisEventStore} @test {recordEvents} */
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createMemoryEventStore, l0, type EventLogError, type EventStore, type L0Event, type RecordedInfo } from 'l0-rx';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { fakeModel } from 'l0-rx/testing';
import { useRedisServer } from '../helpers/redisServer.js';

/*
 * The README's double submit: two first connections of one stream id at once both delete the id's log
 * and then both start a run recorded under it. The run subscribed first takes the new log (its `seq` 0
 * goes first), even when its model answers last; the other's recording is refused (`RUN_MISMATCH`) and
 * writes nothing into it, through the memory store (synchronous) and the Redis store (one client: its
 * commands reach Redis in the order they were sent).
 */

interface Outcome {
  readonly info: RecordedInfo;
  readonly errors: EventLogError[];
  readonly events: Promise<L0Event[]>;
}

function start(store: EventStore, run: string, text: string, delay: number): Outcome & { done: Promise<RecordedInfo> } {
  const errors: EventLogError[] = [];
  let info!: RecordedInfo;
  let recorded!: () => void;
  const done = new Promise<void>((resolve) => (recorded = resolve));
  const model = fakeModel({ items: [{ delay }, text] });
  const events = lastValueFrom(
    l0({ stream: model, retry: false, record: { store, streamId: 'chat', runTag: () => run, onRecordError: (e) => errors.push(e), onRecorded: (i) => ((info = i), recorded()) } }).pipe(toArray()),
  );
  return {
    get info() {
      return info;
    },
    errors,
    events,
    done: done.then(() => info),
  };
}

async function doubleSubmit(store: EventStore): Promise<void> {
  await store.append([{ v: 1, streamId: 'chat', seq: 0, ts: 0, run: 'old', event: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false } }]);
  // both delete first (the old run's log goes), then both start: the older subscribed first, its model answering last
  await Promise.all([store.delete('chat'), store.delete('chat')]);
  const older = start(store, 'older', 'slow answer', 30);
  const newer = start(store, 'newer', 'fast answer', 0);
  await Promise.all([older.events, newer.events, older.done, newer.done]);
  expect(older.errors).toEqual([]);
  expect(older.info.error).toBeUndefined();
  expect(newer.errors.map((e) => e.code)).toEqual(['RUN_MISMATCH']);
  expect(newer.info.count).toBe(0);
  const log = await store.read('chat');
  expect(log[0]!.run).toBe('older');
  expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i));
  const text = log.flatMap((e) => (e.event.type === 'token' ? [e.event.value] : [])).join('');
  expect(text).toBe('slow answer');
  expect(log.at(-1)!.event.type).toBe('complete');
}

describe('double submit: two runs of one stream id started at once', () => {
  it('should give the log to the run subscribed first, refusing the other (memory store)', async () => {
    await doubleSubmit(createMemoryEventStore());
  });

  describe('against a real redis-server', () => {
    const redis = useRedisServer();

    it('should give the log to the run subscribed first, refusing the other (one Redis client)', async () => {
      await doubleSubmit(createRedisEventStore(redis.client));
    });
  });
});
