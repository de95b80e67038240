/** @test {parallel} @test {sequential} @test {batched} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Observable } from 'rxjs';
import { batched, fromStream, isTokenTimeoutError, parallel, sequential, type L0Event, type ParallelResult, type StreamContext } from 'l0-rx';
import { fakeModel, type FakeItem } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';
import { runs } from '../helpers/propertyRuns.js';

/*
 * Property: for random fake-model scripts (tokens at random frames, then a completion, an error
 * of each kind, a hang, or no text at all), `parallel`, `sequential` and `batched` subscribe in
 * input order, never more at once than allowed; each success's state holds exactly its model's
 * text and each failure its model's error; one snapshot per ended run, never lost or repeated;
 * `failFast`, `timeout` and an early unsubscribe abort every run in flight at that frame; and
 * nothing stays scheduled after the last snapshot.
 */

type End = 'complete' | 'network' | 'http429' | 'inBand' | 'hang';
interface Script { readonly tokens: readonly string[]; readonly gap: number; readonly end: End }

const scriptArb: fc.Arbitrary<Script> = fc.record({
  tokens: fc.array(fc.constantFrom('ab', ' cd', 'Ef'), { maxLength: 3 }),
  gap: fc.integer({ min: 1, max: 3 }),
  end: fc.constantFrom<End>('complete', 'network', 'http429', 'inBand', 'hang'),
});

function items(s: Script): FakeItem[] {
  const out: FakeItem[] = s.tokens.flatMap((t): FakeItem[] => [{ delay: s.gap }, t]);
  out.push({ delay: 1 });
  if (s.end === 'network') out.push({ error: { network: 'ECONNRESET' } });
  if (s.end === 'http429') out.push({ error: { status: 429 } });
  if (s.end === 'inBand') out.push({ error: { inBand: { type: 'server_error' } } });
  if (s.end === 'hang') out.push({ hang: true });
  return out;
}
const duration = (s: Script) => s.tokens.length * s.gap + 1;

type Mode = { kind: 'parallel'; concurrency: number } | { kind: 'sequential' } | { kind: 'batched'; size: number };
const modeArb: fc.Arbitrary<Mode> = fc.oneof(
  fc.record({ kind: fc.constant('parallel' as const), concurrency: fc.constantFrom(1, 2, 3, Infinity) }),
  fc.constant({ kind: 'sequential' as const }),
  fc.record({ kind: fc.constant('batched' as const), size: fc.integer({ min: 1, max: 3 }) }),
);

interface Lane { started?: number; stopped?: number; aborted?: number; readonly model: ReturnType<typeof fakeModel> }

function run(scripts: readonly Script[], mode: Mode, config: { failFast: boolean; timeout: number | undefined }, unsubscribeAt?: number) {
  const ts = testScheduler();
  const lanes: Lane[] = scripts.map((s) => ({ model: fakeModel({ items: items(s) }) }));
  const snaps: [number, ParallelResult][] = [];
  let error: unknown;
  let completeFrame: number | undefined;
  let leftover = -1;
  ts.run(() => {
    const sources: Observable<L0Event>[] = lanes.map((lane, i) => fromStream((ctx: StreamContext) => {
      lane.started = ts.now();
      const end = duration(scripts[i]!);
      if (scripts[i]!.end !== 'hang') lane.stopped = ts.now() + end;
      ctx.signal.addEventListener('abort', () => (lane.aborted = ts.now()));
      return lane.model(ctx);
    }));
    const options = { failFast: config.failFast, ...(config.timeout === undefined ? {} : { timeout: config.timeout }) };
    const all = mode.kind === 'parallel' ? parallel(sources, { ...options, concurrency: mode.concurrency }) : mode.kind === 'sequential' ? sequential(sources, options) : batched(sources, mode.size, options);
    const sub = all.subscribe({ next: (r) => snaps.push([ts.now(), r]), error: (e: unknown) => (error = e), complete: () => (completeFrame = ts.now()) });
    if (unsubscribeAt !== undefined) ts.schedule(() => (sub.unsubscribe(), (leftover = ts.actions.length)), unsubscribeAt);
    ts.flush();
    if (unsubscribeAt === undefined) leftover = ts.actions.length;
  });
  return { lanes, snaps, error, completeFrame, leftover };
}

/** When a lane ended: its own end, or its abort, whichever came first. */
const endOf = (lane: Lane): number | undefined => (lane.aborted !== undefined && (lane.stopped === undefined || lane.aborted < lane.stopped) ? lane.aborted : lane.stopped);

describe('parallel, sequential and batched (property)', () => {
  it('should run in order within the limit, keep each model\'s own text and error, and leave nothing open', () => {
    fc.assert(fc.property(fc.array(scriptArb, { maxLength: 5 }), modeArb, fc.boolean(), fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }), (scripts, mode, failFast, timeout) => {
      const hangs = scripts.some((s) => s.end === 'hang');
      const { lanes, snaps, error, completeFrame, leftover } = run(scripts, mode, { failFast, timeout: hangs && timeout === undefined ? 10 : timeout });
      expect(error).toBeUndefined();
      expect(completeFrame).toBeDefined();
      expect(leftover).toBe(0);
      const last = snaps[snaps.length - 1]![1];
      expect(last.done).toBe(true);
      expect(snaps.filter(([, r]) => r.done)).toHaveLength(1);
      // one snapshot per ended run, none repeated
      const indices = snaps.map(([, r]) => r.index).filter((i) => i !== undefined);
      expect(new Set(indices).size).toBe(indices.length);
      let ended = 0;
      for (const [, r] of snaps) expect(r.completed).toBe((ended += r.index === undefined ? 0 : 1));
      // subscribed in input order, never more at once than allowed
      const started = lanes.filter((l) => l.started !== undefined);
      expect(lanes.map((l) => l.started !== undefined)).toEqual(lanes.map((_, i) => i < started.length));
      const limit = mode.kind === 'parallel' ? mode.concurrency : mode.kind === 'sequential' ? 1 : mode.size;
      started.forEach((l, i) => {
        const open = started.filter((o, j) => j !== i && o.started! <= l.started! && (endOf(o) === undefined || endOf(o)! > l.started!));
        expect(open.length + 1, `run ${i} at ${l.started}`).toBeLessThanOrEqual(limit);
        if (i > 0) expect(l.started!).toBeGreaterThanOrEqual(started[i - 1]!.started!);
        if (mode.kind === 'batched' && i % mode.size === 0 && i > 0) {
          // a batch starts when the whole previous batch has ended
          for (const o of started.slice(i - mode.size, i)) expect(endOf(o)!).toBeLessThanOrEqual(l.started!);
        }
      });
      // each run's outcome is its own model's
      lanes.forEach((lane, i) => {
        const status = last.statuses[i];
        if (status === 'success') {
          expect(last.results[i]!.content).toBe(scripts[i]!.tokens.join(''));
          expect(scripts[i]!.end).toBe('complete');
        } else if (status === 'error') {
          expect(last.errors[i]).toBeInstanceOf(Error);
          if (scripts[i]!.end === 'complete' || scripts[i]!.end === 'hang') expect(isTokenTimeoutError(last.errors[i])).toBe(true);
        } else expect(status).toBe('cancelled');
        // a run stopped before its own end was aborted, never left open
        if (lane.started !== undefined && (lane.stopped === undefined || lane.stopped > completeFrame!)) expect(lane.aborted, `run ${i}`).toBeDefined();
      });
      // failFast: at the first failure, every run in flight is aborted at that frame and no more start
      const firstFail = snaps.find(([, r]) => r.index !== undefined && r.statuses[r.index] === 'error');
      if (failFast && firstFail) {
        const [at] = firstFail;
        lanes.forEach((lane, i) => {
          if (lane.started !== undefined) expect(lane.started, `run ${i}`).toBeLessThanOrEqual(at);
          if (lane.started !== undefined && (lane.stopped === undefined || lane.stopped > at) && last.statuses[i] === 'cancelled') expect(lane.aborted, `run ${i}`).toBe(at);
        });
      }
    }), { numRuns: runs(400) });
  });

  it('should abort every run in flight and leave nothing scheduled when the consumer leaves early', () => {
    let left = 0;
    fc.assert(fc.property(fc.array(scriptArb, { minLength: 1, maxLength: 5 }), modeArb, fc.integer({ min: 0, max: 10 }), (scripts, mode, at) => {
      const { lanes, completeFrame, leftover } = run(scripts, mode, { failFast: false, timeout: undefined }, at);
      if (completeFrame !== undefined && completeFrame <= at) return;
      left++;
      expect(leftover).toBe(0);
      lanes.forEach((lane, i) => {
        if (lane.started !== undefined && (lane.stopped === undefined || lane.stopped > at)) expect(lane.aborted, `run ${i}`).toBe(at);
        if (lane.started !== undefined) expect(lane.started).toBeLessThanOrEqual(at);
      });
    }), { numRuns: runs(300) });
    // the consumer left runs still in flight in about 80% of the runs (the rest had ended)
    expect(left, 'runs left while in flight').toBeGreaterThan(runs(80));
  });
});
