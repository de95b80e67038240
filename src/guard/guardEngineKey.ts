import type { MonoTypeOperatorFunction } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import type { GuardRule } from './guardRule.js';
import type { GuardConfig } from './guardConfig.js';

/**
 * Where a built-in rule (and so every preset) carries the {@link guard} operator, so that
 * `l0({guardrails})` can run rules without importing the engine itself: the engine joins an app's
 * bundle only with the rules it imports. Non-enumerable; `Symbol.for` so duplicate copies agree.
 * @internal
 */
export const GUARD_ENGINE: unique symbol = Symbol.for('l0-rx.guard') as never;

/**
 * On a built-in rule whose runs never hold text back (no `held`): the engine skips reading it (a
 * property most runs lack costs a slow lookup per check). Every other rule's runs are read,
 * whenever they set `held`. @internal
 */
export const HOLDS_NOTHING: unique symbol = Symbol.for('l0-rx.guard.holdsNothing') as never;

/**
 * A built-in run's method the engine calls before `complete` when the attempt made a tool call or
 * sent data or a result, an answer without text, or a budget's `length` cut ended it (zeroOutputRule's;
 * a rule of yours never hears of it). @internal
 */
export const ANSWERED: unique symbol = Symbol.for('l0-rx.guard.answered') as never;

/** The engine's signature. @internal */
export type GuardEngine = (rules: readonly GuardRule[], config?: GuardConfig, checkAllEvery?: number) => MonoTypeOperatorFunction<L0Event>;

/** The engine a rule list carries: its own (structured() leaves jsonRule out, and keeps the engine it brought), else a built-in rule's. @internal */
export function engineOf(rules: readonly GuardRule[]): GuardEngine | undefined {
  for (const carrier of [rules, ...rules]) {
    const engine = (carrier as { [GUARD_ENGINE]?: GuardEngine } | null)?.[GUARD_ENGINE];
    if (typeof engine === 'function') return engine;
  }
  return undefined;
}
