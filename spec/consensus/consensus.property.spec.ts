/** @test {consensus} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AllStreamsExhaustedError, consensus, fromStream, isConsensusError, type ConsensusConfig, type ConsensusResult, type StreamContext } from 'l0-rx';
import { fakeModel, type FakeItem } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';
import { runs } from '../helpers/propertyRuns.js';

/*
 * Property: for random answers (agreeing, differing, empty, failing or hanging) that end at random
 * frames, the consensus is exactly one model's text; every source still open when the result is
 * decided is aborted at that frame; nothing stays scheduled; an all-failed run errors with
 * AllStreamsExhaustedError carrying every failed model's error; and the result does not depend
 * on the order in which answers that end on the same frame arrive.
 */

type Answer = 'Paris' | 'paris.' | 'London' | '' | 'error' | 'hang';
interface Source { readonly answer: Answer; readonly at: number; readonly split: readonly number[] }

const sourceArb: fc.Arbitrary<Source> = fc.record({
  answer: fc.constantFrom<Answer>('Paris', 'paris.', 'London', '', 'error', 'hang'),
  at: fc.integer({ min: 1, max: 4 }),
  split: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }),
});

/** The answer at frame `at`, its wait cut in pieces by `split` (the same frame, a different place in the scheduler's queue). */
function items(s: Source, split: readonly number[]): FakeItem[] {
  const waits: number[] = [];
  let left = s.at;
  for (const w of split) {
    if (left - w < 1) break;
    waits.push(w);
    left -= w;
  }
  waits.push(left);
  // a progress event between the waits keeps them apart (consecutive waits are merged into one timer)
  const out: FakeItem[] = waits.flatMap((delay, k): FakeItem[] => (k === 0 ? [{ delay }] : [{ progress: {} }, { delay }]));
  if (s.answer === 'error') out.push({ error: { status: 500 } });
  else if (s.answer === 'hang') out.push({ hang: true });
  else if (s.answer !== '') out.push(s.answer);
  return out;
}

interface Lane { started?: number; aborted?: number; readonly model: ReturnType<typeof fakeModel> }

function run(sources: readonly Source[], config: ConsensusConfig, split: (s: Source) => readonly number[]) {
  const ts = testScheduler();
  const lanes: Lane[] = sources.map((s) => ({ model: fakeModel({ items: items(s, split(s)) }) }));
  let result: ConsensusResult | undefined;
  let error: unknown;
  let ended: number | undefined;
  let leftover = -1;
  ts.run(() => {
    const streams = lanes.map((lane) => fromStream((ctx: StreamContext) => {
      lane.started = ts.now();
      ctx.signal.addEventListener('abort', () => (lane.aborted = ts.now()));
      return lane.model(ctx);
    }));
    consensus(streams, config as ConsensusConfig & { parse?: undefined }).subscribe({
      next: (r) => (result = r),
      error: (e: unknown) => ((error = e), (ended = ts.now())),
      complete: () => (ended = ts.now()),
    });
    ts.flush();
    leftover = ts.actions.length;
  });
  return { lanes, result, error, ended, leftover };
}

const configArb: fc.Arbitrary<ConsensusConfig> = fc.record({
  // above 0.5 (0.6 is the default), a split vote is a ConsensusError
  minimumAgreement: fc.constantFrom(0, 0.5, 0.6, 0.75),
  threshold: fc.constantFrom(0.8, 1),
  resolveConflicts: fc.constantFrom('vote' as const, 'best' as const),
  concurrency: fc.constantFrom(1, 2, Infinity),
  timeout: fc.constantFrom(3, 5, 8),
});

const summary = (r: ReturnType<typeof run>) => ({
  consensus: r.result?.consensus, chosen: r.result?.chosenIndex, agreement: r.result?.agreement, dissent: r.result?.dissent,
  statuses: r.result?.outputs.map((o) => o.status), error: (r.error as Error | undefined)?.name, ended: r.ended,
});

describe('consensus (property)', () => {
  it('should choose one model\'s own text, abort every open source at the decision, and leave nothing scheduled', () => {
    const ends = { result: 0, exhausted: 0, noConsensus: 0 };
    fc.assert(fc.property(fc.array(sourceArb, { minLength: 2, maxLength: 5 }), configArb, fc.boolean(), (sources, config, earlyExit) => {
      const r = run(sources, { ...config, earlyExit }, (s) => s.split);
      expect(r.leftover).toBe(0);
      expect(r.ended).toBeDefined();
      r.lanes.forEach((lane, i) => {
        const own = sources[i]!.answer === 'hang' ? undefined : lane.started! + sources[i]!.at;
        if (lane.started !== undefined && (own === undefined || own > r.ended!)) expect(lane.aborted, `source ${i}`).toBe(r.ended);
      });
      if (r.result) {
        ends.result++;
        const chosen = r.result.chosenIndex!;
        expect(r.result.consensus).toBe(sources[chosen]!.answer);
        r.result.outputs.forEach((o, i) => {
          if (o.status === 'success') expect(o.text).toBe(sources[i]!.answer);
        });
        return;
      }
      if (r.error instanceof AllStreamsExhaustedError) {
        ends.exhausted++;
        // every failed source's error, in input order: a 500, an empty answer's ZeroOutputError or a timeout
        const started = r.lanes.filter((l) => l.started !== undefined).length;
        expect(r.error.errors).toHaveLength(started);
        return;
      }
      ends.noConsensus++;
      expect(isConsensusError(r.error), String(r.error)).toBe(true);
    }), { numRuns: runs(400) });
    // each ending was checked: a result, every source failed, agreement under minimumAgreement
    expect(ends.result, 'runs with a result').toBeGreaterThan(runs(100));
    expect(ends.exhausted, 'runs where every source failed').toBeGreaterThan(runs(40));
    expect(ends.noConsensus, 'runs below minimumAgreement').toBeGreaterThan(runs(10));
  });

  it('should not depend on the order in which answers ending on one frame arrive (no earlyExit)', () => {
    fc.assert(fc.property(fc.array(sourceArb, { minLength: 2, maxLength: 5 }), configArb, (sources, config) => {
      expect(summary(run(sources, config, (s) => s.split))).toEqual(summary(run(sources, config, () => [])));
    }), { numRuns: runs(400) });
  });
});

/* Structured: the keys' order inside each output is no vote (keys are compared sorted). */
const valueArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constantFrom(1, 2, 'x', null, [1]), fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('value') as fc.Arbitrary<unknown>, { maxKeys: 3 })),
})).value;

/** The same value with every object's keys in reverse order. */
const reversed = (v: unknown): unknown =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)])) : v;

const sorted = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

describe('structured consensus (property)', () => {
  it('should decide the same whatever the order of each output\'s keys', () => {
    const strategyArb = fc.constantFrom('majority' as const, 'best' as const);
    fc.assert(fc.property(fc.array(fc.dictionary(fc.constantFrom('a', 'b', 'c'), valueArb, { minKeys: 1, maxKeys: 3 }), { minLength: 2, maxLength: 5 }), strategyArb, (values, strategy) => {
      const decide = (vs: readonly unknown[]) => {
        const r = runStructured(vs, strategy);
        return { consensus: r.result === undefined ? undefined : sorted(r.result.consensus), chosen: r.result?.chosenIndex, agreement: r.result?.agreement, dissent: [...(r.result?.dissent ?? [])].sort(), error: (r.error as Error | undefined)?.name };
      };
      expect(decide(values.map(reversed))).toEqual(decide(values));
    }), { numRuns: runs(300) });
  });
});

function runStructured(values: readonly unknown[], strategy: 'majority' | 'best') {
  let result: ConsensusResult<unknown> | undefined;
  let error: unknown;
  testScheduler().run(() => {
    const streams = values.map((v) => fromStream(fakeModel({ items: [{ delay: 1 }, JSON.stringify(v)] })));
    consensus(streams, { parse: (t: string) => JSON.parse(t) as unknown, strategy, minimumAgreement: 0 }).subscribe({ next: (r) => (result = r), error: (e: unknown) => (error = e) });
  });
  return { result, error };
}
