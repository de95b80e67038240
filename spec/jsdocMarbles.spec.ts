/** @test {JSDoc} */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { map, mergeMap, type Observable } from 'rxjs';
import {
  accumulate,
  attemptTextChange,
  batched,
  budget,
  consensus,
  createMemoryEventStore,
  fromStream,
  l0,
  parallel,
  pipeline,
  recordEvents,
  replayEvents,
  sequential,
  toServerSentEvents,
  checkpointEvery,
  circuitBreaker,
  createCircuitBreaker,
  deduplicateContinuation,
  detectDrift,
  detectZeroOutput,
  fallbackTo,
  hedge,
  ofType,
  raceModels,
  retryWithBackoff,
  splitThinking,
  withTimeouts,
  serializeError,
  UnknownError,
  type EventEnvelope,
  type L0Event,
  type ParallelResult,
  type PipelineUpdate,
} from 'l0-rx';
import { fakeError, fakeModel } from 'l0-rx/testing';
import { attemptSource, ev } from './helpers/attemptSource.js';
import { testScheduler } from './helpers/testScheduler.js';
import { drawn } from './helpers/drawnMarble.js';

// The marble lines the JSDoc of the public operators draws, run as drawn: each line is read from
// the source file (by the words after it), so a diagram that no longer shows what its operator
// emits fails here. The legends name the values; `expect.anything()` stands for an error.

/** The marbles of a line that draws several sources side by side (`--a|  ---a|  -b|   three sources`). */
function drawnSources(file: string, label: string): string[] {
  const source = readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8');
  const line = source.split('\n').find((l) => /^\s*\*\s{2,}\S/.test(l) && l.includes(label))!;
  const words = line.replace(/^\s*\*/, '').trim().split(/\s+/);
  return words.slice(0, words.findIndex((w) => !/^[-\w()#|]+$/.test(w) || !/[-|#]/.test(w)));
}

const { start, tok, resume, checkpoint, complete } = ev;
const retryEvent: L0Event = { type: 'retry', attempt: 1, delayMs: 0, error: serializeError(new UnknownError('boom')), reason: 'unknown', countsTowardAttempts: true };
const values = { s: start(), a: tok('a'), b: tok('b'), c: tok('c'), d: tok('d'), x: complete() };

describe('JSDoc marble lines', () => {
  it('withTimeouts', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold(drawn('timeouts/withTimeouts.ts', 'source (a, b, c: tokens)'), values);
      const timeout = (kind: string) => expect.objectContaining({ name: 'TokenTimeoutError', code: kind });
      expectObservable(source.pipe(withTimeouts({ initialToken: 3 }))).toBe(drawn('timeouts/withTimeouts.ts', 'withTimeouts({ initialToken: 3 })'), values, timeout('INITIAL_TOKEN_TIMEOUT'));
      expectObservable(source.pipe(withTimeouts({ interToken: 5 }))).toBe(drawn('timeouts/withTimeouts.ts', 'withTimeouts({ interToken: 5 })'), values, timeout('INTER_TOKEN_TIMEOUT'));
      expectObservable(source.pipe(withTimeouts({ initialToken: 4, interToken: 10 }))).toBe(drawn('timeouts/withTimeouts.ts', 'withTimeouts({ initialToken: 4, interToken: 10 })'), values);
      expectObservable(source.pipe(withTimeouts({ initialToken: 4, interToken: false }))).toBe(drawn('timeouts/withTimeouts.ts', 'withTimeouts({ initialToken: 4, interToken: false })'), values);
    });
  });

  it('detectZeroOutput', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const dots = { a: tok('.'), b: tok('..'), c: complete() };
      const source = cold(drawn('zeroOutput/detectZeroOutput.ts', 'the text "..."; c complete'), dots);
      expectObservable(source.pipe(detectZeroOutput())).toBe(drawn('zeroOutput/detectZeroOutput.ts', 'detectZeroOutput()'), dots, expect.objectContaining({ code: 'ZERO_OUTPUT' }));
    });
  });

  it('retryWithBackoff', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const attempts = [cold(drawn('retry/retryWithBackoff.ts', 'source, attempt 1'), values, new Error('ECONNRESET')), cold(drawn('retry/retryWithBackoff.ts', 'source, attempt 2'), values)];
      let n = 0;
      const source = attemptSource(() => attempts[n++]!).pipe(ofType('token', 'retry'));
      const r = { type: 'retry', attempt: 1, delayMs: 2, error: expect.anything(), reason: expect.any(String), countsTowardAttempts: expect.any(Boolean) };
      expectObservable(source.pipe(retryWithBackoff({ backoff: 'fixed', baseDelay: 2 }))).toBe(
        drawn('retry/retryWithBackoff.ts', "retryWithBackoff({ backoff: 'fixed', baseDelay: 2 })"), { ...values, r });
    });
  });

  it('fallbackTo', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const primary = cold(drawn('fallback/fallbackTo.ts', 'source (the primary'), values, new Error('boom'));
      const fallback = cold(drawn('fallback/fallbackTo.ts', 'fallback1, subscribed at the error'), { ...values, S: start(1, 1) });
      const f = { type: 'fallback', fromIndex: 0, toIndex: 1, error: expect.anything() };
      expectObservable(primary.pipe(fallbackTo(fallback))).toBe(drawn('fallback/fallbackTo.ts', 'fallbackTo(fallback1)'), { ...values, f, S: start(1, 1) });
    });
  });

  it('checkpointEvery', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold(drawn('continuation/checkpointEvery.ts', 'source (s start, a-d tokens'), values);
      expectObservable(source.pipe(checkpointEvery(2))).toBe(drawn('continuation/checkpointEvery.ts', 'checkpointEvery(2)'), {
        ...values, k: checkpoint('ab', 2), l: checkpoint('abcd', 4),
      });
    });
  });

  it('deduplicateContinuation', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const v = { s: start(2), r: resume('Hello world'), a: tok('world'), b: tok(' is'), c: tok(' great'), x: complete() };
      const source = cold(drawn('continuation/deduplicateContinuation.ts', "source (r resume{'Hello world'}"), v);
      expectObservable(source.pipe(deduplicateContinuation())).toBe(drawn('continuation/deduplicateContinuation.ts', 'deduplicateContinuation()'), v);
    });
  });

  it('ofType', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const v = { ...values, c: complete(), r: retryEvent };
      const source = cold(drawn('events/ofType.ts', 'events (s start, r retry'), v);
      expectObservable(source.pipe(ofType('token'))).toBe(drawn('events/ofType.ts', "ofType('token')"), v);
    });
  });

  it('accumulate', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const v = { ...values, r: retryEvent };
      const source = cold(drawn('events/accumulate.ts', 'events (s start, a/b/c tokens, r retry)'), v);
      const content = { x: '', y: 'a', z: 'ab', w: '', v: '', u: 'c' };
      expectObservable(source.pipe(accumulate(), map((state) => state.content))).toBe(drawn('events/accumulate.ts', 'accumulate()'), content);
    });
  });

  it('splitThinking', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const v = { a: tok('<think>hm'), b: tok('</think>'), c: tok('Paris'), x: complete(), r: { type: 'reasoning', value: 'hm' } as L0Event };
      const source = cold(drawn('format/splitThinking.ts', "tokens (a '<think>hm'"), v);
      expectObservable(source.pipe(splitThinking())).toBe(drawn('format/splitThinking.ts', 'splitThinking()'), v);
    });
  });

  it('budget', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold(drawn('budget/budget.ts', 'run (each token ~1 token'), values);
      expectObservable(source.pipe(budget({ maxOutputTokens: 3 }))).toBe(drawn('budget/budget.ts', 'budget({ maxOutputTokens: 3 })'), values, expect.objectContaining({ code: 'BUDGET_EXCEEDED' }));
      const L = { type: 'complete', finishReason: 'length', usage: expect.anything() };
      expectObservable(source.pipe(budget({ maxOutputTokens: 3, onExceeded: 'complete' }))).toBe(drawn('budget/budget.ts', "onExceeded: 'complete' })"), { ...values, L });
    });
  });

  it('detectDrift', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const v = { ...values, A: tok(' As an AI language model, I cannot browse the web, but here is what I know: '), d: { type: 'drift', types: ['meta_commentary'], confidence: 0.9 } as L0Event };
      const source = cold(drawn('drift/detectDrift.ts', 'source (A: "As an AI language model..."'), v);
      expectObservable(source.pipe(detectDrift())).toBe(drawn('drift/detectDrift.ts', 'detectDrift()  '), v);
      expectObservable(source.pipe(detectDrift({ action: 'retry' }))).toBe(drawn('drift/detectDrift.ts', "detectDrift({ action: 'retry' })"), v, expect.objectContaining({ code: 'DRIFT_DETECTED' }));
    });
  });

  it('raceModels', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const v = { ...values, s: start() };
      const source0 = cold(drawn('race/raceModels.ts', 'source 0 (s start'), v);
      const source1 = cold(drawn('race/raceModels.ts', 'source 1'), v);
      expectObservable(raceModels([source0, source1])).toBe(drawn('race/raceModels.ts', 'raceModels([source0, source1])'), v);
      expectSubscriptions(source0.subscriptions).toBe('^--!');
    });
  });

  it('hedge', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold(drawn('race/hedge.ts', 'source (the primary'), values);
      const backup = cold(drawn('race/hedge.ts', 'backup, subscribed at frame 4'), values);
      expectObservable(primary.pipe(hedge(backup, { delay: 4 }))).toBe(drawn('race/hedge.ts', 'hedge(backup, { delay: 4 })'), values);
      expectSubscriptions(primary.subscriptions).toBe('^-----!');
      expectSubscriptions(backup.subscriptions).toBe('----^------!');
    });
  });

  it('l0', () => {
    testScheduler().run(({ expectObservable }) => {
      const v = { ...values, r: expect.objectContaining({ type: 'retry', attempt: 1, delayMs: 1000 }), s: expect.objectContaining({ type: 'start' }) };
      const model = fakeModel([drawn('preset/l0.ts', 'primary attempt 1').replace('s', '-'), '--c-d|']);
      expectObservable(l0({ stream: model, retry: { backoff: 'fixed' } })).toBe(drawn('preset/l0.ts', "l0({ stream, retry: { backoff: 'fixed' } })"), v);
    });
  });

  it('fromStream', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const chunks = cold(drawn('sources/fromStream.ts', "chunks of the factory's stream"), values);
      expectObservable(fromStream(() => chunks)).toBe(drawn('sources/fromStream.ts', 'fromStream(({ signal }) => makeStream(signal))'), values);
    });
  });

  it('parallel, sequential and batched', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const sources = (marbles: string[]) => marbles.map((marble) => cold(marble, values));
      const count = map((r: ParallelResult) => r.successCount + r.failureCount);
      const three = drawnSources('multi/parallel.ts', 'three sources (concurrency: 2');
      expectObservable(parallel(sources(three), { concurrency: 2 }).pipe(count)).toBe(drawn('multi/parallel.ts', 'parallel(sources, { concurrency: 2 })'), { x: 1, y: 2, z: 3 });
      expectObservable(parallel(sources(three), { concurrency: 2, timeout: 4 }).pipe(count)).toBe(drawn('multi/parallel.ts', 'parallel(sources, { concurrency: 2, timeout: 4 })'), { x: 1, y: 2, z: 3 });
      expectObservable(sequential(sources(drawnSources('multi/sequential.ts', 'two sources'))).pipe(count)).toBe(drawn('multi/sequential.ts', 'sequential(sources)'), { x: 1, y: 2 });
      expectObservable(batched(sources(drawnSources('multi/batched.ts', 'three sources')), 2).pipe(count)).toBe(drawn('multi/batched.ts', 'batched(sources, 2)'), { y: 1, x: 2, z: 3 });
    });
  });

  it('consensus', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const v = { a: tok('Paris'), b: tok('London') };
      const sources = (marbles: string[]) => marbles.map((marble) => cold(marble, v));
      const r = map((result: { consensus: unknown }) => result.consensus);
      expectObservable(consensus(sources(drawnSources('consensus/consensus.ts', 'three sources (a: "Paris"'))).pipe(r)).toBe(drawn('consensus/consensus.ts', 'consensus(sources)  '), { r: 'Paris' });
      expectObservable(consensus(sources(drawnSources('consensus/consensus.ts', 'three sources, earlyExit: true')), { earlyExit: true }).pipe(r)).toBe(drawn('consensus/consensus.ts', 'consensus(sources, { earlyExit: true })'), { r: 'Paris' });
    });
  });

  it('pipeline', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const [one, two] = drawnSources('multi/pipeline.ts', "step 1 ('ab')");
      const steps = [{ name: 's1', run: () => cold(one!, values) }, { name: 's2', run: () => cold(two!, values) }];
      const kind = map((u: PipelineUpdate) => (u.type === 'event' ? (u.event as { value: string }).value : u.type[u.type.indexOf('-') + 1]!.toUpperCase()));
      expectObservable(pipeline(steps, 'in').pipe(kind)).toBe(drawn('multi/pipeline.ts', 'pipeline([s1, s2], input)'), { S: 'S', E: 'E', R: 'R', a: 'a', b: 'b', c: 'c' });
    });
  });

  it('toServerSentEvents', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const events = cold(drawn('transport/toServerSentEvents.ts', 'events$   '), values);
      const kind = map((frame: string) => (frame.startsWith(':') ? 'h' : frame.startsWith('event: end') ? 'e' : /"value":"(\w)"/.exec(frame)![1]!));
      expectObservable(toServerSentEvents(events, { heartbeatMs: 3 }).frames.pipe(kind)).toBe(drawn('transport/toServerSentEvents.ts', '.frames'), { a: 'a', b: 'b', c: 'c', h: 'h', e: 'e' });
    });
  });

  it('circuitBreaker', () => {
    const breaker = createCircuitBreaker({ key: 'gpt', failureThreshold: 2 });
    const [source] = drawnSources('breaker/circuitBreaker.ts', 'source failing (failureThreshold: 2)');
    const calls = drawnSources('breaker/circuitBreaker.ts', 'source.pipe(circuitBreaker(breaker)), three calls');
    expect(calls).toHaveLength(3);
    const b = { type: 'breaker', key: 'gpt', from: 'closed', to: 'open' };
    const errors = [expect.objectContaining({ code: 'ECONNRESET' }), expect.objectContaining({ code: 'ECONNRESET' }), expect.objectContaining({ code: 'CIRCUIT_OPEN' })];
    calls.forEach((call, i) => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold(source!, values, fakeError({ network: 'ECONNRESET' })).pipe(circuitBreaker(breaker))).toBe(call, { ...values, b }, errors[i]);
      });
    });
  });

  it('attemptTextChange and replayEvents', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const v = { ...values, r: retryEvent, R: resume('ab') };
      const events = cold(drawn('attempt/attemptText.ts', 'events (s start, a/b/c tokens, r retry, R resume)'), v);
      const letter = { reset: 'Z', token: 'T', resume: 'S' } as const;
      expectObservable(events.pipe(map((e) => letter[attemptTextChange(e)!]))).toBe(drawn('attempt/attemptText.ts', 'attemptTextChange   '), { Z: 'Z', T: 'T', S: 'S' });
    });
    const store = createMemoryEventStore();
    store.append([values.s, values.a, values.b, values.x].map((event, seq) => ({ v: 1 as const, streamId: 'id', seq, ts: seq * 10, event })));
    testScheduler().run(({ expectObservable }) => {
      expectObservable(replayEvents(store, 'id')).toBe(drawn('events/replayEvents.ts', 'replayEvents(store, id)'), values);
      expectObservable(replayEvents(store, 'id', { speed: 1 })).toBe(drawn('events/replayEvents.ts', 'replayEvents(store, id, { speed: 1, scheduler })'), values);
      expectObservable(replayEvents(store, 'id', { fromSeq: 1, toSeq: 2 })).toBe(drawn('events/replayEvents.ts', 'replayEvents(store, id, { fromSeq: 1, toSeq: 2 })'), values);
    });
  });

  it('the memory store', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      const envelopes = (o: Observable<EventEnvelope>) => o.pipe(map((e) => e.event));
      cold(drawn('stores/memoryEventStore.ts', 'recordEvents(store)'), values).pipe(recordEvents(store, { streamId: 'id' })).subscribe();
      const follow = cold('----(f|)').pipe(mergeMap(() => envelopes(store.follow!('id'))));
      expectObservable(follow).toBe(drawn('stores/memoryEventStore.ts', 'store.follow(id), subscribed at frame 4'), values);
      expectObservable(cold('-----------(r|)').pipe(mergeMap(() => replayEvents(store, 'id')))).toBe('-----------' + drawn('stores/memoryEventStore.ts', 'replayEvents(store, id)'), values);
    });
  });
});
