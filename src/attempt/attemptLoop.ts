/* The resubscribe loop shared by retryWithBackoff and fallbackTo. Internal. */
import type { Observable, Observer, Subscriber, Subscription, Unsubscribable } from 'rxjs';
import { InvalidStreamError } from '../errors/InvalidStreamError.js';
import { asL0Error } from '../errors/classifyL0Error.js';
import { isL0Error } from '../errors/L0Error.js';
import { claimHeldOutput } from '../internal/heldOutput.js';
import type { L0Event, StartEvent } from '../events/eventTypes.js';
import { currentEntrantObserver, withEntrantObserver, type EntrantObserver } from '../internal/entrantObserver.js';
import { isRelayed, peekAttemptContext, subscribeWithHolder, type AttemptContext, type Holder } from './attemptContext.js';

/** A stream to subscribe next, with its context. */
type Queued = [Observable<L0Event>, AttemptContext | undefined];

/**
 * One subscription of an operator that runs a stream, and on its error decides what comes next
 * (another attempt after a wait, another stream, or the end). What it owns:
 *
 * 1. Steps: every stream, wait and veto is a step; only the latest one is kept for teardown. A
 *    synchronous error inside `subscribe` may already have started a later step (a wait or a veto,
 *    which then owns `active`; a later stream is queued until that subscribe returns, so a chain of
 *    streams failing inside their subscribe is a loop, see {@link subscribe}), and the consumer may
 *    leave during a synchronous subscribe (teardown found nothing to cancel yet): both are handled
 *    in {@link run}, and a queued stream is never subscribed once the consumer left. A stream's
 *    subscriber is also a child of the operator's subscriber while it runs, so a synchronous
 *    source whose consumer leaves during its subscribe sees `closed` and stops, as with rxjs's own operators.
 * 2. The latest checkpoint seen on any stream (`checkpoint.content`, `resume.checkpoint`), for
 *    the next attempt's context; a `start` clears it (an attempt that does not resume continues
 *    no checkpoint), so do a `retry` and a `fallback` a stream relays (they retract its text), and
 *    so does a failure whose L0Error `checkpoint` says what is known good (`''` after a completion
 *    check rejected the whole text: the next attempt starts over).
 * 3. Context delivery: a stream is subscribed with its {@link AttemptContext}. When the context
 *    says more than "attempt 1 of the primary" and the stream did not take it during its
 *    synchronous subscribe (a `start` passing while that subscribe runs is checked only when
 *    nothing took it yet), the stream's first `start` must still match it; one that reports
 *    another attempt subscribed its source asynchronously and lost the context: the run fails
 *    with an {@link InvalidStreamError} that says so.
 * 4. Errors: the handler runs guarded; if it throws, the run fails with that, typed, and so it does when a stream's
 *    subscribe throws past rxjs (on a retry's timer too). Nothing hangs.
 * 5. Tracing: the entrant observer a tracer downstream installed when the loop was subscribed
 *    (withOpenTelemetry) is installed again around every stream it subscribes, so a race that a
 *    retry's timer or a later fallback subscribes reports its losers too, as the first one did.
 */
export abstract class AttemptLoop implements Observer<L0Event>, Unsubscribable {
  checkpoint: string | undefined;
  private active: Subscription | undefined = undefined;
  private step = 0;
  private expected: AttemptContext | undefined = undefined;
  /** The current stream's context as handed (set before its subscribe): whether a loop nested in it took it. */
  protected holder: Holder | undefined = undefined;
  /** The tracer's entrant observer at the loop's subscription, for the streams it subscribes later. */
  private readonly observer: EntrantObserver | undefined = currentEntrantObserver();
  /** The stream to subscribe when the running subscribe returns; `null` while one runs with none queued (see {@link subscribe}). */
  private queued: Queued | null | undefined = undefined;

  /**
   * The run its streams' contexts name ({@link Holder.run}): nested in another loop's attempt, that
   * loop's run, read from the context handed (a loop is made before it takes its context), so the
   * whole run is one however many times the outer loop restarts this one; else this loop.
   */
  private readonly runOf: object = peekAttemptContext()?.run ?? this;

  /**
   * The loop is itself the observer of every stream it runs and the teardown its operator returns:
   * one object per subscription, no closures (fan-in keeps one per open stream).
   */
  constructor(
    protected readonly subscriber: Subscriber<L0Event>,
    private readonly who: string,
  ) {}

  /** Decides what follows a stream's error: another attempt, another stream, or the end. A throw ends the run with it, typed. */
  protected abstract failed(err: unknown): void;

  /**
   * Sees each `start` that passes, after the context check of 3, of a stream whose context a retry
   * or fallback loop nested in it took (an `l0()` run raced in the attempt), from its synchronous
   * subscribe on: never one another run numbered (a server's run relayed by `fromServerSentEvents`,
   * a replayed log).
   */
  protected started(_e: StartEvent): void {}

  next(e: L0Event): void {
    switch (e.type) {
      case 'checkpoint':
        this.checkpoint = e.content;
        break;
      case 'resume':
        this.checkpoint = e.checkpoint;
        break;
      case 'start':
        if (this.expected && !this.matches(e)) return;
        if (this.holder?.nested && !isRelayed(e)) this.started(e);
      // falls through: a `retry` or `fallback` the stream relays retracts its text, the checkpoint's too (a resume after it sets it again)
      case 'retry':
      case 'fallback':
        this.checkpoint = undefined;
    }
    this.subscriber.next(e);
  }

  error(err: unknown): void {
    claimHeldOutput(err, this.holder?.ctx); // output its attempt cut before the check that failed it (see holding): its retry or fallback event carries it on
    const known = isL0Error(err) ? err.checkpoint : undefined;
    if (known !== undefined) this.checkpoint = known === '' ? undefined : known;
    try {
      this.failed(err);
    } catch (thrown) {
      this.step++;
      this.subscriber.error(asL0Error(thrown));
    }
  }

  complete(): void {
    this.subscriber.complete();
  }

  /**
   * Subscribes `source` as the next stream. Called while a stream's subscribe still runs (it failed
   * inside it: `throwError`, a factory that throws), it only queues it, and the running call
   * subscribes it once that subscribe has returned: a thousand such streams are a loop, never a
   * recursion. A throw out of its subscribe ends the run, typed (see 4).
   */
  subscribe(source: Observable<L0Event>, ctx?: AttemptContext): void {
    const idle = this.queued === undefined;
    this.queued = [source, ctx];
    if (!idle) return;
    for (let q: Queued | null | undefined = this.queued; q && !this.subscriber.closed; q = this.queued) {
      this.queued = null;
      try {
        this.subscribeNow(...q);
      } catch (thrown) {
        // a throw past rxjs (an Observable subclass's own subscribe, an unsubscribed Subject's) ends the run, typed, as a
        // handler's does, the work it started torn down: subscribed on a retry's timer, it reached the scheduler (the run hung)
        this.step++;
        this.subscriber.error(asL0Error(thrown));
      }
    }
    this.queued = undefined;
  }

  private subscribeNow(source: Observable<L0Event>, ctx?: AttemptContext): void {
    const expected = ctx && (ctx.attempt > 1 || ctx.fallbackIndex > 0 || ctx.checkpoint) ? ctx : undefined;
    this.expected = expected;
    // set first: a nested loop's start may pass during the subscribe (its primary failed inside it, its fallback started)
    const holder = (this.holder = ctx && { ctx, taken: false, run: this.runOf });
    this.run(() => {
      const { subscription, taken } = withEntrantObserver(this.observer, () => subscribeWithHolder(source, this, holder, this.subscriber));
      // a `start` that passed during the subscribe may have checked (and cleared) it already
      if (taken && this.expected === expected) this.expected = undefined;
      return subscription;
    });
  }

  /** Starts a step (a wait, a veto, a stream) and keeps its subscription for teardown. */
  run(begin: () => Subscription): void {
    const mine = ++this.step;
    const sub = begin();
    if (this.subscriber.closed) sub.unsubscribe();
    else if (this.step === mine) this.active = sub;
  }

  /** The operator's teardown: ends the current step. */
  unsubscribe(): void {
    this.active?.unsubscribe();
  }

  /** Checks the first `start` of a stream that did not take its context synchronously. */
  private matches(e: StartEvent): boolean {
    const ctx = this.expected!;
    this.expected = undefined;
    // taken during the subscribe still running: by the source, or by a loop nested in it whose primary failed before any start
    if (this.holder?.taken || (e.attempt === ctx.attempt && e.fallbackIndex === ctx.fallbackIndex)) return true;
    this.step++;
    this.active?.unsubscribe();
    this.subscriber.error(new InvalidStreamError(
      `${this.who}: handed attempt ${ctx.attempt} of stream ${ctx.fallbackIndex} to its source, but the source's ` +
        `first \`start\` reports attempt ${e.attempt} of stream ${e.fallbackIndex}. The source subscribed ` +
        'fromStream/fromAttempt after an asynchronous step (subscribeOn, a delayed subscription, a switchMap ' +
        'over a promise...), so the attempt context and its checkpoint were lost. Keep only synchronous ' +
        'operators between the source and the operators that retry or fall back; do asynchronous work inside the factory.',
    ));
    return false;
  }
}
