/** @test {createMemoryEventStore} An append made by a follower, from inside the append that serves it. */
import { describe, expect, it } from 'vitest';
import { createMemoryEventStore, type EventEnvelope } from 'l0-rx';

const env = (streamId: string, seq: number, value = String(seq)): EventEnvelope => ({ v: 1, streamId, seq, ts: seq, event: { type: 'token', value } });
const tokenOf = (e: EventEnvelope) => (e.event.type === 'token' ? e.event.value : e.event.type);

describe('createMemoryEventStore follow, re-entered', () => {
  it('should give every follower each stream in seq order when a follower appends from inside append', () => {
    const store = createMemoryEventStore();
    const one: number[] = [];
    const two: number[] = [];
    store.follow!('a').subscribe((e) => {
      one.push(e.seq);
      if (e.seq === 0) store.append([env('a', 1)]);
    });
    store.follow!('a').subscribe((e) => two.push(e.seq)); // it lost seq 0: seq 1 reached it first
    store.append([env('a', 0)]);
    expect([one, two]).toEqual([[0, 1], [0, 1]]);
    expect((store.read('a') as EventEnvelope[]).map((e) => e.seq)).toEqual([0, 1]);
  });

  it('should still deliver synchronously, inside the outermost append, and a follower append after the envelopes being delivered', () => {
    const store = createMemoryEventStore();
    const seen: string[] = [];
    store.follow!('a').subscribe((e) => {
      seen.push(`a${e.seq}`);
      if (e.seq === 0) store.append([env('b', 0)]);
    });
    store.follow!('b').subscribe((e) => seen.push(`b${e.seq}`));
    store.append([env('a', 0), env('a', 1)]);
    seen.push('returned');
    expect(seen).toEqual(['a0', 'a1', 'b0', 'returned']);
  });

  it('should give a follower that subscribes from inside append each envelope once', () => {
    const store = createMemoryEventStore();
    const late: number[] = [];
    store.follow!('a').subscribe((e) => {
      if (e.seq === 0) store.follow!('a').subscribe((f) => late.push(f.seq));
    });
    store.append([env('a', 0), env('a', 1)]);
    store.append([env('a', 2)]);
    expect(late).toEqual([0, 1, 2]);
  });

  it('should not hand a follower of a stream deleted and written again inside append the old run\'s envelopes', () => {
    const store = createMemoryEventStore();
    const fresh: string[] = [];
    let error: unknown;
    store.follow!('a').subscribe({
      next: (e) => {
        if (e.seq !== 0 || tokenOf(e) !== 'old') return;
        store.delete('a');
        store.append([env('a', 0, 'new')]);
        store.follow!('a').subscribe((f) => fresh.push(`${f.seq} ${tokenOf(f)}`));
      },
      error: (e: unknown) => (error = e),
    });
    store.append([env('a', 0, 'old'), env('a', 1, 'old'), env('a', 2, 'old')]);
    store.append([env('a', 1, 'new')]);
    expect(error).toMatchObject({ code: 'STREAM_NOT_FOUND' });
    expect(fresh).toEqual(['0 new', '1 new']);
  });
});
