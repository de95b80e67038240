import type { Violation } from '../events/eventTypes.js';
import { isL0Error, L0Error } from './L0Error.js';

export interface GuardrailViolationInfo {
  readonly violations: readonly Violation[];
}

/**
 * A guardrail rule failed the output. `error` severity gives a recoverable error
 * (`GUARDRAIL_VIOLATION`, retried through the content budget); `fatal` a non-recoverable one
 * (`FATAL_GUARDRAIL_VIOLATION`, never retried, may fall back).
 *
 * @example
 * import { isGuardrailViolationError } from 'l0-rx';
 * if (isGuardrailViolationError(e)) console.log(e.info.violations.map((v) => v.ruleId));
 * @see {@link guard}
 */
export class GuardrailViolationError extends L0Error {
  override readonly name = 'GuardrailViolationError';
  declare readonly code: 'GUARDRAIL_VIOLATION' | 'FATAL_GUARDRAIL_VIOLATION';
  readonly info: GuardrailViolationInfo;

  /**
   * @param checkpoint The text a retry may resume from, when the rule's verdict settles it: `''`
   *   for a completion check's verdict, which rejects the whole text (see {@link L0Error.checkpoint}).
   */
  constructor(info: GuardrailViolationInfo, checkpoint?: string) {
    const fatal = info.violations.some((v) => v.severity === 'fatal' || !v.recoverable);
    const first = info.violations[0];
    super(`Guardrail violation${first ? ` (${first.ruleId}): ${first.message}` : ''}`, {
      code: fatal ? 'FATAL_GUARDRAIL_VIOLATION' : 'GUARDRAIL_VIOLATION',
      category: 'content',
      retryable: !fatal,
      reason: fatal ? 'fatal_guardrail_violation' : 'guardrail_violation',
      checkpoint,
    });
    this.info = Object.freeze({ violations: Object.freeze([...info.violations]) });
  }
}

/**
 * True for a {@link GuardrailViolationError} from any copy of the package.
 * @example import { isGuardrailViolationError } from 'l0-rx'; if (isGuardrailViolationError(e)) console.log(e.info);
 */
export const isGuardrailViolationError = (e: unknown): e is GuardrailViolationError =>
  isL0Error(e) && e.name === 'GuardrailViolationError';
