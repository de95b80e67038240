/** @test {l0} */
import { describe, expect, it } from 'vitest';
import { createMemoryEventStore, l0, replayEvents, type EventEnvelope, type L0Event, type RecordedInfo } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';

const types = (store: ReturnType<typeof createMemoryEventStore>, id: string) => (store.read(id) as EventEnvelope[]).map((e) => e.event.type);

describe('l0({ record })', () => {
  it('should record every attempt of every stream, in order, with ts from the run scheduler', () => {
    const store = createMemoryEventStore();
    const scheduler = testScheduler();
    scheduler.run(() => {
      l0({
        stream: fakeModel([{ items: [{ error: { status: 503 } }] }]),
        fallbackStreams: [fakeModel('--ab|')],
        retry: { backoff: 'fixed', baseDelay: 5, maxRetries: 1 },
        record: { store, streamId: 'run' },
        scheduler,
      }).subscribe();
    });
    expect(types(store, 'run')).toEqual(['start', 'retry', 'start', 'fallback', 'start', 'token', 'token', 'complete']);
    const ts = (store.read('run') as EventEnvelope[]).map((e) => e.ts);
    expect(ts.at(-1)).toBeGreaterThan(5);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
  });

  it('should record the run final error as the last envelope', () => {
    const store = createMemoryEventStore();
    testScheduler().run(() => {
      l0({ stream: fakeModel({ items: [{ error: { status: 401 } }] }), record: { store, streamId: 'run' } }).subscribe({ error: () => undefined });
    });
    expect((store.read('run') as EventEnvelope[]).at(-1)!.event).toMatchObject({ type: 'error', error: { code: 'AUTH_ERROR' } });
  });

  it('should take a store alone and give each subscription its own stream', () => {
    const store = createMemoryEventStore();
    const run = l0({ stream: fakeModel('a|'), record: store });
    testScheduler().run(() => {
      run.subscribe();
      run.subscribe();
    });
    expect(store.streams()).toHaveLength(2);
  });

  it('should record before the user runOperators, so the log holds the unchanged events', () => {
    const store = createMemoryEventStore();
    const infos: RecordedInfo[] = [];
    const seen: L0Event[] = [];
    testScheduler().run(() => {
      l0({
        stream: fakeModel('ab|'),
        record: { store, onRecorded: (i) => infos.push(i) },
        runOperators: [(s) => s],
      }).subscribe((e) => seen.push(e));
    });
    const replayed: L0Event[] = [];
    replayEvents(store, infos[0]!.streamId).subscribe((e) => replayed.push(e));
    expect(replayed).toEqual(seen);
  });

  it('should name a bad record option as written', () => {
    const stream = fakeModel('a|');
    expect(() => l0({ stream, record: 5 as never })).toThrow('l0({record}) must be an EventStore or { store, ...recordEvents options }, got 5');
    expect(() => l0({ stream, record: { stor: createMemoryEventStore() } as never })).toThrow('l0({record}): unknown option `stor` (did you mean `store`?)');
    expect(() => l0({ stream, record: { store: {} as never } })).toThrow('l0({record}) must be an EventStore (an object with append, read, streams and delete), got an object');
    expect(() => l0({ stream, record: { store: createMemoryEventStore(), maxPending: -1 } })).toThrow('l0({record: {maxPending}}) must be a positive integer, got -1');
  });
});
