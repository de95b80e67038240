import { EMPTY, isObservable, type Observable } from 'rxjs';
import type { AttemptText } from '../attempt/attemptText.js';
import type { ContentEvent, L0Event } from '../events/eventTypes.js';
import { checkBag, checkKeys, childPath, describeOption, isPlainRecord, optionError, optionKeys, optionLabel, optionPath } from '../internal/options.js';
import { quiet } from '../internal/isPromiseLike.js';
import { isMeaningful, raceCore, type RaceEntrant, type RaceWinInfo, type WinTest } from './raceCore.js';

/**
 * When a racing source has won. `'first-content'`: its first meaningful content event (a token,
 * reasoning, a tool call or data; `start`, checkpoints, `progress` and a token or reasoning of
 * whitespace only, a leading `" "`, never win, and a source that completes with whitespace only is empty). `{minChars}`:
 * once its current attempt's text is at least that long (a tool call or data still wins at once).
 * A `partial` (structured output) counts only toward the text's length, as a token does.
 * A function: the first content event for which it returns true, given the attempt's text so far
 * (anything but a boolean errors the race with a TypeError naming it, as a throw does).
 */
export type RaceWinCondition = 'first-content' | { readonly minChars: number } | ((event: ContentEvent, text: AttemptText) => boolean);

/** Options of {@link raceModels}. */
export interface RaceModelsConfig {
  /** When a source has won. @default 'first-content' */
  readonly winOn?: RaceWinCondition;
  /** Called once with the winner, before its events are released. A throw errors the race, and so does the rejection of the promise an async one returns, while the race still streams. @default undefined (none) */
  readonly onWin?: (info: RaceWinInfo) => void;
}

export type { RaceWinInfo } from './raceCore.js';

const KEYS = /*#__PURE__*/ optionKeys<RaceModelsConfig>()(['winOn', 'onWin']);
const PATH = /*#__PURE__*/ optionPath('raceModels', 'sources, ');

/**
 * Subscribes every source at once; the first to produce meaningful content wins and streams live,
 * and every other source is unsubscribed at that moment, so its request aborts.
 *
 *   s-----a-x|        source 0 (s start, a/b tokens, x complete)
 *   s--b---c-x|       source 1
 *   ---(sb)c-x|       raceModels([source0, source1])   (source 0 unsubscribed at frame 3)
 *
 * 1. Each source's events are held until it wins, so the consumer never sees a loser's `start`,
 *    retry or checkpoint. RxJS's own `race` would pick the first source listed, because `start` is
 *    emitted synchronously on subscription.
 * 2. The winner's held events are released in order, then it streams live. With a record of
 *    sources, a winner's `start` that has no `model` gets the record key, so the events say who won;
 *    `onWin` also gets the index and name.
 * 3. A source that fails before winning drops out (the others race on); a source that completes
 *    with content before anyone won wins; one that completes empty (or with only reasoning, or only
 *    content its own `retry` or `fallback` retracted) fails with `ZeroOutputError`. A winner that fails later
 *    errors the race with its own error: the others were unsubscribed when it won, so none takes over.
 *    A loser whose teardown throws errors the race with that `UnsubscriptionError`, as rxjs's `race` does.
 * 4. When every source failed: {@link AllStreamsExhaustedError} with every error in input order.
 * 5. No sources: completes at once.
 *
 * Give each source its own `retryWithBackoff` (or a whole `l0()` run) to retry within the race.
 * A `retryWithBackoff` or `fallbackTo` around the race runs it again as one attempt: every source
 * is handed that attempt (its factory's `ctx.attempt`, `fallbackIndex` and checkpoint), so the
 * winner's `start` says which attempt it is; a source with retries or fallbacks of its own
 * numbers them on from there, so the consumer reads one sequence of attempts and streams.
 *
 * @example
 * import { fromStream, raceModels } from 'l0-rx';
 * raceModels({ 'gpt-4o': fromStream(gpt4o), claude: fromStream(claude) }, { winOn: { minChars: 20 } })
 *   .subscribe((e) => console.log(e));
 * @see {@link hedge}
 * @param sources Cold `Observable<L0Event>`s, as an array or a record keyed by model name (a plain object: a `Map`
 *   or a lone Observable is refused with a TypeError, never raced as no sources). Their event type is kept
 *   (racing two `structured()` runs gives their typed `result` events).
 * @param config See {@link RaceModelsConfig}.
 */
export function raceModels<E extends L0Event = L0Event>(
  sources: readonly Observable<E>[] | Readonly<Record<string, Observable<E>>>,
  config: RaceModelsConfig = {},
): Observable<E> {
  const entrants = toEntrants(sources);
  const { wins, onWin } = resolveRaceModels(config);
  if (entrants.length === 0) return EMPTY;
  // the winner's own events, in order (a `start` only gains its `model`): still E
  return raceCore(entrants, { wins, ...(onWin ? { onWin } : {}) }) as Observable<E>;
}

function toEntrants(sources: unknown): RaceEntrant[] {
  const named = !Array.isArray(sources);
  // a Map, a single Observable or a promise has no entries Object.entries reads: refused, never a race of nothing that completes at once
  if (named && !isPlainRecord(sources)) throw new TypeError(`raceModels(sources): sources must be an array or a record of Observables, got ${describeOption(sources)}`);
  // an array's hole is a source too (entries skips it): refused, never a race of the others under shifted indices
  return Object.entries(named ? (sources as object) : [...(sources as unknown[])]).map(([key, source]) => {
    if (!isObservable(source)) throw new TypeError(`raceModels(sources): \`sources[${JSON.stringify(key)}]\` must be an Observable<L0Event>, got ${describeOption(source)}`);
    return named ? { source: source as Observable<L0Event>, name: key } : { source: source as Observable<L0Event> };
  });
}

/** Validates a race config and turns `winOn` into a test. @internal Shared with hedge. */
export function resolveRaceModels(config: RaceModelsConfig, path = PATH): { wins: WinTest; onWin?: (info: RaceWinInfo) => void } {
  checkBag(path, config);
  checkKeys(path, config, KEYS);
  const { winOn = 'first-content', onWin } = config;
  if (onWin !== undefined && typeof onWin !== 'function') throw optionError(path, 'onWin', 'a function', onWin);
  return { wins: winTest(winOn, path), ...(onWin ? { onWin } : {}) };
}

function winTest(winOn: unknown, path: typeof PATH): WinTest {
  if (winOn === 'first-content') return isMeaningful;
  if (typeof winOn === 'function') {
    // undefined (a predicate without `return`) would never win: every source would wait for its completion unseen
    return (e, text) => {
      const won: unknown = (winOn as WinTest)(e, text);
      quiet(won); // its rejection is not unhandled: the TypeError below says what went wrong
      if (typeof won !== 'boolean') throw new TypeError(`${optionLabel(path, 'winOn')} returned ${describeOption(won)}; it must return a boolean`);
      return won;
    };
  }
  if (typeof winOn === 'object' && winOn !== null && !Array.isArray(winOn)) {
    checkKeys(childPath(path, 'winOn'), winOn, ['minChars']);
    const { minChars } = winOn as { minChars?: unknown };
    if (typeof minChars !== 'number' || !Number.isInteger(minChars) || minChars < 1) {
      throw optionError(path, 'winOn', "'first-content', {minChars: n} with an integer n >= 1, or a function", minChars);
    }
    // a `partial` follows a token of the text it parses: it wins by the text's length, never at once
    return (e, text) => (e.type === 'token' || e.type === 'reasoning' || e.type === 'partial' ? text.length >= minChars : isMeaningful(e));
  }
  throw optionError(path, 'winOn', "'first-content', {minChars: n} or a function", winOn);
}
