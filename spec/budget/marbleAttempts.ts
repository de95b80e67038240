import type { Observable } from 'rxjs';
import type { L0Event, StreamContext } from 'l0-rx';

/** A TestScheduler `cold`, as `run` hands it. */
export type Cold = (marbles: string, values?: Record<string, L0Event>, error?: unknown) => Observable<L0Event>;

/**
 * A stream factory whose attempt n streams `marbles[n - 1]` over `values` (`#`: `error`), and the
 * attempts it was called for, in order (spec helper for the budget specs' retried runs).
 */
export function marbleAttempts(cold: Cold, values: Record<string, L0Event>, error: unknown, ...marbles: string[]) {
  const calls: number[] = [];
  const factory = (ctx: StreamContext) => (calls.push(ctx.attempt), cold(marbles[ctx.attempt - 1]!, values, error));
  return { factory, calls };
}
