/* Helpers for the fromStream / adapter specs (async: promises cannot run under TestScheduler). */
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import type { L0Event } from 'l0-rx';

/** Every event of a run that completes. */
export function collect(events$: Observable<L0Event>): Promise<L0Event[]> {
  return lastValueFrom(events$.pipe(toArray()));
}

/** The events of a run that errors, and its error (fails the test if it completes). */
export function collectError(events$: Observable<L0Event>): Promise<{ events: L0Event[]; error: any }> {
  const events: L0Event[] = [];
  return new Promise((resolve, reject) => {
    events$.subscribe({
      next: (e) => events.push(e),
      error: (error: unknown) => resolve({ events, error }),
      complete: () => reject(new Error(`expected an error, got complete after ${JSON.stringify(events)}`)),
    });
  });
}

/** An async iterable of `chunks`, yielded one per microtask. */
export async function* chunksOf<T>(chunks: readonly T[]): AsyncGenerator<T> {
  for (const chunk of chunks) yield chunk;
}

/** A ReadableStream of `chunks`. */
export function readableOf<T>(chunks: readonly T[]): ReadableStream<T> {
  return new ReadableStream<T>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

/** Waits for pending microtasks and one macrotask turn (lets a promise chain settle). */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * An async iterable that yields `chunks` and then never resolves its next `next()`. Records whether
 * `return()` was called.
 */
export function hangingIterable<T>(chunks: readonly T[]) {
  const state = { returned: false, nextCalls: 0 };
  const iterable: AsyncIterable<T> = {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        const i = state.nextCalls++;
        return i < chunks.length ? Promise.resolve({ done: false, value: chunks[i]! }) : new Promise<IteratorResult<T>>(() => {});
      },
      return: () => {
        state.returned = true;
        return Promise.reject(new Error('return() rejection must be swallowed'));
      },
    }),
  };
  return { iterable, state };
}

/** Drops `undefined` fields, as JSON serialisation would (to compare events structurally). */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
