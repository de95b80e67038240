/** @test {pipeline} */
import { describe, expect, it } from 'vitest';
import { concatMap, defer, filter, from, lastValueFrom, map, NEVER, Observable, of, take, tap, throwError, timer } from 'rxjs';
import { isInvalidStreamError, isStreamAbortedError, isTokenTimeoutError, pipeline, type L0Event, type PipelineResult, type PipelineStep, type PipelineUpdate } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const complete: L0Event = { type: 'complete', finishReason: 'stop' };
/** A step whose stream answers `f(input)` as one token after `delay` ms (virtual under the TestScheduler). */
const textStep = (name: string, f: (input: string) => string, delay = 1): PipelineStep => ({
  name,
  run: (input: string) => timer(delay).pipe(concatMap(() => of(tok(f(input)), complete))),
});
const failingStep = (name: string): PipelineStep => ({ name, run: () => defer(() => { throw new Error(`${name} failed`); }) });

/** Runs the pipeline under virtual time; returns its updates and its result. */
function run(steps: readonly PipelineStep[], input: unknown, config: Parameters<typeof pipeline>[2] = {}, unsubscribeAt?: number) {
  const updates: PipelineUpdate[] = [];
  testScheduler().run(({ flush }) => {
    const sub = pipeline(steps, input, config).subscribe((u) => updates.push(u));
    if (unsubscribeAt !== undefined) timer(unsubscribeAt).subscribe(() => sub.unsubscribe());
    flush();
  });
  const lastUpdate = updates.at(-1);
  return { updates, result: (lastUpdate?.type === 'result' ? lastUpdate.result : undefined) as PipelineResult };
}
const statuses = (r: PipelineResult) => r.steps.map((s) => s.status);

describe('pipeline', () => {
  describe('creation', () => {
    it('should throw a TypeError naming a step without a run function', () => {
      expect(() => pipeline([{ name: 'x' } as PipelineStep], '')).toThrow(/steps\[0\]\.run must be a function/);
    });

    it('should throw a TypeError naming a hole in the steps, as an undefined step is', () => {
      // the hole was skipped here, and the pipeline itself errored at the step with rxjs's "You provided 'undefined' where a stream was expected"
      // eslint-disable-next-line no-sparse-arrays
      expect(() => pipeline([, textStep('s', (s) => s)] as unknown as PipelineStep[], '')).toThrow(new TypeError('pipeline(steps, input): steps[0] must be an object, got undefined'));
    });

    it('should throw a TypeError for a timeout that is not positive', () => {
      expect(() => pipeline([], '', { timeout: -1 })).toThrow(/pipeline\(steps, input, \{timeout\}\)/);
      expect(() => pipeline([], '', { timeout: 3e9 })).toThrow(new TypeError('pipeline(steps, input, {timeout}) must be at most 2147483647 ms (about 24.8 days), got 3000000000'));
    });

    it('should throw a TypeError for an unknown option', () => {
      expect(() => pipeline([], '', { stopOnErrors: true } as never)).toThrow(/did you mean `stopOnError`/);
    });

    // the array was read at the subscription: a step removed after the check made the pipeline itself error
    // ("Cannot destructure property 'name' of 'step'"), which it never does, and a step set afterwards ran unchecked
    it('should run the steps as they were when it was called, whatever happens to the array afterwards', () => {
      const steps = [textStep('s1', (s) => s.toUpperCase()), textStep('s2', (s) => `${s}!`)];
      const piped = pipeline(steps, 'hi');
      steps.pop();
      steps.push({ name: 'late', run: 5 } as unknown as PipelineStep);
      const updates: PipelineUpdate[] = [];
      let error: unknown;
      testScheduler().run(({ flush }) => {
        piped.subscribe({ next: (u) => updates.push(u), error: (e: unknown) => (error = e) });
        flush();
      });
      const last = updates.at(-1);
      expect([error, last?.type === 'result' && last.result.output, last?.type === 'result' && statuses(last.result)]).toEqual([undefined, 'HI!', ['success', 'success']]);
    });

    // the array was copied but not its steps: a run, condition or name changed after the check ran unchecked
    // (a step failing with "step.run is not a function", a condition skipping a step that was validated to run)
    it('should run each step as it was when pipeline was called, whatever happens to the step object afterwards', () => {
      const first = textStep('s1', (s) => s.toUpperCase());
      const steps: PipelineStep[] = [first, textStep('s2', (s) => `${s}!`)];
      const piped = pipeline(steps, 'hi');
      Object.assign(first, { name: 'renamed', run: 5, condition: () => false, transform: () => 'changed' });
      const updates: PipelineUpdate[] = [];
      testScheduler().run(({ flush }) => {
        piped.subscribe((u) => updates.push(u));
        flush();
      });
      const last = updates.at(-1)!;
      expect(last.type === 'result' && [last.result.output, last.result.steps.map((s) => [s.name, s.status])]).toEqual(['HI!', [['s1', 'success'], ['s2', 'success']]]);
    });

    // the check read a field, then the copy read it again (condition and transform three times): a getter answering anew
    // at each read had one function checked and another run, and one that answered a function then nothing failed the
    // call with "Cannot read properties of undefined (reading 'bind')" instead of the TypeError naming the field
    it('should read each field of a step once, at the call, and run what it answered then', () => {
      const reads = { name: 0, run: 0, condition: 0, transform: 0 };
      const step = {
        get name() {
          return `step${++reads.name}`;
        },
        get run() {
          const n = ++reads.run;
          return (input: string) => of(tok(`${input}${n}`), complete);
        },
        get condition() {
          const n = ++reads.condition;
          return () => n === 1;
        },
        get transform() {
          const n = ++reads.transform;
          return (state: { content: string }) => `${state.content}/${n}`;
        },
      } as PipelineStep;
      const { result } = run([step], 'hi');
      expect([reads, result.output, result.steps.map((s) => [s.name, s.status])]).toEqual([{ name: 1, run: 1, condition: 1, transform: 1 }, 'hi1/1', [['step1', 'success']]]);
      let answered = false;
      const once = {
        name: 'once',
        get run() {
          return answered ? undefined : ((answered = true), () => of(complete));
        },
      } as unknown as PipelineStep;
      expect(() => pipeline([once], '')).not.toThrow();
    });

    it('should call a step\'s run, condition and transform on the step itself, as methods', () => {
      class Shout implements PipelineStep {
        readonly name = 'shout';
        constructor(private readonly mark: string) {}
        run(input: string) {
          return of(tok(`${input}${this.mark}`), complete);
        }
        condition() {
          return this.mark !== '';
        }
        transform(state: { content: string }) {
          return `${state.content}${this.mark}`;
        }
      }
      const { result } = run([new Shout('!'), new Shout('')], 'hi');
      expect([result.output, statuses(result)]).toEqual(['hi!!', ['success', 'skipped']]);
    });
  });

  // L0 P4
  it('should pass each step\'s output to the next and end with the last output', () => {
    const { result } = run([textStep('s1', (s) => s.toUpperCase()), textStep('s2', (s) => `${s}!`)], 'hi');
    expect(result.output).toBe('HI!');
    expect(statuses(result)).toEqual(['success', 'success']);
  });

  it('should announce each step with its index and the total, in order (L0 P4 progress)', () => {
    const { updates } = run([textStep('s1', (s) => s), textStep('s2', (s) => s)], 'hi');
    expect(updates.filter((u) => u.type === 'step-start').map((u) => [u.stepIndex, u.totalSteps])).toEqual([[0, 2], [1, 2]]);
  });

  it('should stream each step\'s events as they come, between its step-start and step-end', () => {
    const { updates } = run([textStep('s1', (s) => s.toUpperCase())], 'hi');
    expect(updates.map((u) => (u.type === 'event' ? u.event.type : u.type))).toEqual(['step-start', 'token', 'complete', 'step-end', 'result']);
  });

  it('should give a transform the step\'s final state and use its value as the output', () => {
    const step: PipelineStep = { ...textStep('s', (s) => s), transform: (state) => state.content.length };
    expect(run([step], 'hello').result.output).toBe(5);
  });

  // L0 P5
  describe('failures (L0 P5)', () => {
    it('should stop at a failing step with status error by default', () => {
      const { result } = run([textStep('s1', (s) => s), failingStep('s2'), textStep('s3', (s) => s)], 'in');
      expect([result.status, statuses(result)]).toEqual(['error', ['success', 'error']]);
      expect((result.error as Error).message).toBe('s2 failed');
    });

    it('should run on with the last good output and status partial without stopOnError', () => {
      const { result } = run([textStep('s1', (s) => `${s}1`), failingStep('s2'), textStep('s3', (s) => `${s}3`)], 'in', { stopOnError: false });
      expect([result.status, statuses(result), result.output]).toEqual(['partial', ['success', 'error', 'success'], 'in13']);
    });

    it('should skip a step whose condition is false and pass its input through', () => {
      const { result } = run([{ ...textStep('s1', () => 'never'), condition: () => false }, textStep('s2', (s) => `${s}!`)], 'in');
      expect([statuses(result), result.steps[0]!.output, result.output]).toEqual([['skipped', 'success'], 'in', 'in!']);
    });

    it.each([['undefined', undefined], ['"no"', 'no'], ['0', 0]])('should fail the step with a TypeError naming it when its condition returns %s, never skip it unseen', (shown, bad) => {
      const { updates, result } = run([{ ...textStep('s1', () => 'never'), condition: () => bad as unknown as boolean }, textStep('s2', (s) => `${s}!`)], 'in');
      expect(updates.map((u) => u.type)).toEqual(['step-end', 'result']);
      expect([result.status, statuses(result), result.error]).toEqual(['error', ['error'], new TypeError(`pipeline: step 0 (s1) condition returned ${shown}; it must return a boolean (or a promise of one)`)]);
    });

    it('should start a step before failing it when its run() throws synchronously (every step-end has its step-start)', () => {
      const { updates, result } = run([{ name: 'boom', run: () => { throw new Error('run'); } }], 'in');
      expect(updates.map((u) => u.type)).toEqual(['step-start', 'step-end', 'result']);
      expect([result.status, (result.error as Error).message]).toEqual(['error', 'run']);
    });

    it('should fail the step with an InvalidStreamError naming it when its run() returns no Observable', () => {
      for (const out of [Promise.resolve(tok('x')), [tok('x'), complete], 'text']) {
        const { updates, result } = run([{ name: 'plain', run: () => out as never }], 'in');
        expect(updates.map((u) => u.type)).toEqual(['step-start', 'step-end', 'result']);
        expect(isInvalidStreamError(result.error)).toBe(true);
        expect((result.error as Error).message).toMatch(/^pipeline: step 0 \(plain\) run\(\) returned .+, not an Observable<L0Event>/);
      }
    });

    it('should fail the step when its transform throws', () => {
      const { result } = run([{ ...textStep('s1', (s) => s), transform: () => { throw new Error('transform'); } }], 'in');
      expect([result.status, (result.error as Error).message]).toEqual(['error', 'transform']);
    });

    it('should fail the pipeline, and stop, when a step fails with undefined (a `throw undefined` is still a failure)', () => {
      const steps = (fail: PipelineStep) => [fail, textStep('after', (s) => `${s}!`)];
      for (const fail of [{ name: 'bad', run: () => throwError(() => undefined) }, { ...textStep('bad', (s) => s), transform: () => { throw undefined; } }]) {
        const { result } = run(steps(fail), 'in');
        expect([result.status, statuses(result), 'error' in result, result.error, result.output]).toEqual(['error', ['error'], true, undefined, 'in']);
        const partial = run(steps(fail), 'in', { stopOnError: false }).result;
        expect([partial.status, statuses(partial), partial.output]).toEqual(['partial', ['error', 'success'], 'in!']);
      }
    });

    it('should await an async condition and transform (L0\'s were async): a promise of false skips, a promised output is the output', async () => {
      const steps: PipelineStep[] = [
        { ...textStep('skip', () => 'never'), condition: () => Promise.resolve(false) },
        { ...textStep('upper', (s) => s), condition: async () => true, transform: async (state) => state.content.toUpperCase() },
      ];
      const { result } = (await lastValueFrom(pipeline(steps, 'in'))) as Extract<PipelineUpdate, { type: 'result' }>;
      expect([statuses(result), result.output]).toEqual([['skipped', 'success'], 'IN']);
    });

    it('should fail the step when an async condition or transform rejects, with nothing left unhandled', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (e: unknown) => unhandled.push(e);
      process.on('unhandledRejection', onUnhandled);
      try {
        for (const step of [{ ...textStep('c', (s) => s), condition: () => Promise.reject(new Error('async')) }, { ...textStep('t', (s) => s), transform: () => Promise.reject(new Error('async')) }]) {
          const { result } = (await lastValueFrom(pipeline([step], 'in'))) as Extract<PipelineUpdate, { type: 'result' }>;
          expect([result.status, statuses(result), (result.error as Error).message]).toEqual(['error', ['error'], 'async']);
        }
        await new Promise<void>((resolve) => setImmediate(resolve));
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
      expect(unhandled).toEqual([]);
    });

    it('should cut an async transform at the timeout: the step ends in error, and its late rejection is not unhandled', async () => {
      let reject!: (e: Error) => void;
      const unhandled: unknown[] = [];
      const onUnhandled = (e: unknown) => unhandled.push(e);
      process.on('unhandledRejection', onUnhandled);
      try {
        const step: PipelineStep = { ...textStep('slow-transform', (s) => s), transform: () => new Promise((_, r) => (reject = r)) };
        const { updates, result } = run([step], 'in', { timeout: 10 });
        expect(updates.map((u) => (u.type === 'step-end' ? `end:${u.step.status}` : u.type))).toEqual(['step-start', 'event', 'event', 'end:error', 'result']);
        expect([result.status, isTokenTimeoutError(result.error)]).toEqual(['error', true]);
        reject(new Error('late'));
        await new Promise<void>((resolve) => setImmediate(resolve));
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
      expect(unhandled).toEqual([]);
    });

    it('should end a step whose async condition is pending at the timeout in error, recorded in the result\'s steps', () => {
      // the step was left out: no step-end and only s1 in the result's steps, where the README says a cut while a condition is pending ends that step in error
      let called = false;
      const gate: PipelineStep = { name: 'gate', run: () => ((called = true), NEVER), condition: () => new Promise<boolean>(() => undefined) };
      const { updates, result } = run([textStep('s1', (s) => s, 2), gate, textStep('s3', (s) => s)], 'in', { timeout: 10 });
      expect(updates.map((u) => (u.type === 'step-end' ? `end:${u.step.name}:${u.step.status}` : u.type === 'event' ? 'event' : u.type)))
        .toEqual(['step-start', 'event', 'event', 'end:s1:success', 'end:gate:error', 'result']);
      const gateEnd = result.steps[1]!;
      expect([gateEnd.input, gateEnd.state, isTokenTimeoutError(gateEnd.error), result.status, result.output, called]).toEqual(['in', null, true, 'error', 'in', false]);
    });

    it('should end with a total-timeout error at the deadline and unsubscribe the running step', () => {
      let unsubscribed = false;
      const hanging: PipelineStep = { name: 'slow', run: () => new Observable<L0Event>(() => () => (unsubscribed = true)) };
      const { result } = run([textStep('s1', (s) => s, 5), hanging], 'in', { timeout: 10 });
      expect([result.status, statuses(result), isTokenTimeoutError(result.error)]).toEqual(['error', ['success', 'error'], true]);
      expect((result.error as Error).message).toMatch(/timeout/);
      expect(unsubscribed).toBe(true);
    });

    // a step ending at the deadline failed there (the deadline's timer was armed before the step's), where a parallel run succeeded
    it('should let a step that ends at the deadline itself succeed, as a parallel run does', () => {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable }) => {
        const marbled: PipelineStep = { name: 'marbled', run: () => cold('--(ax|)', { a: tok('A'), x: complete }) };
        const chunked: PipelineStep = { name: 'chunked', run: () => timer(1).pipe(concatMap(() => of(tok('B'), complete))) };
        const outcome = (timeout: number) => pipeline([marbled, chunked], 'in', { timeout, scheduler: ts }).pipe(
          filter((u): u is Extract<PipelineUpdate, { type: 'result' }> => u.type === 'result'),
          map((u) => [u.result.status, statuses(u.result)]),
        );
        expectObservable(outcome(3)).toBe('---(r|)', { r: ['success', ['success', 'success']] });
        expectObservable(outcome(2)).toBe('--(r|)', { r: ['error', ['success', 'error']] });
      });
    });

    it('should end the step a timeout stops with its step-end before the result', () => {
      const { updates } = run([{ name: 'slow', run: () => NEVER }], 'in', { timeout: 10 });
      const end = updates.find((u) => u.type === 'step-end');
      expect(updates.map((u) => u.type)).toEqual(['step-start', 'step-end', 'result']);
      expect(end?.type === 'step-end' && [end.step.name, end.step.status, isTokenTimeoutError(end.step.error)]).toEqual(['slow', 'error', true]);
    });

    it('should end the step an abort stops with its step-end before the result', () => {
      const controller = new AbortController();
      const { updates } = run([textStep('s1', (s) => s, 2), { name: 'wait', run: () => ((controller.abort(), NEVER)) }], 'in', { signal: controller.signal });
      expect(updates.map((u) => (u.type === 'step-end' ? `end:${u.step.name}:${u.step.status}` : u.type === 'event' ? 'event' : u.type)))
        .toEqual(['step-start', 'event', 'event', 'end:s1:success', 'step-start', 'end:wait:error', 'result']);
    });

    it('should run no step with an already aborted signal', () => {
      let called = false;
      const { result } = run([{ name: 's', run: () => ((called = true), NEVER) }], 'in', { signal: AbortSignal.abort() });
      expect([result.status, isStreamAbortedError(result.error), called]).toEqual(['error', true, false]);
      expect((result.error as Error).message).toMatch(/aborted/);
    });

    it('should unsubscribe the running step and end with StreamAbortedError when the signal aborts', () => {
      const controller = new AbortController();
      const { result } = run([textStep('s1', (s) => s, 2), { name: 'wait', run: () => ((controller.abort(), NEVER)) }], 'in', { signal: controller.signal });
      expect([result.status, statuses(result), isStreamAbortedError(result.error), result.output]).toEqual(['error', ['success', 'error'], true, 'in']);
    });
  });

  describe('rxjs checklist', () => {
    it('should end with a success result and the input as output for no steps', () => {
      expect(run([], 'in').result).toEqual({ output: 'in', steps: [], status: 'success' });
    });

    it('should unsubscribe the running step when the consumer unsubscribes, and stop the timer', () => {
      const { updates } = run([{ name: 'never', run: () => NEVER }], 'in', { timeout: 100 }, 5);
      expect(updates.map((u) => u.type)).toEqual(['step-start']);
    });

    it('should run a thousand synchronous steps after an asynchronous one to their result (a loop, never a recursion)', () => {
      // each step after the first was subscribed from inside the last one's end: about 220 overflowed the stack, and the
      // pipeline stopped there unseen, with no result and no error
      const steps = [textStep('slow', (s) => s), ...Array.from({ length: 1000 }, (_, i): PipelineStep => ({ name: `s${i}`, run: (input: string) => of(tok(`${input.length + 1}`)) }))];
      const { result } = run(steps, '');
      expect([result?.status, result?.steps.length, result?.output]).toEqual(['success', 1001, '2']);
    });

    it('should stop the step at once, with no run() and no transform, when the consumer leaves at a synchronous update', () => {
      // a step became the pipeline's child only once its subscribe returned: after a take(1) at its step-start its run()
      // was still called (its request started, to be aborted at once), and after one at its first event its synchronous
      // stream was read to the end and its transform called
      let runs = 0;
      pipeline([{ name: 'later', run: () => ((runs++), NEVER) }], '').pipe(take(1)).subscribe();
      let pulled = 0;
      let transforms = 0;
      const step: PipelineStep = { name: 'sync', run: () => from([tok('a'), tok('b'), complete]).pipe(tap(() => pulled++)), transform: (s) => ((transforms++), s.content) };
      const seen: string[] = [];
      pipeline([step], '').pipe(take(2)).subscribe((u) => seen.push(u.type));
      expect([runs, seen, pulled, transforms]).toEqual([0, ['step-start', 'event'], 1, 0]);
    });

    it('should keep state per subscription', () => {
      const p = [textStep('s1', (s) => `${s}!`)];
      expect(run(p, 'a').result.output).toBe('a!');
      expect(run(p, 'b').result.output).toBe('b!');
    });
  });
});
