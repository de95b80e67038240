import { builtInRule } from './builtInRule.js';
import type { GuardRule, GuardRuleRun } from '../guardRule.js';

const MEANING = /[\p{L}\p{N}\p{M}\p{Extended_Pictographic}]/u;

/**
 * At completion, flags an answer with no meaningful content (empty, whitespace, or punctuation
 * noise such as "..." or "---") as an `error`, the rule form of `detectZeroOutput`: any letter, digit
 * or emoji is an answer, and so are `{}` and `[]`. Tracks only whether meaning has appeared.
 *
 *   -a-b-x|      tokens ".", "..", x complete
 *   -a-b-(v#)    guard([zeroOutputRule()])
 *
 * @example
 * import { guard, zeroOutputRule } from 'l0-rx';
 * events$.pipe(guard([zeroOutputRule()]));
 */
export function zeroOutputRule(): GuardRule {
  return builtInRule({
    name: 'zero-output',
    severity: 'error',
    create: (): GuardRuleRun => {
      let meaningful = false;
      return {
        check: (delta) => void (meaningful ||= MEANING.test(delta)),
        resume: (checkpoint) => void (meaningful ||= MEANING.test(checkpoint)),
        complete: (text) => {
          if (meaningful || MEANING.test(text)) return undefined;
          const compact = text.replace(/\s+/g, '');
          return compact === '{}' || compact === '[]' ? undefined : { message: 'the answer has no meaningful content' };
        },
      };
    },
  } satisfies GuardRule);
}
