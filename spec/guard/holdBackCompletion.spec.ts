/** @test {guard} */
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { guard, isGuardrailViolationError, jsonRule, zeroOutputRule, type GuardRule, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { done, runSync, text, tok } from './helpers.js';

/*
 * Hold-back releases text only once every rule that can block it has judged it. A rule that judges
 * the text only at completion (no `check`: a moderation call on the whole answer, say) has judged
 * nothing before then, so nothing is released before its verdict; a rule whose check cannot decide
 * yet (zeroOutputRule while no letter or digit has come) holds what it has not judged (`held`).
 */

/** Judges the whole answer at completion only: blocks an answer holding BAD. */
const atEnd: GuardRule = { name: 'at-end', complete: (t) => (t.includes('BAD') ? { message: 'saw BAD' } : undefined) };
/** The same judgement from a per-attempt run that has only `complete`. */
const atEndRun: GuardRule = { name: 'at-end-run', create: () => ({ complete: atEnd.complete }) };
const passes: GuardRule = { name: 'passes', check: () => undefined };
const long = 'a fine answer that runs on for well over the hold-back window of 32 characters, then ';

/** What reaches the consumer of `rules` in hold-back before the source completes. */
function beforeTheEnd(rules: readonly GuardRule[], chunks: readonly string[], holdBack?: number): string {
  const seen: string[] = [];
  const events$ = new Subject<L0Event>();
  events$.pipe(guard(rules, { mode: 'hold-back', ...(holdBack === undefined ? {} : { holdBack }) })).subscribe({ next: (e) => e.type === 'token' && seen.push(e.value), error: () => undefined });
  for (const c of chunks) events$.next(tok(c));
  return seen.join('');
}

describe('guard hold-back with rules that judge at completion', () => {
  it('should release nothing before a completion-only rule has judged the answer, alone or beside incremental rules', () => {
    const chunks = [...long.match(/.{1,5}/g)!, 'BAD'];
    for (const rules of [[atEnd], [atEndRun], [passes, atEnd], [atEndRun, passes], [jsonRule(), atEnd]]) {
      for (const holdBack of [undefined, 0]) expect(beforeTheEnd(rules, chunks, holdBack), rules.map((r) => r.name).join()).toBe('');
      const r = runSync(text(...chunks), guard(rules, { mode: 'hold-back', holdBack: 0 }));
      expect(r.released).toBe('');
      expect(isGuardrailViolationError(r.error)).toBe(true);
    }
  });

  it('should release the whole answer, then complete, once the completion-only rule passes it (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const values = { a: tok('fine '), b: tok('answer'), x: done(), t: tok('fine answer') };
      expectObservable(cold<L0Event>('-a-b-(x|)', values).pipe(guard([passes, atEnd], { mode: 'hold-back', holdBack: 0 }))).toBe('-----(tx|)', values);
    });
  });

  it('should release no punctuation noise zeroOutputRule may still block, and release it once meaning follows', () => {
    const noise = [...'... --- ... *** ... ___ ... ~~~ ... ;;; ... ,,, ... !!!'];
    expect(beforeTheEnd([zeroOutputRule()], noise, 0)).toBe('');
    const r = runSync(text(...noise), guard([zeroOutputRule()], { mode: 'hold-back', holdBack: 0 }));
    expect(r.released).toBe('');
    expect(r.error).toMatchObject({ code: 'GUARDRAIL_VIOLATION' });
    // once a letter has come, the rule has nothing left to block: the text goes out as the other rules allow
    expect(beforeTheEnd([zeroOutputRule()], [...noise, ...'ok, here it is: the answer.'], 0).startsWith(`${noise.join('')}ok`)).toBe(true);
  });
});
