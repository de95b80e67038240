/*
 * The shared mechanics of `raceModels` and `hedge`: hold each entrant's events until it produces
 * meaningful content, then stream the winner live and unsubscribe every other entrant at once.
 * Internal: never re-exported from an entry point.
 */
import { Observable, Subscription, UnsubscriptionError, type SchedulerLike } from 'rxjs';
import { AttemptText, attemptTextChange } from '../attempt/attemptText.js';
import { peekAttemptContext, relayedLike, subscribeWithHolder, type Holder } from '../attempt/attemptContext.js';
import { AllStreamsExhaustedError } from '../errors/AllStreamsExhaustedError.js';
import { ZeroOutputError } from '../errors/ZeroOutputError.js';
import type { ContentEvent, L0Event } from '../events/eventTypes.js';
import { isContentEvent } from '../events/eventTypes.js';
import { currentEntrantObserver, withEntrantObserver, type EntrantOutcome, type EntrantTrace } from '../internal/entrantObserver.js';
import { quiet } from '../internal/isPromiseLike.js';
import { atDeadline } from '../internal/deadline.js';
import { onNextAttempt, refusedAfter } from '../internal/refusedAttempt.js';

/**
 * Each entrant's run inside the run that handed the race its context: one object per run and
 * entrant index, so a loop or `budget()` inside entrant i counts over the run's attempts (the race
 * subscribed again by each) that lane's requests only, never a sibling's (one source raced twice:
 * a hedge of the same request).
 */
const entrantRuns = /*#__PURE__*/ new WeakMap<object, object[]>();
function laneOf(run: object | undefined, i: number): object | undefined {
  if (run === undefined) return undefined;
  let of = entrantRuns.get(run);
  if (!of) entrantRuns.set(run, (of = []));
  return (of[i] ??= {});
}

/** Decides whether an entrant has won: sees each content event and the entrant's current attempt text. */
export type WinTest = (event: ContentEvent, text: AttemptText) => boolean;

/** Who won a race. */
export interface RaceWinInfo {
  /** The winner's position among the entrants (for `hedge`: 0 the primary, 1.. the backups). */
  readonly index: number;
  /** The entrant's name: its key when `raceModels` was given a record, else its `start.model`, if any. */
  readonly name: string | undefined;
}

/** One entrant: a cold stream, an optional name, and when to subscribe it (relative to the race's subscription). */
export interface RaceEntrant {
  readonly source: Observable<L0Event>;
  readonly name?: string;
}

export interface RaceCoreConfig {
  readonly wins: WinTest;
  readonly onWin?: (info: RaceWinInfo) => void;
  /** `hedge`: entrant k > 0 is subscribed `delay` after entrant k - 1, or at once when every started one failed. */
  readonly stagger?: { readonly delay: number; readonly scheduler: SchedulerLike };
}

/**
 * A meaningful content event: output, as opposed to `progress`, a bare `complete`, or a token or
 * reasoning delta of whitespace only (a leading `" "` or `"\n"` is no answer yet: a model that sent it
 * may say nothing more, and `consensus` and `detectZeroOutput` count it as no output too).
 */
export function isMeaningful(event: L0Event): boolean {
  return isContentEvent(event) && event.type !== 'progress' && event.type !== 'complete' &&
    ((event.type !== 'token' && event.type !== 'reasoning') || /\S/.test(event.value));
}

/**
 * Runs the race. Per subscription:
 * 1. Entrants are subscribed in order (all at once, or staggered). Each one's events are held,
 *    and its attempt text kept, until `wins(event, text)` says yes for one of its content events.
 * 2. The first to win: every other entrant is unsubscribed at once (their requests abort) and
 *    pending staggered subscriptions are cancelled; `onWin` is called; the held events are
 *    released in order and the winner streams live after them (a missing `start.model` filled from
 *    the entrant's `name`, its record key, never from another start: its later retries' included),
 *    its completion or error ending the race. What it sends while they are released (a consumer's
 *    `next` may make it emit), its end included, queues behind them.
 *    A tracer that installed an entrant observer (withOpenTelemetry) sees every entrant's events
 *    live and how each ended, losers included (when the race errors on its own, `onWin` or the
 *    win test throwing, the entrants still open end as cancelled first); entrants are subscribed without it (no nesting).
 * 3. An entrant that completes before winning wins at its completion if its current attempt
 *    produced meaningful content (a short answer is an answer; content a `retry` or `fallback`
 *    retracted is none, and so is reasoning alone), else it fails with {@link ZeroOutputError}.
 * 4. When every entrant has failed: {@link AllStreamsExhaustedError} with their errors in input order.
 * 5. The {@link AttemptContext} a `retryWithBackoff` or `fallbackTo` around the race hands down
 *    is handed to every entrant, a staggered one included: each is a request of that attempt, so
 *    the winner's `start` says which attempt of the run it is. When no entrant subscribed at once
 *    took it (each subscribes its `fromStream` after an asynchronous step), it stays untaken, and
 *    the loop that handed it checks the winner's first `start` (an `InvalidStreamError` when the
 *    context was lost), as for any source. An entrant with a retry or fallback loop of its own
 *    takes it and numbers its attempts and streams on from it (see `retryWithBackoff`,
 *    `fallbackTo`); when it wins, the loop around the race numbers on from its `start`s.
 */
export function raceCore(entrants: readonly RaceEntrant[], config: RaceCoreConfig): Observable<L0Event> {
  const { wins, onWin, stagger } = config;
  return new Observable<L0Event>((subscriber) => {
    // read before any entrant's subscribe could take it: every entrant is a request of this attempt
    const outer = peekAttemptContext();
    const ctx = outer?.ctx;
    const n = entrants.length;
    const subs: (Subscription | undefined)[] = new Array(n);
    const held: L0Event[][] = entrants.map(() => []);
    const texts = entrants.map(() => new AttemptText());
    const meaningful: boolean[] = new Array(n).fill(false);
    const errors: unknown[] = new Array(n);
    /** The context as handed to each entrant, with whether a loop of its own took it. */
    const holders: (Holder | undefined)[] = new Array(n);
    let failed = 0;
    let started = 0;
    let winner = -1;
    /** The winner's end, when it came while its held events were being released: run after them. */
    let after: (() => void) | undefined;
    const end = (f: () => void): void => (held[winner]!.length ? void (after = f) : f());
    /**
     * A `start` without a `model` gets the winner's `name` (its record key): the held ones and those of its later retries
     * (a relayed one stays relayed). Never another start's model: a fallback's start would be mislabelled.
     */
    const named = (e: L0Event, name = entrants[winner]!.name): L0Event => (e.type === 'start' && e.model === undefined && name !== undefined ? relayedLike(e, { ...e, model: name }) : e);
    // the retry loop around the race asks, as this attempt fails, whether the next is refused: it is when a budget() in every
    // entrant refuses its lane with an error (the race would fail so, no request sent), and the run ends then, not after the wait
    // (an entrant not started in this attempt, a hedge's backup, has no holder: nothing refuses it)
    if (outer) {
      onNextAttempt(outer, () => {
        const refused = [...holders].map(refusedAfter);
        return refused.every((r) => r instanceof Error) && new AllStreamsExhaustedError(refused);
      });
    }
    let timer: Subscription | undefined;
    const observer = currentEntrantObserver();
    const lanes: (EntrantTrace | undefined)[] = new Array(n);
    const endLane = (i: number, outcome: EntrantOutcome, err?: unknown): void => {
      const lane = lanes[i];
      lanes[i] = undefined;
      lane?.end(outcome, err);
    };

    /** The race's own error (a callback's): the open entrants end as stopped first, so a tracer ends their spans before the run's. */
    const stop = (err: unknown): void => {
      if (subscriber.closed) return;
      for (let j = 0; j < n; j++) endLane(j, 'cancelled');
      subscriber.error(err);
    };

    const win = (i: number): void => {
      winner = i;
      // the winner's own retry or fallback loop took the context: the loop around the race numbers on from its starts
      // (taken: it may win inside its subscribe, a `start` of a later stream first)
      if (holders[i]?.nested) outer!.nested = outer!.taken = true;
      timer?.unsubscribe();
      const losers = new Subscription();
      subs.forEach((s, j) => j === i || (endLane(j, 'lost'), losers.add(s)));
      // the winner's stay held while they are released: an event it sends meanwhile (a consumer's next that makes it
      // emit) queues behind them, and so does its end, never overtaking them
      const events = held[i]!;
      for (let j = 0; j < n; j++) if (j !== i) held[j] = [];
      const name = entrants[i]!.name ?? modelOf(events);
      try {
        // every loser, even past one whose teardown throws: that error (an UnsubscriptionError) errors the race, as in
        // rxjs's race (it failed as the winner's error, queued behind its held events: the race hung, a loser still open)
        losers.unsubscribe();
        // an async onWin: its rejection errors the race as a throw does (nothing to error once the race has ended), never left unhandled
        quiet(onWin?.({ index: i, name }), stop);
      } catch (err) {
        stop(err);
        return;
      }
      for (const e of events) {
        if (subscriber.closed) return;
        subscriber.next(named(e));
      }
      held[i] = [];
      after?.();
    };

    const fail = (i: number, err: unknown): void => {
      errors[i] = err;
      held[i] = [];
      failed++;
      if (failed < started) return;
      if (started < n) return launch();
      subscriber.error(new AllStreamsExhaustedError(errors));
    };

    // an entrant that fails inside its subscribe has the next one subscribed when that returns: a loop, never a recursion
    let launching = false;
    let again = false;
    const launch = (): void => {
      again = true;
      if (launching) return;
      launching = true;
      while (again && started < n && winner === -1 && !subscriber.closed) {
        again = !stagger;
        launchNext();
      }
      launching = false;
    };

    /**
     * Subscribes the next entrant. A teardown of its that throws, run as its subscribe returns (it ended, or the race
     * did, meanwhile) or as it is unsubscribed there (another entrant won meanwhile), errors the race as a loser's does in
     * `win`: never the caller, the stagger timer's action (the scheduler) or an entrant's error handler. A throw out of
     * its subscribe while it is open (one rxjs lets through: an unsubscribed Subject's) is its failure, after a win too
     * (see subscribeNext).
     */
    const launchNext = (): void => {
      try {
        subscribeNext();
      } catch (err) {
        stop(err instanceof UnsubscriptionError ? err : new UnsubscriptionError([err]));
      }
    };

    const subscribeNext = (): void => {
      timer?.unsubscribe();
      timer = undefined;
      const i = started++;
      if (observer) lanes[i] = observer.entrant(i, entrants[i]!.name);
      // the entrant's subscriber is the consumer's child: a synchronous entrant stops as soon as the consumer leaves
      // made first: an entrant may win during its subscribe, with a start its own loop numbered
      const holder = (holders[i] = ctx && { ctx, taken: false, run: laneOf(outer!.run, i) });
      /** It ended (failed, or completed): a throw out of its subscribe is then its teardown's. */
      let ended = false;
      const entrant = {
        next: (e: L0Event) => {
          lanes[i]?.next(e);
          if (winner === i) return held[i]!.length ? void held[i]!.push(e) : subscriber.next(named(e));
          if (winner !== -1) return;
          held[i]!.push(e);
          texts[i]!.observe(e);
          // content a retry or fallback retracted is no answer: only the current attempt's counts
          const change = attemptTextChange(e);
          if (change === 'reset') meaningful[i] = false;
          else if (change === 'resume') meaningful[i] = e.type === 'resume' && e.checkpoint !== '';
          // reasoning alone is no answer to win with at the completion (detectZeroOutput's rule): it wins only through `wins`
          if (e.type !== 'reasoning' && isMeaningful(e)) meaningful[i] = true;
          if (!isContentEvent(e)) return;
          let won: boolean;
          try {
            won = wins(e, texts[i]!);
          } catch (err) {
            // a throwing `winOn` errors the race (the teardown unsubscribes every entrant), as `onWin` does
            return stop(err);
          }
          if (won) win(i);
        },
        error: (err: unknown) => {
          ended = true;
          endLane(i, 'failed', err);
          if (winner === i) end(() => subscriber.error(err));
          else if (winner === -1) fail(i, err);
        },
        complete: () => {
          ended = true;
          if (winner === -1 && meaningful[i]) win(i);
          if (winner === i) return end(() => (endLane(i, 'won'), subscriber.complete()));
          if (winner !== -1) return;
          const err = new ZeroOutputError({ content: texts[i]!.text });
          endLane(i, 'failed', err);
          fail(i, err);
        },
      };
      let sub: Subscription | undefined;
      let taken = false;
      // its subscriber's parent, the race's child (every entrant torn down with the race, a throwing teardown's error collected as
      // rxjs does): what a subscribe that throws started on the subscriber it was given is torn down at once through it
      const own = new Subscription();
      subscriber.add(own);
      try {
        ({ subscription: sub, taken } = withEntrantObserver(undefined, () => subscribeWithHolder(entrants[i]!.source, entrant, holder, own)));
      } catch (err) {
        // once it (or the race) had ended, its teardown threw: launchNext errors the race with the throw. Still open, its subscribe
        // threw past rxjs (an unsubscribed Subject's, an Observable subclass's own subscribe): its failure, as any other, also
        // once it made another entrant win (a loser's, unseen: the winner streams on; it was an UnsubscriptionError ending the race),
        // its work aborted first (a teardown that throws then errors the race, as a loser's does)
        if (subscriber.closed || ended) throw err;
        own.unsubscribe();
        entrant.error(err);
      }
      if (taken) outer!.taken = true;
      if (subscriber.closed || (winner !== -1 && winner !== i)) {
        endLane(i, 'lost');
        sub?.unsubscribe();
      } else {
        subs[i] = sub;
        // not when the race ended during this subscribe (a throwing winOn): no request after the end
        if (winner === -1 && stagger && started < n && started === i + 1 && !again) {
          // after whatever else is due at that instant: content that comes at the delay itself is in time (no backup request)
          timer = atDeadline(stagger.delay, stagger.scheduler, () => {
            if (winner === -1 && started === i + 1) launchNext();
          });
        }
      }
    };

    launch();

    return () => {
      timer?.unsubscribe();
      for (let j = 0; j < n; j++) endLane(j, 'cancelled');
      subs.forEach((s) => s?.unsubscribe());
      for (let j = 0; j < n; j++) held[j] = [];
    };
  });
}

function modelOf(events: readonly L0Event[]): string | undefined {
  for (const e of events) if (e.type === 'start' && e.model !== undefined) return e.model;
  return undefined;
}
