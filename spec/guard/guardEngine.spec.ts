/** @test {guard} */
import { Subject } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { customPatternRule, guard, isGuardrailViolationError, latexRule, patternRule, type GuardRule, type GuardRuleRun, type L0Event } from 'l0-rx';
import { guardEngine } from '../../src/guard/guard.js';
import { done, runSync, start, text, tok } from './helpers.js';

/* The engine's batching: check rounds, the catch-up before completion, lazy rule runs, shared regexes. */

/** Flags `BAD` in the deltas it sees, every `interval` tokens. */
const everyN = (interval: number, extra: Partial<GuardRule> = {}): GuardRule => ({
  name: `every-${interval}`,
  interval,
  check: (delta) => (delta.includes('BAD') ? { message: 'saw BAD' } : undefined),
  ...extra,
});

/** Pushes each event's token text (or its type) to `seen`, and returns the subject feeding it. */
function live(op: ReturnType<typeof guard>, seen: string[]): Subject<L0Event> {
  const events$ = new Subject<L0Event>();
  events$.pipe(op).subscribe({ next: (e) => seen.push(e.type === 'token' ? e.value : e.type), error: (e: Error) => seen.push(`error ${e.name}`) });
  return events$;
}

describe('guard: the catch-up before completion', () => {
  it('should check the deltas an interval left unchecked before completing, and fail on a phrase in them', () => {
    const complete = vi.fn(() => undefined);
    const r = runSync(text('ok ', 'fine ', 'then ', 'BAD'), guard([everyN(3, { complete })]));
    expect(r.violations).toEqual([{ ruleId: 'every-3', message: 'saw BAD', severity: 'error', recoverable: true }]);
    expect(isGuardrailViolationError(r.error)).toBe(true);
    expect(complete).not.toHaveBeenCalled();
  });

  it('should never release, in hold-back, a phrase found only by the catch-up', () => {
    const r = runSync(text('ok ', 'fine ', 'then ', 'BAD'), guard([everyN(3)], { mode: 'hold-back', holdBack: 0 }));
    expect(r.released).toBe('ok fine then ');
    expect(isGuardrailViolationError(r.error)).toBe(true);
  });

  it('should give each rule only what it has not seen, then run the completion checks, when the source ends without a complete event', () => {
    const calls: string[] = [];
    const rule = (interval: number): GuardRule => ({ name: `r${interval}`, interval, check: (d) => void calls.push(`${interval}:${d}`), complete: () => void calls.push(`${interval}:end`) });
    const r = runSync([tok('a'), tok('b'), tok('c'), tok('d'), tok('e')], guard([rule(2), rule(3)]));
    expect(calls).toEqual(['2:ab', '3:abc', '2:cd', '2:e', '3:de', '2:end', '3:end']);
    expect(r.completed).toBe(true);
  });

  it('should not call a check at completion when it has seen all the text', () => {
    const check = vi.fn(() => undefined);
    runSync(text('a', 'b'), guard([{ name: 'r', check }]));
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('should report a warning found by the catch-up before the completion checks\' violations', () => {
    const rule = everyN(5, { severity: 'warning', complete: () => ({ message: 'at the end' }) });
    const r = runSync(text('a', 'BAD'), guard([rule]));
    expect(r.violations.map((v) => v.message)).toEqual(['saw BAD', 'at the end']);
  });
});

describe('guard: check rounds', () => {
  it('should release in hold-back only what the slowest rule has checked, when intervals differ', () => {
    const seen: string[] = [];
    const events$ = live(guard([everyN(2), everyN(3)], { mode: 'hold-back', holdBack: 0 }), seen);
    events$.next(tok('a'));
    events$.next(tok('b'));
    expect(seen).toEqual([]);
    events$.next(tok('c'));
    expect(seen).toEqual(['ab']);
    events$.next(tok('d'));
    expect(seen).toEqual(['ab', 'c']);
  });

  it('should check every rule at each multiple of checkAllEvery, whatever its interval', () => {
    const calls: string[] = [];
    const rule: GuardRule = { name: 'slow', interval: 10, check: (d) => void calls.push(d) };
    runSync([tok('a'), tok('b'), tok('c'), tok('d'), tok('e')], guardEngine([rule], {}, 2));
    expect(calls).toEqual(['ab', 'cd', 'e']);
  });

  it('should pass each token at once in stream-first while a rule is not due', () => {
    const seen: string[] = [];
    const events$ = live(guard([everyN(3)]), seen);
    events$.next(tok('a'));
    events$.next(tok('BAD'));
    expect(seen).toEqual(['a', 'BAD']);
    events$.next(tok('c'));
    expect(seen).toEqual(['a', 'BAD', 'c', 'violation', 'error GuardrailViolationError']);
  });

  it('should give a new attempt\'s first round only its own tokens, when the last attempt ended between rounds', () => {
    const calls: [string, string][] = [];
    const rule: GuardRule = { name: 'r', interval: 3, check: (d, t) => void calls.push([d, t]) };
    runSync([start(1), tok('a'), tok('b'), start(2), tok('c'), tok('d'), tok('e'), tok('f'), done()], guard([rule]));
    expect(calls).toEqual([['cde', 'cde'], ['f', 'cdef']]);
  });
});

describe('guard: lazy rule runs', () => {
  it('should create no rule state for a subscribed stream before its first check is due', () => {
    const create = vi.fn((): GuardRuleRun => ({ check: () => undefined }));
    const seen: string[] = [];
    const events$ = live(guard([{ name: 'lazy', interval: 3, create }]), seen);
    events$.next(start());
    events$.next(tok('a'));
    events$.next(tok('b'));
    expect(create).not.toHaveBeenCalled();
    events$.next(tok('c'));
    expect(create).toHaveBeenCalledTimes(1);
  });

  it('should create a completion-only rule\'s state at completion, once', () => {
    const create = vi.fn((): GuardRuleRun => ({ complete: () => undefined }));
    runSync(text('a', 'b', 'c'), guard([{ name: 'end', create }]));
    expect(create).toHaveBeenCalledTimes(1);
  });

  it('should bring a lazily created state up to a resumed checkpoint before its first check', () => {
    const calls: string[] = [];
    const rule: GuardRule = { name: 'r', create: () => ({ resume: (c) => void calls.push(`resume:${c}`), check: (d, t) => void calls.push(`${d}|${t}`) }) };
    runSync([start(2), { type: 'resume', checkpoint: 'old' }, tok(' new'), done()], guard([rule]));
    expect(calls).toEqual(['resume:old', ' new|old new']);
  });

  it('should report a create() that throws as a failed rule, and let the others check', () => {
    const broken: GuardRule = { name: 'broken', create: () => { throw new Error('no state'); } };
    const r = runSync(text('a', 'BAD'), guard([broken, everyN(1)]));
    expect(r.violations.map((v) => [v.ruleId, v.severity, v.message])).toEqual([
      ['broken', 'warning', 'Rule execution failed: no state'],
      ['every-1', 'error', 'saw BAD'],
    ]);
  });

  it('should fail closed on a create() that returns no run when onRuleError is closed', () => {
    const broken: GuardRule = { name: 'broken', onRuleError: 'closed', create: () => undefined as never };
    const r = runSync(text('a'), guard([broken]));
    expect(r.violations[0]).toMatchObject({ ruleId: 'broken', severity: 'error' });
    expect(isGuardrailViolationError(r.error)).toBe(true);
  });
});

describe('guard: built-in rules share their regexes between runs', () => {
  it('should find each run\'s own matches when two runs of one pattern rule interleave', () => {
    const rule = customPatternRule(/sk-\d{3}\b/, 'API key');
    const a: string[] = [];
    const b: string[] = [];
    // checked at every token, so the two runs' scans interleave
    const runA = live(guardEngine([rule], {}, 1), a);
    const runB = live(guardEngine([rule], {}, 1), b);
    const feed = (events$: Subject<L0Event>, chunks: string[]) => chunks.forEach((c) => events$.next(tok(c)));
    feed(runA, ['my key: s', 'k-1']);
    feed(runB, ['sk-12', 'x and more ', 'plain text ', 'here']);
    feed(runA, ['23 is secret', ' text']);
    runB.next(done());
    runA.next(done());
    expect(b).toEqual(['sk-12', 'x and more ', 'plain text ', 'here', 'complete']);
    expect(a.slice(-2)).toEqual(['violation', 'error GuardrailViolationError']);
  });

  it('should give interleaved runs of patternRule the position of their own match', () => {
    const rule = patternRule({ categories: ['meta-commentary'] });
    const positions: (number | undefined)[][] = [[], []];
    const runs = [0, 1].map((i) => {
      const events$ = new Subject<L0Event>();
      events$.pipe(guardEngine([rule], {}, 1)).subscribe({
        next: (e) => void (e.type === 'violation' && positions[i]!.push(e.violation.position)),
        error: () => undefined,
      });
      return events$;
    });
    runs[0]!.next(tok('Well, as an AI'));
    runs[1]!.next(tok('0123456789 As an AI'));
    runs[0]!.next(tok(' model, no.'));
    runs[1]!.next(tok(' language model'));
    runs.forEach((r) => r.next(done()));
    expect(positions).toEqual([[6], [11]]);
  });
});

describe('guard: built-in patterns skip text without their trigger characters', () => {
  const tokens = (...chunks: string[]) => [...chunks.map(tok), done()];
  // checked at every token, so each chunk is a scan of its own
  const perToken = (rule: GuardRule) => guardEngine([rule], {}, 1);

  it('should find a placeholder whose `[` came several scans before its end', () => {
    const r = runSync(tokens('Dear [ins', 'ert your ', 'na', 'me], hello'), perToken(patternRule({ categories: ['placeholder'] })));
    expect(r.violations).toMatchObject([{ ruleId: 'pattern-detection', position: 5 }]);
  });

  it('should find a LaTeX environment closed wrongly, its backslash in an earlier scan', () => {
    const r = runSync(tokens('\\begin{a} x \\', 'end{b}'), perToken(latexRule()));
    expect(r.violations[0]).toMatchObject({ message: '\\end{b} closes \\begin{a}', position: 12 });
  });

  it('should not run a family\'s regex on text with none of its trigger characters', () => {
    const rule = patternRule({ categories: ['placeholder', 'instruction-leak'] });
    const exec = vi.spyOn(RegExp.prototype, 'exec');
    try {
      runSync(tokens('plain ', 'words ', 'only'), perToken(rule));
      expect(exec).not.toHaveBeenCalled();
      runSync(tokens('a [TODO] here'), perToken(rule));
      expect(exec).toHaveBeenCalled();
    } finally {
      exec.mockRestore();
    }
  });
});

describe('guard: operators shared between calls', () => {
  it('should hand back the same operator for a frozen rule list with the same options, and a new one otherwise', () => {
    const preset = Object.freeze([latexRule(), patternRule()]);
    const onViolation = () => undefined;
    expect(guardEngine(preset)).toBe(guardEngine(preset));
    expect(guardEngine(preset, {}, 10)).toBe(guardEngine(preset, {}, 10));
    expect(guardEngine(preset, { onViolation })).not.toBe(guardEngine(preset));
    expect(guardEngine(preset, { mode: 'hold-back' })).not.toBe(guardEngine(preset, {}));
    expect(guardEngine(preset, {}, 5)).not.toBe(guardEngine(preset, {}, 10));
    const mutable = [latexRule(), patternRule()];
    expect(guardEngine(mutable)).not.toBe(guardEngine(mutable));
  });

  it('should keep the runs of two subscriptions of a shared operator apart', () => {
    const preset = Object.freeze([customPatternRule([/BAD/], 'no-bad', 'error')]);
    const op = guardEngine(preset);
    expect(guardEngine(preset)).toBe(op);
    const clean: string[] = [];
    const flagged: string[] = [];
    const a = live(op, clean);
    const b = live(op, flagged);
    a.next(start());
    b.next(start());
    a.next(tok('fine '));
    b.next(tok('BAD '));
    a.next(tok('words'));
    a.next(done());
    b.next(done());
    expect(clean).toEqual(['start', 'fine ', 'words', 'complete']);
    expect(flagged.slice(0, 2)).toEqual(['start', 'BAD ']);
    expect(flagged).toContain('error GuardrailViolationError');
  });
});
