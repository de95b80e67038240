/** @test {withSentry} */
import { describe, expect, it } from 'vitest';
import { l0, type L0Event } from 'l0-rx';
import { withSentry } from 'l0-rx/sentry';
import { fakeModel } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';
import { sentry } from '../helpers/sentryClient.js';

/*
 * Sentry runs the application's hooks (`client.on(...)`: spanStart, spanEnd, beforeAddBreadcrumb,
 * preprocessEvent...) synchronously inside the calls withSentry makes, without a guard, so a hook that
 * throws threw out of the operator: a retry's breadcrumb ended the run as a "malformed retry event", a
 * span's end turned a complete run into an error or replaced the run's error, and a span's start kept the
 * run from starting. A hook's failure is Sentry's, not the stream's: the stream ends as it would without it.
 */

type Hook = 'spanStart' | 'spanEnd' | 'beforeAddBreadcrumb' | 'preprocessEvent';
const HOOKS: readonly Hook[] = ['spanStart', 'spanEnd', 'beforeAddBreadcrumb', 'preprocessEvent'];

/** A client whose `hook` throws at every call. */
function broken(hook: Hook) {
  const s = sentry();
  (s.client.on as (hook: string, callback: () => void) => void)(hook, () => {
    throw new Error(`${hook} hook broke`);
  });
  return s;
}

/** What the consumer reads from an l0() run reported to `client`: the event types, then how the stream ended. */
function read(client: ReturnType<typeof sentry>['client'], answers: Parameters<typeof fakeModel>[0]): string[] {
  const seen: string[] = [];
  testScheduler().run(() => {
    l0({ stream: fakeModel(answers), retry: { backoff: 'fixed', baseDelay: 5, maxRetries: 1 }, runOperators: [withSentry({ client })] }).subscribe({
      next: (e: L0Event) => seen.push(e.type),
      error: (e: { code?: string }) => seen.push(`error ${e.code}`),
      complete: () => seen.push('done'),
    });
  });
  return seen;
}

describe('withSentry: a Sentry hook that throws never changes the stream', () => {
  it.each(HOOKS)('should give a run that retries and completes its events and its end when the client\'s %s hook throws', (hook) => {
    expect(read(broken(hook).client, [{ items: [{ error: { status: 503 } }] }, { items: ['ok'] }])).toEqual(['start', 'retry', 'start', 'token', 'complete', 'done']);
  });

  it.each(HOOKS)('should end a failing run with its own error when the client\'s %s hook throws', (hook) => {
    expect(read(broken(hook).client, [{ items: [{ error: { status: 401 } }] }])).toEqual(['start', 'error AUTH_ERROR']);
  });

  it('should still capture the run\'s error and send its span when a breadcrumb\'s hook throws', async () => {
    const { client, items } = broken('beforeAddBreadcrumb');
    expect(read(client, [{ items: [{ error: { status: 503 } }] }, { items: [{ error: { status: 401 } }] }])).toEqual(['start', 'retry', 'start', 'error AUTH_ERROR']);
    const [event] = await items('event');
    expect(event!.tags).toMatchObject({ 'l0.code': 'AUTH_ERROR' });
    expect((await items('transaction')).map((t) => t.contexts.trace.status)).toEqual(['internal_error']);
  });

  it('should end the run span once, with its status, when the client\'s captureException throws', async () => {
    const { client, items } = sentry();
    client.captureException = () => {
      throw new Error('capture broke');
    };
    expect(read(client, [{ items: [{ error: { status: 401 } }] }])).toEqual(['start', 'error AUTH_ERROR']);
    expect((await items('transaction')).map((t) => [t.contexts.trace.status, t.contexts.trace.data['l0.error_code']])).toEqual([['internal_error', 'AUTH_ERROR']]);
  });
});
