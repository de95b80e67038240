/** @test {l0} */
import { getEventListeners } from 'node:events';
import { NEVER, type Observable, type Subscription } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStreamAbortedError, l0, type L0Event } from 'l0-rx';

/* Many runs on one AbortSignal (a batch cancelled together): one 'abort' listener, no Node warning. */

const RUNS = 50;
const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve)); // process warnings are emitted asynchronously
const silent = (): Observable<L0Event> => NEVER;

let warnings: Error[];
const onWarning = (warning: Error) => warnings.push(warning);
beforeEach(() => {
  warnings = [];
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
});

function start(signal: AbortSignal, count = RUNS) {
  const errors: unknown[] = [];
  const subscriptions: Subscription[] = [];
  for (let i = 0; i < count; i++) {
    subscriptions.push(l0({ stream: silent, signal, timeout: false }).subscribe({ error: (e: unknown) => errors.push(e) }));
  }
  return { errors, subscriptions };
}

describe('l0() runs sharing one AbortSignal', () => {
  it(`should add one 'abort' listener for ${RUNS} runs and never trigger MaxListenersExceededWarning`, async () => {
    const controller = new AbortController();
    const { subscriptions } = start(controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    await nextTick();
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    subscriptions.forEach((s) => s.unsubscribe());
  });

  it(`should end all ${RUNS} runs with StreamAbortedError when the signal aborts, and leave no listener`, async () => {
    const controller = new AbortController();
    const { errors } = start(controller.signal);
    controller.abort('user left');
    expect(errors).toHaveLength(RUNS);
    expect(errors.every(isStreamAbortedError)).toBe(true);
    expect((errors[0] as Error).message).toBe('The stream was aborted: user left');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await nextTick();
    expect(warnings).toEqual([]);
  });

  it('should remove the listener when the last run unsubscribes, and add a new one for later runs', () => {
    const controller = new AbortController();
    const first = start(controller.signal, 3);
    first.subscriptions[0]!.unsubscribe();
    first.subscriptions[1]!.unsubscribe();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    first.subscriptions[2]!.unsubscribe();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);

    const second = start(controller.signal, 2);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    expect(second.errors).toHaveLength(2);
    expect(first.errors).toEqual([]);
  });

  it('should abort only the runs still subscribed', () => {
    const controller = new AbortController();
    const { errors, subscriptions } = start(controller.signal, 10);
    subscriptions.slice(0, 4).forEach((s) => s.unsubscribe());
    controller.abort();
    expect(errors).toHaveLength(6);
  });

  it('should end a run on an already aborted signal at once, without a listener', () => {
    const controller = new AbortController();
    controller.abort();
    const { errors } = start(controller.signal, 20);
    expect(errors).toHaveLength(20);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
