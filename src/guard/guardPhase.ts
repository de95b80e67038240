import type { SchedulerLike } from 'rxjs';
import type { Violation } from '../events/eventTypes.js';
import type { GuardRule } from './guardRule.js';
import { quiet } from '../internal/isPromiseLike.js';

/**
 * What {@link guard}'s `onPhase` observer is told about the completion checks (L0's guardrail phase
 * events, G5): the phase starts with the number of rules that have a completion check, each such
 * rule starts and ends (async ones end when they settle, so their starts and ends may interleave),
 * and the phase ends with its verdict. Starts and ends are equal in number. `passed` means no
 * `error` or `fatal` finding (a warning passes); durations are read from the guard's `scheduler`.
 */
export type GuardPhaseEvent =
  | { readonly type: 'phase-start'; readonly phase: 'complete'; readonly ruleCount: number; readonly tokenCount: number }
  | { readonly type: 'rule-start'; readonly phase: 'complete'; readonly index: number; readonly ruleId: string }
  | { readonly type: 'rule-end'; readonly phase: 'complete'; readonly index: number; readonly ruleId: string; readonly passed: boolean; readonly durationMs: number }
  | { readonly type: 'phase-end'; readonly phase: 'complete'; readonly passed: boolean; readonly violations: readonly Violation[]; readonly durationMs: number };

/** Reports one completion phase to `onPhase`; see {@link phaseReporter}. @internal */
export interface PhaseReporter {
  /** A rule's completion check starts; call the returned function with whether it passed when it ends. */
  rule(index: number, rule: GuardRule): (passed: boolean) => void;
  end(violations: readonly Violation[], passed: boolean): void;
  /** What a throwing `onPhase` threw: it is told nothing more, and the guard fails the attempt with it. */
  error?: { readonly cause: unknown };
}

/** Starts a completion phase (tells `onPhase` its start) and returns its reporter; the rejection of a promise `onPhase` returns goes to `rejected`. @internal */
export function phaseReporter(
  onPhase: (event: GuardPhaseEvent) => void,
  scheduler: SchedulerLike,
  ruleCount: number,
  tokenCount: number,
  rejected: (reason: unknown) => void,
): PhaseReporter {
  const since = (t: number) => scheduler.now() - t;
  const started = scheduler.now();
  const tell = (event: GuardPhaseEvent): void => {
    if (reporter.error) return;
    try {
      quiet(onPhase(event), rejected);
    } catch (cause) {
      reporter.error = { cause };
    }
  };
  const reporter: PhaseReporter = {
    rule(index, { name: ruleId }) {
      const t = scheduler.now();
      tell({ type: 'rule-start', phase: 'complete', index, ruleId });
      return (passed) => tell({ type: 'rule-end', phase: 'complete', index, ruleId, passed, durationMs: since(t) });
    },
    end: (violations, passed) => tell({ type: 'phase-end', phase: 'complete', passed, violations, durationMs: since(started) }),
  };
  tell({ type: 'phase-start', phase: 'complete', ruleCount, tokenCount });
  return reporter;
}
