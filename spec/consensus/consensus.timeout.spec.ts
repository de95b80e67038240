/** @test {consensus} what `timeout` reports about the sources it stopped */
import { describe, expect, it } from 'vitest';
import { concatMap, of, timer } from 'rxjs';
import { AllStreamsExhaustedError, consensus, isAllStreamsExhaustedError, isTokenTimeoutError, parallel, TokenTimeoutError, type ConsensusResult, type L0Event, type ParallelResult } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values: Record<string, L0Event> = {
  a: { type: 'token', value: 'Paris' },
  b: { type: 'token', value: ' is' },
  c: { type: 'token', value: ' the capital' },
  x: { type: 'complete', finishReason: 'stop' },
};

describe('consensus: timeout', () => {
  it('should report the tokens a source streamed before the timeout stopped it', () => {
    let result: ConsensusResult | undefined;
    testScheduler().run(({ cold, flush }) => {
      const answer = () => cold('-(ax|)', values);
      // three tokens by frame 30, then silence until long after the timeout
      const slow = cold('10ms a 9ms b 9ms c 500ms x|', values);
      consensus([answer(), answer(), slow], { timeout: 100 }).subscribe((r) => (result = r));
      flush();
    });
    const late = result!.outputs[2]!;
    expect([late.status, isTokenTimeoutError(late.error) && late.error.info]).toEqual(['error', { kind: 'total', timeoutMs: 100, elapsedMs: 100, tokenCount: 3 }]);
    expect([result!.consensus, result!.status, result!.failureCount, result!.skippedCount]).toEqual(['Paris', 'partial', 1, 0]);
  });

  // a source ending at the deadline itself timed out here (the timer, armed before the sources, ran first at that instant),
  // where parallel and pipeline count such a run as finished in time
  it('should count a source that ends at the deadline itself as finished, as parallel does, and one a frame later as timed out', () => {
    let result: ConsensusResult | undefined;
    let same: ParallelResult | undefined;
    let error: unknown;
    testScheduler().run(({ cold, flush }) => {
      const marbled = () => cold('---(ax|)', values); // its end scheduled when subscribed
      const chunked = () => timer(1).pipe(concatMap(() => timer(2)), concatMap(() => of(values.a!, values.x!))); // scheduled at 1
      const late = cold('----(ax|)', values);
      consensus([marbled(), chunked(), late], { timeout: 3 }).subscribe({ next: (r) => (result = r), error: (e: unknown) => (error = e) });
      parallel([marbled(), chunked(), late], { timeout: 3 }).subscribe((r) => (same = r));
      flush();
    });
    // (before: both timed out with the third, and the run failed with AllStreamsExhaustedError)
    expect([error, result?.outputs.map((o) => o.status)]).toEqual([undefined, ['success', 'success', 'error']]);
    expect(isTokenTimeoutError(result!.outputs[2]!.error) && result!.outputs[2]!.error.info).toEqual({ kind: 'total', timeoutMs: 3, elapsedMs: 3, tokenCount: 0 });
    expect([result!.consensus, result!.status, same!.statuses]).toEqual(['Paris', 'partial', ['success', 'success', 'error']]);
  });

  it('should label a source `concurrency` never let start as skipped, not timed out, with no error', () => {
    let result: ConsensusResult | undefined;
    testScheduler().run(({ cold, expectSubscriptions, flush }) => {
      const paris = () => cold('-(ax|)', values);
      const slow = () => cold('-a 500ms x|', values); // subscribed at 1 when a `paris` ends: one token at 2, stopped at 100
      const never = cold('-(ax|)', values); // its turn would come after a `slow` ends
      consensus([paris(), paris(), slow(), slow(), never], { timeout: 100, concurrency: 2 }).subscribe((r) => (result = r));
      flush();
      expectSubscriptions(never.subscriptions).toBe([]);
    });
    const { outputs } = result!;
    expect(outputs.map((o) => o.status)).toEqual(['success', 'success', 'error', 'error', 'skipped']);
    expect(isTokenTimeoutError(outputs[2]!.error) && outputs[2]!.error.info).toEqual({ kind: 'total', timeoutMs: 100, elapsedMs: 99, tokenCount: 1 });
    expect(outputs[4]).toEqual({ index: 4, status: 'skipped', weight: 1, state: null });
    expect([result!.status, result!.successCount, result!.failureCount, result!.cancelledCount, result!.skippedCount]).toEqual(['partial', 2, 2, 0, 1]);
    // like a failed source, a skipped one is left out of the agreement: the two finished ones agree
    expect([result!.consensus, result!.agreement]).toEqual(['Paris', 1]);
  });

  it('should fail with only the started sources\' errors when none finished', () => {
    let error: unknown;
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const slow = cold('-a 500ms x|', values);
      const run$ = consensus([slow, slow, slow], { timeout: 100, concurrency: 2 });
      const late = new TokenTimeoutError({ kind: 'total', timeoutMs: 100, elapsedMs: 100, tokenCount: 1 });
      expectObservable(run$).toBe('100ms #', undefined, new AllStreamsExhaustedError([late, late]));
      run$.subscribe({ error: (e: unknown) => (error = e) });
      flush();
    });
    const late = { kind: 'total', timeoutMs: 100, elapsedMs: 100, tokenCount: 1 };
    expect(isAllStreamsExhaustedError(error) && error.errors.map((e) => isTokenTimeoutError(e) && e.info)).toEqual([late, late]);
  });
});
