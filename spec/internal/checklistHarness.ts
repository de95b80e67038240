import { Observable, Subscriber } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import { ProviderError, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

/**
 * The rxjs checklist as a table (STYLE.md 12: never, empty, one and many values, error,
 * never-ending with early unsubscribe, synchronous unsubscribe inside `next`, resubscription,
 * callback throws), shared by the checklist specs. Every row runs under a TestScheduler.
 */

/** The events the rows feed: s start, t/u tokens, x complete. */
export const EV = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  t: { type: 'token', value: 'Hello' },
  u: { type: 'token', value: ' world' },
  x: { type: 'complete', finishReason: 'stop' },
} satisfies Record<string, L0Event>;

/** The row's source error: an auth failure (never retried; a fallback may take it). */
export const authError = (): ProviderError =>
  new ProviderError('401 unauthorised', { code: 'AUTH_ERROR', category: 'auth', retryable: false, status: 401 });

/** What a row expects: output marbles, values and error (undefined: the row's source, passed through). */
export interface Expected {
  readonly marbles: string;
  readonly values?: Record<string, unknown>;
  readonly error?: unknown;
}

/** The rows' sources (cold marbles) and the pass-through each one expects. */
export const ROWS = {
  empty: { source: '|' },
  one: { source: '-t|' },
  many: { source: '-s-t-u-x|' },
  error: { source: '-t-#' },
} as const;
export type RowName = keyof typeof ROWS;

/** Frames the never-ending rows run before unsubscribing. */
export const NEVER_UNSUB = '^---!';
export const ENDLESS = { source: '-s-t-u-', unsub: '^------!' } as const;

/**
 * Asserts, one frame after `frame`, that nothing is scheduled on `ts` any more (the probe itself
 * has left the queue when it runs): a timer an operator left behind after its subscriber left
 * shows up here.
 */
export function expectNothingScheduledAfter(ts: TestScheduler, frame: number, also?: () => void): void {
  ts.schedule(() => {
    expect(ts.actions.map((a) => a.delay)).toEqual([]);
    also?.();
  }, frame + 1);
}

/** A recorded notification: its frame, kind and value or error. */
export interface Note {
  readonly frame: number;
  readonly kind: 'N' | 'E' | 'C';
  readonly value?: unknown;
}

/** Subscribes `obs` at the scheduler's current frame and records what it emits, frames relative. */
export function record(ts: TestScheduler, obs: Observable<unknown>, notes: Note[]): void {
  const at = ts.now();
  obs.subscribe({
    next: (value) => notes.push({ frame: ts.now() - at, kind: 'N', value }),
    error: (value: unknown) => notes.push({ frame: ts.now() - at, kind: 'E', value: shape(value) }),
    complete: () => notes.push({ frame: ts.now() - at, kind: 'C' }),
  });
}

/**
 * Three subscriptions of `obs` (two at once, one 200 frames later) record the same notes: a cold
 * observable that shares no state between its subscriptions.
 */
export function expectNoSharedState(ts: TestScheduler, obs: Observable<unknown>): void {
  const first: Note[] = [];
  const second: Note[] = [];
  const third: Note[] = [];
  record(ts, obs, first);
  record(ts, obs, second);
  ts.schedule(() => record(ts, obs, third), 200);
  ts.schedule(() => {
    expect(first.length).toBeGreaterThan(0);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
  }, 500);
}

/** An error by name, code and message (the observableMatcher's view); other values as they are. */
function shape(e: unknown): unknown {
  return e instanceof Error ? { name: e.name, code: (e as { code?: unknown }).code, message: e.message } : e;
}

/**
 * Subscribes `obs` with a raw Subscriber that unsubscribes itself inside its first `next`:
 * nothing must arrive after, nothing may throw. Returns the values seen and the frame of the first.
 */
export function unsubscribeInFirstNext(ts: TestScheduler, obs: Observable<unknown>): { seen: unknown[]; frame: () => number; ended: () => boolean } {
  const seen: unknown[] = [];
  let frame = -1;
  let ended = false;
  const subscriber: Subscriber<unknown> = new Subscriber({
    next: (v: unknown) => {
      seen.push(v);
      if (frame === -1) frame = ts.now();
      subscriber.unsubscribe();
    },
    error: () => (ended = true),
    complete: () => (ended = true),
  });
  obs.subscribe(subscriber);
  return { seen, frame: () => frame, ended: () => ended };
}

/**
 * A synchronous source of `events` that stops when its subscriber is closed, as a well-behaved
 * producer does (fromStream's reads, an SDK's loop): `pushed()` counts what it emitted.
 */
export function syncSource<T>(events: readonly T[]): { source: Observable<T>; pushed: () => number } {
  let pushed = 0;
  const source = new Observable<T>((subscriber) => {
    for (const e of events) {
      if (subscriber.closed) return;
      pushed++;
      subscriber.next(e);
    }
    subscriber.complete();
  });
  return { source, pushed: () => pushed };
}

/** A fresh scheduler; `run` flushes, so an error rxjs reports asynchronously fails the row. */
export function runMarbles(body: (ts: TestScheduler, helpers: Parameters<Parameters<TestScheduler['run']>[0]>[0]) => void): void {
  const ts = testScheduler();
  ts.run((helpers) => body(ts, helpers));
}

export { expect };
