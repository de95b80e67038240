/** @test {createStoreReplaySource} */
import { lastValueFrom, map, Subject, take, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createMemoryEventStore, createStoreReplaySource, recordEvents, type EventEnvelope, type EventStore, type L0Event, type SequencedEvent } from 'l0-rx';
import { MARBLE_VALUES } from '../helpers/marbleValues.js';

// The store replay's tail (its own subscriber): what a throw, a consumer that leaves during the
// synchronous backlog, and envelopes arriving while it sends the held ones do to it (before the
// tail was a relay, a throw went to rxjs's unhandled-error report: an uncaught exception in Node).

const values = MARBLE_VALUES;
const record = { streamId: 'chat', runTag: () => 'r1' };
const envelope = (seq: number, event: unknown): EventEnvelope => ({ v: 1, streamId: 'chat', seq, ts: 0, event, ...(seq === 0 ? { run: 'r1' } : {}) }) as EventEnvelope;

describe('createStoreReplaySource: the tail', () => {
  it('should error the replay with what deserializing a malformed recorded error threw, not leave it open', () => {
    const store = createMemoryEventStore();
    store.append([envelope(0, values.s), envelope(1, values.a), envelope(2, { type: 'error', error: null })]);
    const got: unknown[] = [];
    createStoreReplaySource(store).replay('chat', 0).subscribe({ next: (e) => got.push(e.seq), error: (e: unknown) => got.push(e) });
    expect(got).toEqual([1, 2, expect.any(TypeError)]);
  });

  it('should fail with STREAM_NOT_FOUND when a store that reads synchronously has lost seq 0 by the time the tail gives its first envelope', () => {
    const memory = createMemoryEventStore();
    const store: EventStore = {
      ...memory,
      read: (streamId, range) => (range?.fromSeq === 0 && memory.delete(streamId), memory.read(streamId, range)) as EventEnvelope[],
      follow: memory.follow!.bind(memory),
      append: memory.append.bind(memory),
      delete: memory.delete.bind(memory),
    };
    new Subject<L0Event>().pipe(recordEvents(store, record)).subscribe();
    memory.append([envelope(0, values.s), envelope(1, values.a), envelope(2, values.b), envelope(3, values.x)]);
    const got: unknown[] = [];
    createStoreReplaySource(store).replay('chat', 3).subscribe({ next: (e) => got.push(e), error: (e: unknown) => got.push(e) });
    expect(got).toEqual([expect.objectContaining({ code: 'STREAM_NOT_FOUND' })]);
  });

  it('should stop reading the memory store\'s backlog as soon as its consumer leaves during it', () => {
    const memory = createMemoryEventStore();
    const tokens = Array.from({ length: 1000 }, (_, i) => envelope(i + 1, values.a));
    memory.append([envelope(0, values.s), ...tokens]);
    let given = 0;
    const store: EventStore = { ...memory, read: memory.read.bind(memory), append: memory.append.bind(memory), delete: memory.delete.bind(memory), follow: (id, from) => memory.follow!(id, from).pipe(tap(() => given++)) };
    const got: SequencedEvent[] = [];
    createStoreReplaySource(store).replay('chat', 0).pipe(take(2)).subscribe((e) => got.push(e));
    expect(got.map((e) => e.seq)).toEqual([1, 2]);
    expect(given).toBeLessThan(5);
  });

  it('should keep the log\'s order when an envelope arrives while the held ones are being sent (a consumer that records)', async () => {
    const memory = createMemoryEventStore();
    // range reads answered in a promise, as Redis does: the tail holds what comes while seq 0 is read
    const store: EventStore = { ...memory, read: async (id, range) => memory.read(id, range), follow: memory.follow!.bind(memory), append: memory.append.bind(memory), delete: memory.delete.bind(memory) };
    const run = new Subject<L0Event>();
    run.pipe(recordEvents(store, record)).subscribe();
    run.next(values.s!);
    run.next(values.a!);
    run.next(values.b!);
    run.next(values.c!);
    const replay = createStoreReplaySource(store).replay('chat', 3).pipe(
      // the consumer records on as it reads (as a server relaying a run it also records), when c reaches it
      tap(({ event }) => void (event === values.c && run.next(values.e!))),
      map(({ seq, event }) => `${seq}:${(event as { value?: string }).value ?? event.type}`),
      take(3),
      toArray(),
    );
    const done = lastValueFrom(replay);
    // before the tail reads seq 0 (in a promise): d comes, held after c
    run.next(values.d!);
    expect(await done).toEqual(['4:c', '5:d', '6:e']);
  });
  it.each([['answered at once', false], ['answered in a promise', true]])('should give a reconnect from any event, at any point of the run up to its end, each event after it once (reads %s)', async (_, later) => {
    // the backlog is read apart from the tail, which starts at its last envelope: a run that goes on, or ends, between the two loses or repeats nothing
    const events = [values.s!, ...['a', 'b', 'c', 'd', 'e'].map((v) => values[v]!), values.x!];
    const cases: unknown[] = [];
    for (let at = 1; at <= events.length; at++) {
      for (let after = 0; after <= at; after++) {
        for (const inside of [false, true]) {
          const memory = createMemoryEventStore();
          const store: EventStore = later ? { ...memory, read: async (id, range) => memory.read(id, range), follow: memory.follow!.bind(memory), append: memory.append.bind(memory), delete: memory.delete.bind(memory) } : memory;
          const run = new Subject<L0Event>();
          run.pipe(recordEvents(store, record)).subscribe();
          const got: unknown[] = [];
          const reconnect = () => void createStoreReplaySource(store).replay('chat', after).subscribe({ next: (e) => got.push(e.seq), complete: () => got.push('end'), error: (e: unknown) => got.push(e) });
          for (let i = 0; i <= events.length; i++) {
            // once seq at - 1 is recorded: after its append, or inside it (from its delivery to another follower)
            if (inside && i === at - 1) memory.follow!('chat', at - 1).pipe(take(1)).subscribe(reconnect);
            if (!inside && i === at) reconnect();
            if (i < events.length) run.next(events[i]!);
            for (let k = 0; later && k < 5; k++) await Promise.resolve();
          }
          for (let k = 0; k < 10; k++) await Promise.resolve();
          cases.push({ at, after, inside, got });
        }
      }
    }
    const want = (after: number) => [...Array.from({ length: events.length - after }, (_, i) => after + i + 1), 'end'];
    expect(cases).toEqual(cases.map((c) => ({ ...(c as object), got: want((c as { after: number }).after) })));
  });
  it('should not give a fresh replay the backlog of a log replaced before its tail began, spliced to the new run', async () => {
    // the backlog (run r1) is read in a promise; the stream is deleted and recorded again (run r2) before the tail starts
    const memory = createMemoryEventStore();
    const store: EventStore = { ...memory, read: async (id, range) => memory.read(id, range), follow: memory.follow!.bind(memory), append: memory.append.bind(memory), delete: memory.delete.bind(memory) };
    const r2 = (seq: number, event: unknown) => ({ ...envelope(seq, event), ...(seq === 0 ? { run: 'r2' } : {}) });
    memory.append([envelope(0, values.s), envelope(1, values.a)]);
    const got: unknown[] = [];
    createStoreReplaySource(store).replay('chat', 0).subscribe({ next: (e) => got.push(`${e.run}:${e.seq}`), complete: () => got.push('end'), error: (e: unknown) => got.push(e) });
    memory.delete('chat');
    memory.append([r2(0, values.s), r2(1, values.b), r2(2, values.c), r2(3, values.x)]);
    for (let k = 0; k < 10; k++) await Promise.resolve();
    // it gave r2:1 r2:2 (run r1's s and a under r2's tag), then r2:3 r2:4 (r2's c and complete): two runs as one
    expect(got).toEqual([expect.objectContaining({ code: 'STREAM_NOT_FOUND' })]);
  });
});
