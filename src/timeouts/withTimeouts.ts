import {
  asyncScheduler,
  identity,
  Observable,
  type MonoTypeOperatorFunction,
  type SchedulerAction,
  type SchedulerLike,
  type Subscriber,
  type Subscription,
} from 'rxjs';
import { TokenTimeoutError, type TimeoutKind } from '../errors/TokenTimeoutError.js';
import { Relay } from '../internal/relay.js';
import type { L0Event } from '../events/eventTypes.js';
import { checkBag, checkKeys, isSchedulerLike, optionError, optionKeys, optionPath, type OptionPath } from '../internal/options.js';
import { checkTimerDelay } from '../internal/timerDelay.js';
import { SOURCE_ACTIVE } from '../internal/sourceActivity.js';

/**
 * Budgets of {@link withTimeouts}, in ms, each at most 2147483647 (about 24.8 days). `false` or
 * `Infinity` turns one off (so does `undefined` here; in `l0({timeout})` it takes l0's default); 0 is invalid.
 */
export interface WithTimeoutsConfig {
  /** Longest wait from subscription to the first content event (a chunk the source held back restarts it: rule 1). @default undefined (no limit) */
  readonly initialToken?: number | false;
  /** Longest silence between content events, measured from the first one on. @default undefined (no limit) */
  readonly interToken?: number | false;
  /** Longest time from subscription to `complete`, whatever the source does (time spent downstream not counted: rule 4). @default undefined (no limit) */
  readonly total?: number | false;
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
 *   ----a-b---------c|      withTimeouts({ initialToken: 4, interToken: 10 })   (a token at a deadline is in time)
 *   ----a-b---------c|      withTimeouts({ initialToken: 4, interToken: false })   (only the first token has a deadline)
 *
 * Rules:
 * 1. Activity is a content event: `token`, `reasoning`, `tool-call`, `data`, `progress`. Control
 *    events (`start`, `resume`, `checkpoint`, `retry`...) pass through without restarting the clock.
 *    Right after `fromStream` (as in `l0()`), so is a provider chunk that produced no event yet but
 *    held content back (a tool call's argument fragments, held until the call is whole) or shows the
 *    provider at work (a hosted tool's progress, a local server's growing prompt progress): it restarts
 *    the clock without ending the `initialToken` phase. A chunk with nothing new in it (a keep-alive, an
 *    empty delta, usage, a status such as `response.queued`, a `*.done` bound repeating what streamed) is silence.
 * 2. `initialToken` counts from subscription until the first content event; `interToken` counts from
 *    each content event (the gap before the first one is `initialToken`'s business); `total` counts
 *    from subscription, and only time spent downstream moves it (rule 4).
 * 3. A deadline is the last moment a content event may arrive: each budget is the longest wait
 *    allowed (as the options say, and as L0 fails only a wait over it). One due exactly at it passes
 *    and restarts the clock; for `total` a `complete` at it completes. The timeout fires only once
 *    the deadline passed in silence: the action that reaches it looks again after the work due at
 *    that moment (with a virtual clock, whatever the same frame holds, scheduled before or after it).
 * 4. Silence is the source's, never the consumer's: the clock restarts when the downstream `next`
 *    returns, time spent downstream on control events is not counted, and no time spent downstream
 *    counts against `total` (the clock is then read before each content event too), so a slow
 *    subscriber never causes a timeout. An event the source emits from inside a downstream `next`
 *    (re-entrant) comes in that time: the outer event counts it once, as downstream's.
 * 5. A `complete` event (or the source ending) stops all timing.
 * 6. One scheduled action per subscription, re-armed lazily: a token only stores a timestamp; when
 *    the action fires early because tokens moved the deadline, it reschedules itself for the rest.
 * 7. `total` is also checked on each content event, with the clock read after it,
 *    so it holds against a source that floods synchronously and never lets the scheduled action
 *    run: the first content event read after the deadline is the last one passed on.
 * 8. On timeout: the source is unsubscribed (even in the middle of its synchronous subscribe, so a
 *    flooding source that checks `subscriber.closed` stops), then the error is
 *    `TokenTimeoutError{kind, timeoutMs, elapsedMs, tokenCount}` (`total` wins a tie).
 *
 * A budget that is `undefined`, `false` or `Infinity` is off, and with every budget off it returns
 * `identity`. Any other budget must be a number > 0: 0 is not "no limit" but a `TypeError`; so is a
 * budget above 2147483647 ms (2^31 - 1, about 24.8 days), which Node's and browsers' timers would
 * fire at once. Unknown keys are a `TypeError` that suggests the closest option (`intialToken` -> `initialToken`).
 *
 * @example
 * import { fromStream, withTimeouts } from 'l0-rx';
 * fromStream(factory).pipe(withTimeouts({ initialToken: 5_000, interToken: 10_000 }));
 * @example
 * import { l0 } from 'l0-rx';
 * l0({ stream: factory, timeout: { interToken: false } }); // l0's first-token default, no limit between tokens
 * @see {@link TokenTimeoutError} {@link retryWithBackoff}
 * @param config See {@link WithTimeoutsConfig}.
 * @throws TypeError naming the option, for a budget that is 0, negative, NaN, `-Infinity`, not a
 * number (`true`, a string) or above 2147483647 ms, an unknown key, or a scheduler that is not a SchedulerLike.
 */
export function withTimeouts(config: WithTimeoutsConfig): MonoTypeOperatorFunction<L0Event> {
  const { initialToken, interToken, total, scheduler } = resolveWithTimeouts(config);
  if (initialToken === Infinity && interToken === Infinity && total === Infinity) return identity;

  const budgets: ResolvedTimeouts = { initialToken, interToken, total, scheduler };
  // the watch is the source's subscriber itself: a timeout inside a synchronous flood closes it,
  // and a source that checks `closed` stops
  return (source) => new Observable<L0Event>((subscriber) => source.subscribe(new TimeoutWatch(subscriber, budgets)));
}

/**
 * One subscription's clock: the source's subscriber, with the scheduled action's work a shared
 * function. A class rather than closures because fan-in (10,000 open streams) pays for every
 * closure and context per stream.
 */
class TimeoutWatch extends Relay<L0Event> {
  /** When `total` runs out: subscription + total, shifted by time spent downstream (rule 4). */
  private end: number;
  /** When the current silence began (shifted by time spent downstream). */
  private base: number;
  private tokenCount = 0;
  private timing = true;
  /** Inside the downstream `next` of an event: the time is downstream's, and so is an event the source emits then (rule 4). */
  private inside = false;
  private armedAt = Infinity;
  /** The action reached its deadline and looks again once the work due at that moment ran (rule 3). */
  private graced = false;
  private action: Subscription | undefined = undefined;

  constructor(
    out: Subscriber<L0Event>,
    private readonly budgets: ResolvedTimeouts,
  ) {
    super(out);
    this.base = budgets.scheduler.now();
    this.end = this.base + budgets.total;
    this.arm(this.deadline());
  }

  next(event: L0Event): void {
    try {
      this.handle(event);
    } catch (thrown) {
      this.raise(thrown);
    }
  }

  private handle(event: L0Event): void {
    if (this.isStopped) return;
    const subscriber = this.out;
    if (!this.timing) return subscriber.next(event);
    switch (event.type) {
      case 'token':
      case 'reasoning':
      case 'tool-call':
      case 'data':
      case 'progress': {
        // the clock is read before the event only for `total`: the time downstream is not the source's
        const { inside } = this;
        const before = this.end === Infinity ? 0 : this.budgets.scheduler.now();
        this.inside = true;
        subscriber.next(event);
        this.inside = inside;
        if (!this.timing || subscriber.closed) return;
        const now = (this.base = this.budgets.scheduler.now());
        this.tokenCount++;
        // A source that never yields starves the scheduled action: `total` is also checked here.
        if (!inside && now > (this.end += now - before)) return this.timeOut(now);
        if (this.tokenCount === 1) {
          const at = this.deadline();
          if (at < this.armedAt || at === Infinity) this.arm(at);
        }
        return;
      }
      case 'complete':
        this.stop();
        return subscriber.next(event);
      default: {
        const { inside } = this;
        const before = this.budgets.scheduler.now();
        this.inside = true;
        subscriber.next(event);
        this.inside = inside;
        const now = this.budgets.scheduler.now();
        if (inside) return; // re-entrant: the outer event counts this time (rule 4)
        // shifted, or restarted now if a content event came from inside the next
        this.base = Math.min(this.base + now - before, now);
        this.end += now - before;
      }
    }
  }

  /**
   * The source read a chunk that produced no event (a tool call's argument fragment, held until the
   * call is whole): it is not silent. The clock restarts in the current phase (see sourceActivity).
   */
  [SOURCE_ACTIVE](): void {
    if (this.isStopped || !this.timing) return;
    const now = (this.base = this.budgets.scheduler.now());
    if (now > this.end) this.timeOut(now);
  }

  override error(err: unknown): void {
    this.stop();
    super.error(err);
  }

  override complete(): void {
    this.stop();
    super.complete();
  }

  /** Disarms the clock and unsubscribes the source. */
  override unsubscribe(): void {
    this.stop();
    super.unsubscribe();
  }

  /** The scheduled action ran: time out, or reschedule for the rest when tokens moved the deadline. */
  fired(action: SchedulerAction<TimeoutWatch>): void {
    const now = this.budgets.scheduler.now();
    const at = this.deadline();
    this.armedAt = at;
    if (at === Infinity) return void (this.action = undefined);
    if (now < at || (now === at && !this.graced)) {
      this.graced = now === at;
      return void (this.action = action.schedule(this, at - now));
    }
    this.action = undefined;
    this.timeOut(now);
  }

  private deadline(): number {
    return Math.min(this.end, this.base + (this.tokenCount === 0 ? this.budgets.initialToken : this.budgets.interToken));
  }

  private arm(at: number): void {
    this.action?.unsubscribe();
    this.armedAt = at;
    this.action = at === Infinity ? undefined : this.budgets.scheduler.schedule(fire, Math.max(0, at - this.budgets.scheduler.now()), this);
  }

  private stop(): void {
    this.timing = false;
    this.arm(Infinity);
  }

  private timeOut(now: number): void {
    const { initialToken, interToken, total } = this.budgets;
    const kind: TimeoutKind = now >= this.end ? 'total' : this.tokenCount === 0 ? 'initial' : 'inter';
    const timeoutMs = kind === 'total' ? total : kind === 'initial' ? initialToken : interToken;
    const elapsedMs = now - (kind === 'total' ? this.end - total : this.base);
    // the source stops (and the clock is disarmed) before the downstream hears of it: a retry may subscribe again at once
    const out = this.out;
    this.unsubscribe();
    out.error(new TokenTimeoutError({ kind, timeoutMs, elapsedMs, tokenCount: this.tokenCount }));
  }
}

/** The work of every deadline action: the watch is its state, so no closure per subscription. */
function fire(this: SchedulerAction<TimeoutWatch>, watch?: TimeoutWatch): void {
  watch!.fired(this);
}

/** {@link WithTimeoutsConfig} with the defaults applied: `Infinity` for a budget that is off. @internal */
export interface ResolvedTimeouts {
  readonly initialToken: number;
  readonly interToken: number;
  readonly total: number;
  readonly scheduler: SchedulerLike;
}

/** Every key of {@link WithTimeoutsConfig}. @internal */
export const WITH_TIMEOUTS_KEYS = /*#__PURE__*/ optionKeys<WithTimeoutsConfig>()(['initialToken', 'interToken', 'total', 'scheduler']);
const ROOT = /*#__PURE__*/ optionPath('withTimeouts');

/**
 * Validates a {@link WithTimeoutsConfig} eagerly. `where` names the bag in messages (the l0 preset
 * passes `l0({timeout})`), and `off` says how to turn a budget off there (in `l0()` a budget left
 * out, or `undefined`, takes the default).
 * @throws TypeError naming the option, for unknown keys, a budget that is not a number > 0, `false`
 * or `Infinity`, or is above 2147483647 ms, or a scheduler that is not a SchedulerLike.
 * @internal
 */
export function resolveWithTimeouts(config: WithTimeoutsConfig, where: OptionPath = ROOT, off = 'false, Infinity or undefined: no limit'): ResolvedTimeouts {
  checkBag(where, config);
  checkKeys(where, config, WITH_TIMEOUTS_KEYS);
  const { scheduler = asyncScheduler } = config;
  if (!isSchedulerLike(scheduler)) throw optionError(where, 'scheduler', 'a SchedulerLike', scheduler);
  return {
    initialToken: budget(where, off, 'initialToken', config.initialToken),
    interToken: budget(where, off, 'interToken', config.interToken),
    total: budget(where, off, 'total', config.total),
    scheduler,
  };
}

/** Validates one budget; `undefined` and `false` become `Infinity` (no limit). */
function budget(where: OptionPath, off: string, option: keyof WithTimeoutsConfig, value: number | false | undefined): number {
  if (value === undefined || value === false || value === Infinity) return Infinity;
  if (typeof value !== 'number' || !(value > 0)) { // (NaN and -Infinity too)
    throw optionError(where, option, `a number of ms > 0 (${off})`, value);
  }
  checkTimerDelay(where, option, value);
  return value;
}
