import { asyncScheduler, isObservable, type Observable, type SchedulerLike } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { checkBag, checkKeys, describeOption, isSchedulerLike, optionError, optionKeys, optionPath } from '../internal/options.js';
import { checkTimerDelay } from '../internal/timerDelay.js';
import { raceCore, type RaceEntrant, type RaceWinInfo } from './raceCore.js';
import { resolveRaceModels, type RaceWinCondition } from './raceModels.js';

/** Options of {@link hedge}. */
export interface HedgeConfig {
  /** How long the primary may go without a win (meaningful content, or what `winOn` asks for) before a backup is subscribed, in ms (> 0, at most 2147483647). Required. */
  readonly delay: number;
  /**
   * How many backups at most, each `delay` after the previous one: a whole number from 1. Not
   * `Infinity` (unlike `parallel`'s `concurrency`, which only paces a finite list): each hedge is
   * one more request of `backup`, and one starts at once when every started entrant failed, so no
   * bound would be requests without end, never `AllStreamsExhaustedError`. @default 1
   */
  readonly maxHedges?: number;
  /** When an entrant has won, as in `raceModels` (a tool call always wins at once). @default 'first-content' */
  readonly winOn?: RaceWinCondition;
  /** Called with the winner (index 0 the primary, k the k-th backup) before its events are released; a throw (or an async one's rejection while the race streams) errors the race. @default undefined */
  readonly onWin?: (info: RaceWinInfo) => void;
  /** Time source for `delay`. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

const KEYS = /*#__PURE__*/ optionKeys<HedgeConfig>()(['delay', 'maxHedges', 'winOn', 'onWin', 'scheduler']);
const PATH = /*#__PURE__*/ optionPath('hedge', 'backup, ');

/**
 * Subscribes `backup` only when the source has produced no meaningful content after `delay`;
 * then the first to produce content wins and the other is unsubscribed (its request aborts).
 *
 *   s--------a-x|     source (the primary; s start, a/b tokens, x complete)
 *       s-b---x|      backup, subscribed at frame 4 (delay: 4)
 *   ------(sb)x|      hedge(backup, { delay: 4 })   (the primary unsubscribed at frame 6)
 *
 * 1. The primary is subscribed at once. Its events are held until it produces meaningful content
 *    (a token, reasoning, a tool call or data); if that comes before `delay`, no backup is ever
 *    subscribed and the primary's events flow on live.
 * 2. At `delay` without content, the backup is subscribed (a fresh subscription of the cold
 *    `backup`, so a new request); with `maxHedges > 1`, another after each further `delay`.
 *    Content that comes at the delay itself is in time: no backup (as a `parallel` run that ends
 *    at its deadline succeeds), whichever timer was armed first.
 * 3. The first entrant to produce content wins exactly as in {@link raceModels}; a tool call
 *    always wins at once, so no hedge ever starts after a tool call (no tool runs twice).
 * 4. When every started entrant has failed, the next backup starts at once instead of waiting;
 *    when all have failed: {@link AllStreamsExhaustedError} with their errors in order.
 * 5. Inside a `retryWithBackoff` or `fallbackTo`, the primary and every backup are handed the
 *    attempt being made (a backup its timer subscribes included), as in {@link raceModels}.
 *
 * @example
 * import { fromStream, hedge, type StreamFactory } from 'l0-rx';
 * declare const gpt4oOtherRegion: StreamFactory;
 * fromStream(gpt4o).pipe(hedge(fromStream(gpt4oOtherRegion), { delay: 1_500 }));
 * @see {@link raceModels}
 * @param backup The cold stream to subscribe as a hedge; its event type (and the primary's) is kept.
 * @param config See {@link HedgeConfig}.
 */
export function hedge<B extends L0Event = L0Event>(backup: Observable<B>, config: HedgeConfig): <E extends L0Event>(source: Observable<E>) => Observable<E | B> {
  if (!isObservable(backup)) throw new TypeError(`hedge(backup, config): backup must be an Observable<L0Event>, got ${describeOption(backup)}`);
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { delay, maxHedges = 1, winOn, onWin, scheduler = asyncScheduler } = config;
  if (typeof delay !== 'number' || !Number.isFinite(delay) || delay <= 0) throw optionError(PATH, 'delay', 'a finite number of ms > 0', delay);
  checkTimerDelay(PATH, 'delay', delay);
  // no Infinity (see HedgeConfig): every hedge is a request, and a failed one is replaced at once
  if (!Number.isInteger(maxHedges) || maxHedges < 1) throw optionError(PATH, 'maxHedges', `an integer >= 1${maxHedges === Infinity ? ' (a bound on the requests of `backup`: no limit would replace failed ones without end)' : ''}`, maxHedges);
  if (!isSchedulerLike(scheduler)) throw optionError(PATH, 'scheduler', 'a SchedulerLike', scheduler);
  const race = resolveRaceModels({ ...(winOn === undefined ? {} : { winOn }), ...(onWin === undefined ? {} : { onWin }) }, PATH);
  const wins = race.wins;
  const backups: RaceEntrant[] = Array.from({ length: maxHedges }, () => ({ source: backup }));
  return <E extends L0Event>(primary: Observable<E>): Observable<E | B> =>
    raceCore([{ source: primary }, ...backups], {
      wins: (e, text) => e.type === 'tool-call' || wins(e, text),
      ...(race.onWin ? { onWin: race.onWin } : {}),
      stagger: { delay, scheduler },
    }) as Observable<E | B>; // the winner's own events: E from the primary, B from a backup
}
