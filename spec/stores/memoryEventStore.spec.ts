/** @test {createMemoryEventStore} */
import { describe, expect, it } from 'vitest';
import { map, type Observable } from 'rxjs';
import { createMemoryEventStore, recordEvents, type EventEnvelope, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const env = (streamId: string, seq: number): EventEnvelope => ({ v: 1, streamId, seq, ts: seq, event: { type: 'token', value: String(seq) } });

describe('createMemoryEventStore', () => {
  it('should read back a stream in append order, synchronously', () => {
    const store = createMemoryEventStore();
    store.append([env('a', 0), env('a', 1)]);
    store.append([env('a', 2)]);
    expect(store.read('a')).toEqual([env('a', 0), env('a', 1), env('a', 2)]);
  });

  it('should keep streams apart and list them', () => {
    const store = createMemoryEventStore();
    store.append([env('a', 0), env('b', 0), env('a', 1)]);
    expect(store.read('b')).toEqual([env('b', 0)]);
    expect(store.streams()).toEqual(['a', 'b']);
  });

  it('should read an inclusive seq range', () => {
    const store = createMemoryEventStore();
    store.append([0, 1, 2, 3].map((s) => env('a', s)));
    expect((store.read('a', { fromSeq: 1, toSeq: 2 }) as EventEnvelope[]).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('should read an unknown stream as empty', () => {
    expect(createMemoryEventStore().read('nope')).toEqual([]);
  });

  it('should delete a stream, and ignore an unknown one', () => {
    const store = createMemoryEventStore();
    store.append([env('a', 0), env('b', 0)]);
    store.delete('a');
    store.delete('nope');
    expect(store.streams()).toEqual(['b']);
    expect(store.read('a')).toEqual([]);
  });

  it('should give back real timestamps, gaps in seq and the very event objects', () => {
    const store = createMemoryEventStore();
    const event: L0Event = { type: 'token', value: 'x' };
    const given = [{ v: 1 as const, streamId: 'a', seq: 4, ts: 1_733_300_000_123.5, event }, { v: 1 as const, streamId: 'a', seq: 9, ts: 2, event }];
    store.append(given);
    const back = store.read('a') as EventEnvelope[];
    expect(back).toEqual(given);
    expect(back[0]!.event).toBe(event);
  });

  it('should keep an envelope of another schema version whole, for a replay to reject', () => {
    const store = createMemoryEventStore();
    const odd = { v: 2, streamId: 'a', seq: 0, ts: 0, event: { type: 'token', value: 'x' }, extra: true } as never;
    store.append([odd, env('a', 1)]);
    expect(store.read('a')).toEqual([odd, env('a', 1)]);
  });

  it('should hand out a copy, so a reader cannot change the log', () => {
    const store = createMemoryEventStore();
    store.append([env('a', 0)]);
    (store.read('a') as EventEnvelope[]).pop();
    expect(store.read('a')).toHaveLength(1);
  });
});

describe('createMemoryEventStore: follow', () => {
  const values: Record<string, L0Event> = {
    s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
    a: { type: 'token', value: 'a' },
    b: { type: 'token', value: 'b' },
    x: { type: 'complete', finishReason: 'stop' },
  };
  const events = (envelopes: Observable<EventEnvelope>) => envelopes.pipe(map((e) => e.event as L0Event));

  it('should give what was recorded at once, then each new envelope as it is appended, and complete after the terminal one', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      cold('--s-a---b---x|', values).pipe(recordEvents(store, { streamId: 'r' })).subscribe();
      expectObservable(events(store.follow!('r')), '----^').toBe('----(sa)b---(x|)', values);
    });
  });

  it('should start at fromSeq', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      cold('--s-a---b---x|', values).pipe(recordEvents(store, { streamId: 'r' })).subscribe();
      expectObservable(events(store.follow!('r', 2)), '----^').toBe('--------b---(x|)', values);
    });
  });

  it('should wait for a stream that is not recorded yet', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      const later = cold('---s-x|', values).pipe(recordEvents(store, { streamId: 'r' }));
      expectObservable(events(store.follow!('r'))).toBe('---s-(x|)', values);
      later.subscribe();
    });
  });

  it('should complete after the recorded error too, with the error envelope as the last one', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      cold('s-a-#', values, new Error('boom')).pipe(recordEvents(store, { streamId: 'r' })).subscribe({ error: () => undefined });
      expectObservable(store.follow!('r').pipe(map((e) => e.event.type))).toBe('a-b-(c|)', { a: 'start', b: 'token', c: 'error' });
    });
  });

  it('should complete at once for a finished stream read from the start, with every envelope once', () => {
    const store = createMemoryEventStore();
    store.append([env('a', 0), env('a', 1), { ...env('a', 2), event: { type: 'complete', finishReason: 'stop' } }]);
    const seen: number[] = [];
    let completed = false;
    store.follow!('a').subscribe({ next: (e) => seen.push(e.seq), complete: () => (completed = true) });
    expect([seen, completed]).toEqual([[0, 1, 2], true]);
  });

  it('should complete at once when following a finished stream from past its end (nothing more can come)', () => {
    const store = createMemoryEventStore();
    store.append([env('a', 0), { ...env('a', 1), event: { type: 'complete', finishReason: 'stop' } }]);
    const seen: number[] = [];
    let completed = false;
    store.follow!('a', 5).subscribe({ next: (e) => seen.push(e.seq), complete: () => (completed = true) });
    // it waited forever
    expect([seen, completed]).toEqual([[], true]);
  });

  it('should complete a follower from past the end of a live run once the run ends before fromSeq', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      cold('--s-a---x|', values).pipe(recordEvents(store, { streamId: 'r' })).subscribe();
      // it waited forever: the run's end (seq 2) is before fromSeq 5
      expectObservable(events(store.follow!('r', 5)), '----^').toBe('--------|');
      expectObservable(events(store.follow!('later', 3))).toBe('-----|');
      cold('-s---x|', values).pipe(recordEvents(store, { streamId: 'later' })).subscribe();
    });
  });

  it('should stop tailing on unsubscribe, and keep followers of one stream apart', () => {
    const store = createMemoryEventStore();
    const one: number[] = [];
    const two: number[] = [];
    const sub = store.follow!('a').subscribe((e) => one.push(e.seq));
    store.follow!('a').subscribe((e) => two.push(e.seq));
    store.append([env('a', 0)]);
    sub.unsubscribe();
    store.append([env('a', 1), env('b', 0)]);
    expect([one, two]).toEqual([[0], [0, 1]]);
  });

  it('should error its followers with STREAM_NOT_FOUND when the stream is deleted', () => {
    const store = createMemoryEventStore();
    let error: unknown;
    store.follow!('a').subscribe({ error: (e: unknown) => (error = e) });
    store.delete('a');
    expect(error).toMatchObject({ name: 'EventLogError', code: 'STREAM_NOT_FOUND', streamId: 'a' });
  });

  it('should throw a TypeError naming fromSeq when it is not an integer >= 0', () => {
    expect(() => createMemoryEventStore().follow!('a', -1)).toThrow('createMemoryEventStore().follow(streamId, fromSeq): fromSeq must be an integer >= 0, got -1');
  });
});
