/** @test {parallel} @test {sequential} @test {batched} @test {pipeline} a signal that is not this realm's AbortSignal */
import { describe, expect, it } from 'vitest';
import { last, NEVER, Observable } from 'rxjs';
import { batched, isStreamAbortedError, parallel, pipeline, sequential, type L0Event, type ParallelResult, type PipelineUpdate } from 'l0-rx';
import { ForeignSignal } from '../helpers/foreignSignal.js';

const foreign = () => new ForeignSignal() as unknown as AbortSignal & ForeignSignal;

/** A run that never ends, recording its unsubscription (its request's abort). */
const open = (log: string[], name: string) => new Observable<L0Event>(() => () => log.push(`${name} aborted`));

describe('a signal from another realm or a polyfill', () => {
  it('should be taken by parallel: aborting it unsubscribes every run in flight and starts no more', () => {
    expect(foreign()).not.toBeInstanceOf(AbortSignal);
    const log: string[] = [];
    const signal = foreign();
    let closing: ParallelResult | undefined;
    // before: refused at the call with "parallel(sources, {signal}) must be an AbortSignal, got a ForeignSignal"
    parallel([open(log, 'a'), open(log, 'b'), open(log, 'c')], { concurrency: 2, signal }).pipe(last()).subscribe((r) => (closing = r));
    signal.abort('stop');
    expect(log).toEqual(['a aborted', 'b aborted']);
    expect([closing?.done, closing?.statuses, closing?.cancelledCount]).toEqual([true, ['cancelled', 'cancelled', 'cancelled'], 3]);
  });

  it('should be taken by sequential and batched, an aborted one starting no run', () => {
    const signal = foreign();
    signal.abort('before');
    let subscribed = 0;
    const counted = new Observable<L0Event>(() => void subscribed++);
    for (const run of [sequential([counted], { signal }), batched([counted], 1, { signal })]) {
      const closing: ParallelResult[] = [];
      run.subscribe((r) => closing.push(r));
      expect([closing.length, closing[0]?.statuses]).toEqual([1, ['cancelled']]);
    }
    expect(subscribed).toBe(0);
  });

  it('should be taken by pipeline: aborting it unsubscribes the running step and ends with StreamAbortedError', () => {
    const log: string[] = [];
    const signal = foreign();
    const updates: PipelineUpdate[] = [];
    pipeline([{ name: 'wait', run: () => open(log, 'wait') }], 'in', { signal }).subscribe((u) => updates.push(u));
    signal.abort('stop');
    const result = updates.at(-1);
    expect(log).toEqual(['wait aborted']);
    expect(result?.type === 'result' && [result.result.status, isStreamAbortedError(result.result.error)]).toEqual(['error', true]);
  });

  it('should still refuse, naming it, a value that is no signal: no aborted flag, or no listener methods', () => {
    const cases = [{}, { aborted: false }, { aborted: false, addEventListener: () => undefined }, { aborted: 'no', addEventListener: () => undefined, removeEventListener: () => undefined }];
    for (const bad of cases) {
      expect(() => parallel([], { signal: bad as unknown as AbortSignal })).toThrow(/parallel\(sources, \{signal\}\) must be an AbortSignal/);
      expect(() => pipeline([], 'in', { signal: bad as unknown as AbortSignal })).toThrow(/pipeline\(steps, input, \{signal\}\) must be an AbortSignal/);
    }
    expect(() => parallel([NEVER], { signal: new AbortController().signal })).not.toThrow();
  });
});
