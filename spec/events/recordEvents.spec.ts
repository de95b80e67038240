/** @test {recordEvents} */
import { first, lastValueFrom, of, Subject, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import {
  createMemoryEventStore,
  isEventLogError,
  recordEvents,
  replayEvents,
  type EventEnvelope,
  type EventLogError,
  type EventStore,
  type L0Event,
  type RecordedInfo,
} from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values: Record<string, L0Event> = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  a: { type: 'token', value: 'a' },
  b: { type: 'token', value: 'b' },
  x: { type: 'complete', finishReason: 'stop' },
};

/** A store whose appends wait until `release()`; every call is kept. */
function slowStore() {
  const calls: EventEnvelope[][] = [];
  const pending: (() => void)[] = [];
  const inner = createMemoryEventStore();
  const store: EventStore = {
    ...inner,
    append: (envelopes) => {
      calls.push([...envelopes]);
      return new Promise<void>((resolve) => pending.push(() => { inner.append(envelopes); resolve(); }));
    },
  };
  const release = async () => {
    while (pending.length > 0) {
      pending.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { store, inner, calls, release };
}

describe('recordEvents', () => {
  it('should pass every event through untouched and at the same frame', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      expectObservable(cold('-s-a-b-x|', values).pipe(recordEvents(store, { streamId: 'r' }))).toBe('-s-a-b-x|', values);
    });
  });

  it('should append envelopes with v 1, the stream id, seq from 0, ts from the scheduler and the run tag on seq 0', () => {
    const scheduler = testScheduler();
    const store = createMemoryEventStore();
    let run = '';
    scheduler.run(({ cold }) => {
      cold('-s-a-b-x|', values).pipe(recordEvents(store, { streamId: 'r', scheduler, onRecorded: (info) => (run = info.run) })).subscribe();
    });
    expect(run).toMatch(/^\d+\.\d+$/);
    expect(store.read('r')).toEqual([
      { v: 1, streamId: 'r', seq: 0, ts: 1, run, event: values.s },
      { v: 1, streamId: 'r', seq: 1, ts: 3, event: values.a },
      { v: 1, streamId: 'r', seq: 2, ts: 5, event: values.b },
      { v: 1, streamId: 'r', seq: 3, ts: 7, event: values.x },
    ]);
  });

  it('should record the terminal error as a plain last envelope and still pass the error on', () => {
    const scheduler = testScheduler();
    const store = createMemoryEventStore();
    scheduler.run(({ cold, expectObservable }) => {
      const error = Object.assign(new Error('boom'), { status: 500 });
      expectObservable(cold('-a-#', values, error).pipe(recordEvents(store, { streamId: 'r', scheduler }))).toBe('-a-#', values, error);
    });
    const last = (store.read('r') as EventEnvelope[]).at(-1)!;
    expect(last).toMatchObject({ seq: 1, ts: 3, event: { type: 'error', error: { message: 'boom' } } });
    expect(JSON.parse(JSON.stringify(last))).toEqual(last);
  });

  it('should record nothing and complete for an empty source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      expectObservable(cold<L0Event>('|').pipe(recordEvents(store, { streamId: 'r' }))).toBe('|');
      expect(store.streams()).toEqual([]);
    });
  });

  it('should record nothing for a never source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      expectObservable(cold<L0Event>('-').pipe(recordEvents(store, { streamId: 'r' }))).toBe('');
      expect(store.streams()).toEqual([]);
    });
  });

  it('should stop recording, end the log with a STREAM_ABORTED envelope and unsubscribe from the source when the consumer leaves', () => {
    const store = createMemoryEventStore();
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-a-b-', values);
      expectObservable(source.pipe(recordEvents(store, { streamId: 'r' })), '^--!').toBe('-a-', values);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    // a replay or a follower of the run ends there instead of waiting for an end never written
    expect((store.read('r') as EventEnvelope[]).map((e) => e.event)).toEqual([values.a, { type: 'error', error: expect.objectContaining({ name: 'StreamAbortedError', code: 'STREAM_ABORTED' }) }]);
    const replayed: unknown[] = [];
    replayEvents(store, 'r').subscribe({ next: (e) => replayed.push(e), error: (e: unknown) => replayed.push(e) });
    expect(replayed).toEqual([values.a, expect.objectContaining({ name: 'StreamAbortedError', code: 'STREAM_ABORTED' })]);
  });

  it('should end the log at the complete event when the consumer leaves right after it, and replay the run as complete', () => {
    const store = createMemoryEventStore();
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-s-a-x-|', values);
      expectObservable(source.pipe(recordEvents(store, { streamId: 'r' }), first((e) => e.type === 'complete'))).toBe('-----(x|)', values);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
    // the run ended with its complete event: no abort envelope after the terminal one
    expect((store.read('r') as EventEnvelope[]).map((e) => e.event)).toEqual([values.s, values.a, values.x]);
    testScheduler().run(({ expectObservable }) => {
      expectObservable(replayEvents(store, 'r')).toBe('(sax|)', values);
    });
  });

  it('should give each subscription its own stream, with seq from 0', () => {
    const store = createMemoryEventStore();
    let n = 0;
    testScheduler().run(({ cold }) => {
      const recorded = cold('-a-b|', values).pipe(recordEvents(store, { streamId: () => `run-${++n}` }));
      recorded.subscribe();
      recorded.subscribe();
    });
    expect(store.streams()).toEqual(['run-1', 'run-2']);
    expect((store.read('run-2') as EventEnvelope[]).map((e) => e.seq)).toEqual([0, 1]);
  });

  it('should make a random stream id per subscription by default and tell it in onRecorded', () => {
    const store = createMemoryEventStore();
    const infos: RecordedInfo[] = [];
    testScheduler().run(({ cold }) => {
      const recorded = cold('-a|', values).pipe(recordEvents(store, { onRecorded: (i) => infos.push(i) }));
      recorded.subscribe();
      recorded.subscribe();
    });
    expect(infos).toHaveLength(2);
    expect(infos[0]!.streamId).toMatch(/^[0-9a-f-]{36}$/);
    expect(infos[0]!.streamId).not.toBe(infos[1]!.streamId);
    expect(infos[0]).toEqual({ streamId: infos[0]!.streamId, run: infos[0]!.run, count: 1, error: undefined });
  });

  it('should tag every envelope of a subscription with a run tag of its own, told in onRecorded', () => {
    const appended: EventEnvelope[] = [];
    const inner = createMemoryEventStore();
    const store: EventStore = { ...inner, append: (envelopes) => (appended.push(...envelopes), inner.append(envelopes)) };
    const infos: RecordedInfo[] = [];
    let made = 0;
    testScheduler().run(({ cold }) => {
      const recorded = cold('-a-b|', values).pipe(recordEvents(store, { streamId: () => `r${made++}`, onRecorded: (i) => infos.push(i) }));
      recorded.subscribe();
      recorded.subscribe();
    });
    const [one, two] = infos.map((i) => i.run);
    expect([one, two]).toEqual([expect.stringMatching(/^\d+\.\d+$/), expect.stringMatching(/^\d+\.\d+$/)]);
    expect(one).not.toBe(two);
    expect(appended.map((e) => [e.streamId, e.seq, e.run])).toEqual([['r0', 0, one], ['r1', 0, two], ['r0', 1, one], ['r1', 1, two]]);
  });

  it('should take the run tags from runTag, once per subscription, for logs that must be reproducible', () => {
    const store = createMemoryEventStore();
    const infos: RecordedInfo[] = [];
    let made = 0;
    testScheduler().run(({ cold }) => {
      const recorded = cold('-a|', values).pipe(recordEvents(store, { streamId: () => `r${made}`, runTag: () => `run-${made++}`, onRecorded: (i) => infos.push(i) }));
      recorded.subscribe();
      recorded.subscribe();
    });
    expect(infos.map((i) => [i.streamId, i.run])).toEqual([['r0', 'run-0'], ['r1', 'run-1']]);
  });

  it('should error a subscription whose runTag returns no tag an SSE id can carry (the store replay\'s <run>:<seq>), recording nothing', async () => {
    const store = createMemoryEventStore();
    const errors: unknown[] = [];
    for (const tag of ['', 'a:b', 'run 1', 'x'.repeat(41), 7]) of(values.a!).pipe(recordEvents(store, { streamId: 'r', runTag: () => tag as string })).subscribe({ error: (e) => errors.push(e) });
    const refused = (got: string) => new TypeError(`recordEvents(store, {runTag}) must return a run tag matching /^[\\w.-]{1,40}$/ (the <run> of an SSE id <run>:<seq>), got ${got}`);
    expect(errors).toEqual([refused('""'), refused('"a:b"'), refused('"run 1"'), refused(`"${'x'.repeat(41)}"`), refused('7')]);
    expect(await store.streams()).toEqual([]);
  });

  describe('with a slow store', () => {
    it('should never block the stream: events flow while an append is pending', () => {
      const { store, calls } = slowStore();
      const source = new Subject<L0Event>();
      const seen: L0Event[] = [];
      source.pipe(recordEvents(store, { streamId: 'r' })).subscribe((e) => seen.push(e));
      source.next(values.s!);
      source.next(values.a!);
      source.next(values.b!);
      expect(seen).toEqual([values.s, values.a, values.b]);
      expect(calls).toHaveLength(1);
    });

    it('should append one batch at a time, in seq order, and lose nothing', async () => {
      const { store, inner, calls, release } = slowStore();
      const source = new Subject<L0Event>();
      const done = new Promise<RecordedInfo>((resolve) => {
        source.pipe(recordEvents(store, { streamId: 'r', onRecorded: resolve })).subscribe();
      });
      for (const k of ['s', 'a', 'b', 'a', 'b', 'x']) source.next(values[k]!);
      source.complete();
      await release();
      expect(await done).toMatchObject({ streamId: 'r', count: 6, error: undefined });
      expect(calls.map((batch) => batch.map((e) => e.seq))).toEqual([[0], [1, 2, 3, 4, 5]]);
      expect((inner.read('r') as EventEnvelope[]).map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it('should stop recording and report RECORD_OVERFLOW past maxPending, without touching the stream, and end the log with that error', async () => {
      const { store, inner, release } = slowStore();
      const errors: EventLogError[] = [];
      const source = new Subject<L0Event>();
      const seen: L0Event[] = [];
      source.pipe(recordEvents(store, { streamId: 'r', maxPending: 2, onRecordError: (e) => errors.push(e) })).subscribe((e) => seen.push(e));
      // a follower of the run (another server's SSE resume) must end: the log had no end, and it waited forever
      const followed = lastValueFrom(inner.follow!('r').pipe(toArray()));
      for (const k of ['s', 'a', 'b', 'a', 'x']) source.next(values[k]!);
      await release();
      expect(seen).toHaveLength(5);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ name: 'EventLogError', code: 'RECORD_OVERFLOW', streamId: 'r' });
      // the envelopes that were waiting are written, then the error: a gap-free prefix with an end
      const log = inner.read('r') as EventEnvelope[];
      expect(log.map((e) => e.seq)).toEqual([0, 1, 2, 3]);
      expect(log[3]!.event).toMatchObject({ type: 'error', error: { name: 'EventLogError', code: 'RECORD_OVERFLOW' } });
      expect((await followed).map((e) => e.seq)).toEqual([0, 1, 2, 3]);
      const replayed = lastValueFrom(replayEvents(inner, 'r').pipe(toArray()));
      await expect(replayed).rejects.toSatisfy((e: unknown) => isEventLogError(e) && e.code === 'RECORD_OVERFLOW' && e.streamId === 'r' && e.info.streamId === 'r');
    });
  });

  describe('with a failing store', () => {
    it('should write nothing more when the append pending at a RECORD_OVERFLOW is rejected (no envelopes after a hole)', async () => {
      let reject!: (e: unknown) => void;
      const batches: number[][] = [];
      const store: EventStore = {
        ...createMemoryEventStore(),
        append: (batch) => {
          batches.push(batch.map((e) => e.seq));
          return batches.length === 1 ? new Promise<void>((_, no) => (reject = no)) : Promise.resolve();
        },
      };
      const source = new Subject<L0Event>();
      const recorded = new Promise<RecordedInfo>((resolve) => {
        source.pipe(recordEvents(store, { streamId: 'r', maxPending: 1, onRecorded: resolve })).subscribe();
      });
      for (const k of ['s', 'a', 'b']) source.next(values[k]!);
      source.complete();
      reject(new Error('disk full'));
      await recorded;
      expect(batches).toEqual([[0]]);
    });

    it('should report RECORD_FAILED once with the cause and keep the stream going', async () => {
      const cause = new Error('disk full');
      const store: EventStore = { ...createMemoryEventStore(), append: () => Promise.reject(cause) };
      const errors: EventLogError[] = [];
      const seen: L0Event[] = [];
      const source = new Subject<L0Event>();
      const recorded = new Promise<RecordedInfo>((resolve) => {
        source.pipe(recordEvents(store, { streamId: 'r', onRecordError: (e) => errors.push(e), onRecorded: resolve })).subscribe((e) => seen.push(e));
      });
      source.next(values.a!);
      source.next(values.b!);
      source.complete();
      const info = await recorded;
      expect(seen).toEqual([values.a, values.b]);
      expect(errors).toHaveLength(1);
      expect(isEventLogError(errors[0])).toBe(true);
      expect(errors[0]).toMatchObject({ code: 'RECORD_FAILED', cause });
      expect(info).toMatchObject({ count: 0, error: errors[0] });
    });

    it('should report a store that throws synchronously', () => {
      const store: EventStore = { ...createMemoryEventStore(), append: () => { throw new Error('sync'); } };
      const onRecordError = vi.fn();
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a|', values).pipe(recordEvents(store, { streamId: 'r', onRecordError }))).toBe('-a|', values);
      });
      expect(onRecordError).toHaveBeenCalledTimes(1);
    });

    const cause = new Error('then threw');
    it.each([
      ['then', () => ({ then: () => { throw cause; } })],
      ['then getter', () => ({ get then(): never { throw cause; } })],
    ])('should report a store whose append answers a thenable whose %s throws, and keep the stream going', async (_, append) => {
      const store: EventStore = { ...createMemoryEventStore(), append };
      const errors: EventLogError[] = [];
      const source = new Subject<L0Event>();
      const seen: L0Event[] = [];
      let ended: unknown = 'open';
      const recorded = new Promise<RecordedInfo>((onRecorded) => {
        source.pipe(recordEvents(store, { streamId: 'r', onRecordError: (e) => errors.push(e), onRecorded })).subscribe({ next: (e) => seen.push(e), error: (e: unknown) => (ended = e), complete: () => (ended = 'complete') });
      });
      source.next(values.a!);
      source.next(values.b!);
      source.complete();
      const info = await recorded;
      expect([seen, ended]).toEqual([[values.a, values.b], 'complete']);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'RECORD_FAILED', cause });
      expect(info).toMatchObject({ count: 0, error: errors[0] });
    });

    it('should warn once per recordEvents() call without onRecordError', () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const store: EventStore = { ...createMemoryEventStore(), append: () => { throw new Error('sync'); } };
      const op = recordEvents(store, { streamId: () => 'r' });
      testScheduler().run(({ cold }) => {
        cold('-a|', values).pipe(op).subscribe();
        cold('-a|', values).pipe(op).subscribe();
      });
      expect(warn).toHaveBeenCalledTimes(1);
      warn.mockRestore();
    });

    // some test set-ups make console.warn throw: the throw escaped into the stream
    it('should keep the stream\'s outcome when the default console.warn throws', () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => { throw new Error('warnings fail this test'); });
      const store: EventStore = { ...createMemoryEventStore(), append: () => { throw new Error('sync'); } };
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a|', values).pipe(recordEvents(store, { streamId: 'r' }))).toBe('-a|', values);
      });
      expect(warn).toHaveBeenCalledTimes(1);
      warn.mockRestore();
    });

    it('should never let a throwing onRecordError or onRecorded break the stream', () => {
      const store: EventStore = { ...createMemoryEventStore(), append: () => { throw new Error('sync'); } };
      const boom = () => { throw new Error('callback'); };
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a|', values).pipe(recordEvents(store, { streamId: 'r', onRecordError: boom, onRecorded: boom }))).toBe('-a|', values);
      });
    });
  });

  describe('validation at creation', () => {
    it('should name a store that is not an EventStore', () => {
      expect(() => recordEvents({} as EventStore)).toThrow(/recordEvents\(store\) must be an EventStore.*an object/);
    });

    it('should suggest the closest option for a misspelled key', () => {
      expect(() => recordEvents(createMemoryEventStore(), { streamID: 'r' } as never)).toThrow(/unknown option `streamID` \(did you mean `streamId`\?\)/);
    });

    it('should name a bad streamId, maxPending, scheduler or callback', () => {
      const store = createMemoryEventStore();
      expect(() => recordEvents(store, { streamId: '' })).toThrow('recordEvents(store, {streamId}) must be a non-empty string or a function, got ""');
      expect(() => recordEvents(store, { maxPending: 0 })).toThrow('recordEvents(store, {maxPending}) must be a positive integer, got 0');
      expect(() => recordEvents(store, { scheduler: {} as never })).toThrow(/\{scheduler\}\) must be a SchedulerLike/);
      expect(() => recordEvents(store, { onRecordError: 1 as never })).toThrow(/\{onRecordError\}\) must be a function/);
      expect(() => recordEvents(store, { runTag: 'run-1' as never })).toThrow('recordEvents(store, {runTag}) must be a function, got "run-1"');
    });
  });
});
