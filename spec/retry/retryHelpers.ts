/* Shared fixtures for the retryWithBackoff specs. */
import { Observable } from 'rxjs';
import { expect } from 'vitest';
import {
  GuardrailViolationError,
  ProviderError,
  ZeroOutputError,
  type L0Event,
  type RetryEvent,
} from 'l0-rx';
import type { TestScheduler } from 'rxjs/testing';
import { testScheduler } from '../helpers/testScheduler.js';
import { takeAttemptContext, type AttemptContext } from '../../src/attempt/attemptContext.js';

export const tok = (value: string): L0Event => ({ type: 'token', value });
export const values: Record<string, L0Event> = {
  a: tok('a'),
  b: tok('b'),
  c: tok('c'),
  C: { type: 'complete', finishReason: 'stop' },
  k: { type: 'checkpoint', content: 'ab', tokenCount: 2 },
};

export const networkError = (message = 'socket hang up') =>
  new ProviderError(message, { code: 'NETWORK_ERROR', category: 'network', retryable: true, reason: 'network_error' });
export const rateLimitError = (retryAfterMs?: number) =>
  new ProviderError('429 Too Many Requests', {
    code: 'RATE_LIMITED',
    category: 'rate-limit',
    retryable: true,
    reason: 'rate_limit',
    status: 429,
    retryAfterMs,
  });
export const authError = () =>
  new ProviderError('401 Unauthorized', { code: 'AUTH_ERROR', category: 'auth', retryable: false, reason: 'auth', status: 401 });
export const badRequestError = () =>
  new ProviderError('400 Bad Request', { code: 'BAD_REQUEST', category: 'bad-request', retryable: false, reason: 'bad_request', status: 400 });
export const zeroOutputError = () => new ZeroOutputError({ content: '' });
export const guardrailError = (fatal: boolean) =>
  new GuardrailViolationError({
    violations: [{ ruleId: 'rule', message: 'bad', severity: fatal ? 'fatal' : 'error', recoverable: !fatal }],
  });

/** The expected `retry` event (the error is matched by code, or by name for non-L0 errors). */
export function retryEvent(attempt: number, delayMs: number, reason: string, error: Partial<Record<string, unknown>>): RetryEvent {
  const countsTowardAttempts = ['zero_output', 'guardrail_violation', 'drift', 'schema', 'invalid_json', 'unknown'].includes(reason);
  return { type: 'retry', attempt, delayMs, reason, countsTowardAttempts, error: expect.objectContaining(error) } as unknown as RetryEvent;
}

/**
 * A source whose n-th subscription (0-based) behaves as `attempts[min(n, last)]`; it records the
 * attempt context each subscription took, as fromStream would.
 */
export function attemptSource(attempts: readonly (() => Observable<L0Event>)[]) {
  const contexts: (AttemptContext | undefined)[] = [];
  const source = new Observable<L0Event>((subscriber) => {
    contexts.push(takeAttemptContext());
    const make = attempts[Math.min(contexts.length - 1, attempts.length - 1)]!;
    return make().subscribe(subscriber);
  });
  return { source, contexts, calls: () => contexts.length };
}

/** A source that fails synchronously with `makeError()` on every subscription. */
export function alwaysFailing(makeError: () => unknown) {
  return attemptSource([() => new Observable<L0Event>((s) => s.error(makeError()))]);
}

/** A TestScheduler for manual flushing, without the 750-frame cap of non-`run` mode. */
export function virtualScheduler(): TestScheduler {
  const ts = testScheduler();
  ts.maxFrames = Infinity;
  return ts;
}

/** Collects everything a synchronous-or-virtual run produced. */
export function collect(obs: Observable<L0Event>) {
  const result = { events: [] as L0Event[], error: undefined as unknown, completed: false };
  const subscription = obs.subscribe({
    next: (e) => result.events.push(e),
    error: (e: unknown) => (result.error = e),
    complete: () => (result.completed = true),
  });
  return Object.assign(result, { subscription });
}

export const retries = (events: readonly L0Event[]) => events.filter((e): e is RetryEvent => e.type === 'retry');
