/** @test {fallbackTo} streams that fail while being subscribed: a loop, never a recursion */
import { describe, expect, it } from 'vitest';
import { defer, NEVER, of, takeWhile, throwError, type Observable } from 'rxjs';
import { AllStreamsExhaustedError, fallbackTo, fromStream, ProviderError, type L0Event, type StreamContext } from 'l0-rx';
import { ev } from '../helpers/attemptSource.js';

const reset = () => new ProviderError('reset', { code: 'NETWORK_ERROR', category: 'network', retryable: true });
/** Subscribes synchronously and returns what was seen by the time `subscribe` returned. */
function run(source: Observable<L0Event>): { events: L0Event[]; error: unknown; completed: boolean } {
  const out = { events: [] as L0Event[], error: undefined as unknown, completed: false };
  source.subscribe({ next: (e) => out.events.push(e), error: (e: unknown) => (out.error = e), complete: () => (out.completed = true) });
  return out;
}
const fallbacks = (events: readonly L0Event[]) => events.flatMap((e) => (e.type === 'fallback' ? [`${e.fromIndex}->${e.toIndex}`] : []));
const steps = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `${from + i}->${from + i + 1}`);

describe('fallbackTo over streams that fail while being subscribed', () => {
  it('should end 5,000 fallbacks that each fail inside their subscribe with AllStreamsExhaustedError', () => {
    // about 800 of them overflowed the stack (each fallback was subscribed inside the previous one's subscribe) and the run never ended
    const { events, error } = run(throwError(reset).pipe(fallbackTo(...Array.from({ length: 5000 }, () => throwError(reset)))));
    expect(error).toBeInstanceOf(AllStreamsExhaustedError);
    expect((error as AllStreamsExhaustedError).errors).toHaveLength(5001);
    expect(fallbacks(events)).toEqual(steps(5000));
  });

  it('should hand each of 5,000 throwing factories its own stream number', () => {
    const calls: StreamContext[] = [];
    const failing = fromStream((ctx) => {
      calls.push(ctx);
      throw reset();
    });
    const { events, error } = run(failing.pipe(fallbackTo(...Array.from({ length: 5000 }, () => failing))));
    expect(error).toBeInstanceOf(AllStreamsExhaustedError);
    expect(calls.map((c) => c.fallbackIndex)).toEqual(Array.from({ length: 5001 }, (_, i) => i));
    expect(events.flatMap((e) => (e.type === 'start' ? [e.fallbackIndex] : []))).toEqual(calls.map((c) => c.fallbackIndex));
  });

  it('should subscribe no further fallback once the consumer leaves on a fallback event', () => {
    let subscribed = 0;
    const failing = defer(() => (subscribed++, throwError(reset)));
    const { events } = run(failing.pipe(
      fallbackTo(...Array.from({ length: 1000 }, () => failing)),
      takeWhile((e) => e.type !== 'fallback' || e.toIndex < 100),
    ));
    // the primary and fallbacks 1-99: the 100th was never subscribed
    expect([subscribed, fallbacks(events)]).toEqual([100, steps(99)]);
  });

  it('should abort the request of the fallback that follows 1,000 failures when the consumer leaves', () => {
    const signals: AbortSignal[] = [];
    const last = fromStream(({ signal }) => (signals.push(signal), NEVER));
    const subscription = throwError(reset).pipe(fallbackTo(...Array.from({ length: 1000 }, () => throwError(reset)), last)).subscribe();
    expect(signals.map((s) => s.aborted)).toEqual([false]);
    subscription.unsubscribe();
    expect(signals.map((s) => s.aborted)).toEqual([true]);
  });

  it('should number on after a nested loop\'s 2,000 failures inside one of its streams', () => {
    const failing = fromStream(() => {
      throw reset();
    });
    const inner = failing.pipe(fallbackTo(...Array.from({ length: 2000 }, () => failing)));
    const ok = fromStream(() => of(ev.tok('a')));
    const { events, completed } = run(failing.pipe(fallbackTo(inner, ok)));
    expect(completed).toBe(true);
    // one sequence of stream numbers, as from one flat fallbackTo: the outer's next fallback goes from the inner's last stream
    expect(fallbacks(events)).toEqual(steps(2002));
    expect(events.slice(-3).map((e) => e.type)).toEqual(['start', 'token', 'complete']);
    expect(events.at(-3)).toMatchObject({ type: 'start', fallbackIndex: 2002 });
  });
});
