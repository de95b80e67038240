/** @test {createMemoryEventStore} */
import { describe, expect, it } from 'vitest';
import { createMemoryEventStore, type EventEnvelope } from 'l0-rx';

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

  it('should hand out a copy, so a reader cannot change the log', () => {
    const store = createMemoryEventStore();
    store.append([env('a', 0)]);
    (store.read('a') as EventEnvelope[]).pop();
    expect(store.read('a')).toHaveLength(1);
  });
});
