/** @test {tapLifecycle} */
import { concat, from, last, tap, throwError, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  accumulate,
  deserializeError,
  l0,
  serializeError,
  tapLifecycle,
  type L0Event,
  type L0Options,
  type L0State,
  type LifecycleCallbacks,
  type SerializedError,
} from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';

/*
 * A run replayed from its recorded events (plain JSON, as an event log stores them) must drive
 * tapLifecycle and accumulate exactly as the live run did: the same callbacks, in the same order,
 * with the same arguments, and the same final state.
 */

const NAMES = [
  'onEvent', 'onStart', 'onRetry', 'onFallback', 'onResume', 'onCheckpoint', 'onViolation', 'onDrift',
  'onToolCall', 'onTimeout', 'onAbort', 'onError', 'onComplete',
] as const;

const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Every callback, each recording `[name, JSON of its arguments]`. */
function recorder() {
  const calls: [string, unknown][] = [];
  const callbacks = Object.fromEntries(NAMES.map((n) => [n, (...args: unknown[]) => void calls.push([n, json(args)])])) as LifecycleCallbacks;
  return { calls, callbacks };
}

interface Recorded {
  readonly events: L0Event[];
  readonly error: SerializedError | undefined;
  readonly calls: [string, unknown][];
  readonly state: L0State;
}

/**
 * The live run on virtual time: l0() with every callback, folded by accumulate as it streams; its
 * events and its error are recorded as JSON, as an event log would store them.
 */
function live(options: Omit<L0Options, keyof LifecycleCallbacks>, actions: readonly [number, () => void][] = []): Recorded {
  const { calls, callbacks } = recorder();
  const events: L0Event[] = [];
  let error: unknown;
  let state: L0State | undefined;
  const scheduler = testScheduler();
  scheduler.run(() => {
    l0({ ...options, ...callbacks })
      .pipe(
        tap({ next: (e) => events.push(e), error: (e: unknown) => (error = e) }),
        accumulate({ errorsAsState: true }),
      )
      .subscribe((s) => (state = s));
    for (const [frame, action] of actions) scheduler.schedule(action, frame);
  });
  return { events: json(events), error: error === undefined ? undefined : json(serializeError(error)), calls, state: json(state!) };
}

/** The replay: the recorded JSON through tapLifecycle and accumulate, the error rebuilt with deserializeError. */
function replay(recorded: Pick<Recorded, 'events' | 'error'>): Pick<Recorded, 'calls' | 'state'> {
  const { calls, callbacks } = recorder();
  const { error } = recorded;
  const events$: Observable<L0Event> = error === undefined
    ? from(recorded.events)
    : concat(from(recorded.events), throwError(() => deserializeError(error)));
  let state: L0State | undefined;
  events$.pipe(tapLifecycle(callbacks), accumulate({ errorsAsState: true }), last()).subscribe((s) => (state = s));
  return { calls, state: json(state!) };
}

const timeout = { initialToken: 50, interToken: 20 };
const fast = { backoff: 'fixed', baseDelay: 5 } as const;
const rateLimited = { items: ['lim', { error: { status: 429, headers: { 'retry-after-ms': '30' } } }] };

describe('replaying a recorded run through tapLifecycle and accumulate', () => {
  it('should call back and fold exactly like a live run that times out, is rate limited, falls back and completes', () => {
    const primary = fakeModel([{ items: ['Hel', 'lo', { hang: true }] }, rateLimited]);
    const backup = fakeModel({ items: ['Hello', ' world'], usage: { outputTokens: 2 } });
    const recorded = live({
      stream: primary,
      model: 'primary',
      fallbackStreams: [{ stream: backup, model: 'backup' }],
      retry: { ...fast, maxRetries: 1 },
      timeout,
      continueFromLastKnownGoodToken: true,
      checkpointInterval: 1,
    });
    expect(recorded.error).toBeUndefined();
    expect(recorded.calls.map(([name]) => name)).toEqual(expect.arrayContaining(['onTimeout', 'onRetry', 'onFallback', 'onResume', 'onCheckpoint', 'onComplete']));
    expect(recorded.state).toMatchObject({ status: 'complete', content: 'HellolimHello world', resumedFrom: 'Hellolim', fallbackIndex: 1 });

    const replayed = replay(recorded);
    expect(replayed.calls).toEqual(recorded.calls);
    expect(replayed.state).toEqual(recorded.state);
  });

  it('should call back and fold exactly like a live run that ends with its last error, a timeout', () => {
    const recorded = live({ stream: fakeModel({ items: ['a', { hang: true }] }), retry: { ...fast, maxRetries: 1 }, timeout });
    expect(recorded.error).toMatchObject({ name: 'TokenTimeoutError', attempt: 2 });
    expect(recorded.calls.filter(([name]) => name === 'onTimeout')).toHaveLength(2);

    const replayed = replay(recorded);
    expect(replayed.calls).toEqual(recorded.calls);
    expect(replayed.state).toEqual(recorded.state);
  });

  it('should call back and fold exactly like a live run whose every stream failed, the last with a timeout', () => {
    const recorded = live({
      stream: fakeModel([rateLimited, { items: [{ error: { status: 500 } }] }]),
      fallbackStreams: [fakeModel({ items: ['b', { hang: true }] })],
      retry: { ...fast, maxRetries: 1 },
      timeout,
    });
    expect(recorded.error).toMatchObject({ name: 'AllStreamsExhaustedError' });
    expect(recorded.state).toMatchObject({ status: 'error', error: { name: 'AllStreamsExhaustedError' } });

    const replayed = replay(recorded);
    expect(replayed.calls).toEqual(recorded.calls);
    expect(replayed.state).toEqual(recorded.state);
  });

  it('should call back and fold exactly like a live run that the user aborted', () => {
    const controller = new AbortController();
    const recorded = live({ stream: fakeModel('ab------c|'), signal: controller.signal }, [[4, () => controller.abort()]]);
    expect(recorded.error).toMatchObject({ name: 'StreamAbortedError' });
    expect(recorded.calls.map(([name]) => name)).toContain('onAbort');

    const replayed = replay(recorded);
    expect(replayed.calls).toEqual(recorded.calls);
    expect(replayed.state).toEqual(recorded.state);
  });
});
