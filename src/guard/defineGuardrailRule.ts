import type { GuardRule } from './guardRule.js';
import { checkRule, RULE_KEYS } from './guardConfig.js';
import { builtInRule } from './rules/builtInRule.js';

/**
 * Makes a rule of your own ready for `l0({guardrails: [rule]})` on its own: checks it now (the
 * checks `guard()` makes, with the same messages), and returns a frozen copy that carries the guard
 * engine, as the built-in rules do. `l0()` runs guardrails with the engine its rules bring along, so
 * an app that never uses guardrails never bundles it; a plain rule object works with `guard()` and
 * next to any built-in rule, and this is only needed for a list of custom rules alone.
 *
 *   -a-B-x|       tokens (B: "BAD")
 *   sa-(Bvr)      l0({ guardrails: [defineGuardrailRule(noBad)] })   (s start, v violation, r retry: the attempt failed)
 *
 * @example
 * import { defineGuardrailRule, l0 } from 'l0-rx';
 * const noBad = defineGuardrailRule({
 *   name: 'no-bad',
 *   check: (delta) => (delta.includes('BAD') ? { message: 'saw BAD' } : undefined),
 * });
 * l0({ stream, guardrails: [noBad] });
 * @param rule See {@link GuardRule}. Its prototype and every own property are kept; its methods
 *   run on `rule` itself (a class's `#private` fields are the instance's), and `held` is read from it.
 */
export function defineGuardrailRule<R extends GuardRule>(rule: R): R {
  checkRule(rule, 'defineGuardrailRule(rule)');
  const fields: PropertyDescriptorMap = Object.getOwnPropertyDescriptors(rule);
  for (const key of RULE_KEYS) {
    const value: unknown = rule[key];
    // a method called on the copy would not reach the instance's private fields (a TypeError: the rule failing open)
    if (value !== undefined && key !== 'held') fields[key] = { value: typeof value === 'function' ? (value as () => unknown).bind(rule) : value, enumerable: true };
  }
  // a rule without `create` is its own run: its methods, bound to `rule`, set the `held` the engine reads (one they
  // assign, absent until then, as well as a getter or a field)
  if (rule.create === undefined) fields.held = { get: () => rule.held, enumerable: true };
  return builtInRule(Object.create(Object.getPrototypeOf(rule) as object, fields) as R);
}
