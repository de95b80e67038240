import { isObservable, Observable, type Subscriber } from 'rxjs';
import type { L0Event, StartEvent } from '../events/eventTypes.js';
import { FIRST_ATTEMPT, takeAttemptContext, type AttemptContext } from './attemptContext.js';
import { Relay } from '../internal/relay.js';
import { checkBag, checkKeys, describeOption, optionError, optionKeys, optionPath, type OptionPath } from '../internal/options.js';
import { describeValue, InvalidStreamError } from '../errors/InvalidStreamError.js';

/** Options of {@link fromAttempt} (and of `fromStream`). */
export interface FromAttemptConfig {
  /**
   * A name for this source, reported as `start.model` on every attempt, so a consumer of events
   * merged from several models can tell them apart. @default undefined (no `model` field)
   */
  readonly model?: string;
}

const FROM_ATTEMPT_KEYS = /*#__PURE__*/ optionKeys<FromAttemptConfig>()(['model']);
const ROOT = /*#__PURE__*/ optionPath('fromAttempt', 'body, ');

/**
 * Makes a cold `Observable<L0Event>` whose body sees which attempt it is: the building block for
 * sources composed by hand. On each subscription it takes the {@link AttemptContext} that
 * `retryWithBackoff` / `fallbackTo` hand down (attempt 1 of the primary without one), emits
 * `start` (and `resume{checkpoint}` when the context carries one), then subscribes `body(ctx)`.
 *
 *   s-a-b-|        fromAttempt(() => tokens$)   (s start{attempt: 1}, a/b the body's events)
 *   s-r-c-|        the same on a resumed retry   (s start{attempt: 2}, r resume{checkpoint})
 *
 * 1. The context must be taken synchronously: put `fromAttempt` (or `fromStream`) directly under
 *    the resubscribing operators, with only synchronous operators between (`map`, `filter`, `tap`,
 *    this package's operators, a `defer` that returns at once). An asynchronous step in between
 *    (`subscribeOn`, `delay`ed subscription, a `switchMap` over a promise) would lose it; the
 *    operator that handed it then fails the run with an `InvalidStreamError` that says so, rather
 *    than let every retry report `attempt: 1`. Do asynchronous work inside `body` instead.
 * 2. The body's own `start` events are dropped: `fromAttempt` owns the attempt's `start`.
 * 3. A body that throws errors the stream with what it threw; one that returns anything but an
 *    Observable errors it with an {@link InvalidStreamError} naming the value (never retried).
 *
 * @example
 * import type { Observable } from 'rxjs';
 * import { fromAttempt, retryWithBackoff, type L0Event } from 'l0-rx';
 * declare function myTokens$(attempt: number, checkpoint: string | undefined): Observable<L0Event>;
 * const events$ = fromAttempt((ctx) => myTokens$(ctx.attempt, ctx.checkpoint), { model: 'local' })
 *   .pipe(retryWithBackoff());
 * @see {@link AttemptContext} {@link retryWithBackoff} {@link fallbackTo}
 * @param body Returns the attempt's events (without `start`); called once per subscription.
 * @param config See {@link FromAttemptConfig}.
 */
export function fromAttempt(
  body: (ctx: AttemptContext) => Observable<L0Event>,
  config: FromAttemptConfig = {},
): Observable<L0Event> {
  if (typeof body !== 'function') throw new TypeError(`fromAttempt(body) must be a function (ctx) => Observable<L0Event>, got ${describeOption(body)}`);
  checkBag(ROOT, config);
  checkKeys(ROOT, config, FROM_ATTEMPT_KEYS);
  const model = checkModel(ROOT, config);
  return new Observable<L0Event>((subscriber) => {
    const ctx = openAttempt(subscriber, model);
    if (subscriber.closed) return;
    const events = body(ctx);
    // a programming error, not a failed attempt: never retried (fromStream's unknown input is the same)
    if (!isObservable(events)) throw new InvalidStreamError(`fromAttempt: \`body\` must return an Observable<L0Event>, got ${describeValue(events)}`);
    return events.subscribe(new BodyEvents(subscriber));
  });
}

/** The body's subscriber: passes its events on without their own `start` (the attempt's is ours). */
class BodyEvents extends Relay<L0Event> {
  next(e: L0Event): void {
    try {
      this.handle(e);
    } catch (thrown) {
      this.raise(thrown);
    }
  }

  private handle(e: L0Event): void {
    if (!this.isStopped && e.type !== 'start') this.out.next(e);
  }
}

/**
 * Takes the attempt context and emits the attempt's `start` (and `resume`). Returns the context.
 * `resume: false` (l0() with continuation off): the attempt starts over, without the checkpoint its
 * loop hands it (one a relayed run's `checkpoint` events left there).
 * @internal Shared by fromAttempt and fromStream.
 */
export function openAttempt(subscriber: Subscriber<L0Event>, model: string | undefined, resume = true): AttemptContext {
  const ctx = takeAttemptContext() ?? FIRST_ATTEMPT;
  const { attempt, fallbackIndex, checkpoint } = ctx;
  const start: StartEvent = model === undefined
    ? { type: 'start', attempt, fallbackIndex, isRetry: attempt > 1, isFallback: fallbackIndex > 0 }
    : { type: 'start', attempt, fallbackIndex, isRetry: attempt > 1, isFallback: fallbackIndex > 0, model };
  subscriber.next(start);
  if (!resume) return { attempt, fallbackIndex };
  if (typeof checkpoint === 'string' && checkpoint !== '') subscriber.next({ type: 'resume', checkpoint });
  return ctx;
}

/** Validates the `model` option of a config already checked to be an object. @internal */
export function checkModel(where: OptionPath, config: FromAttemptConfig): string | undefined {
  const { model } = config;
  if (model !== undefined && (typeof model !== 'string' || model === '')) throw optionError(where, 'model', 'a non-empty string', model);
  return model;
}
