import type { Observable } from 'rxjs';
import type { FinishReason } from '../events/eventTypes.js';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import type { GuardFindings, GuardRuleRun } from './guardRule.js';
import { settle, type VerdictBuilder } from './guardRun.js';
import type { PhaseReporter } from './guardPhase.js';
import type { GuardPlan } from './guardPlan.js';
import { ANSWERED } from './guardEngineKey.js';

/**
 * The completion checks of an attempt (the guard subscription runs them at its end, after the
 * catch-up round): each run's `complete` on the whole text `all` with the finish `reason`, its
 * findings added to `verdict`, each rule's phase told to `phases`. A run is told first that the
 * attempt `answered` without text (see {@link ANSWERED}). A `complete` that throws is the rule's
 * failure; an async one is settled within the rule's `timeout`: the checks still in flight are
 * returned, to be waited for before the verdict is decided.
 * @internal
 */
export function completeRuns(
  { rules, scheduler }: GuardPlan,
  runs: readonly GuardRuleRun[],
  all: string,
  reason: FinishReason | undefined,
  answered: boolean,
  verdict: VerdictBuilder,
  phases: PhaseReporter | undefined,
): Observable<unknown>[] {
  const pending: Observable<unknown>[] = [];
  runs.forEach((run, index) => {
    if (!run.complete) return;
    const rule = rules[index]!;
    const ruleEnd = phases?.rule(index, rule);
    let failed: boolean;
    try {
      if (answered) (run as { [ANSWERED]?(): void })[ANSWERED]?.();
      const result = run.complete(all, reason);
      if (isPromiseLike(result)) return void pending.push(settle(rule, index, result as Promise<GuardFindings>, verdict, all.length, scheduler, ruleEnd));
      failed = verdict.add(index, result, all.length);
    } catch (e) {
      failed = verdict.ruleFailed(index, e);
    }
    ruleEnd?.(!failed);
  });
  return pending;
}
