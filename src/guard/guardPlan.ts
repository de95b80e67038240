import type { SchedulerLike } from 'rxjs';
import type { Violation } from '../events/eventTypes.js';
import type { GuardRule } from './guardRule.js';
import type { GuardPhaseEvent } from './guardPhase.js';

/**
 * "No round due": a token count no attempt reaches, kept in the small-integer range (`Infinity` in
 * a field makes V8 box every instance's number: 16 bytes per open stream). @internal
 */
export const NEVER = 0x3fffffff;

/** What one `guard()` call fixes for all its subscriptions (read-only, shared). @internal */
export interface GuardPlan {
  readonly rules: readonly GuardRule[];
  /** Each rule's `interval` (1 by default). */
  readonly intervals: readonly number[];
  readonly checkAllEvery: number | undefined;
  /** The token count of an attempt's first check round: the least interval of the rules that may check; {@link NEVER} when none can. */
  readonly firstDue: number;
  readonly holdBack: number | 'sentence' | undefined;
  /** The rules' longest `span`: a sentence is released once the rules have checked this far past its end. */
  readonly span: number;
  readonly onViolation: ((violation: Violation) => void) | undefined;
  readonly onPhase: ((event: GuardPhaseEvent) => void) | undefined;
  readonly scheduler: SchedulerLike;
}

/** The plan of `rules` (validated already) with their resolved config; see {@link GuardPlan}. @internal */
export function guardPlan(
  rules: readonly GuardRule[],
  { holdBack, span, onViolation, onPhase, scheduler }: Pick<GuardPlan, 'holdBack' | 'span' | 'onViolation' | 'onPhase' | 'scheduler'>,
  checkAllEvery: number | undefined,
): GuardPlan {
  const intervals = rules.map((rule) => rule.interval ?? 1);
  let firstDue = NEVER;
  rules.forEach((rule, i) => {
    if (rule.check || rule.create) firstDue = Math.min(firstDue, intervals[i]!);
  });
  if (firstDue !== NEVER && checkAllEvery !== undefined) firstDue = Math.min(firstDue, checkAllEvery);
  // a literal, not a spread: a frozen spread got a hidden class of its own per call (~350 bytes per l0() run)
  return Object.freeze({ rules, intervals, checkAllEvery, firstDue, holdBack, span, onViolation, onPhase, scheduler });
}
