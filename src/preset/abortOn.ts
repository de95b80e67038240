import { identity, Observable, type MonoTypeOperatorFunction, type Subscriber } from 'rxjs';
import { Relay } from '../internal/relay.js';
import { StreamAbortedError } from '../errors/StreamAbortedError.js';
import { deserializeError } from '../errors/deserializeError.js';
import type { L0Event } from '../events/eventTypes.js';

/**
 * Errors with {@link StreamAbortedError} the moment `signal` aborts (and at once if it already
 * has), unsubscribing the source so its request is cancelled. Nothing upstream sees the abort as
 * a failure, so it is never retried and never falls back.
 *
 *   --a--b--c--|     source
 *   --a--#           abortOn(signal)   (signal aborts at frame 5)
 *
 * Any number of runs may share one signal: they register with {@link onAbort}, which adds a single
 * 'abort' listener per signal, so Node's MaxListenersExceededWarning (more than 10 listeners) never
 * fires for a signal shared by a batch of requests.
 *
 * The abort error lists the attempts that failed before it (`attemptErrors`, rebuilt from the
 * `retry` and `fallback` events), so the run's list of failures is complete however it ended.
 *
 * Once the `complete` event passes, the run has ended: an abort from then on (the consumer's or
 * an `onComplete` that aborts the request's controller on that event) is ignored, so a completed
 * run is never followed by, nor turned into, a StreamAbortedError.
 *
 * @internal Used by the l0() preset.
 */
export function abortOn(signal: AbortSignal | undefined): MonoTypeOperatorFunction<L0Event> {
  if (!signal) return identity;
  return (source) =>
    new Observable<L0Event>((subscriber) => {
      if (signal.aborted) return subscriber.error(abortError(signal, []));
      return source.subscribe(new AbortWatch(subscriber, signal));
    });
}

/** One run's watch: the source's subscriber, and the run's one entry in the signal's waiters. */
class AbortWatch extends Relay<L0Event> {
  /** The errors of the attempts that failed so far, for the abort error's `attemptErrors`. */
  private readonly failed: unknown[] = [];
  /** The `complete` event has passed: an abort now is too late to matter. */
  private completed = false;
  private readonly leave: () => void;

  constructor(
    out: Subscriber<L0Event>,
    private readonly signal: AbortSignal,
  ) {
    super(out);
    this.leave = onAbort(signal, () => this.aborted());
  }

  next(e: L0Event): void {
    try {
      this.handle(e);
    } catch (thrown) {
      this.raise(thrown);
    }
  }

  private handle(e: L0Event): void {
    if (this.isStopped) return;
    if (e.type === 'retry' || e.type === 'fallback') this.failed.push(deserializeError(e.error));
    else if (e.type === 'complete') this.completed = true; // before it is passed on: the run has ended, whatever its receivers do
    this.out.next(e);
  }

  /** The signal aborted: the source stops first (its request is cancelled), then the run errors. */
  private aborted(): void {
    if (this.isStopped || this.completed) return;
    const out = this.out;
    this.unsubscribe();
    out.error(abortError(this.signal, this.failed));
  }

  override unsubscribe(): void {
    this.leave();
    super.unsubscribe();
  }
}

/** The callbacks of the runs waiting on a signal, and the one listener that calls them. */
interface Waiters {
  readonly callbacks: Set<() => void>;
  readonly listener: () => void;
}

const registry = new WeakMap<AbortSignal, Waiters>();

/**
 * Calls `callback` once when `signal` aborts. However many callbacks wait on a signal, it has one
 * 'abort' listener, removed when the last callback leaves. Returns the function that leaves.
 * @internal
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let waiters = registry.get(signal);
  if (!waiters) {
    const callbacks = new Set<() => void>();
    const listener = (): void => {
      registry.delete(signal);
      const all = [...callbacks];
      callbacks.clear();
      runAll(all);
    };
    waiters = { callbacks, listener };
    registry.set(signal, waiters);
    signal.addEventListener('abort', listener, { once: true });
  }
  const { callbacks, listener } = waiters;
  const entry = (): void => callback(); // a distinct entry per registration, even for the same callback
  callbacks.add(entry);
  return () => {
    if (!callbacks.delete(entry) || callbacks.size > 0) return;
    registry.delete(signal);
    signal.removeEventListener('abort', listener);
  };
}

/** Runs every callback even if one throws; the first error is rethrown afterwards, as a listener's would be. */
function runAll(callbacks: readonly (() => void)[]): void {
  let failed = false;
  let first: unknown;
  for (const callback of callbacks) {
    try {
      callback();
    } catch (e) {
      if (!failed) [failed, first] = [true, e];
    }
  }
  if (failed) throw first;
}

function abortError(signal: AbortSignal, failed: readonly unknown[]): StreamAbortedError {
  return new StreamAbortedError(abortMessage(signal.reason), signal.reason).withRunInfo({ attemptErrors: failed });
}

function abortMessage(reason: unknown): string {
  if (reason instanceof Error && reason.name !== 'AbortError') return `The stream was aborted: ${reason.message}`;
  if (typeof reason === 'string' && reason) return `The stream was aborted: ${reason}`;
  return 'The stream was aborted';
}
