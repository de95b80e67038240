/** @test {Relay} */
import { describe, expect, it } from 'vitest';
import { Observable, Subject, Subscriber, type OperatorFunction, type Subscription } from 'rxjs';
import { z } from 'zod';
import {
  accumulate,
  checkpointEvery,
  createMemoryEventStore,
  deduplicateContinuation,
  fromAttempt,
  detectDrift,
  detectZeroOutput,
  guard,
  parseStructured,
  recommendedGuardrails,
  recordEvents,
  retryWithBackoff,
  withTimeouts,
  type L0Event,
} from 'l0-rx';
import { ev } from '../helpers/attemptSource.js';
import { abortOn } from '../../src/preset/abortOn.js';

const { start, tok, complete } = ev;

/** Late text that every content operator reacts to (meta commentary, a refusal, a repeated sentence). */
const LATE = 'As an AI language model, I cannot actually help with that. '.repeat(4);

/**
 * The operators whose per-subscription object is the source's subscriber itself (a `Relay`, or
 * the attempt subscriber of the retry loop) rather than an observer rxjs wraps: what the wrapper
 * guaranteed, they must guarantee themselves (`parseStructured` keeps the wrapper; the behaviour
 * is pinned whatever the implementation). Each reports its side effects (callbacks, records) to
 * `log`, which must not grow from anything the source sends once the operator has stopped.
 */
const operators: [string, (log: string[]) => OperatorFunction<L0Event, unknown>][] = [
  ['withTimeouts', () => withTimeouts({ interToken: 60_000 })],
  ['deduplicateContinuation', () => deduplicateContinuation()],
  ['guard', (log) => guard(recommendedGuardrails, { onViolation: (v) => log.push(`violation ${v.ruleId}`) })],
  ['detectDrift', (log) => detectDrift({ onDrift: (types) => log.push(`drift ${types.join()}`) })],
  ['detectZeroOutput', () => detectZeroOutput()],
  ['checkpointEvery', () => checkpointEvery(1)],
  ['accumulate', () => accumulate()],
  [
    'recordEvents',
    (log) => {
      const store = createMemoryEventStore();
      const append = store.append.bind(store);
      return recordEvents({ ...store, append: (batch) => { log.push(...batch.map((e) => `recorded ${e.event.type}`)); return append(batch); } }, { streamId: 's' });
    },
  ],
  ['retryWithBackoff', () => retryWithBackoff()],
  ['fromAttempt (the body\'s subscriber)', () => (source) => fromAttempt(() => source)],
  ['abortOn (l0\'s signal)', () => abortOn(new AbortController().signal)],
  ['parseStructured', () => parseStructured({ schema: z.unknown() })],
];

/** A source that ignores the rules: it goes on after its own end, and after its subscriber closed. */
function unruly(after: (s: Subscriber<L0Event>) => void): { source: Observable<L0Event>; seen: Subscriber<L0Event>[] } {
  const seen: Subscriber<L0Event>[] = [];
  const source = new Observable<L0Event>((s) => {
    seen.push(s);
    s.next(start());
    s.next(tok('Hello there, this is a perfectly ordinary answer. '));
    after(s);
  });
  return { source, seen };
}

describe.each(operators)('%s as the source\'s subscriber', (name, op) => {
  it('should pass nothing and do nothing after the source\'s completion, and complete once', () => {
    const effects: string[] = [];
    let ended = -1;
    const { source } = unruly((s) => {
      s.next(complete());
      s.complete();
      ended = effects.length;
      s.next(tok(LATE));
      s.next(complete());
      s.error(new Error('late'));
      s.complete();
    });
    const log: string[] = [];
    source.pipe(op(effects)).subscribe({ next: () => log.push('next'), error: () => log.push('error'), complete: () => log.push('complete') });
    // one end only (parseStructured fails the prose answer, which is not JSON, at its complete event)
    expect(log.filter((x) => x !== 'next')).toEqual([name === 'parseStructured' ? 'error' : 'complete']);
    expect(log.length - 1).toBeGreaterThanOrEqual(1);
    expect(effects.slice(ended)).toEqual([]);
  });

  it('should pass nothing after the source\'s error, and error once', () => {
    const boom = new Error('boom');
    const { source } = unruly((s) => {
      s.error(boom);
      s.next(tok('late'));
      s.complete();
      s.error(new Error('second'));
    });
    const errors: unknown[] = [];
    let completed = false;
    // retryWithBackoff would retry the error (and the source errors every time): no attempts left
    const effects: string[] = [];
    const pipeline = name === 'retryWithBackoff' ? source.pipe(retryWithBackoff({ attempts: 0 })) : source.pipe(op(effects));
    pipeline.subscribe({ error: (e) => errors.push(e), complete: () => (completed = true) });
    expect(errors).toHaveLength(1);
    expect(completed).toBe(false);
    expect(effects.filter((e) => !e.startsWith('recorded'))).toEqual([]);
    if (name === 'recordEvents') expect(effects).toEqual(['recorded start', 'recorded token', 'recorded error']);
  });

  it('should close the subscriber the source holds, and pass nothing more, once the consumer unsubscribes', () => {
    let late: (() => void) | undefined;
    const { source, seen } = unruly((s) => {
      late = () => {
        s.next(tok(LATE));
        s.next(complete());
        s.complete();
      };
    });
    let after = 0;
    let unsubscribed = false;
    const effects: string[] = [];
    const subscription: Subscription = source.pipe(op(effects)).subscribe({ next: () => unsubscribed && after++, error: () => after++, complete: () => after++ });
    expect(seen[0]!.closed).toBe(false);
    unsubscribed = true;
    const atUnsubscribe = effects.length;
    subscription.unsubscribe();
    // a recording left before its end gets its terminal envelope then, and nothing after
    if (name === 'recordEvents') expect(effects.slice(atUnsubscribe)).toEqual(['recorded error']);
    const before = effects.length;
    // the source's own subscriber is closed: a source that checks `closed` stops
    expect(seen[0]!.closed).toBe(true);
    late!();
    expect(after).toBe(0);
    expect(effects.slice(before)).toEqual([]);
  });

  it('should error downstream, and leave the source, when handling a value throws (a null event), never throw into the source\'s next', () => {
    const source = new Subject<L0Event>();
    const errors: unknown[] = [];
    // no retry: the throw is an UnknownError a retry would take again
    const pipeline = name === 'retryWithBackoff' ? source.pipe(retryWithBackoff({ attempts: 0, maxRetries: 0 })) : source.pipe(op([]));
    pipeline.subscribe({ error: (e) => errors.push(e) });
    source.next(start());
    expect(() => source.next(null as unknown as L0Event)).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(Error);
    expect(source.observed).toBe(false);
  });

  it('should react to the same late text while it is still running (the checks above can fail)', () => {
    const effects: string[] = [];
    const { source } = unruly((s) => {
      s.next(tok(LATE));
      s.next(complete());
      s.complete();
    });
    source.pipe(op(effects)).subscribe({ error: () => undefined });
    if (name === 'guard') expect(effects.some((e) => e.startsWith('violation'))).toBe(true);
    if (name === 'detectDrift') expect(effects.some((e) => e.startsWith('drift'))).toBe(true);
    if (name === 'recordEvents') expect(effects).toContain('recorded complete');
  });
});
