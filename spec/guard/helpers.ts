import { from, type MonoTypeOperatorFunction } from 'rxjs';
import type { FinishReason, L0Event, Violation } from 'l0-rx';

export const tok = (value: string): L0Event => ({ type: 'token', value });
export const done = (finishReason: FinishReason = 'stop'): L0Event => ({ type: 'complete', finishReason });
export const start = (attempt = 1): L0Event => ({ type: 'start', attempt, fallbackIndex: 0, isRetry: attempt > 1, isFallback: false });
export const text = (...chunks: string[]): L0Event[] => [...chunks.map(tok), done()];

/** Runs events synchronously through an operator; returns what came out. */
export function runSync(events: readonly L0Event[], op: MonoTypeOperatorFunction<L0Event>) {
  const out: L0Event[] = [];
  let error: unknown;
  let completed = false;
  from(events).pipe(op).subscribe({
    next: (e) => out.push(e),
    error: (e: unknown) => (error = e),
    complete: () => (completed = true),
  });
  const violations = out.flatMap((e): Violation[] => (e.type === 'violation' ? [e.violation] : []));
  const released = out.map((e) => (e.type === 'token' ? e.value : '')).join('');
  return { out, error, completed, violations, released };
}
