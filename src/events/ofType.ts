import { filter, type OperatorFunction } from 'rxjs';
import type { L0Event, L0EventType } from './eventTypes.js';

/**
 * Keeps only events of the given types, typed accordingly (on a structured run, `result` keeps
 * the schema's output type).
 *
 *   -s-a-r-b-c|      events (s start, r retry, a/b token)
 *   ---a---b--|      ofType('token')
 *
 * @example
 * import { ofType } from 'l0-rx';
 * events$.pipe(ofType('token')).subscribe((t) => process.stdout.write(t.value));
 * @param types The event types to keep.
 */
export function ofType<K extends L0EventType, E extends L0Event = L0Event>(...types: readonly K[]): OperatorFunction<E, Extract<E, { type: K }>> {
  const keep = new Set<string>(types);
  return filter((e: E): e is Extract<E, { type: K }> => keep.has(e.type));
}
