/** @test {fromAttempt} */
import {
  asyncScheduler,
  concat,
  defer,
  filter,
  from,
  identity,
  ignoreElements,
  lastValueFrom,
  map,
  of,
  queueScheduler,
  subscribeOn,
  switchMap,
  tap,
  throwError,
  timer,
  toArray,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  checkpointEvery,
  fallbackTo,
  fromAttempt,
  fromStream,
  isInvalidStreamError,
  l0,
  ProviderError,
  retryWithBackoff,
  withTimeouts,
  type L0Event,
  type StartEvent,
} from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { runScenario } from '../helpers/runScenario.js';

/*
 * The attempt context reaches fromStream/fromAttempt only during a synchronous subscribe. These
 * specs pin down which compositions between the source and retryWithBackoff/fallbackTo keep it,
 * and that the ones that lose it fail the run loudly instead of reporting attempt 1 on every retry.
 */

/** A delayed subscription (rxjs 7 has no `delaySubscription`; this is what its deprecation note suggests). */
const delaySubscription = (ms: number) => (source: Observable<L0Event>): Observable<L0Event> =>
  concat(timer(ms).pipe(ignoreElements()), source);

type Compose = (source: Observable<L0Event>, scheduler: SchedulerLike) => Observable<L0Event>;

const SUPPORTED: [string, Compose][] = [
  ['map', (s) => s.pipe(map(identity))],
  ['filter', (s) => s.pipe(filter(() => true))],
  ['tap', (s) => s.pipe(tap(() => undefined))],
  ['defer', (s) => defer(() => s)],
  ['this package\'s operators (withTimeouts, checkpointEvery)', (s, scheduler) => s.pipe(withTimeouts({ interToken: 50, scheduler }), checkpointEvery(1))],
];

const UNSUPPORTED: [string, Compose][] = [
  ['subscribeOn(asyncScheduler)', (s) => s.pipe(subscribeOn(asyncScheduler))],
  ['subscribeOn(a TestScheduler)', (s, scheduler) => s.pipe(subscribeOn(scheduler))],
  ['delaySubscription', (s) => s.pipe(delaySubscription(5))],
  ['switchMap over a timer', (s) => timer(1).pipe(switchMap(() => s))],
];

const fixed = { backoff: 'fixed', baseDelay: 10 } as const;
const starts = (events: readonly L0Event[]) => events.filter((e): e is StartEvent => e.type === 'start');
const networkError = () => new ProviderError('socket hang up', { code: 'NETWORK_ERROR', category: 'network', retryable: true, reason: 'network_error' });

describe('attempt context loss', () => {
  describe('supported compositions between the source and the operator that retries', () => {
    it.each(SUPPORTED)('should hand attempt 2 and the checkpoint through %s', (_name, compose) => {
      const model = fakeModel([{ items: ['ab', { error: { network: 'ECONNRESET' } }] }, 'c|']);
      const run = runScenario((scheduler) =>
        compose(fromStream(model).pipe(checkpointEvery(1)), scheduler).pipe(retryWithBackoff(fixed)),
      );
      expect(run.error).toBeUndefined();
      expect(model.calls.map((c) => [c.attempt, c.fallbackIndex, c.checkpoint])).toEqual([[1, 0, undefined], [2, 0, 'ab']]);
      expect(starts(run.events).map((e) => e.attempt)).toEqual([1, 2]);
      expect(run.events).toContainEqual({ type: 'resume', checkpoint: 'ab' });
    });

    it.each(SUPPORTED)('should hand fallbackIndex 1 to a fallback through %s', (_name, compose) => {
      const backup = fakeModel('ok|');
      const run = runScenario((scheduler) =>
        throwError(networkError).pipe(fallbackTo(compose(fromStream(backup, { model: 'backup' }), scheduler))),
      );
      expect(run.error).toBeUndefined();
      expect(backup.calls.map((c) => c.fallbackIndex)).toEqual([1]);
      expect(starts(run.events)).toEqual([{ type: 'start', attempt: 1, fallbackIndex: 1, isRetry: false, isFallback: true, model: 'backup' }]);
    });

    it('should hand the context to fromAttempt through map and defer', () => {
      const seen: number[] = [];
      const source = defer(() => fromAttempt((ctx) => (seen.push(ctx.attempt), ctx.attempt === 1 ? throwError(networkError) : of<L0Event>({ type: 'token', value: 'x' }))));
      const run = runScenario(() => source.pipe(map(identity), retryWithBackoff(fixed)));
      expect(run.error).toBeUndefined();
      expect(seen).toEqual([1, 2]);
    });
  });

  describe('unsupported compositions', () => {
    it.each(UNSUPPORTED)('should fail the run on the first retry through %s with an InvalidStreamError that says why', (_name, compose) => {
      const model = fakeModel(['ab#', 'c|']);
      const run = runScenario((scheduler) => compose(fromStream(model), scheduler).pipe(retryWithBackoff(fixed)));
      expect(isInvalidStreamError(run.error)).toBe(true);
      const message = (run.error as Error).message;
      expect(message).toContain('retryWithBackoff: handed attempt 2 of stream 0 to its source');
      expect(message).toContain('first `start` reports attempt 1 of stream 0');
      expect(message).toMatch(/subscribeOn.*switchMap over a promise/);
      expect(message).toMatch(/Keep only synchronous operators between the source and the operators that retry or fall back/);
    });

    it.each(UNSUPPORTED)('should never report the lost retry as attempt 1 through %s, nor make its request', (_name, compose) => {
      const model = fakeModel(['ab#', 'c|']);
      const run = runScenario((scheduler) => compose(fromStream(model), scheduler).pipe(retryWithBackoff(fixed)));
      expect(run.events.map((e) => e.type)).toEqual(['start', 'token', 'token', 'retry']);
      // the lost attempt's start is caught before fromStream calls the factory: no request is made
      expect(model.calls.map((c) => c.attempt)).toEqual([1]);
    });

    it.each(UNSUPPORTED)('should fail a fallback subscribed through %s, which lost fallbackIndex 1', (_name, compose) => {
      const backup = fakeModel('ok|');
      const run = runScenario((scheduler) => throwError(networkError).pipe(fallbackTo(compose(fromStream(backup), scheduler))));
      expect(isInvalidStreamError(run.error)).toBe(true);
      expect((run.error as Error).message).toContain('fallbackTo: handed attempt 1 of stream 1 to its source');
      expect(starts(run.events)).toEqual([]);
      expect(backup.callCount).toBe(0);
    });

    it('should fail a fallback subscribed through subscribeOn right after a fallback that took its context and failed at once', () => {
      const backup = fakeModel('ok|');
      // fallback 1 takes {attempt 1, fallbackIndex 1} and fails inside its subscribe, so fallback 2 is
      // subscribed (and loses {attempt 1, fallbackIndex 2}) before fallback 1's subscribe returns
      const failsAtOnce = fromAttempt(() => throwError(networkError));
      const run = runScenario(() =>
        throwError(networkError).pipe(fallbackTo(failsAtOnce, fromStream(backup).pipe(subscribeOn(asyncScheduler)))),
      );
      expect(isInvalidStreamError(run.error)).toBe(true);
      expect((run.error as Error).message).toContain('fallbackTo: handed attempt 1 of stream 2 to its source');
      expect(backup.callCount).toBe(0);
    });

    it('should fail the run when retries go through an attempt operator of l0() that subscribes later', () => {
      const model = fakeModel(['ab#', 'c|']);
      const run = runScenario(() =>
        l0({ stream: model, retry: fixed, attemptOperators: [delaySubscription(1)] }),
      );
      expect(isInvalidStreamError(run.error)).toBe(true);
      expect((run.error as Error).message).toContain('handed attempt 2 of stream 0');
      expect(starts(run.events).map((e) => e.attempt)).toEqual([1]);
    });

    it('should fail the run on the first retry through a switchMap over a promise', async () => {
      const model = fakeModel(['ab#', 'c|']);
      const source = from(Promise.resolve()).pipe(
        switchMap(() => fromStream(model)),
        retryWithBackoff({ backoff: 'fixed', baseDelay: 0, scheduler: queueScheduler }),
      );
      const error = await lastValueFrom(source.pipe(toArray())).then(() => expect.fail('should error'), (e: unknown) => e);
      expect(isInvalidStreamError(error)).toBe(true);
      expect((error as Error).message).toContain('handed attempt 2 of stream 0');
      expect(model.calls.map((c) => c.attempt)).toEqual([1]);
    });
  });

  describe('where nothing is lost', () => {
    it('should accept attempt 1 of the primary subscribed through subscribeOn', () => {
      const model = fakeModel('ab|');
      const run = runScenario(() => fromStream(model).pipe(subscribeOn(asyncScheduler), retryWithBackoff(fixed), fallbackTo(of())));
      expect(run.error).toBeUndefined();
      expect(run.events.map((e) => e.type)).toEqual(['start', 'token', 'token', 'complete']);
      expect(starts(run.events)).toEqual([{ type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false }]);
    });

    it('should accept a canned fallback without start', () => {
      const canned: L0Event[] = [{ type: 'token', value: 'cached' }, { type: 'complete', finishReason: 'stop' }];
      const run = runScenario(() => throwError(networkError).pipe(fallbackTo(of(...canned))));
      expect(run.error).toBeUndefined();
      expect(run.events.map((e) => e.type)).toEqual(['fallback', 'token', 'complete']);
    });

    it('should accept a canned fallback without start that is subscribed asynchronously', () => {
      const canned: L0Event[] = [{ type: 'token', value: 'cached' }, { type: 'complete', finishReason: 'stop' }];
      const run = runScenario(() => throwError(networkError).pipe(fallbackTo(of(...canned).pipe(subscribeOn(asyncScheduler)))));
      expect(run.error).toBeUndefined();
      expect(run.events.map((e) => e.type)).toEqual(['fallback', 'token', 'complete']);
    });
  });
});
