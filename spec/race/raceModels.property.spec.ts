/** @test {raceModels} @test {hedge} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defer, type Observable } from 'rxjs';
import { AllStreamsExhaustedError, fromStream, hedge, isZeroOutputError, raceModels, type L0Event, type StreamContext } from 'l0-rx';
import { fakeModel, type FakeItem } from 'l0-rx/testing';
import { runScenario, tokenText } from '../helpers/runScenario.js';
import { runs } from '../helpers/propertyRuns.js';

/*
 * Property: for random fake-model scripts (tokens at random frames, then a completion, an error of
 * each kind, a hang, or nothing at all), the race's winner streams exactly its own model's text;
 * every other model still open when the winner is decided is aborted at that frame; nothing stays
 * scheduled once the race ends or its consumer leaves; and a race no model won errors with
 * AllStreamsExhaustedError carrying every model's error in input order.
 */

type End = 'complete' | 'network' | 'http429' | 'http500' | 'inBand' | 'hang';
interface Script { readonly steps: readonly { readonly wait: number; readonly token: string }[]; readonly lead: number; readonly end: End }

const scriptArb: fc.Arbitrary<Script> = fc.record({
  lead: fc.integer({ min: 0, max: 4 }),
  steps: fc.array(fc.record({ wait: fc.integer({ min: 0, max: 3 }), token: fc.constantFrom('ab', ' cd', 'Ef', 'g', ' ') }), { maxLength: 4 }),
  end: fc.constantFrom<End>('complete', 'network', 'http429', 'http500', 'inBand', 'hang'),
});

function items(s: Script): FakeItem[] {
  const out: FakeItem[] = s.lead > 0 ? [{ delay: s.lead }] : [];
  for (const { wait, token } of s.steps) out.push(...(wait > 0 ? [{ delay: wait }] : []), token);
  out.push({ delay: 1 });
  if (s.end === 'network') out.push({ error: { network: 'ECONNRESET' } });
  if (s.end === 'http429') out.push({ error: { status: 429 } });
  if (s.end === 'http500') out.push({ error: { status: 500 } });
  if (s.end === 'inBand') out.push({ error: { inBand: { type: 'server_error' } } });
  if (s.end === 'hang') out.push({ hang: true });
  return out;
}

/** When each script's first token comes (undefined: none), when it ends (undefined: never), and its text. */
function timing(s: Script): { first: number | undefined; end: number | undefined; text: string } {
  let t = s.lead;
  let first: number | undefined;
  for (const { wait, token } of s.steps) {
    t += wait;
    first ??= /\S/.test(token) ? t : undefined; // a whitespace-only token wins nothing
  }
  return { first, end: s.end === 'hang' ? undefined : t + 1, text: s.steps.map((x) => x.token).join('') };
}

interface Lane { readonly model: ReturnType<typeof fakeModel>; abortedAt: number | undefined }

function race(scripts: readonly Script[], build: (sources: Observable<L0Event>[]) => Observable<L0Event>, unsubscribeAt?: number) {
  const lanes: Lane[] = scripts.map((s) => ({ model: fakeModel({ items: items(s) }), abortedAt: undefined }));
  let leftover = -1;
  const result = runScenario((scheduler) => build(lanes.map((lane) => fromStream((ctx: StreamContext) => {
    ctx.signal.addEventListener('abort', () => (lane.abortedAt = scheduler.now()));
    return lane.model(ctx);
  }))), unsubscribeAt === undefined ? {} : { unsubscribeAt, afterUnsubscribe: (ts) => (leftover = ts.actions.length) });
  return { lanes, result, leftover };
}

describe('raceModels (property)', () => {
  it('should stream the earliest model\'s own text, abort every other open model at the win, and leave nothing scheduled', () => {
    const reached = { won: 0, exhausted: 0 };
    fc.assert(fc.property(fc.array(scriptArb, { minLength: 1, maxLength: 5 }), (scripts) => {
      const { lanes, result } = race(scripts, (sources) => raceModels(sources));
      const times = scripts.map(timing);
      const contentful = times.map((t, i) => ({ ...t, i })).filter((t) => t.first !== undefined);
      expect(result.scheduler.actions).toHaveLength(0);
      if (contentful.length === 0) {
        // every model failed or hangs: the race errors only when every one of them ended
        if (times.some((t) => t.end === undefined)) {
          expect(result.error).toBeUndefined();
          return;
        }
        expect(result.error).toBeInstanceOf(AllStreamsExhaustedError);
        const errors = (result.error as AllStreamsExhaustedError).errors;
        expect(errors).toHaveLength(scripts.length);
        reached.exhausted++;
        scripts.forEach((s, i) => {
          if (s.steps.length === 0 && s.end === 'complete') expect(isZeroOutputError(errors[i])).toBe(true);
          else expect(errors[i]).toBeInstanceOf(Error);
        });
        return;
      }
      const firstFrame = Math.min(...contentful.map((t) => t.first!));
      // a model whose error came before any token dropped out; the winner is among the earliest
      const winners = contentful.filter((t) => t.first === firstFrame).map((t) => t.i);
      const winnerText = tokenText(result.events);
      const won = winners.find((i) => times[i]!.text === winnerText);
      expect(won, `text ${JSON.stringify(winnerText)} from one of ${JSON.stringify(winners)}`).toBeDefined();
      const w = won!;
      reached.won++;
      // every other model still open at the win is aborted then, never later; a model that ended before is not touched
      lanes.forEach((lane, i) => {
        // a model a synchronous winner kept from being subscribed sent no request
        if (i === w || lane.model.callCount === 0) return;
        const end = times[i]!.end;
        if (end === undefined || end > firstFrame) expect(lane.abortedAt, `model ${i}`).toBe(firstFrame);
      });
      // the winner's own end is the race's
      const end = times[w]!.end;
      if (end === undefined) expect({ error: result.error, complete: result.completeFrame }).toEqual({ error: undefined, complete: undefined });
      else if (scripts[w]!.end === 'complete') expect(result.completeFrame).toBe(end);
      else expect(result.errorFrame).toBe(end);
      // no event lost or duplicated: one start, then the tokens of the winner in order
      expect(result.events.filter((e) => e.type === 'start')).toHaveLength(1);
      expect(result.events.filter((e) => e.type === 'token').map((e) => (e as { value: string }).value)).toEqual(scripts[w]!.steps.map((x) => x.token));
    }), { numRuns: runs(300) });
    // a winner in about 90% of the races, every model failed in about 5%
    expect(reached.won, 'races won').toBeGreaterThan(runs(150));
    expect(reached.exhausted, 'races every model lost').toBeGreaterThan(runs(3));
  });

  it('should abort every open model and leave nothing scheduled when the consumer leaves at any frame', () => {
    let left = 0;
    fc.assert(fc.property(fc.array(scriptArb, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 12 }), (scripts, at) => {
      const { lanes, result, leftover } = race(scripts, (sources) => raceModels(sources), at);
      if (result.completeFrame !== undefined || result.errorFrame !== undefined) return;
      left++;
      expect(leftover).toBe(0);
      lanes.forEach((lane, i) => {
        const end = timing(scripts[i]!).end;
        if (lane.model.callCount > 0 && (end === undefined || end > at)) expect(lane.abortedAt ?? at, `model ${i}`).toBeLessThanOrEqual(at);
        if (lane.model.callCount > 0 && (end === undefined || end > at)) expect(lane.model.calls[0]!.aborted, `model ${i}`).toBe(true);
      });
    }), { numRuns: runs(200) });
    // the consumer left a race still running in about 60% of the runs (the rest had ended)
    expect(left, 'runs left while racing').toBeGreaterThan(runs(50));
  });

  it('should hedge: each backup starts a delay after the last (at once when every started one failed), the first to produce content wins and every other open one aborts then', () => {
    let hedged = 0;
    fc.assert(fc.property(fc.array(scriptArb, { minLength: 2, maxLength: 4 }), fc.integer({ min: 1, max: 4 }), (scripts, delay) => {
      // the schedule a hedge should follow; a token on the frame a backup is due comes first (no backup then), ties of two tokens are left out
      const times = scripts.map(timing);
      const starts: number[] = [0];
      let win: { i: number; at: number } | undefined;
      for (;;) {
        const started = starts.map((at, i) => ({ i, first: times[i]!.first === undefined ? undefined : at + times[i]!.first!, end: times[i]!.end === undefined ? undefined : at + times[i]!.end! }));
        const firsts = started.filter((x) => x.first !== undefined).map((x) => x.first!);
        const winAt = firsts.length > 0 ? Math.min(...firsts) : Infinity;
        const ends = started.map((x) => (x.first === undefined ? x.end ?? Infinity : Infinity));
        const allFailedAt = Math.max(...ends);
        const next = starts.length < scripts.length ? Math.min(starts[starts.length - 1]! + delay, allFailedAt) : Infinity;
        fc.pre(firsts.filter((f) => f === winAt).length <= 1);
        if (winAt <= next) {
          if (winAt !== Infinity) win = { i: started.find((x) => x.first === winAt)!.i, at: winAt };
          break;
        }
        if (next === Infinity) break;
        starts.push(next);
      }
      let backupCalls = 0;
      const { lanes, result } = race(scripts, (sources) => sources[0]!.pipe(hedge(defer(() => sources[++backupCalls]!), { delay, maxHedges: scripts.length - 1 })));
      expect(result.scheduler.actions).toHaveLength(0);
      expect(lanes.filter((l) => l.model.callCount > 0)).toHaveLength(starts.length);
      if (!win) return;
      hedged++;
      expect(tokenText(result.events)).toBe(times[win.i]!.text);
      lanes.forEach((lane, i) => {
        if (i === win.i || i >= starts.length) return;
        const end = times[i]!.end === undefined ? undefined : starts[i]! + times[i]!.end!;
        if (end === undefined || end > win.at) expect(lane.abortedAt, `entrant ${i}`).toBe(win.at);
      });
    }), { numRuns: runs(300) });
    expect(hedged, 'hedges won').toBeGreaterThan(runs(100));
  });
});
