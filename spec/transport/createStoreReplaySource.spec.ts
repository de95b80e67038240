/** @test {createStoreReplaySource} */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { createMemoryEventStore, createStoreReplaySource, L0Error, ProviderError, recordEvents, toServerSentEvents, type L0Event, type SequencedEvent } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values: Record<string, L0Event> = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  a: { type: 'token', value: 'a' },
  b: { type: 'token', value: 'b' },
  c: { type: 'token', value: 'c' },
  x: { type: 'complete', finishReason: 'stop' },
};
const seqd = (entries: Record<string, [number, string]>): Record<string, SequencedEvent> =>
  Object.fromEntries(Object.entries(entries).map(([k, [seq, v]]) => [k, { seq, event: values[v]! }]));

describe('createStoreReplaySource', () => {
  it('should resume after a Last-Event-ID from the store: the recorded events after it, then the live ones, numbered as SSE ids', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      cold('s-a-b---c-x|', values).pipe(recordEvents(store, { streamId: 'chat' })).subscribe();
      // SSE ids: s 1, a 2, b 3, c 4, x 5; the client saw up to 2 (a)
      expectObservable(createStoreReplaySource(store).replay('chat', 2), '-----^').toBe('-----3--4-(5|)', seqd({ 3: [3, 'b'], 4: [4, 'c'], 5: [5, 'x'] }));
    });
  });

  it('should turn the recorded error into the replay\'s typed error', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      const error = new ProviderError('down', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
      cold('s-a-#', values, error).pipe(recordEvents(store, { streamId: 'chat' })).subscribe({ error: () => undefined });
      expectObservable(createStoreReplaySource(store).replay('chat', 1)).toBe('--2-#', seqd({ 2: [2, 'a'] }), error);
    });
  });

  it('should carry the store\'s numbering through toServerSentEvents, so a resumed stream has the ids of the original', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      cold('s-a-b-x|', values).pipe(recordEvents(store, { streamId: 'chat' })).subscribe();
      const frames = toServerSentEvents(createStoreReplaySource(store).replay('chat', 3), { resumeFrom: 3, heartbeatMs: 0 }).frames;
      expectObservable(frames, '---^').toBe('------(ye|)', {
        y: `id: 4\nevent: complete\ndata: ${JSON.stringify(values['x'])}\n\n`,
        e: 'event: end\ndata: {}\n\n',
      });
    });
  });

  it('should stop following the store when the client leaves', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      cold('s-a-b-x|', values).pipe(recordEvents(store, { streamId: 'chat' })).subscribe();
      expectObservable(createStoreReplaySource(store).replay('chat', 0), '^--!').toBe('1-2', seqd({ 1: [1, 's'], 2: [2, 'a'] }));
    });
  });

  it('should error with STREAM_NOT_FOUND for a stream the store does not hold, without tailing it', () => {
    testScheduler().run(({ expectObservable }) => {
      const store = createMemoryEventStore();
      expectObservable(createStoreReplaySource(store).replay('forged', 4)).toBe('#', undefined, new L0Error('no stream "forged" to resume in the event store', { code: 'STREAM_NOT_FOUND', category: 'bad-request', retryable: false }));
    });
  });

  it('should throw a TypeError at creation for a store without a live tail, such as the JSONL store', () => {
    expect(() => createStoreReplaySource(createJsonlEventStore(join(tmpdir(), 'l0-rx-never-written.jsonl')))).toThrow('createStoreReplaySource(store): this store has no live tail (`follow`); the memory and Redis stores have one, the JSONL store does not');
    expect(() => createStoreReplaySource(null as never)).toThrow('createStoreReplaySource(store) needs an EventStore, got null');
  });
});
