/** @test {l0} */
import { describe, expect, it } from 'vitest';
import {
  REPLY,
  RETRY,
  eventsOf,
  expectClosedByClient,
  expectComplete,
  requestsFor,
  retriesOf,
  runOpenAIModel,
  useFaultServer,
  type Calls,
} from './harness.js';

// Fallbacks through the real openai SDK: the primary model (with its own retries) fails, the next
// model takes over on the same fault server, and the UI-facing state ends on the fallback's text.
const ctx = useFaultServer();

describe('l0() + openai SDK: fallbacks', () => {
  it('should fall back after the primary stalls on every attempt (inter-token timeout), closing each stalled socket', async () => {
    const primaryCalls: Calls = [];
    const fallbackCalls: Calls = [];
    const o = await runOpenAIModel(ctx.server, ['fault:stall', 'gpt-fallback'], { retry: { ...RETRY, maxRetries: 1 } }, primaryCalls, fallbackCalls);
    expectComplete(o, 'stop', REPLY);
    expect(o.state.fallbackIndex).toBe(1);
    expect(retriesOf(o)).toEqual([['timeout', 5]]);
    expect(eventsOf(o.events, 'fallback')).toEqual([
      expect.objectContaining({ fromIndex: 0, toIndex: 1, error: expect.objectContaining({ code: 'INTER_TOKEN_TIMEOUT' }) }),
    ]);
    expect(eventsOf(o.events, 'start').map((s) => [s.attempt, s.fallbackIndex, s.isFallback])).toEqual([
      [1, 0, false],
      [2, 0, false],
      [1, 1, true],
    ]);
    expect(primaryCalls.map((c) => c.attempt)).toEqual([1, 2]);
    expect(fallbackCalls.map((c) => [c.attempt, c.fallbackIndex])).toEqual([[1, 1]]);
    expect(requestsFor(ctx.server, 'fault:stall').length).toBe(2);
    expect(requestsFor(ctx.server, 'gpt-fallback').length).toBe(1);
    await expectClosedByClient(ctx.server, 'fault:stall', 0);
    await expectClosedByClient(ctx.server, 'fault:stall', 1);
    expect(requestsFor(ctx.server, 'gpt-fallback')[0]!.closedByClient).toBe(false);
  });

  it('should fall back on auth-401 without ever retrying it', async () => {
    const o = await runOpenAIModel(ctx.server, ['fault:auth-401', 'gpt-fallback']);
    expectComplete(o, 'stop', REPLY);
    expect(retriesOf(o)).toEqual([]);
    expect(eventsOf(o.events, 'fallback')).toEqual([
      expect.objectContaining({ fromIndex: 0, toIndex: 1, error: expect.objectContaining({ name: 'ProviderError', code: 'AUTH_ERROR', status: 401 }) }),
    ]);
    expect(requestsFor(ctx.server, 'fault:auth-401').length).toBe(1);
    expect(requestsFor(ctx.server, 'gpt-fallback').length).toBe(1);
    expect(ctx.server.requests.length).toBe(2);
  });

  it('should fall back on quota-429 (insufficient_quota) without ever retrying it', async () => {
    const o = await runOpenAIModel(ctx.server, ['fault:quota-429', 'gpt-fallback']);
    expectComplete(o, 'stop', REPLY);
    expect(retriesOf(o)).toEqual([]);
    expect(eventsOf(o.events, 'fallback')).toEqual([
      expect.objectContaining({ fromIndex: 0, toIndex: 1, error: expect.objectContaining({ code: 'RATE_LIMITED', status: 429, retryable: false }) }),
    ]);
    expect(requestsFor(ctx.server, 'fault:quota-429').length).toBe(1);
    expect(ctx.server.requests.length).toBe(2);
  });

  it('should give the second fallback its own retry budget after the first one fails', async () => {
    const o = await runOpenAIModel(ctx.server, ['fault:context-length-400', 'fault:server-error', 'fault:unavailable*1']);
    expectComplete(o, 'stop', REPLY);
    expect(o.state.fallbackIndex).toBe(2);
    expect(eventsOf(o.events, 'fallback').map((f) => [f.fromIndex, f.toIndex, f.error.code])).toEqual([
      [0, 1, 'CONTEXT_LENGTH_EXCEEDED'],
      [1, 2, 'SERVER_ERROR'],
    ]);
    expect(requestsFor(ctx.server, 'fault:context-length-400').length).toBe(1);
    expect(requestsFor(ctx.server, 'fault:server-error').length).toBe(3);
    expect(requestsFor(ctx.server, 'fault:unavailable*1').length).toBe(2);
  });
});
