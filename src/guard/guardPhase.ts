import type { SchedulerLike } from 'rxjs';
import type { Violation } from '../events/eventTypes.js';
import type { GuardRule } from './guardRule.js';

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

/**
 * Tells `onPhase` about one completion phase. A throwing observer is remembered (`error`) and told
 * nothing more; the guard then fails the attempt with its error, as a throwing `onViolation` does.
 * @internal
 */
export class PhaseReporter {
  error: { readonly cause: unknown } | undefined = undefined;
  private readonly started: number;

  constructor(
    private readonly onPhase: (event: GuardPhaseEvent) => void,
    private readonly scheduler: SchedulerLike,
    ruleCount: number,
    tokenCount: number,
  ) {
    this.started = scheduler.now();
    this.tell({ type: 'phase-start', phase: 'complete', ruleCount, tokenCount });
  }

  /** A rule's completion check starts; call the returned function with whether it passed when it ends. */
  rule(index: number, rule: GuardRule): (passed: boolean) => void {
    const started = this.scheduler.now();
    this.tell({ type: 'rule-start', phase: 'complete', index, ruleId: rule.name });
    return (passed) => this.tell({ type: 'rule-end', phase: 'complete', index, ruleId: rule.name, passed, durationMs: this.scheduler.now() - started });
  }

  end(violations: readonly Violation[], passed: boolean): void {
    this.tell({ type: 'phase-end', phase: 'complete', passed, violations, durationMs: this.scheduler.now() - this.started });
  }

  private tell(event: GuardPhaseEvent): void {
    if (this.error) return;
    try {
      this.onPhase(Object.freeze(event));
    } catch (cause) {
      this.error = { cause };
    }
  }
}
