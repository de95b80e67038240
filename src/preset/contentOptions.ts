import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import type { GuardMode } from '../guard/guardConfig.js';
import { engineOf } from '../guard/guardEngineKey.js';
import type { GuardRule } from '../guard/guardRule.js';
import { detectDrift, type DetectDriftConfig } from '../drift/detectDrift.js';
import { optionError, type OptionPath } from '../internal/options.js';

/** The content checks of {@link l0}: L0's option names. */
export interface L0ContentOptions {
  /**
   * Guardrail rules run on every attempt (a rule array or a preset such as `recommendedGuardrails`);
   * an `error` finding retries the attempt through `attempts`, a `fatal` one falls back. @default none
   */
  readonly guardrails?: readonly GuardRule[];
  /** `stream-first` passes tokens at once; `hold-back` releases only text the rules have checked. @default 'stream-first' */
  readonly guardMode?: GuardMode;
  /**
   * Drift detection on every attempt. `true` is `{ action: 'retry' }`: a drifting attempt is retried
   * (and falls back when the budget is spent); `{ action: 'warn' }` only emits `drift`. @default false
   */
  readonly detectDrift?: boolean | DetectDriftConfig;
}

/** `detectDrift: true`: one operator for every l0() call (it keeps no state outside its subscriptions). */
let retryOnDrift: MonoTypeOperatorFunction<L0Event> | undefined;

/**
 * The attempt operators `guardrails`, `guardMode` and `detectDrift` stand for, validated. With
 * continuation on, every rule is checked at each checkpoint's token (`checkpointInterval`), so a
 * checkpoint never holds text a rule's `interval` has not checked yet. @internal
 */
export function contentOperators(
  o: L0ContentOptions,
  path: OptionPath,
  scheduler: SchedulerLike | undefined,
  checkpointInterval?: number,
): MonoTypeOperatorFunction<L0Event>[] {
  const { guardrails, guardMode, detectDrift: drift } = o;
  const ops: MonoTypeOperatorFunction<L0Event>[] = [];
  if (guardrails !== undefined && !Array.isArray(guardrails)) throw optionError(path, 'guardrails', 'an array of rules or a preset such as recommendedGuardrails', guardrails);
  if (guardMode !== undefined && guardMode !== 'stream-first' && guardMode !== 'hold-back') throw optionError(path, 'guardMode', "'stream-first' or 'hold-back'", guardMode);
  if (guardrails && guardrails.length > 0) {
    const guard = engineOf(guardrails);
    if (!guard) {
      throw new TypeError(
        `${path.open}guardrails${path.close} holds only custom rules: wrap them with defineGuardrailRule (\`guardrails: [defineGuardrailRule(myRule)]\`), ` +
          'which brings the guard engine along as the built-in rules do (l0() bundles it only for apps that use guardrails)',
      );
    }
    ops.push(guard(guardrails, { ...(guardMode ? { mode: guardMode } : {}), ...(scheduler ? { scheduler } : {}) }, checkpointInterval));
  }
  if (drift !== undefined && typeof drift !== 'boolean' && (typeof drift !== 'object' || drift === null || Array.isArray(drift))) {
    throw optionError(path, 'detectDrift', 'a boolean or an object', drift);
  }
  if (drift) ops.push(drift === true ? (retryOnDrift ??= detectDrift({ action: 'retry' })) : detectDrift({ ...drift, action: drift.action ?? 'retry' }));
  return ops;
}
