import { asyncScheduler, catchError, forkJoin, from, map, Observable, of, timeout, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { L0Event, TokenEvent, Violation } from '../events/eventTypes.js';
import { AttemptText } from '../attempt/attemptText.js';
import { GuardrailViolationError } from '../errors/GuardrailViolationError.js';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import type { GuardFindings, GuardRule } from './guardRule.js';
import { releaseTarget, releaseText, startRules, VerdictBuilder, type Redaction, type RuleState } from './guardRun.js';
import { resolveGuardConfig, type GuardConfig } from './guardConfig.js';
import { phaseReporter } from './guardPhase.js';

export type { GuardConfig, GuardMode } from './guardConfig.js';
export type { GuardPhaseEvent } from './guardPhase.js';

/**
 * Runs guardrail rules on each attempt's text as it streams: emits `violation` events and fails the
 * attempt with a {@link GuardrailViolationError} on an `error` (recoverable) or `fatal` finding.
 *
 *   -s-a-b-B-c-x|      source (s start, B a token a rule flags as error, x complete)
 *   -s-a-b-(Bv#)       guard(rules)                 stream-first: B passes, then v violation, then the error
 *   -s----(abv#)       guard(rules, {mode: 'hold-back'})   nothing the rules flagged is ever released
 *
 * 1. Per subscription, and again at every `start`, `retry` and `fallback`, each rule gets a fresh
 *    state (`rule.create()`), so one rule list or preset serves any number of runs.
 * 2. Each `token` is appended to the attempt's text ({@link AttemptText}) and each rule's `check`
 *    gets the text added since its last check (every `interval` tokens; nothing is ever skipped)
 *    and the text so far. A `complete` event (or the source's end) runs each rule's `complete` on the
 *    whole text, async ones within their `timeout`; only then does `complete` pass.
 * 3. Findings become `violation` events, in order with the tokens. `warning`: reported only.
 *    `error`: the attempt fails with a recoverable GuardrailViolationError (retried through the
 *    content budget `attempts`; when it is spent the run fails or falls back, never accepting the
 *    text). `fatal`, or `recoverable: false`: a non-recoverable one (never retried, may fall back).
 *    A rule that throws or times out is a `warning` (`onRuleError: 'closed'` makes it an `error`).
 * 4. `stream-first` (default) passes each token once the rules checked it; a later verdict still
 *    fails the attempt, and the `retry` event retracts the text. `hold-back` releases text only
 *    `holdBack` characters behind the checked text (or up to the last sentence boundary), so text
 *    a rule blocks never reaches the consumer, whatever the chunk boundaries; released tokens may
 *    be merged. A finding with `redact` replaces its text in the released output.
 * 5. `resume{checkpoint}`: the checkpoint is text the rules already passed; it is not checked again
 *    (rules with a `resume` hook rebuild their state from it).
 *
 * @example
 * import { guard, jsonRule, patternRule } from 'l0-rx';
 * events$.pipe(guard([jsonRule(), patternRule()], { mode: 'hold-back' }));
 * @see {@link GuardRule} {@link recommendedGuardrails} {@link GuardrailViolationError}
 * @param rules The rules, or a preset such as {@link recommendedGuardrails}.
 * @param config See {@link GuardConfig}.
 */
export function guard(rules: readonly GuardRule[], config: GuardConfig = {}): MonoTypeOperatorFunction<L0Event> {
  return guardEngine(rules, config);
}

/**
 * {@link guard}, plus `checkAllEvery`: every rule is also checked at each token whose count is a
 * multiple of it, whatever its `interval` (l0 passes its `checkpointInterval`, so a checkpoint,
 * taken downstream at those tokens, holds only text every rule has checked). The engine that
 * built-in rules carry (see GUARD_ENGINE). @internal
 */
export function guardEngine(rules: readonly GuardRule[], config: GuardConfig = {}, checkAllEvery?: number): MonoTypeOperatorFunction<L0Event> {
  const { holdBack, onViolation, onPhase, scheduler = asyncScheduler } = resolveGuardConfig(rules, config);
  if (rules.length === 0) return (source) => source;
  return (source) =>
    new Observable<L0Event>((subscriber) => {
      const text = new AttemptText();
      const redactions: Redaction[] = [];
      let states: RuleState[] = startRules(rules);
      let released = 0;
      /** The text after `released`, kept apart so nothing slices (and so flattens) the whole text per token. */
      let pending = '';
      let boundary = 0;
      let finishing: Subscription | undefined;
      const tokenVerdict = new VerdictBuilder(redactions);
      let sourceDone = false;
      let ended = false;

      const emitText = (to: number, original?: TokenEvent): void => {
        if (to <= released) return;
        const value = releaseText(pending, released, to, redactions);
        pending = pending.slice(to - released);
        released = to;
        if (original && value === original.value) subscriber.next(original);
        else if (value !== '') subscriber.next({ type: 'token', value });
      };
      /** Reports the violations; false (after erroring) when the attempt fails. */
      const report = (violations: readonly Violation[], failing: readonly Violation[]): boolean => {
        for (const v of violations) {
          subscriber.next({ type: 'violation', violation: v });
          try {
            onViolation?.(v);
          } catch (e) {
            ended = true;
            subscriber.error(e);
            return false;
          }
        }
        if (failing.length === 0) return true;
        ended = true;
        subscriber.error(new GuardrailViolationError({ violations: failing }));
        return false;
      };
      const reset = (): void => {
        states = startRules(rules);
        redactions.length = 0;
        released = boundary = 0;
        pending = '';
      };
      /** One incremental check of `s` on `delta`, the text since its last check. */
      const runCheck = (s: RuleState, delta: string, all: string, verdict: VerdictBuilder): void => {
        s.owed = '';
        s.checked = all.length;
        try {
          verdict.add(s.rule, s.run.check!(delta, all));
        } catch (e) {
          verdict.ruleFailed(s.rule, e);
        }
      };
      const onToken = (event: TokenEvent): void => {
        const verdict = tokenVerdict.reset();
        const all = text.text;
        const count = text.tokenCount;
        const everyRule = checkAllEvery !== undefined && count % checkAllEvery === 0;
        /** How far every incremental rule has checked: hold-back releases nothing beyond it. */
        let checked = all.length;
        for (const s of states) {
          if (!s.run.check) continue;
          if (everyRule || count % s.interval === 0) runCheck(s, s.owed === '' ? event.value : s.owed + event.value, all, verdict);
          else {
            s.owed += event.value;
            if (s.checked < checked) checked = s.checked;
          }
        }
        if (holdBack === undefined) {
          // stream-first: the token passes as it is unless a redaction is pending
          if (redactions.length === 0) {
            released = all.length;
            subscriber.next(event);
          } else {
            pending += event.value;
            emitText(all.length, event);
          }
          report(verdict.violations, verdict.failing);
          return;
        }
        pending += event.value;
        if (!report(verdict.violations, verdict.failing)) return;
        if (holdBack === 'sentence') {
          const i = lastBoundary(event.value);
          if (i >= 0) boundary = all.length - event.value.length + i + 1;
          emitText(releaseTarget(all.length, Math.min(boundary, checked), released, redactions));
        } else emitText(releaseTarget(all.length, checked - holdBack, released, redactions));
      };
      const finish = (complete: L0Event | undefined): void => {
        const verdict = new VerdictBuilder(redactions);
        const all = text.text;
        const pending: Observable<unknown>[] = [];
        const phases = onPhase && phaseReporter(onPhase, scheduler, states.filter((s) => s.run.complete).length, text.tokenCount);
        states.forEach((s, index) => {
          if (!s.run.complete) return;
          const ruleEnd = phases?.rule(index, s.rule);
          let failed: boolean;
          try {
            const result = s.run.complete(all);
            if (isPromiseLike(result)) return void pending.push(settle(s.rule, result as Promise<GuardFindings>, verdict, scheduler, ruleEnd));
            failed = verdict.add(s.rule, result);
          } catch (e) {
            failed = verdict.ruleFailed(s.rule, e);
          }
          ruleEnd?.(!failed);
        });
        const conclude = (): void => {
          finishing = undefined;
          if (phases) {
            phases.end(verdict.violations, verdict.failing.length === 0);
            if (phases.error) {
              ended = true;
              return subscriber.error(phases.error.cause);
            }
          }
          if (!report(verdict.violations, verdict.failing)) return;
          emitText(all.length);
          if (complete) subscriber.next(complete);
          ended = true;
          if (sourceDone || !complete) subscriber.complete();
        };
        if (pending.length === 0) return conclude();
        finishing = forkJoin(pending).subscribe({ complete: conclude });
      };

      const subscription = source.subscribe({
        next(event) {
          if (ended || finishing) return;
          const change = text.observe(event);
          if (change === 'token') return onToken(event as TokenEvent);
          if (change === 'reset') reset();
          else if (change === 'resume') {
            reset();
            released = text.length;
            for (const s of states) {
              s.checked = text.length;
              s.run.resume?.(text.text);
            }
          }
          if (event.type === 'complete') return finish(event);
          subscriber.next(event);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => {
          sourceDone = true;
          if (ended) subscriber.complete();
          else if (!finishing) finish(undefined);
        },
      });
      return () => {
        subscription.unsubscribe();
        finishing?.unsubscribe();
      };
    });
}

/** An async completion check within the rule's time budget; a throw or a timeout is a rule failure. Tells `ended` whether it passed. */
function settle(rule: GuardRule, result: Promise<GuardFindings>, verdict: VerdictBuilder, scheduler: SchedulerLike, ended?: (passed: boolean) => void): Observable<unknown> {
  const budget = rule.timeout ?? 5000;
  return from(result).pipe(
    timeout({ first: budget, scheduler, with: () => { throw new Error(`timed out after ${budget} ms`); } }),
    map((findings) => verdict.add(rule, findings)),
    catchError((e: unknown) => of(verdict.ruleFailed(rule, e))),
    map((failed) => ended?.(!failed)),
  );
}

/** The index of the last sentence boundary (`.`, `!`, `?`, newline) in `s`, or -1. */
function lastBoundary(s: string): number {
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c === 46 || c === 33 || c === 63 || c === 10) return i;
  }
  return -1;
}
