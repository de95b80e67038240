/** @test {l0} */
import { describe, expect, it, vi } from 'vitest';
import {
  customPatternRule,
  defineGuardrailRule,
  guard,
  isGuardrailViolationError,
  jsonRule,
  l0,
  patternRule,
  recommendedGuardrails,
  type GuardRule,
  type L0Event,
  type RetryEvent,
  type Violation,
} from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { finalState, runScenario, subsequence, tokenText } from '../helpers/runScenario.js';
import { runSync, text, tok } from './helpers.js';

/* Scenarios G1-G8 of l0-tests-and-bench.md section 7.8, through l0() under virtual time, [decide] items the spec-faithful way. */

const fast = { backoff: 'fixed', baseDelay: 1 } as const;
const items = (...tokens: string[]) => ({ items: tokens });
const flagBad = (severity: Violation['severity'], interval = 1): GuardRule => ({
  name: 'no-bad',
  severity,
  interval,
  check: (delta) => (delta.includes('BAD') ? { message: 'saw BAD' } : undefined),
});
const LONG = 'x'.repeat(40);
const violations = (events: readonly L0Event[]) => events.flatMap((e) => (e.type === 'violation' ? [e.violation] : []));

describe('l0({guardrails}) (G1-G8)', () => {
  it('G1: should run a streaming rule with interval 2 at tokens 2, 4, 6 and once at completion, a completion-only rule only at the end', () => {
    const seen: string[] = [];
    const rule: GuardRule = { name: 'r', interval: 2, check: (_d, t) => void seen.push(`check:${t}`), complete: (t) => void seen.push(`complete:${t}`) };
    const endOnly: GuardRule = { name: 'end', complete: () => void seen.push('end') };
    runScenario(() => l0({ stream: fakeModel('abcdef|'), guardrails: [jsonRule(), rule, endOnly] }));
    expect(seen).toEqual(['check:ab', 'check:abcd', 'check:abcdef', 'complete:abcdef', 'end']);
  });

  it('G2: should end a fatal mid-stream violation at once, without retry: the consumer got a, b, BAD and nothing after', () => {
    const model = vi.fn(fakeModel([items('a', 'b', 'BAD', 'c', 'd')]));
    const run = runScenario(() => l0({ stream: model, guardrails: [jsonRule(), flagBad('fatal')], retry: fast }));
    expect(isGuardrailViolationError(run.error) && run.error.code).toBe('FATAL_GUARDRAIL_VIOLATION');
    expect(tokenText(run.events)).toBe('abBAD');
    expect(model).toHaveBeenCalledTimes(1);
  });

  it('G3: should fail with GUARDRAIL_VIOLATION after attempts=2 retries on every attempt, never accepting the text', () => {
    const model = vi.fn(fakeModel([items('a', 'BAD')]));
    const run = runScenario(() => l0({ stream: model, guardrails: [jsonRule(), flagBad('error')], retry: { ...fast, attempts: 2 } }));
    expect(isGuardrailViolationError(run.error) && run.error.code).toBe('GUARDRAIL_VIOLATION');
    expect((run.error as { category: string }).category).toBe('content');
    expect(model).toHaveBeenCalledTimes(3);
    expect(subsequence(run.events, ['complete'])).toEqual([]);
  });

  it('G3: should fall back when there is a fallback, ending with its clean text', () => {
    const run = runScenario(() =>
      l0({ stream: fakeModel([items('BAD')]), fallbackStreams: [fakeModel('ok|')], guardrails: [jsonRule(), flagBad('error')], retry: { ...fast, attempts: 1 } }));
    expect(run.error).toBeUndefined();
    expect(finalState(run.events)).toMatchObject({ content: 'ok', status: 'complete', fallbackIndex: 1, violations: [] });
  });

  it('G4: should complete with a warning-severity violation, no retry, and call onViolation with it', () => {
    const onViolation = vi.fn();
    const run = runScenario(() => l0({ stream: fakeModel([items('a', 'BAD')]), guardrails: [jsonRule(), flagBad('warning')], onViolation }));
    expect(run.error).toBeUndefined();
    expect(subsequence(run.events, ['retry'])).toEqual([]);
    expect(onViolation).toHaveBeenCalledWith(expect.objectContaining({ ruleId: 'no-bad', severity: 'warning' }));
    expect(finalState(run.events).violations).toHaveLength(1);
  });

  it('G4: should record a rule that throws as a warning "Rule execution failed: ..." and still complete', () => {
    const broken: GuardRule = { name: 'broken', check: () => { throw new Error('oops'); } };
    const run = runScenario(() => l0({ stream: fakeModel('a|'), guardrails: [jsonRule(), broken] }));
    expect(run.error).toBeUndefined();
    expect(violations(run.events)[0]).toMatchObject({ ruleId: 'broken', severity: 'warning', message: 'Rule execution failed: oops' });
  });

  it('G6: should retry JSON that does not parse and accept the next attempt', () => {
    const run = runScenario(() => l0({ stream: fakeModel([items('{"a": ', 'value}'), items('{"a": ', '1}')]), guardrails: recommendedGuardrails, retry: fast }));
    expect(run.error).toBeUndefined();
    expect(finalState(run.events)).toMatchObject({ content: '{"a": 1}', modelRetryCount: 1 });
  });

  it('G7: should fall back on a refusal (non-recoverable), not retry it', () => {
    const primary = vi.fn(fakeModel([items('I cannot provide', ' that.')]));
    const run = runScenario(() => l0({ stream: primary, fallbackStreams: [fakeModel([items('Here it is.')])], guardrails: [patternRule()], retry: fast }));
    expect(primary).toHaveBeenCalledTimes(1);
    expect(finalState(run.events)).toMatchObject({ content: 'Here it is.', fallbackIndex: 1 });
  });

  it('G8: should wait the configured backoff before a guardrail retry, like any other content retry', () => {
    const run = runScenario(() => l0({ stream: fakeModel([items('BAD'), items('fine')]), guardrails: [jsonRule(), flagBad('error')], retry: { backoff: 'fixed', baseDelay: 200 } }));
    const retry = run.events.find((e): e is RetryEvent => e.type === 'retry')!;
    expect(retry).toMatchObject({ delayMs: 200, reason: 'guardrail_violation', countsTowardAttempts: true });
    const starts = run.timeline.filter(([, e]) => e.type === 'start').map(([f]) => f);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(200);
    expect(finalState(run.events).content).toBe('fine');
  });

  it('should keep the attempt violations in accumulate() and drop them on retraction', () => {
    const warnThenFail: GuardRule = { name: 'w', severity: 'warning', check: (d) => (d === 'w' ? { message: 'w' } : undefined) };
    const run = runScenario(() => l0({ stream: fakeModel([items('w', 'BAD'), items('ok')]), guardrails: [jsonRule(), warnThenFail, flagBad('error')], retry: fast }));
    expect(violations(run.events)).toHaveLength(2);
    expect(finalState(run.events).violations).toEqual([]);
  });

  it('should never release a blocked phrase in hold-back mode, whatever the chunks', () => {
    const secret = customPatternRule(/open sesame/i, 'secret', 'error');
    const run = runScenario(() =>
      l0({ stream: fakeModel([items('say: open', ' ses', 'ame now'), items('clean text')]), guardrails: [secret], guardMode: 'hold-back', retry: fast }));
    expect(tokenText(run.events)).not.toMatch(/open\s*ses/);
    expect(finalState(run.events).content).toBe('clean text');
  });

  it('should save only checkpoints of text the rules passed, and not check a resumed checkpoint twice', () => {
    const check = vi.fn((d: string) => (d.includes('BAD') ? { message: 'bad' } : undefined));
    const rule: GuardRule = { name: 'no-bad', check };
    const run = runScenario(() =>
      l0({
        stream: fakeModel([items(LONG, ' more', 'BAD'), items(' three')]),
        guardrails: [jsonRule(), rule],
        guardMode: 'hold-back',
        continueFromLastKnownGoodToken: true,
        checkpointInterval: 1,
        retry: fast,
      }));
    const checkpoints = run.events.flatMap((e) => (e.type === 'checkpoint' ? [e.content] : []));
    expect(checkpoints.every((c) => !c.includes('BAD'))).toBe(true);
    // hold-back keeps 32 characters back: 45 characters were checked, 13 released and checkpointed
    expect(checkpoints).toContain(`${LONG} more`.slice(0, 13));
    expect(run.events.find((e) => e.type === 'resume')).toMatchObject({ checkpoint: `${LONG} more`.slice(0, 13) });
    expect(check.mock.calls.map(([d]) => d)).toEqual([LONG, ' more', 'BAD', ' three']);
  });

  it('should check every rule, whatever its interval, at each checkpoint token, so a checkpoint holds only checked text', () => {
    const checkedAt: number[] = [];
    const lazy: GuardRule = { name: 'lazy', interval: 7, check: (_d, t) => void checkedAt.push(t.length) };
    const run = runScenario(() =>
      l0({ stream: fakeModel([items('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i')]), guardrails: [jsonRule(), lazy], continueFromLastKnownGoodToken: true, checkpointInterval: 3 }));
    const checkpoints = run.events.flatMap((e) => (e.type === 'checkpoint' ? [e.content.length] : []));
    expect(checkpoints).toEqual([3, 6, 9]);
    expect(checkedAt).toEqual([3, 6, 7, 9]);
  });

  it('should run custom rules alone once defineGuardrailRule has given them the engine', () => {
    const run = runScenario(() => l0({ stream: fakeModel([items('a', 'BAD'), items('ok')]), guardrails: [defineGuardrailRule(flagBad('error'))], retry: fast }));
    expect(violations(run.events)).toEqual([expect.objectContaining({ ruleId: 'no-bad', severity: 'error' })]);
    expect(finalState(run.events).content).toBe('ok');
  });

  it('should check a rule at defineGuardrailRule, keep its prototype, and freeze the copy', () => {
    class Counting implements GuardRule {
      readonly name = 'counting';
      check(): undefined { return undefined; }
    }
    const rule = defineGuardrailRule(new Counting());
    expect(rule).toBeInstanceOf(Counting);
    expect(Object.isFrozen(rule)).toBe(true);
    expect(() => defineGuardrailRule({ name: 'x', interval: 0, check: () => undefined })).toThrow('defineGuardrailRule(rule) (x): `interval` must be a positive integer, got 0');
    expect(() => defineGuardrailRule({ name: 'x' })).toThrow('defineGuardrailRule(rule) (x) needs `check`, `complete` or `create`');
  });

  it('should run the methods of a class rule with private fields on the instance (a copy cannot read them: the rule failed open)', () => {
    class NoWord implements GuardRule {
      readonly name = 'no-word';
      readonly #word: string;
      constructor(word: string) {
        this.#word = word;
      }
      create() {
        const word = this.#word;
        return { check: (delta: string) => (delta.includes(word) ? { message: `saw ${word}` } : undefined) };
      }
    }
    /** A rule that is its own run: its state, and so its `held`, in private fields. */
    class Tail implements GuardRule {
      readonly name = 'tail';
      #seen = 0;
      check(delta: string): undefined {
        this.#seen += delta.length;
      }
      get held(): number {
        return Math.min(this.#seen, 2);
      }
    }
    const run = runScenario(() => l0({ stream: fakeModel([items('a', 'BAD'), items('ok')]), guardrails: [defineGuardrailRule(new NoWord('BAD'))], retry: fast }));
    expect(violations(run.events)).toEqual([expect.objectContaining({ ruleId: 'no-word', message: 'saw BAD', severity: 'error' })]);
    expect(finalState(run.events).content).toBe('ok');
    const held = runScenario(() => l0({ stream: fakeModel([items('abc', 'def')]), guardrails: [defineGuardrailRule(new Tail())], guardMode: 'hold-back' }));
    expect(violations(held.events)).toEqual([]);
    expect(tokenText(held.events)).toBe('abcdef');
  });

  it('should hold back what a rule that is its own run says it holds, through defineGuardrailRule as without it', () => {
    // `held` assigned by the rule's check, absent before: the bound methods set it on the rule, and the copy must read it there
    type Own = GuardRule & { held?: number };
    const make = (): GuardRule => ({ name: 'tail', span: 0, check(this: Own, delta: string) { (this as { held?: number }).held = delta.includes('x') ? 5 : 0; } });
    const tokens = (rule: GuardRule) => runSync(text('abcx', 'def', 'ghi'), guard([rule], { mode: 'hold-back', holdBack: 0 })).out.filter((e) => e.type === 'token');
    // "abcx" is held (5 characters) until "def" says nothing is
    expect(tokens(make())).toEqual([tok('abcxdef'), tok('ghi')]);
    expect(tokens(defineGuardrailRule(make()))).toEqual([tok('abcxdef'), tok('ghi')]);
    // a class rule's `held` getter over a private field, read on every round (not once, at definition)
    class Tail implements GuardRule {
      readonly name = 'tail';
      readonly span = 0;
      #held = 0;
      check(delta: string): undefined {
        this.#held = delta.includes('x') ? 5 : 0;
      }
      get held(): number {
        return this.#held;
      }
    }
    expect(tokens(defineGuardrailRule(new Tail()))).toEqual([tok('abcxdef'), tok('ghi')]);
  });

  it('should reject custom-only guardrails with a hint naming defineGuardrailRule, and a bad guardMode, at call time', () => {
    const stream = fakeModel('a|');
    expect(() => l0({ stream, guardrails: [flagBad('error')] })).toThrow('l0({guardrails}) holds only custom rules: wrap them with defineGuardrailRule');
    expect(() => l0({ stream, guardMode: 'later' as never })).toThrow("l0({guardMode}) must be 'stream-first' or 'hold-back'");
    expect(() => l0({ stream, guardrails: 'recommended' as never })).toThrow('l0({guardrails}) must be an array of rules or a preset');
  });
});
