/** @test {pipeline} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromStream, pipeline, type PipelineResult, type PipelineUpdate, type StreamContext } from 'l0-rx';
import { fakeModel, type FakeItem } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';
import { runs } from '../helpers/propertyRuns.js';

/*
 * Property: for random steps (tokens, then a completion, an error or a hang; run or skipped),
 * each step gets the last good output as its input and streams exactly its own model's events
 * between its step-start and step-end; the result's output and status follow `stopOnError`; a
 * timeout or an early unsubscribe aborts the running step at that frame; nothing stays scheduled.
 */

type End = 'complete' | 'network' | 'hang';
interface Step { readonly tokens: readonly string[]; readonly end: End; readonly go: boolean }

const stepArb: fc.Arbitrary<Step> = fc.record({
  tokens: fc.array(fc.constantFrom('ab', ' cd', 'E'), { maxLength: 3 }),
  end: fc.constantFrom<End>('complete', 'complete', 'network', 'hang'),
  go: fc.boolean(),
});

function items(s: Step): FakeItem[] {
  const out: FakeItem[] = s.tokens.flatMap((t): FakeItem[] => [{ delay: 1 }, t]);
  out.push({ delay: 1 });
  if (s.end === 'network') out.push({ error: { network: 'ECONNRESET' } });
  if (s.end === 'hang') out.push({ hang: true });
  return out;
}

interface Lane { input?: unknown; started?: number; aborted?: number; readonly model: ReturnType<typeof fakeModel> }

function run(steps: readonly Step[], stopOnError: boolean, timeout: number | undefined, unsubscribeAt?: number) {
  const ts = testScheduler();
  const lanes: Lane[] = steps.map((s) => ({ model: fakeModel({ items: items(s) }) }));
  const updates: [number, PipelineUpdate][] = [];
  let ended: number | undefined;
  let error: unknown;
  let leftover = -1;
  ts.run(() => {
    const sub = pipeline(steps.map((s, i) => ({
      name: `s${i}`,
      condition: () => s.go,
      run: (input: unknown) => fromStream((ctx: StreamContext) => {
        Object.assign(lanes[i]!, { input, started: ts.now() });
        ctx.signal.addEventListener('abort', () => (lanes[i]!.aborted = ts.now()));
        return lanes[i]!.model(ctx);
      }),
    })), 'in', { stopOnError, ...(timeout === undefined ? {} : { timeout }) }).subscribe({
      next: (u) => updates.push([ts.now(), u]),
      error: (e: unknown) => (error = e),
      complete: () => (ended = ts.now()),
    });
    if (unsubscribeAt !== undefined) ts.schedule(() => (sub.unsubscribe(), (leftover = ts.actions.length)), unsubscribeAt);
    ts.flush();
    if (unsubscribeAt === undefined) leftover = ts.actions.length;
  });
  return { lanes, updates, ended, error, leftover };
}

describe('pipeline (property)', () => {
  it('should hand each step the last good output, stream its own events, and end every started step', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 4 }), fc.boolean(), fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }), (steps, stopOnError, given) => {
      const timeout = given ?? (steps.some((s) => s.go && s.end === 'hang') ? 20 : undefined);
      const { lanes, updates, ended, error, leftover } = run(steps, stopOnError, timeout);
      expect(error).toBeUndefined();
      expect(ended).toBeDefined();
      expect(leftover).toBe(0);
      const last = updates[updates.length - 1]![1];
      expect(last.type).toBe('result');
      const result = (last as { result: PipelineResult }).result;
      // every step-start has its step-end, and its events in between are its own model's, once each
      let good: unknown = 'in';
      let failed = false;
      for (const [i, s] of steps.entries()) {
        const startAt = updates.findIndex(([, u]) => u.type === 'step-start' && u.stepIndex === i);
        const endAt = updates.findIndex(([, u]) => u.type === 'step-end' && u.step.stepIndex === i);
        if (startAt === -1) {
          expect(lanes[i]!.started, `step ${i}`).toBeUndefined();
          continue;
        }
        expect(endAt, `step ${i}`).toBeGreaterThan(startAt);
        const own = updates.slice(startAt + 1, endAt).map(([, u]) => u);
        expect(own.every((u) => u.type === 'event' && u.stepIndex === i)).toBe(true);
        const tokens = own.flatMap((u) => (u.type === 'event' && u.event.type === 'token' ? [u.event.value] : []));
        expect(lanes[i]!.input, `step ${i}`).toBe(good);
        const end = updates[endAt]![1];
        if (end.type !== 'step-end') throw new Error('unreachable');
        if (end.step.status === 'success') {
          expect(tokens).toEqual(s.tokens);
          good = end.step.output;
          expect(good).toBe(s.tokens.join(''));
        } else {
          expect(s.tokens.slice(0, tokens.length)).toEqual(tokens);
          failed = true;
        }
      }
      expect(result.output).toBe(good);
      if (!failed) expect(result.status).toBe('success');
      else expect(result.status).toBe(stopOnError || result.error instanceof Error && result.error.name === 'TokenTimeoutError' ? 'error' : 'partial');
      // a step the timeout stopped was aborted at the deadline
      lanes.forEach((lane, i) => {
        if (lane.started === undefined) return;
        const own = steps[i]!.end === 'hang' ? undefined : lane.started + steps[i]!.tokens.length + 1;
        if (own === undefined || own > ended!) expect(lane.aborted, `step ${i}`).toBe(ended);
      });
    }), { numRuns: runs(400) });
  });

  it('should abort the running step and leave nothing scheduled when the consumer leaves early', () => {
    let left = 0;
    fc.assert(fc.property(fc.array(stepArb, { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 10 }), (steps, at) => {
      const { lanes, ended, leftover } = run(steps, true, 30, at);
      if (ended !== undefined && ended <= at) return;
      left++;
      expect(leftover).toBe(0);
      lanes.forEach((lane, i) => {
        if (lane.started === undefined) return;
        const own = steps[i]!.end === 'hang' ? undefined : lane.started + steps[i]!.tokens.length + 1;
        if (own === undefined || own > at) expect(lane.aborted, `step ${i}`).toBe(at);
      });
    }), { numRuns: runs(300) });
    // the consumer left a pipeline still running in about half the runs (the rest had ended)
    expect(left, 'runs left while running').toBeGreaterThan(runs(60));
  });
});
