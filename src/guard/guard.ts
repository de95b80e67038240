import { asyncScheduler, Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import type { GuardRule } from './guardRule.js';
import { resolveGuardConfig, type GuardConfig } from './guardConfig.js';
import { GuardSubscription } from './guardSubscription.js';
import { guardPlan, type GuardPlan } from './guardPlan.js';

export type { GuardConfig, GuardMode } from './guardConfig.js';
export type { GuardPhaseEvent } from './guardPhase.js';

/**
 * Runs guardrail rules on each attempt's text as it streams: emits `violation` events and fails the
 * attempt with a {@link GuardrailViolationError} on an `error` (recoverable) or `fatal` finding.
 *
 *   -s-a-b-B-c-x|      source (s start, B a token a rule flags as error, x complete)
 *   -s-a-b-(Bv#)       guard(rules)                 stream-first: B passes, then v violation, then the error
 *   -s-----(v#)        guard(rules, {mode: 'hold-back'})   a and b are still held when B fails the attempt: none of it is released
 *
 * 1. Per subscription, and again at every `start`, `retry` and `fallback`, each rule gets a fresh
 *    state (`rule.create()`), so one rule list or preset serves any number of runs. The state is
 *    created when the attempt's first check is due (or at completion): an idle stream holds none.
 * 2. Each `token` is appended to the attempt's text ({@link AttemptText}). A rule's `check` runs at
 *    every `interval`-th token with the text added since its last check (nothing is ever skipped)
 *    and the text so far; the tokens in between cost O(1) each, whatever the number of rules. At
 *    the end (a `complete` event or the source's end), each `check` first gets what its interval
 *    left unchecked (a failing finding there ends the attempt, as it would have while streaming),
 *    then each rule's `complete` runs on the whole text and the `complete` event's `finishReason`
 *    (undefined when the source ended without one), async ones within their `timeout`; only then
 *    does `complete` pass.
 * 3. Findings become `violation` events, in order with the tokens. A round reports the built-in
 *    rules' findings in the order the text decided them (a pattern match once the characters it
 *    waits for follow it, a JSON character at once, a Markdown row at its line's end), and the
 *    first failing one ends the attempt with the failing ones decided at the same point (a fatal
 *    one first); so a text gets the same violations and the same error however it was cut into
 *    tokens, those checks after every character would give. A custom rule's findings are decided
 *    when its check runs. The completion checks see the whole text at once: their findings are all
 *    decided at its end, so a fatal one comes first (a refusal before the meta commentary found in
 *    the same words), then by position, then in the rules' order (an async check's too, however
 *    late it answers). `warning`: reported only.
 *    `error`: the attempt fails with a recoverable GuardrailViolationError (retried through the
 *    content budget `attempts`; when it is spent the run fails or falls back, never accepting the
 *    text). `fatal`, or `recoverable: false`: a non-recoverable one (never retried, may fall back).
 *    A rule that throws or times out, returns a promise from `check` or `create`, or a malformed
 *    finding, is a `warning` (`onRuleError: 'closed'` makes it an `error`).
 * 4. `stream-first` (default) passes each token once the rules checked it; a later verdict still
 *    fails the attempt, and the `retry` event retracts the text. `hold-back` releases text only
 *    `holdBack` characters behind the checked text (or up to the last sentence boundary), so text
 *    a rule blocks never reaches the consumer, whatever the chunk boundaries; released tokens may
 *    be merged. Text is checked once every rule that can block it has judged it: a rule with a
 *    `complete` and no `check` holds the whole answer until its verdict, one whose run sets `held`
 *    holds that much (zeroOutputRule, while no letter or digit has come); a `complete` beside a
 *    `check` judges the answer as a whole, after its text went out. A finding with `redact`
 *    replaces its text in the released output; overlapping redactions replace the union of their
 *    spans (with the first one's replacement), and none is released before the rules have checked
 *    past its end.
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
  const { settled, ...resolved } = resolveGuardConfig(rules, config);
  if (rules.length === 0) return (source) => source;
  const scheduler = resolved.scheduler ?? asyncScheduler;
  // a preset with the same options: the operator of the last call (l0() per request builds no plan per stream)
  const last = settled ? LAST.get(rules) : undefined;
  if (last) {
    const p = last.plan;
    if (p.holdBack === resolved.holdBack && p.onViolation === resolved.onViolation && p.onPhase === resolved.onPhase && p.scheduler === scheduler && p.checkAllEvery === checkAllEvery) return last.op;
  }
  const fresh = guardPlan(rules, { ...resolved, scheduler }, checkAllEvery);
  const op: MonoTypeOperatorFunction<L0Event> = (source) => new Observable<L0Event>((subscriber) => source.subscribe(new GuardSubscription(fresh, subscriber)));
  if (settled) LAST.set(rules, { plan: fresh, op });
  return op;
}

/** Per settled rule list (see resolveGuardConfig), the plan and operator of its last call. */
const LAST = /*#__PURE__*/ new WeakMap<readonly GuardRule[], { readonly plan: GuardPlan; readonly op: MonoTypeOperatorFunction<L0Event> }>();
