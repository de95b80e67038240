import { filter, type OperatorFunction } from 'rxjs';
import { L0_EVENT_TYPES, type L0Event, type L0EventType } from './eventTypes.js';
import { describeOption } from '../internal/options.js';

/**
 * Keeps only events of the given types, typed accordingly (on a structured run, `result` keeps
 * the schema's output type).
 *
 *   -s-a-r-b-c|      events (s start, r retry, a/b tokens, c complete)
 *   ---a---b--|      ofType('token')
 *
 * @example
 * import { ofType } from 'l0-rx';
 * events$.pipe(ofType('token')).subscribe((t) => process.stdout.write(t.value));
 * @param types The event types to keep.
 * @throws TypeError naming a type that is not one of {@link L0_EVENT_TYPES} (`'tokens'`, an array of
 * types), or for no types at all: no event has it, so every event would be dropped without a word.
 */
export function ofType<K extends L0EventType, E extends L0Event = L0Event>(...types: readonly K[]): OperatorFunction<E, Extract<E, { type: K }>> {
  if (types.length === 0) throw new TypeError('ofType: `types` must list at least one of L0_EVENT_TYPES, got none');
  types.forEach((t, i) => {
    if (!L0_EVENT_TYPES.includes(t)) throw new TypeError(`ofType: \`types[${i}]\` must be one of L0_EVENT_TYPES, got ${describeOption(t)}`);
  });
  const keep = new Set<string>(types);
  return filter((e: E): e is Extract<E, { type: K }> => keep.has(e.type));
}
