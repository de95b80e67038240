/** @test {consensus} */
import { describe, expect, it } from 'vitest';
import { NEVER, type Observable } from 'rxjs';
import {
  AllStreamsExhaustedError, consensus, ConsensusError, isAllStreamsExhaustedError, isConsensusError, isTokenTimeoutError, textSimilarity, TokenTimeoutError,
  type ConsensusResult, type L0Event,
} from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const complete: L0Event = { type: 'complete', finishReason: 'stop' };
const bad = new Error('bad');
/** Runs `build` under virtual time; returns the result or the error. */
function run<T>(build: (answer: (text: string, frames?: number) => Observable<L0Event>, failing: (frames?: number) => Observable<L0Event>) => Observable<ConsensusResult<T>>) {
  let result: ConsensusResult<T> | undefined;
  let error: unknown;
  testScheduler().run(({ cold, flush }) => {
    const answer = (text: string, frames = 1) => cold(`${'-'.repeat(frames)}(ax|)`, { a: tok(text), x: complete });
    const failing = (frames = 1) => cold<L0Event>(`${'-'.repeat(frames)}#`, undefined, bad);
    build(answer, failing).subscribe({ next: (r) => (result = r), error: (e: unknown) => (error = e) });
    flush();
  });
  return { result: result!, error };
}

describe('consensus', () => {
  // L0 K1
  describe('input errors (L0 K1)', () => {
    it('should throw a TypeError for fewer than 2 sources', () => {
      expect(() => consensus([NEVER])).toThrow(/at least 2 sources, got 1/);
    });

    it('should throw a TypeError naming a hole in the sources, never count it a skipped source', () => {
      // the hole was skipped: the run went on with outputs[0] 'skipped' and no error
      // eslint-disable-next-line no-sparse-arrays
      expect(() => consensus([, NEVER, NEVER] as unknown as Observable<L0Event>[])).toThrow(new TypeError('consensus(sources): sources[0] must be an Observable<L0Event>, got undefined'));
    });

    it('should throw a TypeError naming a source that has a subscribe method but is no Observable, as parallel does', () => {
      // it was taken, and its output failed with "sources[i].pipe is not a function"
      const subscribable = { subscribe: () => ({ unsubscribe: () => undefined }) };
      expect(() => consensus([subscribable as unknown as Observable<L0Event>, NEVER])).toThrow(new TypeError('consensus(sources): sources[0] must be an Observable<L0Event>, got an object'));
    });

    // the array was read at the subscription: a source set after the check ran unchecked (its output failed with
    // "sources[i].pipe is not a function", and that dissent failed minimumAgreement), one pushed later was a request the caller never passed
    it('should run the sources as they were when it was called, whatever happens to the array afterwards', () => {
      const { result, error } = run((answer) => {
        const sources = [answer('Paris'), answer('Paris')];
        const decided = consensus(sources);
        sources[1] = 'x' as unknown as Observable<L0Event>;
        sources.push(answer('London'));
        return decided;
      });
      expect([error, result?.consensus, result?.agreement, result?.outputs.length]).toEqual([undefined, 'Paris', 1, 2]);
    });

    it('should error with AllStreamsExhaustedError holding every error when every source fails', () => {
      const { error } = run((_, failing) => consensus([failing(), failing(2)]));
      expect(isAllStreamsExhaustedError(error) && error.errors).toEqual([bad, bad]);
    });

    it('should take the default of an option given as undefined', () => {
      const { result } = run((answer) => consensus([answer('Paris'), answer('Paris'), answer('London')], { strategy: undefined, threshold: undefined, resolveConflicts: undefined, minimumAgreement: undefined }));
      expect([result.consensus, result.agreement]).toEqual(['Paris', 2 / 3]);
    });

    it('should throw a TypeError for an unknown option, with a suggestion', () => {
      expect(() => consensus([NEVER, NEVER], { treshold: 0.5 } as never)).toThrow(/did you mean `threshold`/);
    });

    it('should throw a TypeError naming a timeout longer than a timer waits (2147483647 ms)', () => {
      expect(() => consensus([NEVER, NEVER], { timeout: 3e9 })).toThrow(/^consensus\(sources, \{timeout\}\) must be at most 2147483647 ms .*, got 3000000000$/);
    });
  });

  // L0 K2
  it('should choose the answer most outputs agree with (L0 K2)', () => {
    const { result } = run((answer) => consensus([answer('Paris'), answer('Paris', 2), answer('London')]));
    expect([result.consensus, result.status, result.agreement, result.dissent]).toEqual(['Paris', 'success', 2 / 3, [2]]);
  });

  it('should not let two different punctuation-only answers agree ("..." and "!!!")', () => {
    const { error } = run((answer) => consensus([answer('...'), answer('!!!')]));
    expect(isConsensusError(error) && [error.info.kind, error.info.agreement]).toEqual(['below-minimum-agreement', 0.5]);
  });

  // L0 K3
  it('should use the outputs that succeeded and say the result is partial (L0 K3)', () => {
    const { result } = run((answer, failing) => consensus([answer('Paris'), failing(), answer('Paris.')]));
    expect([result.consensus, result.status, result.successCount, result.failureCount]).toEqual(['Paris', 'partial', 2, 1]);
    expect(result.outputs[1]).toMatchObject({ status: 'error', error: bad });
  });

  // L0 K4
  describe('strategy errors (L0 K4)', () => {
    it('should error with ConsensusError for unanimous with resolveConflicts fail when outputs differ', () => {
      const { error } = run((answer) => consensus([answer('the quick brown fox'), answer('the quick brown dog')], { strategy: 'unanimous', resolveConflicts: 'fail' }));
      expect(isConsensusError(error) && error.info.kind).toBe('conflict');
    });

    it.each(['weighted', 'best'] as const)('should throw a TypeError naming weights that are all 0 (%s), which agree with nothing, before any request', (strategy) => {
      expect(() => consensus([NEVER, NEVER], { strategy, weights: [0, 0] })).toThrow(/consensus\(sources, \{weights\}\) must be weights not all 0/);
      // one weight above 0 is a consensus of that source
      const { result } = run((answer) => consensus([answer('Paris'), answer('London')], { strategy, weights: [0, 1] }));
      expect(result.consensus).toBe('London');
    });

    it('should throw a TypeError for the weighted strategy without weights', () => {
      expect(() => consensus([NEVER, NEVER], { strategy: 'weighted' })).toThrow(/weights/);
    });

    it('should throw a TypeError naming the strategies for weights with majority or unanimous, which count one vote per source', () => {
      for (const strategy of [undefined, 'majority', 'unanimous'] as const) {
        expect(() => consensus([NEVER, NEVER], { strategy, weights: [5, 1] })).toThrow(
          new TypeError(`consensus(sources, {weights}) needs strategy 'weighted' (or 'best'): '${strategy ?? 'majority'}' counts one vote per source`),
        );
      }
      expect(() => consensus([NEVER, NEVER], { strategy: 'best', weights: [5, 1] })).not.toThrow();
    });

    it('should throw a TypeError naming an option its other options would ignore unseen', () => {
      const score = () => 1;
      expect(() => consensus([NEVER, NEVER], { score })).toThrow(
        new TypeError("consensus(sources, {score}) needs strategy or resolveConflicts 'best' (nothing else scores outputs)"),
      );
      expect(() => consensus([NEVER, NEVER], { score, strategy: 'best' })).not.toThrow();
      expect(() => consensus([NEVER, NEVER], { score, resolveConflicts: 'best' })).not.toThrow();
      expect(() => consensus([NEVER, NEVER], { onInvalidMerge: 'error' })).toThrow(
        new TypeError("consensus(sources, {onInvalidMerge: 'error'}) needs a schema (nothing is validated without one)"),
      );
      expect(() => consensus([NEVER, NEVER], { parse: (text: string) => text.length, similarity: () => 1 })).toThrow(
        new TypeError('consensus(sources, {similarity}) is for text: parse and schema vote fields by value'),
      );
    });

    it('should take an option given as its default as an omitted one, not refuse it', () => {
      // each is what the omitted option means, so nothing the caller asked for is ignored
      expect(() => consensus([NEVER, NEVER], { onInvalidMerge: 'best' })).not.toThrow();
      expect(() => consensus([NEVER, NEVER], { parse: (text: string) => text.length, similarity: textSimilarity })).not.toThrow();
      for (const strategy of [undefined, 'majority', 'unanimous'] as const) expect(() => consensus([NEVER, NEVER], { strategy, weights: [1, 1] })).not.toThrow();
    });

    it('should decide the same with an explicit default as without it', () => {
      const three = (answer: (text: string) => Observable<L0Event>) => [answer('Paris'), answer('Paris'), answer('London')];
      const omitted = run((answer) => consensus(three(answer))).result;
      const explicit = run((answer) => consensus(three(answer), { onInvalidMerge: 'best', similarity: textSimilarity, weights: [1, 1, 1] })).result;
      expect([explicit, explicit.consensus]).toEqual([omitted, 'Paris']);
      const json = (answer: (text: string) => Observable<L0Event>) => [answer('{"a":1}'), answer('{"a":1}'), answer('{"a":2}')];
      const parsed = run((answer) => consensus(json(answer), { parse: (t: string) => JSON.parse(t) as unknown })).result;
      const parsedExplicit = run((answer) => consensus(json(answer), { parse: (t: string) => JSON.parse(t) as unknown, similarity: textSimilarity, onInvalidMerge: 'best' })).result;
      expect([parsedExplicit, parsedExplicit.consensus]).toEqual([parsed, { a: 1 }]);
    });

    it('should unsubscribe unfinished sources at the timeout and fail when none finished', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const late = new TokenTimeoutError({ kind: 'total', timeoutMs: 100, elapsedMs: 100, tokenCount: 0 });
        const slow = cold('500ms (ax|)', { a: tok('late'), x: complete });
        const run$ = consensus([slow, slow], { timeout: 100 });
        expectObservable(run$).toBe('100ms #', undefined, new AllStreamsExhaustedError([late, late]));
        expectSubscriptions(slow.subscriptions).toBe(['^ 99ms !', '^ 99ms !']);
      });
    });

    it('should count the unfinished sources as timed out and decide over the finished ones', () => {
      const { result } = run((answer) => consensus([answer('Paris'), answer('Paris'), answer('late', 500)], { timeout: 100 }));
      expect([result.consensus, result.status, isTokenTimeoutError(result.outputs[2]!.error)]).toEqual(['Paris', 'partial', true]);
    });
  });

  describe('weights', () => {
    it('should let the heavier side win with weighted, weights indexed by source position', () => {
      const { result } = run((answer) => consensus([answer('London'), answer('Paris'), answer('Paris')], { strategy: 'weighted', weights: [5, 1, 1], minimumAgreement: 0 }));
      expect([result.consensus, result.agreement]).toEqual(['London', 5 / 7]);
    });

    it('should throw a TypeError naming a hole in the weights, never weigh that source 1 unseen', () => {
      // the hole passed (every skips it) and its source was weighed 1, the default: London won 5/7 with [5, , 1]
      // eslint-disable-next-line no-sparse-arrays
      const holey = [5, , 1] as number[];
      expect(() => consensus([NEVER, NEVER, NEVER], { strategy: 'weighted', weights: holey })).toThrow(
        new TypeError('consensus(sources, {weights}) must be an array of 3 finite numbers >= 0 (one per source), got an array'),
      );
    });

    // the array was read at the subscription: weights set to 0 after the check weighed the run unchecked (all 0: every agreement 0/0)
    it('should weigh the sources as the weights were when it was called, whatever happens to the array afterwards', () => {
      const { result } = run((answer) => {
        const weights = [5, 1, 1];
        const decided = consensus([answer('London'), answer('Paris'), answer('Paris')], { strategy: 'weighted', weights, minimumAgreement: 0 });
        weights.fill(0);
        return decided;
      });
      expect([result?.consensus, result?.agreement, result?.outputs.map((o) => o.weight)]).toEqual(['London', 5 / 7, [5, 1, 1]]);
    });

    it('should keep weights on source positions when an earlier source fails', () => {
      const { result } = run((answer, failing) => consensus([failing(), answer('London'), answer('Paris')], { strategy: 'weighted', weights: [9, 1, 3], minimumAgreement: 0 }));
      expect(result.consensus).toBe('Paris');
    });

    it('should pick the highest score with best', () => {
      const { result } = run((answer) => consensus([answer('short'), answer('a much longer answer')], { strategy: 'best', score: (o) => o.text!.length, minimumAgreement: 0 }));
      expect([result.consensus, result.chosenIndex]).toEqual(['a much longer answer', 1]);
    });
  });

  it('should error with ConsensusError below minimumAgreement', () => {
    const { error } = run((answer) => consensus([answer('yes'), answer('no'), answer('maybe')]));
    expect(error).toBeInstanceOf(ConsensusError);
    expect((error as ConsensusError).info).toEqual({ kind: 'below-minimum-agreement', agreement: 1 / 3, minimumAgreement: 0.6 });
  });

  // L0 K5
  describe('structured (L0 K5)', () => {
    const json = (v: unknown) => JSON.stringify(v);
    it('should vote each field and report its agreement', () => {
      const { result } = run((answer) =>
        consensus([answer(json({ a: 1, b: 'x' })), answer(json({ a: 1, b: 'y' })), answer(json({ a: 1, b: 'x' }))], { parse: (t) => JSON.parse(t) as unknown }),
      );
      expect(result.consensus).toEqual({ a: 1, b: 'x' });
      expect(result.fields!['a']).toMatchObject({ value: 1, agreement: 1, unanimous: true });
      expect(result.fields!['b']).toMatchObject({ value: 'x', agreement: 2 / 3, unanimous: false });
      expect(result.dissent).toEqual(['b']);
    });

    it('should treat objects with the same keys in another order as one vote', () => {
      const { result } = run((answer) =>
        consensus([answer('{"p":{"x":1,"y":2}}'), answer('{"p":{"y":2,"x":1}}')], { parse: (t) => JSON.parse(t) as unknown }),
      );
      expect(result.fields!['p.x']!.unanimous && result.fields!['p.y']!.unanimous).toBe(true);
      expect(result.agreement).toBe(1);
    });

    it('should never take a minority\'s shape: one model\'s [] or {} is not the consensus of four objects', () => {
      const four = json({ a: 1, b: 2, c: 3 });
      for (const odd of ['[]', '{}', '"none"']) {
        const { result } = run((answer) => consensus([answer(four), answer(four), answer(odd), answer(four), answer(four)], { parse: (t) => JSON.parse(t) as unknown }));
        expect([result.consensus, result.dissent]).toEqual([{ a: 1, b: 2, c: 3 }, ['']]);
      }
    });

    it('should merge a field that is a value in some outputs and an object in others by the heavier side, in any order', () => {
      const nested = json({ a: { x: 1 }, b: 1 });
      const flat = json({ a: 5, b: 1 });
      const parse = (t: string) => JSON.parse(t) as unknown;
      for (const texts of [[nested, nested, flat], [flat, nested, nested]]) {
        const { result, error } = run((answer) => consensus(texts.map((t) => answer(t)), { parse, minimumAgreement: 0 }));
        expect([error, result.consensus]).toEqual([undefined, { a: { x: 1 }, b: 1 }]);
      }
      const { result } = run((answer) => consensus([answer(nested), answer(flat), answer(flat)], { parse, minimumAgreement: 0 }));
      expect(result.consensus).toEqual({ a: 5, b: 1 });
      const weighted = run((answer) => consensus([answer(nested), answer(flat), answer(flat)], { parse, strategy: 'weighted', weights: [3, 1, 1], minimumAgreement: 0 }));
      expect(weighted.result.consensus).toEqual({ a: { x: 1 }, b: 1 });
    });

    it('should count an output whose parse throws as failed', () => {
      const { result } = run((answer) => consensus([answer('{"a":1}'), answer('not json'), answer('{"a":1}')], { parse: (t) => JSON.parse(t) as unknown }));
      expect([result.status, result.outputs[1]!.status, result.consensus]).toEqual(['partial', 'error', { a: 1 }]);
    });
  });

  describe('rxjs checklist', () => {
    it('should emit nothing while the sources are silent', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(consensus([NEVER, NEVER])).toBe('-');
      });
    });

    it('should unsubscribe every source when the consumer unsubscribes', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const a = cold('-----a|', { a: tok('x') });
        expectObservable(consensus([a, a]), '^--!').toBe('---');
        expectSubscriptions(a.subscriptions).toBe(['^--!', '^--!']);
      });
    });

    it.each([['NaN', NaN], ['1.5', 1.5], ['-0.1', -0.1], ['"1"', '1']])('should error with a TypeError naming it when similarity returns %s', (shown, bad) => {
      const { error } = run((answer) => consensus([answer('a'), answer('b')], { similarity: () => bad as number }));
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toBe(`consensus({similarity}) returned ${shown}; it must return a number in [0, 1]`);
    });

    it('should error when score throws', () => {
      const boom = new Error('score');
      const { error } = run((answer) => consensus([answer('a'), answer('b')], { strategy: 'best', score: () => { throw boom; } }));
      expect(error).toBe(boom);
    });
  });
});
