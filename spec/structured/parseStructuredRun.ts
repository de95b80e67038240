/* The fixtures of parseStructured.spec.ts and parseStructured.partials.spec.ts (one spec split by theme). */
import { from } from 'rxjs';
import { z } from 'zod';
import { parseStructured, type L0Event, type ParseStructuredConfig } from 'l0-rx';

export const schema = z.object({ name: z.string(), n: z.number() });
export const tok = (value: string): L0Event => ({ type: 'token', value });
export const done: L0Event = { type: 'complete', finishReason: 'stop' };
export const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };

/** Runs events synchronously through the operator (`schema` unless the config gives one). */
export function run(events: readonly L0Event[], config: Partial<ParseStructuredConfig> = {}) {
  const out: L0Event[] = [];
  let error: unknown;
  let completed = false;
  from(events).pipe(parseStructured({ schema, ...config })).subscribe({
    next: (e) => out.push(e),
    error: (e: unknown) => (error = e),
    complete: () => (completed = true),
  });
  return { out, error, completed, types: out.map((e) => e.type) };
}
export const text = (...chunks: string[]) => [start, ...chunks.map(tok), done];
export const resultOf = (events: readonly L0Event[]) => events.find((e) => e.type === 'result');
