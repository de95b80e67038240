import { filter, type OperatorFunction } from 'rxjs';
import type { L0Event, L0EventOf, L0EventType } from './eventTypes.js';

/**
 * Keeps only events of the given types, typed accordingly.
 *
 *   -s-a-r-b-c|      events (s start, r retry, a/b token)
 *   ---a---b--|      ofType('token')
 *
 * @example
 * import { ofType } from 'l0-rx';
 * events$.pipe(ofType('token')).subscribe((t) => process.stdout.write(t.value));
 * @param types The event types to keep.
 */
export function ofType<K extends L0EventType>(...types: readonly K[]): OperatorFunction<L0Event, L0EventOf<K>> {
  const keep = new Set<string>(types);
  return filter((e: L0Event): e is L0EventOf<K> => keep.has(e.type));
}
