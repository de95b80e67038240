/**
 * @test {recordEvents} its `storeTimeout` and the log's end: an append given up at the bound that
 * lands later leaves a log that ends (its followers, replays and the JSONL store's run ledger end too).
 */
import { describe, expect, it } from 'vitest';
import type { SchedulerLike } from 'rxjs';
import { createMemoryEventStore, createStoreReplaySource, recordEvents, replayEvents, type EventEnvelope, type EventStore, type L0Event } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { runArmed, testScheduler } from '../helpers/testScheduler.js';
import { useTempDir } from '../helpers/tempDir.js';

// As in storeTimeout.spec.ts: the bound is armed a microtask after the call, so each spec runs its
// marbles, lets the microtasks run, and flushes the virtual time on: no real time passes.
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

const values: Record<string, L0Event> = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  a: { type: 'token', value: 'a' },
  x: { type: 'complete', finishReason: 'stop' },
};
const TIMEOUT_END = { type: 'error', error: expect.objectContaining({ name: 'EventLogError', code: 'STORE_TIMEOUT' }) };

/** A memory store whose first append waits until `land()` (which writes it, then answers); the next ones go through at once. */
function lateFirstAppend() {
  const inner = createMemoryEventStore();
  let land: (() => void) | undefined;
  let first = true;
  const store: EventStore = {
    ...inner,
    append: (envelopes) => {
      if (!first) return inner.append(envelopes);
      first = false;
      return new Promise<void>((resolve) => (land = () => (inner.append(envelopes), resolve())));
    },
  };
  return { inner, store, land: () => land!() };
}

describe('recordEvents({storeTimeout}): a given-up append that lands later', () => {
  it('should end the log with the STORE_TIMEOUT error, so a follower of the run ends instead of waiting forever', async () => {
    const ts = testScheduler();
    const { inner, store, land } = lateFirstAppend();
    const followed: unknown[] = [];
    inner.follow!('r').subscribe({ next: (e) => followed.push([ts.now(), e.seq, e.event]), error: (e: unknown) => followed.push([ts.now(), e]), complete: () => followed.push([ts.now(), '|']) });
    const recorded: unknown[] = [];
    ts.run(({ cold, expectObservable }) => {
      const operator = recordEvents(store, { streamId: 'r', runTag: () => 'run1', scheduler: ts, storeTimeout: 50, onRecordError: () => undefined, onRecorded: (info) => recorded.push([ts.now(), info.error?.code, info.count]) });
      expectObservable(cold('-s-a-x|', values).pipe(operator)).toBe('-s-a-x|', values);
    });
    await runArmed(ts);
    expect(recorded).toEqual([[56, 'STORE_TIMEOUT', 0]]);
    expect(followed).toEqual([]);
    ts.schedule(() => land(), 20); // the store answers again: seq 0 lands at 76
    await runArmed(ts);
    await settle();
    // it had seq 0 and then waited forever for an end never written
    expect(followed).toEqual([[76, 0, values['s']], [76, 1, TIMEOUT_END], [76, '|']]);
    expect((inner.read('r') as EventEnvelope[]).map((e) => e.seq)).toEqual([0, 1]); // (the end is of the run: the store took it)
    const replayed: unknown[] = [];
    replayEvents(inner, 'r').subscribe({ next: (e) => replayed.push(e), error: (e: unknown) => replayed.push(e) });
    expect(replayed).toEqual([values['s'], expect.objectContaining({ name: 'EventLogError', code: 'STORE_TIMEOUT', retryable: true })]);
  });

  it('should add nothing when the batch that landed held the run\'s end, nor when it was rejected', async () => {
    const ts = testScheduler();
    const inner = createMemoryEventStore();
    // each append answered when the spec says, its reactions run at once (inside a virtual flush)
    const held: (() => void)[] = [];
    const ended: EventStore = {
      ...inner,
      append: (envelopes) => ({ then: ((resolve: () => void) => void held.push(() => (inner.append(envelopes), resolve()))) as unknown as PromiseLike<void>['then'] }),
    };
    const answers: ((ok: boolean) => void)[] = [];
    const rejected: EventStore = { ...createMemoryEventStore(), append: () => new Promise<void>((resolve, reject) => answers.push((ok) => (ok ? resolve() : reject(new Error('disk full'))))) };
    ts.run(({ cold }) => {
      const config = { streamId: 'r', scheduler: ts, storeTimeout: 50, onRecordError: () => undefined };
      cold('(sx|)', values).pipe(recordEvents(ended, config)).subscribe();
      cold('s|', values).pipe(recordEvents(rejected, config)).subscribe();
    });
    await settle();
    ts.schedule(() => held[0]!(), 10); // seq 0 in time; seq 1, the complete event, is sent then and given up at 60
    await runArmed(ts);
    expect(held).toHaveLength(2);
    held[1]!();
    answers[0]!(false);
    await settle();
    expect((inner.read('r') as EventEnvelope[]).map((e) => e.event)).toEqual([values['s'], values['x']]);
    expect(held).toHaveLength(2); // nothing after the run's own end
    expect(answers).toHaveLength(1); // no end appended after a rejection: the store holds nothing of the run
  });
});

describe('recordEvents: a store whose answer calls back twice', () => {
  /** A memory store whose appends answer with a thenable calling back twice; `late`: the first answers only when `land()` is called. */
  function twiceAnswering(late: boolean) {
    const inner = createMemoryEventStore();
    const sent: number[][] = [];
    let land: (() => void) | undefined;
    const store: EventStore = {
      ...inner,
      append: (envelopes) => {
        sent.push(envelopes.map((e) => e.seq));
        const answer = (resolve: () => void) => (inner.append(envelopes), resolve(), resolve());
        const first = late && sent.length === 1;
        return { then: ((resolve: () => void) => void (first ? (land = () => answer(resolve)) : answer(resolve))) as unknown as PromiseLike<void>['then'] };
      },
    };
    return { inner, store, sent, land: () => land!() };
  }

  // the second call ran endLate again: a second end envelope under the same seq (or, for an answer in time, an end in the
  // middle of the run and its seq numbers counted again from there)
  it('should end the log once when a given-up append lands and its answer calls back twice', async () => {
    const ts = testScheduler();
    const { inner, store, sent, land } = twiceAnswering(true);
    ts.run(({ cold }) => void cold('-s-a|', values).pipe(recordEvents(store, { streamId: 'r', scheduler: ts, storeTimeout: 50, onRecordError: () => undefined })).subscribe());
    await runArmed(ts);
    land();
    await settle();
    expect(sent).toEqual([[0], [1]]);
    expect((inner.read('r') as EventEnvelope[]).map((e) => [e.seq, e.event.type])).toEqual([[0, 'start'], [1, 'error']]);
  });

  it('should hear an answer in time once, so the run\'s seq numbers go on and nothing ends the log early', async () => {
    const ts = testScheduler();
    const { inner, store, sent } = twiceAnswering(false);
    ts.run(({ cold }) => void cold('-s-a-x|', values).pipe(recordEvents(store, { streamId: 'r', scheduler: ts, storeTimeout: 50 })).subscribe());
    await runArmed(ts);
    expect(sent).toEqual([[0], [1], [2]]);
    expect((inner.read('r') as EventEnvelope[]).map((e) => [e.seq, e.event.type])).toEqual([[0, 'start'], [1, 'token'], [2, 'complete']]);
  });
});

describe('createJsonlEventStore: a run whose append timed out and landed later', () => {
  const tmp = useTempDir('l0-store-timeout-end-');

  it('should get the end the recorder writes, which closes the run in the store ledger (a terminal envelope) and ends its replay', async () => {
    const jsonl = createJsonlEventStore(tmp.path);
    const writes: PromiseLike<void>[] = [];
    const store: EventStore = { ...jsonl, append: (envelopes) => (writes[writes.push(jsonl.append(envelopes) as PromiseLike<void>) - 1]!) };
    const ts = testScheduler();
    const errors: unknown[] = [];
    ts.run(({ cold }) => void cold('-s-a|', values).pipe(recordEvents(store, { streamId: 'r', runTag: () => 'run1', scheduler: ts, storeTimeout: 50, onRecordError: (e) => errors.push(e.code) })).subscribe());
    await settle(); // the bound is armed; the file is written in real time, after the virtual 50 ms
    ts.maxFrames = Number.POSITIVE_INFINITY;
    ts.flush();
    expect(errors).toEqual(['STORE_TIMEOUT']);
    await writes[0]; // the given-up append lands
    await settle();
    expect(writes).toHaveLength(2);
    await writes[1]; // the end
    // its log had seq 0 and no end: the run stayed open in the store's ledger, and a replay said 'streaming'
    const envelopes = (await jsonl.read('r')) as EventEnvelope[];
    expect(envelopes.map((e) => [e.seq, e.event.type])).toEqual([[0, 'start'], [1, 'error']]);
    const replayed: unknown[] = [];
    await new Promise((done) => replayEvents(jsonl, 'r').subscribe({ next: (e) => replayed.push(e.type), error: (e: unknown) => done(replayed.push(e)), complete: () => done(replayed.push('|')) }));
    expect(replayed).toEqual(['start', expect.objectContaining({ code: 'STORE_TIMEOUT' })]);
  });
});

describe('storeTimeout and scheduler: one check for the three store callers', () => {
  it('should check storeTimeout, then scheduler, with the same words in recordEvents, replayEvents and createStoreReplaySource', () => {
    const store = createMemoryEventStore();
    const both = { storeTimeout: 0, scheduler: {} as SchedulerLike };
    const timeout = 'must be a number of ms > 0 (Infinity: wait for the store forever), got 0';
    // recordEvents named the scheduler first, the other two the storeTimeout
    expect(() => recordEvents(store, both)).toThrow(`recordEvents(store, {storeTimeout}) ${timeout}`);
    expect(() => replayEvents(store, 'r', both)).toThrow(`replayEvents(store, streamId, {storeTimeout}) ${timeout}`);
    expect(() => createStoreReplaySource(store, both)).toThrow(`createStoreReplaySource(store, {storeTimeout}) ${timeout}`);
    const scheduler = { scheduler: {} as SchedulerLike };
    expect(() => recordEvents(store, scheduler)).toThrow('recordEvents(store, {scheduler}) must be a SchedulerLike, got an object');
    expect(() => replayEvents(store, 'r', scheduler)).toThrow('replayEvents(store, streamId, {scheduler}) must be a SchedulerLike, got an object');
    expect(() => createStoreReplaySource(store, scheduler)).toThrow('createStoreReplaySource(store, {scheduler}) must be a SchedulerLike, got an object');
  });
});
