import { from, last, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { accumulate, type L0Event, type L0EventType, type L0State } from 'l0-rx';
import { testScheduler } from './testScheduler.js';

/** What {@link runScenario} does besides subscribing. Frames are virtual ms (run mode). */
export interface ScenarioOptions {
  /** Unsubscribe from the run at this frame. */
  readonly unsubscribeAt?: number;
  /** Called right after `unsubscribeAt`'s unsubscribe, still at that frame (to inspect leftovers). */
  readonly afterUnsubscribe?: (scheduler: TestScheduler) => void;
  /** Arbitrary actions at frames, e.g. `[[50, () => controller.abort()]]`. */
  readonly at?: readonly (readonly [frame: number, action: () => void])[];
  /** Called for every event as it is delivered (e.g. to abort after the 5th token). */
  readonly onEvent?: (event: L0Event, frame: number, result: ScenarioResult) => void;
}

/** Everything a run produced, with the virtual frame of each notification. */
export interface ScenarioResult {
  /** `[frame, event]` in delivery order. */
  readonly timeline: [number, L0Event][];
  /** The events alone. */
  readonly events: L0Event[];
  error: unknown;
  errorFrame: number | undefined;
  completeFrame: number | undefined;
  /** The scheduler the run used (inspect `actions` after the run). */
  readonly scheduler: TestScheduler;
}

/**
 * Runs `build()` under a fresh TestScheduler in run mode (so asyncScheduler, and with it every
 * default timer of l0(), fakeModel and the operators, is virtual), subscribes, records every
 * notification with its frame, performs the scheduled actions, then flushes.
 *
 * `build` is called inside run mode, so sources built there use virtual time.
 */
export function runScenario(build: (scheduler: TestScheduler) => Observable<L0Event>, options: ScenarioOptions = {}): ScenarioResult {
  const scheduler = testScheduler();
  const result: ScenarioResult = {
    timeline: [], events: [], error: undefined, errorFrame: undefined, completeFrame: undefined, scheduler,
  };
  scheduler.run(() => {
    const source = build(scheduler);
    const subscription = source.subscribe({
      next: (event) => {
        result.timeline.push([scheduler.now(), event]);
        result.events.push(event);
        options.onEvent?.(event, scheduler.now(), result);
      },
      error: (e: unknown) => {
        result.error = e;
        result.errorFrame = scheduler.now();
      },
      complete: () => (result.completeFrame = scheduler.now()),
    });
    for (const [frame, action] of options.at ?? []) scheduler.schedule(action, frame);
    if (options.unsubscribeAt !== undefined) {
      scheduler.schedule(() => {
        subscription.unsubscribe();
        options.afterUnsubscribe?.(scheduler);
      }, options.unsubscribeAt);
    }
    scheduler.flush();
  });
  return result;
}

/** The event types, in order. */
export const typesOf = (events: readonly L0Event[]): L0EventType[] => events.map((e) => e.type);

/** The types that are in `keep`, in order: an ordering check on a subsequence. */
export const subsequence = (events: readonly L0Event[], keep: readonly L0EventType[]): L0EventType[] =>
  typesOf(events).filter((t) => keep.includes(t));

/** The text of the token events, in order (what a consumer that ignores control events would see). */
export const tokenText = (events: readonly L0Event[]): string =>
  events.map((e) => (e.type === 'token' ? e.value : '')).join('');

/** The last `accumulate()` state of the recorded events (a failed run's events fold the same way). */
export function finalState(events: readonly L0Event[]): L0State {
  let state: L0State | undefined;
  from(events).pipe(accumulate(), last()).subscribe((s) => (state = s));
  if (!state) throw new Error('finalState: no events were recorded');
  return state;
}

/** The frame of the first event matching `predicate`, or undefined. */
export function frameOf(result: ScenarioResult, predicate: (e: L0Event) => boolean): number | undefined {
  return result.timeline.find(([, e]) => predicate(e))?.[0];
}

/** The frames at which each event of `type` arrived. */
export function framesOf(result: ScenarioResult, type: L0EventType): number[] {
  return result.timeline.filter(([, e]) => e.type === type).map(([f]) => f);
}
