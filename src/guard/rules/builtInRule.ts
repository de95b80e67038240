import { guardEngine } from '../guard.js';
import { GUARD_ENGINE, HOLDS_NOTHING } from '../guardEngineKey.js';
import type { FinishReason } from '../../events/eventTypes.js';
import type { GuardFinding, GuardRule } from '../guardRule.js';

/**
 * Tokens between the incremental checks of the built-in scanning rules: each check scans the text
 * of the last 10 tokens plus the rule's `span` once, instead of the span on every token (the
 * regex and buffer work per token drops about 5x). l0's default `checkpointInterval` is also 10,
 * and l0 checks every rule at each checkpoint's token whatever its interval; the engine hands
 * each rule what its last batch left before the completion checks. @internal
 */
export const SCAN_INTERVAL = 10;

/**
 * A completion finding for what the answer left open at its end (a fence, brackets or a string, an
 * environment): an `error` when the model ended the answer there, a `warning` whose message says so
 * when the token limit cut it (`finishReason: 'length'`), since the finish reason reports the cut
 * and a retry under the same limit would be cut again. @internal
 */
export function openAtEnd(message: string, finishReason: FinishReason | undefined, position?: number): GuardFinding {
  const cut = finishReason === 'length';
  const found: GuardFinding = { message: cut ? `${message} (cut by the token limit: finishReason length)` : message, severity: cut ? 'warning' : 'error' };
  return position === undefined ? found : { ...found, position };
}

/** Freezes a built-in rule with the guard engine attached (see GUARD_ENGINE); `holds: false` for one whose runs have no `held`. @internal */
export function builtInRule<R extends GuardRule>(rule: R, holds = true): R {
  Object.defineProperty(rule, GUARD_ENGINE, { value: guardEngine });
  if (!holds) Object.defineProperty(rule, HOLDS_NOTHING, { value: true });
  return Object.freeze(rule);
}
