/** @test {l0} @test {accumulate} @test {tapLifecycle} through l0(): a resumed checkpoint keeps the warnings about its text */
import { describe, expect, it } from 'vitest';
import { concat, of } from 'rxjs';
import { customPatternRule, l0, type L0Event, type L0State, type Violation } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { finalState, runScenario } from '../helpers/runScenario.js';

const words = (text: string) => text.split(/(?<= )/);
const reset = { error: { network: 'ECONNRESET' } } as const;
const found = (word: string, position: number): Violation => ({
  ruleId: 'pattern-custom', message: `flag: "${word}"`, severity: 'warning', recoverable: true, position,
});

/** An l0() run of `attempts` (fakeModel items) with a warning rule on `patterns`, resumed from checkpoints every token. */
function run(attempts: Parameters<typeof fakeModel>[0], patterns: RegExp[], span: number, guardMode: 'stream-first' | 'hold-back' = 'stream-first') {
  const completed: L0State[] = [];
  const result = runScenario(() => l0({
    stream: fakeModel(attempts),
    guardrails: [customPatternRule(patterns, 'flag', 'warning', { span })],
    guardMode,
    continueFromLastKnownGoodToken: true,
    checkpointInterval: 1,
    retry: { backoff: 'fixed', baseDelay: 1 },
    onComplete: (s) => completed.push(s),
  }));
  expect(result.error).toBeUndefined();
  return { events: result.events, state: finalState(result.events), completed };
}

describe('l0() with continuation: the warnings about a resumed checkpoint stay in the state', () => {
  it.each(['stream-first', 'hold-back'] as const)('should keep the failed attempt\'s warning about text inside the checkpoint (%s)', (mode) => {
    const { events, state, completed } = run([{ items: [...words('one WARN two three four five six seven eight nine ten eleven twelve '), reset] }, { items: ['end.'] }], [/WARN/], 4, mode);
    const resume = events.find((e) => e.type === 'resume');
    expect(resume?.type === 'resume' && resume.checkpoint).toMatch(/^one WARN /);
    expect(events.filter((e) => e.type === 'violation')).toHaveLength(1); // the resumed attempt's guard does not check the checkpoint again
    expect(state.content).toContain('WARN');
    expect(state.violations).toEqual([found('WARN', 4)]);
    expect(completed.map((s) => s.violations)).toEqual([[found('WARN', 4)]]); // onComplete's state folds the same way
  });

  it('should drop a warning about the failed attempt\'s text after the checkpoint, with the text', () => {
    const { events, state } = run([{ items: [...words('one two three WARN x '), reset] }, { items: ['end.'] }], [/WARN/], 4);
    expect(events.filter((e) => e.type === 'violation' || e.type === 'resume')).toEqual([
      { type: 'violation', violation: found('WARN', 14) },
      { type: 'resume', checkpoint: 'one two three ' },
    ]);
    expect(state.content).toBe('one two three end.');
    expect(state.violations).toEqual([]);
  });

  it('should report a warning the resumed attempt judges again (it straddles the checkpoint\'s end) once', () => {
    // look-aheads wait `span` characters after the match: the checkpoint is taken before they are decided
    const { events, state } = run(
      [{ items: [...words('one WARN a HOLD '), 'bbbbbbbbbbbbbbb', reset] }, { items: ['ccccccccccccccccccccc.'] }],
      [/WARN(?=.)/, /HOLD(?=.)/],
      10,
    );
    const resume = events.find((e) => e.type === 'resume');
    expect(resume).toEqual({ type: 'resume', checkpoint: 'one WARN a HOLD ' });
    expect(events.filter((e) => e.type === 'violation')).toHaveLength(4); // each reported by both attempts
    expect(state.content).toBe('one WARN a HOLD ccccccccccccccccccccc.');
    expect(state.violations).toEqual([found('WARN', 4), found('HOLD', 11)]);
  });

  it('should place a nested l0()\'s warnings after the outer checkpoint, and not bring back one its own retry retracted', () => {
    // the outer attempt 2 resumes from 'one two three four five six seven ' and relays a run that warns, fails and resumes before the warning
    const inner = fakeModel([{ items: [...words('alpha beta gamma delta '), 'BAD x', reset] }, { items: ['fine.'] }]);
    const outer = fakeModel([{ items: [...words('one two three four five six seven '), reset] }, { items: [] }]);
    const result = runScenario(() => l0({
      stream: (ctx) => (ctx.attempt === 1 ? outer(ctx) : l0({
        stream: inner,
        guardrails: [customPatternRule([/BAD/], 'flag', 'warning', { span: 4 })],
        continueFromLastKnownGoodToken: true,
        checkpointInterval: 1,
        retry: { backoff: 'fixed', baseDelay: 1 },
      })),
      continueFromLastKnownGoodToken: true,
      checkpointInterval: 1,
      retry: { backoff: 'fixed', baseDelay: 1 },
    }));
    expect(result.error).toBeUndefined();
    const state = finalState(result.events);
    expect(state.content).toBe('one two three four five six seven alpha beta gamma delta fine.');
    expect(result.events.filter((e) => e.type === 'violation')).toEqual([{ type: 'violation', violation: found('BAD', 57) }]); // 34 + 23: in the outer attempt's text
    expect(state.violations).toEqual([]); // the inner retry retracted it: not in the content
  });

  it('should leave a relayed violation without a numeric position unplaced (a relayed NaN arrives as null over SSE)', () => {
    // the outer attempt 2 resumes from 'one two three four five six seven ', relays an unplaceable warning and drops; attempt 3 resumes after it
    const outer = fakeModel([{ items: [...words('one two three four five six seven '), reset] }, { items: [...words('alpha beta gamma delta '), reset] }, { items: ['end.'] }]);
    const odd = { type: 'violation', violation: { ...found('BAD', 0), position: null } } as unknown as L0Event;
    const result = runScenario(() => l0({
      stream: (ctx) => (ctx.attempt === 2 ? concat(of(odd), outer(ctx)) : outer(ctx)),
      continueFromLastKnownGoodToken: true,
      checkpointInterval: 1,
      retry: { backoff: 'fixed', baseDelay: 1 },
    }));
    expect(result.error).toBeUndefined();
    expect(result.events.filter((e) => e.type === 'resume').map((e) => e.type === 'resume' && e.checkpoint.length)).toEqual([34, 57]);
    const state = finalState(result.events);
    expect(state.content).toBe('one two three four five six seven alpha beta gamma delta end.');
    expect(state.violations).toEqual([]); // it was moved to position 34 (the checkpoint's end), then kept by the resume after it
  });
});
