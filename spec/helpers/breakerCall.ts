import { Subject } from 'rxjs';
import { circuitBreaker, type createCircuitBreaker, type L0Event } from 'l0-rx';

/**
 * A call through `breaker` whose source the test ends by hand: `log` collects its breaker events
 * (`from>to`) and `ended` resolves to them with its error's code once the call fails.
 */
export function breakerCall(breaker: ReturnType<typeof createCircuitBreaker>) {
  const source = new Subject<L0Event>();
  const log: string[] = [];
  const ended = new Promise<string[]>((resolve) =>
    source.pipe(circuitBreaker(breaker)).subscribe({
      next: (e) => e.type === 'breaker' && log.push(`${e.from}>${e.to}`),
      error: (e: { code?: string }) => resolve([...log, e.code ?? 'error']),
    }),
  );
  return { source, ended, log };
}
