/** @test {recordEvents} @test {replayEvents} */
import { last, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  accumulate,
  createMemoryEventStore,
  l0,
  recordEvents,
  replayEvents,
  retryWithBackoff,
  serializeError,
  tapLifecycle,
  type EventEnvelope,
  type EventStore,
  type L0Error,
  type L0Event,
  type L0State,
  type LifecycleCallbacks,
  type RecordedEvent,
} from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';

/* Ports of E1-E5 (reference l0-tests-and-bench.md section 7.15), recorded with recordEvents. */

const start = (attempt: number, fallbackIndex = 0): L0Event => ({ type: 'start', attempt, fallbackIndex, isRetry: attempt > 1, isFallback: fallbackIndex > 0 });
const token = (value: string): L0Event => ({ type: 'token', value });
const complete: L0Event = { type: 'complete', finishReason: 'stop' };

function storeWith(events: RecordedEvent[], gap = 0): EventStore {
  const store = createMemoryEventStore();
  store.append(events.map((event, seq): EventEnvelope => ({ v: 1, streamId: 's', seq, ts: seq * gap, event })));
  return store;
}

/** The last state of a synchronous replay. */
function finalState(store: EventStore, streamId = 's'): L0State {
  let state: L0State | undefined;
  replayEvents(store, streamId).pipe(accumulate({ errorsAsState: true }), last()).subscribe((s) => (state = s));
  return state!;
}

describe('event log scenarios (E1-E5)', () => {
  it('E1: should record start, three tokens and complete with seq 0..4 and replay them into "Hello World"', () => {
    const store = createMemoryEventStore();
    testScheduler().run(({ cold }) => {
      const values = { s: start(1), h: token('Hello'), _: token(' '), w: token('World'), x: complete };
      cold('s-h-_-w-x|', values).pipe(recordEvents(store, { streamId: 's' })).subscribe();
    });
    expect((store.read('s') as EventEnvelope[]).map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
    const replayed: L0Event[] = [];
    replayEvents(store, 's').subscribe((e) => replayed.push(e));
    expect(replayed.filter((e) => e.type !== 'start')).toHaveLength(4);
    expect(finalState(store)).toMatchObject({ content: 'Hello World', tokenCount: 3, status: 'complete' });
  });

  it('E3: should replay up to seq 3 of a 7-token recording as exactly the first 3 tokens', () => {
    const store = storeWith([start(1), ...'abcdefg'.split('').map(token), complete]);
    const replayed: L0Event[] = [];
    replayEvents(store, 's', { toSeq: 3 }).subscribe((e) => replayed.push(e));
    expect(replayed.filter((e) => e.type === 'token')).toEqual([token('a'), token('b'), token('c')]);
  });

  it('E3: should take 30 ms (virtual) to replay gaps of 100, 100 and 100 ms at speed 10, and no time at speed 0', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const store = storeWith([token('a'), token('b'), token('c'), complete], 100);
      expectObservable(replayEvents(store, 's', { speed: 10, scheduler })).toBe('a 9ms b 9ms c 9ms (x|)', { a: token('a'), b: token('b'), c: token('c'), x: complete });
      expectObservable(replayEvents(store, 's', { speed: 0, scheduler })).toBe('(abcx|)', { a: token('a'), b: token('b'), c: token('c'), x: complete });
    });
  });

  it('E4: should rebuild 1 model retry, 1 network retry and fallbackIndex 2 from a log with two retries and two fallbacks', () => {
    const error = serializeError(new Error('x'));
    const store = storeWith([
      start(1), token('a'),
      { type: 'retry', attempt: 1, delayMs: 0, error, reason: 'zero_output', countsTowardAttempts: true },
      start(2), token('b'),
      { type: 'retry', attempt: 2, delayMs: 0, error, reason: 'network_error', countsTowardAttempts: false },
      start(3),
      { type: 'fallback', fromIndex: 0, toIndex: 1, error },
      start(1, 1),
      { type: 'fallback', fromIndex: 1, toIndex: 2, error },
      start(1, 2), token('done'), complete,
    ]);
    expect(finalState(store)).toMatchObject({ modelRetryCount: 1, networkRetryCount: 1, fallbackIndex: 2, content: 'done', status: 'complete' });
  });

  it('E4: should keep the content of a recording with no complete, not completed', () => {
    expect(finalState(storeWith([start(1), token('half'), token(' done')]))).toMatchObject({ content: 'half done', status: 'streaming' });
  });

  it('E5: should replay a retry, fallback and continuation run with the same lifecycle and final state as the live run', () => {
    const NAMES = ['onEvent', 'onStart', 'onRetry', 'onFallback', 'onResume', 'onCheckpoint', 'onError', 'onComplete', 'onTimeout'] as const;
    const recorder = () => {
      const calls: unknown[] = [];
      const callbacks = Object.fromEntries(NAMES.map((n) => [n, (...args: unknown[]) => void calls.push([n, JSON.parse(JSON.stringify(args))])])) as LifecycleCallbacks;
      return { calls, callbacks };
    };
    const store = createMemoryEventStore();
    const live = recorder();
    let liveState: L0State | undefined;
    testScheduler().run(() => {
      l0({
        stream: fakeModel([{ items: ['Hel', 'lo', { hang: true }] }, { items: ['x', { error: { status: 503 } }] }]),
        fallbackStreams: [fakeModel({ items: ['Hello', ' world'] })],
        retry: { backoff: 'fixed', baseDelay: 5, maxRetries: 1 },
        timeout: { initialToken: 50, interToken: 20 },
        continueFromLastKnownGoodToken: true,
        checkpointInterval: 1,
        runOperators: [recordEvents(store, { streamId: 'e5' })],
        ...live.callbacks,
      }).pipe(accumulate({ errorsAsState: true }), last()).subscribe((s) => (liveState = s));
    });
    expect(live.calls.map((c) => (c as [string])[0])).toEqual(expect.arrayContaining(['onRetry', 'onFallback', 'onResume', 'onTimeout']));
    expect(liveState).toMatchObject({ status: 'complete', fallbackIndex: 1 });

    const replayed = recorder();
    let replayState: L0State | undefined;
    const events = JSON.parse(JSON.stringify(store.read('e5'))) as EventEnvelope[];
    const jsonStore = createMemoryEventStore();
    jsonStore.append(events);
    replayEvents(jsonStore, 'e5').pipe(tapLifecycle(replayed.callbacks), accumulate({ errorsAsState: true }), last()).subscribe((s) => (replayState = s));
    expect(replayed.calls).toEqual(live.calls);
    expect(replayState).toEqual(JSON.parse(JSON.stringify(liveState)));
  });

  it('E5: should replay a failed run into the same error and the same lifecycle calls', () => {
    const store = createMemoryEventStore();
    const liveErrors: unknown[] = [];
    testScheduler().run(() => {
      l0({ stream: fakeModel({ items: ['a', { hang: true }] }), retry: false, timeout: { initialToken: 50, interToken: 20 }, runOperators: [recordEvents(store, { streamId: 'f' })] })
        .pipe(tap({ error: (e: unknown) => liveErrors.push(e) }))
        .subscribe({ error: () => undefined });
    });
    const replayErrors: unknown[] = [];
    replayEvents(store, 'f').subscribe({ error: (e: unknown) => replayErrors.push(e) });
    expect(serializeError(replayErrors[0])).toEqual(serializeError(liveErrors[0]));
    expect(replayErrors[0]).toMatchObject({ name: 'TokenTimeoutError', code: 'INTER_TOKEN_TIMEOUT' });
  });

  it('E5: should replay a run that used up its retries into the same error, every failed attempt\'s error included (attemptErrors)', () => {
    const store = createMemoryEventStore();
    let live: L0Error | undefined;
    testScheduler().run(() => {
      l0({ stream: fakeModel(['ab#']), retry: { attempts: 2, maxRetries: 2, baseDelay: 1 }, record: { store, streamId: 'x' } }).subscribe({ error: (e: L0Error) => (live = e) });
    });
    // through JSON, as a durable store keeps it
    const jsonStore = createMemoryEventStore();
    jsonStore.append(JSON.parse(JSON.stringify(store.read('x'))) as EventEnvelope[]);
    let replayed: L0Error | undefined;
    replayEvents(jsonStore, 'x').subscribe({ error: (e: L0Error) => (replayed = e) });
    expect(live!.attemptErrors).toHaveLength(3);
    expect(replayed!.attemptErrors.map(serializeError)).toEqual(live!.attemptErrors.map(serializeError));
    expect(replayed).toMatchObject({ name: 'ProviderError', code: 'NETWORK_ERROR', attempt: 3 });
  });

  it('E5: should replay a retry around a fallback chain into the same error: its attempt and its attemptErrors (each chain\'s exhaustion)', () => {
    const store = createMemoryEventStore();
    let live: L0Error | undefined;
    const weird = new Error('weird'); // unknown: each chain's AllStreamsExhaustedError is retryable, so the outer retry runs it again
    testScheduler().run(() => {
      l0({ stream: fakeModel('-a#', { error: weird }), fallbackStreams: [fakeModel('-b#', { error: weird })], retry: false })
        .pipe(retryWithBackoff({ maxRetries: 1, backoff: 'fixed', baseDelay: 1 }), recordEvents(store, { streamId: 'x' }))
        .subscribe({ error: (e: L0Error) => (live = e) });
    });
    const jsonStore = createMemoryEventStore();
    jsonStore.append(JSON.parse(JSON.stringify(store.read('x'))) as EventEnvelope[]);
    let replayed: L0Error | undefined;
    replayEvents(jsonStore, 'x').subscribe({ error: (e: L0Error) => (replayed = e) });
    expect(live).toMatchObject({ name: 'AllStreamsExhaustedError', attempt: 1, fallbackIndex: 2 }); // (the outer retry's numbers)
    expect(live!.attemptErrors.map((e) => (e as L0Error).name)).toEqual(['AllStreamsExhaustedError', 'AllStreamsExhaustedError']);
    // the replay said attempt undefined, and listed the last chain's two errors as the run's attempts
    expect(replayed).toMatchObject({ name: 'AllStreamsExhaustedError', attempt: 1, fallbackIndex: 2 });
    expect(replayed!.attemptErrors.map(serializeError)).toEqual(live!.attemptErrors.map(serializeError));
  });
});
