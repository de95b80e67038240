import { from, type MonoTypeOperatorFunction } from 'rxjs';
import { expect } from 'vitest';
import type { FinishReason, L0Event, Violation } from 'l0-rx';

export const tok = (value: string): L0Event => ({ type: 'token', value });
export const done = (finishReason: FinishReason = 'stop'): L0Event => ({ type: 'complete', finishReason });
export const start = (attempt = 1): L0Event => ({ type: 'start', attempt, fallbackIndex: 0, isRetry: attempt > 1, isFallback: false });
export const text = (...chunks: string[]): L0Event[] => [...chunks.map(tok), done()];

/** `s` as the events of tokens of `size` characters, then `complete`. */
export const tokensOf = (s: string, size: number): L0Event[] => text(...(s.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? []));

/** Whether `s`, streamed through `op` in tokens of 1, 3 and 17 characters, fails: the same for every size (asserted). */
export function failsAtEverySize(s: string, op: () => MonoTypeOperatorFunction<L0Event>): boolean {
  const verdicts = [1, 3, 17].map((size) => runSync(tokensOf(s, size), op()).error !== undefined);
  expect(new Set(verdicts).size, 'same verdict for every token size').toBe(1);
  return verdicts[0]!;
}

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
