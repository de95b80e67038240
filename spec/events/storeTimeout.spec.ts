/** @test {recordEvents} @test {replayEvents} @test {createStoreReplaySource} their `storeTimeout`: a store that never answers hangs nothing. */
import { lastValueFrom, Subject, toArray, type Observable, type SchedulerLike } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryEventStore, createStoreReplaySource, l0, recordEvents, replayEvents, type EventEnvelope, type EventStore, type L0Event } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { runArmed, testScheduler } from '../helpers/testScheduler.js';
import { useTempDir } from '../helpers/tempDir.js';

/*
 * The bound is armed once the store's promise had its own reactions (a microtask after the call, as
 * retryWithBackoff's shouldRetry bound): a virtual flush runs every action at once and would beat
 * a real store's answer. So each spec runs its marbles, lets the microtasks run (`settle`), and
 * flushes the virtual time on to the bound: no real time passes.
 */
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

const values: Record<string, L0Event> = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  a: { type: 'token', value: 'a' },
  b: { type: 'token', value: 'b' },
  x: { type: 'complete', finishReason: 'stop' },
};
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
const at = (seq: number, event: L0Event, run?: string): EventEnvelope => ({ v: 1, streamId: 'r', seq, ts: 0, ...(run ? { run } : {}), event });

/** A store answer the spec settles: a thenable whose reactions run as it settles, inside a virtual flush. */
function manual<T>() {
  const reactions: ((value: T) => unknown)[] = [];
  let settled: { value: T } | undefined;
  const answer: PromiseLike<T> = {
    then: ((resolve: (value: T) => unknown) => void (settled ? resolve(settled.value) : reactions.push(resolve))) as unknown as PromiseLike<T>['then'],
  };
  return { answer, resolve: (value: T) => ((settled = { value }), reactions.forEach((r) => r(value))) };
}

/** Subscribes to `events$`, noting each notification with its virtual time. */
function timed<T>(ts: TestScheduler, events$: Observable<T>) {
  const seen: unknown[] = [];
  events$.subscribe({ next: (v) => seen.push([ts.now(), v]), error: (e: unknown) => seen.push([ts.now(), e]), complete: () => seen.push([ts.now(), '|']) });
  return seen;
}

/** `recordEvents(store, {...config, streamId: 'r'})`, noting onRecorded (its time, error code and count) and onRecordError. */
function recording(ts: TestScheduler, store: EventStore, config: { storeTimeout?: number } = {}) {
  const recorded: unknown[] = [];
  const errors: unknown[] = [];
  const operator = recordEvents(store, {
    ...config,
    scheduler: ts,
    streamId: 'r',
    onRecordError: (e) => errors.push(e),
    onRecorded: (info) => recorded.push([ts.now(), info.error?.code, info.count]),
  });
  return { operator, recorded, errors };
}

describe('recordEvents({storeTimeout})', () => {
  it('should stop recording and call onRecorded when an append is not answered within storeTimeout, the stream untouched', async () => {
    const ts = testScheduler();
    const { operator, recorded, errors } = recording(ts, { ...createMemoryEventStore(), append: () => never() }, { storeTimeout: 50 });
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('-s-a-b-x|', values).pipe(operator)).toBe('-s-a-b-x|', values);
    });
    await runArmed(ts);
    // it waited forever: onRecorded was never called (the bound counts from the end of the flush, frame 8)
    expect(recorded).toEqual([[58, 'STORE_TIMEOUT', 0]]);
    expect(errors).toEqual([expect.objectContaining({ name: 'EventLogError', code: 'STORE_TIMEOUT', category: 'timeout', retryable: true, streamId: 'r' })]);
    expect((errors[0] as Error).message).toBe('recording stream r: the event store did not answer append([1 envelope: seq 0]) within 50 ms (storeTimeout)');
  });

  it('should time each append from when it was sent: the watch finds a later one pending and waits what it has left', async () => {
    const ts = testScheduler();
    const answers: ReturnType<typeof manual<void>>[] = [];
    const appended: number[][] = [];
    const store: EventStore = { ...createMemoryEventStore(), append: (envelopes) => (appended.push(envelopes.map((e) => e.seq)), answers[answers.push(manual<void>()) - 1]!.answer) };
    const { operator, recorded } = recording(ts, store, { storeTimeout: 50 });
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('-s-a|', values).pipe(operator)).toBe('-s-a|', values);
    });
    await settle(); // the watch: armed at frame 4 for frame 54
    ts.schedule(() => answers[0]!.resolve(), 26); // at frame 30: seq 0 answered, seq 1 and the end sent
    ts.maxFrames = Number.POSITIVE_INFINITY;
    ts.flush(); // at 54 the watch finds that append 24 ms old: it waits until 80
    expect(recorded).toEqual([[80, 'STORE_TIMEOUT', 1]]);
    expect(appended).toEqual([[0], [1]]);
  });

  it('should keep a store that answers every append in time, and ignore an answer that comes too late', async () => {
    const ts = testScheduler();
    const answers: ReturnType<typeof manual<void>>[] = [];
    const store: EventStore = { ...createMemoryEventStore(), append: () => answers[answers.push(manual<void>()) - 1]!.answer };
    const onTime = recording(ts, store, { storeTimeout: 50 });
    ts.run(({ cold }) => void cold('-s-a|', values).pipe(onTime.operator).subscribe());
    await settle();
    ts.schedule(() => answers[0]!.resolve(), 40);
    ts.schedule(() => answers[1]!.resolve(), 80);
    ts.maxFrames = Number.POSITIVE_INFINITY;
    ts.flush();
    expect(onTime.recorded).toEqual([[84, undefined, 2]]);

    const late = recording(ts, { ...createMemoryEventStore(), append: () => answers[answers.push(manual<void>()) - 1]!.answer }, { storeTimeout: 50 });
    void ts.createColdObservable('s|', values).pipe(late.operator).subscribe();
    ts.maxFrames = Number.POSITIVE_INFINITY;
    ts.flush();
    await settle();
    ts.schedule(() => answers[2]!.resolve(), 70);
    ts.flush();
    expect(late.recorded).toEqual([[ts.now() - 20, 'STORE_TIMEOUT', 0]]); // once, at the bound; the answer 20 ms later changed nothing
  });

  it('should wait 30 s by default, forever with Infinity, and never time a synchronous store', async () => {
    const ts = testScheduler();
    const hung = (): EventStore => ({ ...createMemoryEventStore(), append: () => never() });
    const byDefault = recording(ts, hung());
    const forever = recording(ts, hung(), { storeTimeout: Infinity });
    const memory = recording(ts, createMemoryEventStore(), { storeTimeout: 50 });
    ts.run(({ cold, expectObservable }) => {
      for (const { operator } of [byDefault, forever, memory]) expectObservable(cold('-s|', values).pipe(operator)).toBe('-s|', values);
    });
    await runArmed(ts);
    expect(byDefault.recorded).toEqual([[30_002, 'STORE_TIMEOUT', 0]]);
    expect(forever.recorded).toEqual([]);
    expect(memory.recorded).toEqual([[2, undefined, 1]]);
  });

  it.each([0, -1, Number.NaN, '50', 2 ** 31])('should refuse storeTimeout %s with a TypeError naming it', (storeTimeout) => {
    expect(() => recordEvents(createMemoryEventStore(), { storeTimeout: storeTimeout as number })).toThrow(
      /^recordEvents\(store, \{storeTimeout\}\) must be (a number of ms > 0 \(Infinity: wait for the store forever\)|at most 2147483647 ms)/,
    );
  });

  it('should suggest storeTimeout for a misspelling, in recordEvents and in l0({record})', () => {
    const store = createMemoryEventStore();
    expect(() => recordEvents(store, { storeTimout: 5 } as never)).toThrow('recordEvents(store, config): unknown option `storeTimout` (did you mean `storeTimeout`?)');
    expect(() => l0({ stream: () => never(), record: { store, storeTimeOut: 5 } as never })).toThrow(/unknown option `storeTimeOut` \(did you mean `storeTimeout`\?\)/);
  });
});

describe('recordEvents({storeTimeout}) with a real store under a virtual scheduler', () => {
  const tmp = useTempDir('l0-store-timeout-');

  it('should not give up a real store whose answer comes after a virtual flush passed the bound', async () => {
    const store = createJsonlEventStore(tmp.path);
    const recorded = new Subject<unknown>();
    const done = lastValueFrom(recorded.pipe(toArray()));
    testScheduler().run(({ cold }) => {
      // 60 s of virtual time pass in the flush, while the file is written in real time
      cold('-s 60s a-x|', values).pipe(recordEvents(store, { streamId: 'r', storeTimeout: 1000, onRecorded: (info) => (recorded.next([info.error?.code, info.count]), recorded.complete()) })).subscribe();
    });
    expect(await done).toEqual([[undefined, 3]]);
  });
});

describe('replayEvents({storeTimeout})', () => {
  it('should error with STORE_TIMEOUT naming the read and the time when the store does not answer it', async () => {
    const ts = testScheduler();
    const seen = timed(ts, replayEvents({ ...createMemoryEventStore(), read: () => never() }, 'r', { storeTimeout: 50, fromSeq: 2, scheduler: ts }));
    await runArmed(ts);
    // it waited forever
    expect(seen).toEqual([[50, expect.objectContaining({ name: 'EventLogError', code: 'STORE_TIMEOUT', retryable: true, category: 'timeout', reason: 'timeout', streamId: 'r' })]]);
    expect((seen[0] as [number, Error])[1].message).toBe('Stream r: the event store did not answer read("r", {"fromSeq":2}) within 50 ms (storeTimeout)');
  });

  it('should bound the check that tells an unknown stream from an empty range too: has, or streams for a store without has', async () => {
    const ts = testScheduler();
    const empty = { ...createMemoryEventStore(), read: () => Promise.resolve([]) };
    const viaHas = timed(ts, replayEvents({ ...empty, has: () => never() }, 'r', { storeTimeout: 50, scheduler: ts }));
    const { has: _, ...withoutHas } = empty;
    const viaStreams = timed(ts, replayEvents({ ...withoutHas, streams: () => never() }, 'r', { storeTimeout: 50, scheduler: ts }));
    await runArmed(ts);
    expect(viaHas).toEqual([[50, expect.objectContaining({ code: 'STORE_TIMEOUT', message: 'Stream r: the event store did not answer has("r") within 50 ms (storeTimeout)' })]]);
    expect(viaStreams).toEqual([[50, expect.objectContaining({ code: 'STORE_TIMEOUT', message: 'Stream r: the event store did not answer streams() within 50 ms (storeTimeout)' })]]);
  });

  it('should replay a store that answers, and wait 30 s by default', async () => {
    const ts = testScheduler();
    const inner = createMemoryEventStore();
    inner.append([at(0, values['a']!), at(1, values['x']!)]);
    const answered = timed(ts, replayEvents({ ...inner, read: (id, range) => Promise.resolve(inner.read(id, range)) }, 'r', { storeTimeout: 50, scheduler: ts }));
    const hung = timed(ts, replayEvents({ ...inner, read: () => never() }, 'r', { scheduler: ts }));
    await runArmed(ts);
    expect(answered).toEqual([[0, values['a']], [0, values['x']], [0, '|']]);
    expect(hung).toEqual([[30_000, expect.objectContaining({ code: 'STORE_TIMEOUT' })]]);
  });

  it.each([0, -5, '1', 2 ** 31])('should refuse storeTimeout %s with a TypeError naming it', (storeTimeout) => {
    expect(() => replayEvents(createMemoryEventStore(), 'r', { storeTimeout: storeTimeout as number })).toThrow(/^replayEvents\(store, streamId, \{storeTimeout\}\) must be/);
  });

  it('should suggest storeTimeout for a misspelling', () => {
    expect(() => replayEvents(createMemoryEventStore(), 'r', { storeTimeOut: 5 } as never)).toThrow('unknown option `storeTimeOut` (did you mean `storeTimeout`?)');
  });
});

describe('createStoreReplaySource(store, {storeTimeout})', () => {
  it('should end a resume whose backlog read the store does not answer with STORE_TIMEOUT, not hold the reconnect open', async () => {
    const ts = testScheduler();
    const inner = createMemoryEventStore();
    inner.append([at(0, values['a']!, 'run1'), at(1, values['x']!)]);
    const hung = timed(ts, createStoreReplaySource({ ...inner, read: () => never() }, { storeTimeout: 50, scheduler: ts }).replay('r', 1));
    const answering = timed(ts, createStoreReplaySource({ ...inner, read: (id, range) => Promise.resolve(inner.read(id, range)) }, { storeTimeout: 50, scheduler: ts }).replay('r', 1));
    await runArmed(ts);
    // it stayed open until the client left
    expect(hung).toEqual([[50, expect.objectContaining({ code: 'STORE_TIMEOUT', message: 'Stream r: the event store did not answer read("r", {"fromSeq":0}) within 50 ms (storeTimeout)' })]]);
    expect(answering).toEqual([[0, { seq: 2, event: values['x'], run: 'run1' }], [0, '|']]);
  });

  it('should check its options, with a did-you-mean', () => {
    const store = createMemoryEventStore();
    expect(() => createStoreReplaySource(store, { storeTimeout: 0 })).toThrow('createStoreReplaySource(store, {storeTimeout}) must be a number of ms > 0 (Infinity: wait for the store forever), got 0');
    expect(() => createStoreReplaySource(store, { scheduler: {} as SchedulerLike })).toThrow(/scheduler/);
    expect(() => createStoreReplaySource(store, { storeTimeOut: 5 } as never)).toThrow('createStoreReplaySource(store, config): unknown option `storeTimeOut` (did you mean `storeTimeout`?)');
  });
});
