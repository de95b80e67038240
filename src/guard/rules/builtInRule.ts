import { guard } from '../guard.js';
import { GUARD_ENGINE } from '../guardEngineKey.js';
import type { GuardRule } from '../guardRule.js';

/** Freezes a built-in rule with the guard engine attached (see GUARD_ENGINE). @internal */
export function builtInRule<R extends GuardRule>(rule: R): R {
  Object.defineProperty(rule, GUARD_ENGINE, { value: guard });
  return Object.freeze(rule);
}
