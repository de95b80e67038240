import { builtInRule, SCAN_INTERVAL } from './builtInRule.js';
import type { GuardFinding, GuardRule, GuardRuleRun } from '../guardRule.js';
import type { FinishReason } from '../../events/eventTypes.js';
import { ANSWERED } from '../guardEngineKey.js';
import { isHighSurrogate } from '../../internal/surrogate.js';
import { isJsonStructure } from '../../zeroOutput/emptyJson.js';

const MEANING = /[\p{L}\p{N}\p{M}\p{Extended_Pictographic}\p{Regional_Indicator}]/u;

/**
 * At completion, flags an answer with no meaningful content (empty, whitespace, or punctuation
 * noise such as "..." or "---") as an `error`, the rule form of `detectZeroOutput`: any letter, digit
 * or emoji is an answer, and so is a JSON object or array (`{}`, `[]`, `[{}]`; bare, or in a code fence
 * without a language tag: in structured() the guard runs before the parser), and so is an attempt that made a tool call, sent `data` or a `result` (the guard after
 * `parseStructured`), whatever its finish reason (OpenAI finishes a forced call with `stop`); a
 * `content-filter` finish is never flagged (the provider said why, as for detectZeroOutput:
 * retried, it hid the reason), nor the `length` cut of a `budget({onExceeded: 'complete'})` before
 * the guard (the caller's limit: retried, no request would be sent). Tracks only whether meaning has
 * appeared; an emoji whose two UTF-16 halves arrive in different tokens counts. Until it has, the
 * text so far is one the rule may still block, so it holds it (`held`): hold-back releases none of
 * it, and no checkpoint holds it.
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
    // its verdict comes at completion, after the engine's catch-up check: batching costs nothing
    interval: SCAN_INTERVAL,
    create: (): GuardRuleRun => new ZeroOutputRun(),
  } satisfies GuardRule);
}

/** Whether meaning has appeared; it stops looking once it has. */
class ZeroOutputRun implements GuardRuleRun {
  #meaningful = false;
  /** The high surrogate the last delta ended with: its emoji ends in the next delta. */
  #high = '';
  /** The text the completion verdict may still block: all of it until meaning appears, then none. */
  held = 0;

  check(delta: string): undefined {
    if (this.#meaningful) return undefined;
    const text = this.#high === '' ? delta : this.#high + delta;
    this.#meaningful = MEANING.test(text);
    this.held = this.#meaningful ? 0 : this.held + delta.length;
    this.#high = isHighSurrogate(text.charCodeAt(text.length - 1)) ? text.slice(-1) : '';
    return undefined;
  }

  resume(checkpoint: string): void {
    this.check(checkpoint);
  }

  /** The attempt made a tool call, sent data or a result, or a budget cut it: the engine saw the events this rule's text leaves out. */
  [ANSWERED](): void {
    this.#meaningful = true;
  }

  complete(text: string, finishReason?: FinishReason): GuardFinding | undefined {
    if (this.#meaningful || finishReason === 'content-filter') return undefined;
    return isJsonStructure(text) ? undefined : { message: 'the answer has no meaningful content' };
  }
}
