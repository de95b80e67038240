import type { GuardRule } from './guardRule.js';
import { checkRule } from './guardConfig.js';
import { builtInRule } from './rules/builtInRule.js';

/**
 * Makes a rule of your own ready for `l0({guardrails: [rule]})` on its own: checks it now (the
 * checks `guard()` makes, with the same messages), and returns a frozen copy that carries the guard
 * engine, as the built-in rules do. `l0()` runs guardrails with the engine its rules bring along, so
 * an app that never uses guardrails never bundles it; a plain rule object works with `guard()` and
 * next to any built-in rule, and this is only needed for a list of custom rules alone.
 *
 *   -a-B-x|       tokens (B: "BAD")
 *   -a-(Bv#)      l0({ guardrails: [defineGuardrailRule(noBad)] })   (v: violation, #: retried)
 *
 * @example
 * import { defineGuardrailRule, l0 } from 'l0-rx';
 * const noBad = defineGuardrailRule({
 *   name: 'no-bad',
 *   check: (delta) => (delta.includes('BAD') ? { message: 'saw BAD' } : undefined),
 * });
 * l0({ stream, guardrails: [noBad] });
 * @param rule See {@link GuardRule}. Its prototype and every own property are kept.
 */
export function defineGuardrailRule<R extends GuardRule>(rule: R): R {
  checkRule(rule, 'defineGuardrailRule(rule)');
  return builtInRule(Object.create(Object.getPrototypeOf(rule) as object, Object.getOwnPropertyDescriptors(rule)) as R);
}
