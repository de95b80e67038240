import { builtInRule } from './builtInRule.js';
import type { GuardRule } from '../guardRule.js';
import { parseFailure } from './jsonRule.js';

/**
 * At completion, requires the whole output to be one JSON object or array (no prose around it, no
 * bare string or number), whatever the finish reason: an answer the token limit cut
 * (`finishReason: 'length'`) is not one whole value either, and this rule is for callers who need
 * one (jsonRule only warns about the cut: use it alone to keep such an answer). Pair it with
 * {@link jsonRule} to also catch broken structure while streaming.
 *
 *   -a-b-c-x|        tokens "just text", x complete
 *   -a-b-c-(v#)      guard([strictJsonRule()])
 *
 * @example
 * import { guard, jsonRule, strictJsonRule } from 'l0-rx';
 * events$.pipe(guard([jsonRule(), strictJsonRule()]));
 */
export function strictJsonRule(): GuardRule {
  return builtInRule({
    name: 'json-strict',
    severity: 'error',
    complete: (text: string) => {
      const t = text.trim();
      if (!t.startsWith('{') && !t.startsWith('[')) return { message: 'the output is not a JSON object or array' };
      return parseFailure(t);
    },
  } satisfies GuardRule, false);
}
