/** @test {l0} */
import { describe, expect, it, vi } from 'vitest';
import { l0, type RetryEvent } from 'l0-rx';
import { fakeModel, type FakeErrorSpec } from 'l0-rx/testing';
import { finalState, runScenario, tokenText, typesOf, type ScenarioResult } from '../helpers/runScenario.js';

/* L0 acceptance scenarios N1-N6 (reference/l0-tests-and-bench.md 7.3), through the l0() preset on virtual time. */

const retryEvents = (run: ScenarioResult) => run.events.filter((e): e is RetryEvent => e.type === 'retry');
const failingThenOk = (error: FakeErrorSpec) => fakeModel([{ items: [{ error }] }, 'ok|']);
const fast = { backoff: 'fixed', baseDelay: 1 } as const;

describe('l0() network, transient and fatal errors (N1-N6)', () => {
  it('should not use up attempts on network retries, and count them as network retries (N1)', () => {
    const model = fakeModel(['ab#', 'ab#', 'ok|']);
    const run = runScenario(() => l0({ stream: model, retry: { attempts: 1, ...fast } }));
    expect(model.callCount).toBe(3);
    expect(run.completeFrame).toBeDefined();
    expect(finalState(run.events)).toMatchObject({
      content: 'ok',
      networkRetryCount: 2,
      modelRetryCount: 0,
      status: 'complete',
    });
    // The retry event is the network-error event: it carries the typed error and its classification.
    expect(retryEvents(run)).toMatchObject([
      { attempt: 1, reason: 'network_error', error: { code: 'NETWORK_ERROR', category: 'network', retryable: true } },
      { attempt: 2, reason: 'network_error', error: { code: 'NETWORK_ERROR', category: 'network', retryable: true } },
    ]);
    expect(retryEvents(run)[0]!.error).toMatchObject({ cause: expect.objectContaining({ code: 'ECONNRESET' }) });
  });

  describe('classification (N2)', () => {
    it.each([
      ['Connection reset by peer', new Error('Connection reset by peer')],
      ['getaddrinfo ENOTFOUND', new Error('getaddrinfo ENOTFOUND api.example.com')],
      ['fetch TypeError', new TypeError('Failed to fetch')],
      ['request timed out', new Error('request timed out')],
    ])('should retry "%s" as a network error (N2)', (_name, error) => {
      const model = failingThenOk(error);
      const run = runScenario(() => l0({ stream: model, retry: { attempts: 0, ...fast } }));
      expect(model.callCount).toBe(2);
      expect(retryEvents(run)).toMatchObject([{ reason: 'network_error', error: { category: 'network' } }]);
      expect(finalState(run.events).content).toBe('ok');
    });

    it('should not retry an SSL certificate failure (N2)', () => {
      const model = failingThenOk(new Error('SSL certificate problem: self signed certificate'));
      const run = runScenario(() => l0({ stream: model, retry: fast }));
      expect(model.callCount).toBe(1);
      expect(run.error).toMatchObject({ name: 'ProviderError', category: 'network', retryable: false });
    });

    it.each(['Invalid JSON', 'Schema validation failed'])('should not treat "%s" as a network error (N2)', (message) => {
      const model = failingThenOk(new Error(message));
      const run = runScenario(() => l0({ stream: model, retry: fast }));
      // an `unknown` failure (an UnknownError holding the Error): retried through attempts, never as a network error
      expect(model.callCount).toBe(2);
      expect(retryEvents(run)).toMatchObject([{ reason: 'unknown', countsTowardAttempts: true, error: { name: 'UnknownError', category: 'unknown' } }]);
    });
  });

  describe('status handling (N3)', () => {
    it.each([
      [429, 'rate_limit', 'rate-limit'],
      [500, 'server_error', 'server'],
      [503, 'server_error', 'server'],
    ])('should retry a %i without using up attempts (N3)', (status, reason, category) => {
      const model = failingThenOk({ status });
      const run = runScenario(() => l0({ stream: model, retry: { attempts: 0, ...fast } }));
      expect(model.callCount).toBe(2);
      expect(retryEvents(run)).toMatchObject([{ reason, error: { category } }]);
      expect(finalState(run.events)).toMatchObject({ content: 'ok', networkRetryCount: 1, modelRetryCount: 0 });
    });

    it.each([401, 403])('should not retry a %i even when shouldRetry says yes (N3)', (status) => {
      const model = failingThenOk({ status });
      const shouldRetry = vi.fn(() => true);
      const run = runScenario(() => l0({ stream: model, retry: { shouldRetry, ...fast } }));
      expect(model.callCount).toBe(1);
      expect(shouldRetry).not.toHaveBeenCalled();
      expect(run.error).toMatchObject({ code: 'AUTH_ERROR', status });
    });

    it.each([401, 403])('should move a %i to the fallback when there is one (N3)', (status) => {
      const model = failingThenOk({ status });
      const fb = fakeModel('fb|');
      const run = runScenario(() => l0({ stream: model, fallbackStreams: [fb], retry: fast }));
      expect([model.callCount, fb.callCount]).toEqual([1, 1]);
      expect(run.events.find((e) => e.type === 'fallback')).toMatchObject({ error: { code: 'AUTH_ERROR' } });
      expect(finalState(run.events)).toMatchObject({ content: 'fb', fallbackIndex: 1 });
    });
  });

  it('should wait exactly the Retry-After of a 429, above maxDelay and without jitter (N3)', () => {
    const model = fakeModel([{ items: [{ error: { status: 429, headers: { 'retry-after': '12' } } }] }, 'ok|']);
    const run = runScenario(() => l0({ stream: model, random: () => 0.9 }));
    expect(retryEvents(run)).toMatchObject([{ delayMs: 12_000, reason: 'rate_limit' }]);
    expect(run.completeFrame).toBe(12_002);
  });

  it('should go to the fallback instead of waiting a Retry-After beyond maxRetryAfter (N3)', () => {
    const model = fakeModel({ items: [{ error: { status: 429, headers: { 'retry-after': '120' } } }] });
    const fb = fakeModel('fb|');
    const run = runScenario(() => l0({ stream: model, fallbackStreams: [fb] }));
    expect([model.callCount, fb.callCount]).toEqual([1, 1]);
    expect(retryEvents(run)).toEqual([]);
    expect(run.completeFrame).toBe(2);
  });

  it('should fall back after maxRetries network retries (N4)', () => {
    const model = fakeModel('#');
    const fb = fakeModel({ items: ['fb'] });
    const run = runScenario(() => l0({ stream: model, fallbackStreams: [fb], retry: { maxRetries: 2, ...fast } }));
    expect([model.callCount, fb.callCount]).toEqual([3, 1]);
    expect(finalState(run.events)).toMatchObject({ content: 'fb', networkRetryCount: 2, fallbackIndex: 1, status: 'complete' });
  });

  it('should let the consumer rebuild "ok" from the stream: a retry event precedes the next attempt\'s tokens (N5)', () => {
    const run = runScenario(() => l0({ stream: fakeModel(['ab#', 'ab#', 'ok|']), retry: { attempts: 1, ...fast } }));
    // Decision: retraction. Tokens are never taken back, but each `retry` says "discard since the last start".
    expect(tokenText(run.events)).toBe('ababok');
    expect(typesOf(run.events)).toEqual([
      'start', 'token', 'token', 'retry', 'start', 'token', 'token', 'retry', 'start', 'token', 'token', 'complete',
    ]);
    expect(finalState(run.events).content).toBe('ok');
  });

  // Decision (N6): no per-error-type default delays (PERFORMANCE.md's table is not what L0 runs by
  // default either). Every network error waits the general backoff: fixed-jitter, base 1000 ms.
  it.each<[string, FakeErrorSpec | Error]>([
    ['ECONNREFUSED', { network: 'ECONNREFUSED' }],
    ['fetch TypeError', new TypeError('Failed to fetch')],
    ['DNS (ENOTFOUND)', { network: 'ENOTFOUND' }],
    ['ECONNRESET', { network: 'ECONNRESET' }],
  ])('should wait the general backoff for %s (N6)', (_name, error) => {
    const jitter = runScenario(() => l0({ stream: failingThenOk(error), random: () => 0.5 }));
    expect(retryEvents(jitter).map((e) => e.delayMs)).toEqual([1250]);
    expect(jitter.completeFrame).toBe(1252);
    const plain = runScenario(() => l0({ stream: failingThenOk(error), random: () => 0 }));
    expect(retryEvents(plain).map((e) => e.delayMs)).toEqual([1000]);
  });
});
