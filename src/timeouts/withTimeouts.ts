import {
  asyncScheduler,
  identity,
  Observable,
  type MonoTypeOperatorFunction,
  type SchedulerAction,
  type SchedulerLike,
  Subscription,
} from 'rxjs';
import { TokenTimeoutError, type TimeoutKind } from '../errors/TokenTimeoutError.js';
import type { L0Event } from '../events/eventTypes.js';

/** Budgets of {@link withTimeouts}, in ms. `undefined` disables one; 0 is invalid. */
export interface WithTimeoutsConfig {
  /** Longest wait from subscription to the first content event. @default undefined (no limit) */
  readonly initialToken?: number;
  /** Longest silence between content events, measured from the first one on. @default undefined (no limit) */
  readonly interToken?: number;
  /** Longest time from subscription to `complete`, whatever the source does. @default undefined (no limit) */
  readonly total?: number;
  /** Where the deadline is scheduled and `now()` is read. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

/**
 * Errors with {@link TokenTimeoutError} when the source is silent for too long: before its first
 * content event, between content events, or in total. The deadline fires on silence (not when a late
 * chunk arrives) and unsubscribes the source, so `fromStream` aborts its request.
 *
 *   ----a-b---------c|      source (a, b, c: tokens)
 *   ---#                    withTimeouts({ initialToken: 3 })
 *   ----a-b----#            withTimeouts({ interToken: 5 })
 *
 * Rules:
 * 1. Activity is a content event: `token`, `reasoning`, `tool-call`, `data`, `progress`. Control
 *    events (`start`, `resume`, `checkpoint`, `retry`...) pass through without restarting the clock.
 * 2. `initialToken` counts from subscription until the first content event; `interToken` counts from
 *    each content event (the gap before the first one is `initialToken`'s business); `total` counts
 *    from subscription and never moves.
 * 3. Silence is the source's, never the consumer's: the clock restarts when the downstream `next`
 *    returns, and time spent downstream on control events is not counted, so a slow subscriber never
 *    causes a timeout.
 * 4. A `complete` event (or the source ending) stops all timing.
 * 5. One scheduled action per subscription, re-armed lazily: a token only stores a timestamp; when
 *    the action fires early because tokens moved the deadline, it reschedules itself for the rest.
 * 6. On timeout: the source is unsubscribed, then the error is `TokenTimeoutError{kind, timeoutMs,
 *    elapsedMs, tokenCount}` (`total` wins a tie).
 *
 * With every budget `undefined` it returns `identity`. A budget must be a finite number > 0: 0 is
 * not "no limit" but a `TypeError` (use `undefined` to disable).
 *
 * @example
 * import { fromStream, withTimeouts } from 'l0-rx';
 * fromStream(factory).pipe(withTimeouts({ initialToken: 5_000, interToken: 10_000 }));
 * @see {@link TokenTimeoutError} {@link retryWithBackoff}
 * @param config See {@link WithTimeoutsConfig}.
 * @throws TypeError naming the option, for a budget that is 0, negative, NaN or not finite.
 */
export function withTimeouts(config: WithTimeoutsConfig): MonoTypeOperatorFunction<L0Event> {
  const initialToken = budget('initialToken', config.initialToken);
  const interToken = budget('interToken', config.interToken);
  const total = budget('total', config.total);
  if (initialToken === Infinity && interToken === Infinity && total === Infinity) return identity;
  const scheduler = config.scheduler ?? asyncScheduler;

  return (source) =>
    new Observable<L0Event>((subscriber) => {
      const start = scheduler.now();
      let base = start; // when the current silence began (shifted by time spent downstream)
      let tokenCount = 0;
      let timing = true;
      let armedAt = Infinity;
      let action: Subscription | undefined;
      const sourceSub = new Subscription();

      const deadline = (): number =>
        Math.min(start + total, base + (tokenCount === 0 ? initialToken : interToken));

      const arm = (at: number): void => {
        action?.unsubscribe();
        armedAt = at;
        action = at === Infinity ? undefined : scheduler.schedule(fire, Math.max(0, at - scheduler.now()));
      };

      function fire(this: SchedulerAction<unknown>): void {
        const now = scheduler.now();
        const at = deadline();
        armedAt = at;
        if (at === Infinity) return void (action = undefined);
        if (now < at) return void (action = this.schedule(undefined, at - now));
        action = undefined;
        timing = false;
        const kind: TimeoutKind = now >= start + total ? 'total' : tokenCount === 0 ? 'initial' : 'inter';
        const timeoutMs = kind === 'total' ? total : kind === 'initial' ? initialToken : interToken;
        const elapsedMs = now - (kind === 'total' ? start : base);
        sourceSub.unsubscribe();
        subscriber.error(new TokenTimeoutError({ kind, timeoutMs, elapsedMs, tokenCount }));
      }

      const stop = (): void => {
        timing = false;
        arm(Infinity);
      };

      arm(deadline());
      sourceSub.add(source.subscribe({
        next: (event) => {
          if (!timing) return subscriber.next(event);
          switch (event.type) {
            case 'token':
            case 'reasoning':
            case 'tool-call':
            case 'data':
            case 'progress': {
              subscriber.next(event);
              if (!timing || subscriber.closed) return;
              base = scheduler.now();
              if (tokenCount++ === 0) {
                const at = deadline();
                if (at < armedAt || at === Infinity) arm(at);
              }
              return;
            }
            case 'complete':
              stop();
              return subscriber.next(event);
            default: {
              const before = scheduler.now();
              subscriber.next(event);
              base += scheduler.now() - before;
            }
          }
        },
        error: (err: unknown) => {
          stop();
          subscriber.error(err);
        },
        complete: () => {
          stop();
          subscriber.complete();
        },
      }));
      return () => {
        action?.unsubscribe();
        sourceSub.unsubscribe();
      };
    });
}

/** Validates one budget; `undefined` becomes `Infinity` (no limit). */
function budget(option: keyof WithTimeoutsConfig, value: number | undefined): number {
  if (value === undefined) return Infinity;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(
      `withTimeouts: ${option} must be a finite number of ms > 0 (use undefined to disable), got ${String(value)}`,
    );
  }
  return value;
}
