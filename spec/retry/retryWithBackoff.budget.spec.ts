/** @test {retryWithBackoff} */
import { concat, Observable, of, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  accumulate,
  detectZeroOutput,
  retryWithBackoff,
  StreamAbortedError,
  TokenTimeoutError,
  type L0Event,
  type RetryWithBackoffConfig,
} from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import {
  alwaysFailing,
  attemptSource,
  authError,
  badRequestError,
  collect,
  guardrailError,
  networkError,
  rateLimitError,
  retries,
  tok,
  zeroOutputError,
  virtualScheduler,
} from './retryHelpers.js';

/** Runs an always-failing source under virtual time; returns the number of source calls and the outcome. */
function exhaust(makeError: () => unknown, config: RetryWithBackoffConfig) {
  const ts = virtualScheduler();
  const { source, calls } = alwaysFailing(makeError);
  const run = collect(source.pipe(retryWithBackoff({ backoff: 'fixed', baseDelay: 10, ...config, scheduler: ts })));
  ts.flush();
  return { calls: calls(), ...run };
}
const timeoutError = () => new TokenTimeoutError({ kind: 'inter', timeoutMs: 100, elapsedMs: 100, tokenCount: 3 });

describe('retryWithBackoff budgets', () => {
  it('should make attempts + 1 calls for content failures (R1)', () => {
    expect(exhaust(zeroOutputError, { attempts: 2 }).calls).toBe(3);
    expect(exhaust(zeroOutputError, { attempts: 0 }).calls).toBe(1);
    expect(exhaust(() => guardrailError(false), { attempts: 1 }).calls).toBe(2);
  });

  it('should cap every kind of retry at maxRetries (R2)', () => {
    expect(exhaust(networkError, { attempts: 100, maxRetries: 2 }).calls).toBe(3);
    expect(exhaust(networkError, { maxRetries: 0 }).calls).toBe(1);
    expect(exhaust(zeroOutputError, { attempts: 100, maxRetries: 4 }).calls).toBe(5);
  });

  it('should retry timeouts on maxRetries only, even with attempts 0 (T4)', () => {
    const run = exhaust(timeoutError, { attempts: 0, maxRetries: 6 });
    expect(run.calls).toBe(7);
    expect(retries(run.events).map((r) => r.reason)).toEqual(Array(6).fill('timeout'));
  });

  it('should retry rate limits and server errors without using attempts', () => {
    expect(exhaust(() => rateLimitError(), { attempts: 0, maxRetries: 3 }).calls).toBe(4);
  });

  it('should not use attempts for network retries (N1)', () => {
    const ts = virtualScheduler();
    const { source, calls } = attemptSource([
      () => concat(of(tok('a'), tok('b')), throwError(() => networkError('read ECONNRESET'))),
      () => concat(of(tok('a'), tok('b')), throwError(() => networkError('read ECONNRESET'))),
      () => of(tok('ok'), { type: 'complete', finishReason: 'stop' } as L0Event),
    ]);
    const states = collect(source.pipe(retryWithBackoff({ attempts: 1, scheduler: ts, random: () => 0 }), accumulate()) as never);
    ts.flush();
    const last = (states.events as unknown as { content: string; networkRetryCount: number; modelRetryCount: number }[]).at(-1);
    expect(calls()).toBe(3);
    expect(last).toMatchObject({ content: 'ok', networkRetryCount: 2, modelRetryCount: 0 });
  });

  it('should count content retries against both budgets', () => {
    const ts = virtualScheduler();
    const errors = [zeroOutputError, zeroOutputError, networkError, networkError, networkError];
    const { source, calls } = attemptSource(errors.map((e) => () => throwError(e)));
    collect(source.pipe(retryWithBackoff({ attempts: 2, maxRetries: 3, baseDelay: 1, scheduler: ts })));
    ts.flush();
    expect(calls()).toBe(4);
  });

  it('should stop content retries when attempts are used up, even with maxRetries left', () => {
    const ts = virtualScheduler();
    const errors = [networkError, zeroOutputError, networkError, zeroOutputError, zeroOutputError];
    const { source, calls } = attemptSource(errors.map((e) => () => throwError(e)));
    const run = collect(source.pipe(retryWithBackoff({ attempts: 2, maxRetries: 6, baseDelay: 1, scheduler: ts })));
    ts.flush();
    expect(calls()).toBe(5);
    expect(run.error).toMatchObject({ code: 'ZERO_OUTPUT', attempt: 5 });
  });

  it('should retry zero output with the defaults and succeed (Z2)', () => {
    testScheduler().run(({ expectObservable }) => {
      const complete: L0Event = { type: 'complete', finishReason: 'stop' };
      const { source } = attemptSource([() => of(tok(' '), complete), () => of(tok('ok'), complete)]);
      const result = source.pipe(detectZeroOutput(), retryWithBackoff({ random: () => 0 }));
      const wait = 1000; // fixed-jitter with random() = 0: exactly baseDelay
      expectObservable(result).toBe(`(ar) ${wait - 4}ms (bC|)`, {
        a: tok(' '),
        r: expect.objectContaining({ type: 'retry', attempt: 1, delayMs: 1000, reason: 'zero_output' }),
        b: tok('ok'),
        C: complete,
      });
    });
  });

  it('should retry a plain unknown error through attempts by default, and not when retryOn leaves unknown out (R6)', () => {
    const boom = () => new Error('boom');
    expect(exhaust(boom, {}).calls).toBe(4);
    expect(exhaust(boom, { retryOn: ['network', 'content'] }).calls).toBe(1);
    expect(exhaust(boom, { retryOn: ['unknown'], attempts: 1 }).calls).toBe(2);
    expect(exhaust(boom, { retryOn: ['unknown'], attempts: 5, maxRetries: 2 }).calls).toBe(3);
  });

  it.each([
    ['auth', authError],
    ['bad-request', badRequestError],
    ['abort', () => new StreamAbortedError()],
    ['a fatal guardrail', () => guardrailError(true)],
  ])('should never retry %s, even when listed in retryOn', (_, makeError) => {
    const retryOn = ['auth', 'bad-request', 'abort', 'content', 'fatal_guardrail_violation', 'network'] as const;
    const run = exhaust(makeError, { retryOn: [...retryOn] });
    expect(run.calls).toBe(1);
    expect(retries(run.events)).toEqual([]);
  });

  it('should match retryOn by category or by reason', () => {
    expect(exhaust(zeroOutputError, { retryOn: ['zero_output'], attempts: 1 }).calls).toBe(2);
    expect(exhaust(() => guardrailError(false), { retryOn: ['zero_output'], attempts: 1 }).calls).toBe(1);
    expect(exhaust(() => rateLimitError(), { retryOn: ['network'], maxRetries: 3 }).calls).toBe(1);
    expect(exhaust(() => rateLimitError(), { retryOn: ['rate_limit'], maxRetries: 3 }).calls).toBe(4);
  });

  it('should never reset its counters when a failing attempt emitted tokens first', () => {
    const ts = virtualScheduler();
    const { source, calls } = attemptSource([
      () => new Observable<L0Event>((s) => {
        s.next(tok('partial'));
        s.next({ type: 'checkpoint', content: 'partial', tokenCount: 1 });
        s.error(networkError());
      }),
    ]);
    const run = collect(source.pipe(retryWithBackoff({ baseDelay: 0, backoff: 'fixed', scheduler: ts })));
    ts.flush();
    expect(calls()).toBe(7);
    expect(run.error).toMatchObject({ code: 'NETWORK_ERROR', attempt: 7 });
  });
});
