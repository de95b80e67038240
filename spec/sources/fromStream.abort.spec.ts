/** @test {fromStream} */
import { describe, expect, it } from 'vitest';
import { take } from 'rxjs';
import { syncSource } from '../internal/checklistHarness.js';
import { fromStream, isStreamAbortedError, type L0Event } from 'l0-rx';
import { chunksOf, collect, collectError, hangingIterable, tick } from './streamHelpers.js';

describe('fromStream cancellation', () => {
  it('should abort the signal and return() the iterator at once when unsubscribed during a pending read', async () => {
    const { iterable, state } = hangingIterable(['a']);
    let signal: AbortSignal | undefined;
    const events: L0Event[] = [];
    const sub = fromStream((ctx) => ((signal = ctx.signal), iterable)).subscribe((e) => events.push(e));
    await tick();
    expect(events.map((e) => e.type)).toEqual(['start', 'token']);
    expect(state.nextCalls).toBe(2); // the second read is pending forever
    sub.unsubscribe();
    expect(signal!.aborted).toBe(true);
    expect(state.returned).toBe(true);
    await tick(); // return()'s rejection is swallowed: no unhandled rejection fails the run
  });

  it('should cancel a ReadableStream reader at once when unsubscribed during a pending read', async () => {
    let cancelled: unknown = 'not cancelled';
    const stream = new ReadableStream<string>({
      start: (c) => c.enqueue('a'),
      pull: () => new Promise<void>(() => {}),
      cancel: (reason) => {
        cancelled = reason;
      },
    });
    let signal: AbortSignal | undefined;
    const events: L0Event[] = [];
    const sub = fromStream((ctx) => ((signal = ctx.signal), stream)).subscribe((e) => events.push(e));
    await tick();
    expect(events.map((e) => e.type)).toEqual(['start', 'token']);
    sub.unsubscribe();
    expect(signal!.aborted).toBe(true);
    await tick();
    expect(cancelled).toBeUndefined();
  });

  it('should emit nothing after unsubscription, even if the pending read resolves later', async () => {
    let release: (r: IteratorResult<string>) => void = () => {};
    const iterable: AsyncIterable<string> = {
      [Symbol.asyncIterator]: () => ({ next: () => new Promise((resolve) => (release = resolve)) }),
    };
    const events: L0Event[] = [];
    const sub = fromStream(() => iterable).subscribe({ next: (e) => events.push(e), complete: () => events.push({ type: 'progress' }) });
    sub.unsubscribe();
    release({ done: false, value: 'late' });
    await tick();
    expect(events.map((e) => e.type)).toEqual(['start']);
  });

  it('should abort the signal and release a stream that resolves after the subscriber left', async () => {
    let resolve: (s: ReadableStream<string>) => void = () => {};
    let signal: AbortSignal | undefined;
    let cancelled = false;
    const late = new ReadableStream<string>({ cancel: () => void (cancelled = true) });
    const sub = fromStream((ctx) => ((signal = ctx.signal), new Promise<ReadableStream<string>>((r) => (resolve = r)))).subscribe();
    sub.unsubscribe();
    expect(signal!.aborted).toBe(true);
    resolve(late);
    await tick();
    expect(cancelled).toBe(true);
  });

  it('should abort an SDK stream\'s own controller (openai Stream.controller) on unsubscribe', async () => {
    // one chat completions chunk, then it hangs (an SDK stream's chunks are objects: a string one is MALFORMED_CHUNK)
    const { iterable } = hangingIterable([{ choices: [{ index: 0, delta: { content: 'a' } }] }]);
    const sdkStream = Object.assign(iterable, { controller: new AbortController() });
    const seen: L0Event[] = [];
    const sub = fromStream(() => sdkStream).subscribe({ next: (e) => seen.push(e) });
    await tick();
    expect(seen.map((e) => e.type)).toEqual(['start', 'token']);
    sub.unsubscribe();
    expect(sdkStream.controller.signal.aborted).toBe(true);
  });

  it('should stop a synchronous Observable<L0Event> source as soon as the consumer leaves (take)', () => {
    const flood = syncSource<L0Event>(Array.from({ length: 1000 }, () => ({ type: 'token', value: 'a' })));
    fromStream(() => flood.source).pipe(take(3)).subscribe(); // start, then two tokens
    expect(flood.pushed()).toBe(2);
  });

  it('should abort when a downstream operator unsubscribes synchronously (take)', async () => {
    const { iterable, state } = hangingIterable(['a', 'b']);
    let signal: AbortSignal | undefined;
    const events = await collect(fromStream((ctx) => ((signal = ctx.signal), iterable)).pipe(take(2)));
    expect(events.map((e) => e.type)).toEqual(['start', 'token']);
    expect(signal!.aborted).toBe(true);
    expect(state.returned).toBe(true);
  });

  it('should not call the factory if the subscriber leaves on the start event', () => {
    let calls = 0;
    fromStream(() => (calls++, chunksOf(['a']))).pipe(take(1)).subscribe();
    expect(calls).toBe(0);
  });

  it('should not fire the signal after a successful run', async () => {
    let signal: AbortSignal | undefined;
    await collect(fromStream((ctx) => ((signal = ctx.signal), chunksOf(['a']))));
    expect(signal!.aborted).toBe(false);
  });

  it('should fire the signal and return() the iterator when the run fails mid-stream', async () => {
    const { iterable, state } = hangingIterable<unknown>(['a', 42]);
    let signal: AbortSignal | undefined;
    const { events } = await collectError(fromStream((ctx) => ((signal = ctx.signal), iterable)));
    expect(events.map((e) => e.type)).toEqual(['start', 'token']);
    expect(signal!.aborted).toBe(true);
    expect(state.returned).toBe(true);
  });

  it('should release an open source without firing the signal when an adapter completes early', async () => {
    const { iterable, state } = hangingIterable([
      { type: 'start' },
      { type: 'finish', finishReason: 'stop', rawFinishReason: 'stop', totalUsage: {} },
    ]);
    let signal: AbortSignal | undefined;
    const events = await collect(fromStream((ctx) => ((signal = ctx.signal), iterable)));
    expect(events.at(-1)).toEqual({ type: 'complete', finishReason: 'stop' });
    expect(state.returned).toBe(true);
    expect(signal!.aborted).toBe(false);
  });

  it('should error with StreamAbortedError when a stream ends after its own controller was aborted by someone else', async () => {
    const controller = new AbortController();
    async function* userAborted() {
      yield { object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] };
      controller.abort(); // e.g. the user's own signal passed to the SDK; openai then ends silently
    }
    const stream = Object.assign(userAborted(), { controller });
    const { events, error } = await collectError(fromStream(() => stream));
    expect(events.map((e) => e.type)).toEqual(['start', 'token']);
    expect(isStreamAbortedError(error)).toBe(true);
  });
});
