import { isL0Error, L0Error } from '../errors/L0Error.js';

export interface BudgetExceededInfo {
  /** Which limit was reached. */
  readonly limit: 'maxOutputTokens' | 'maxTotalTokens' | 'maxCost';
  /** The limit's value, and the amount the run would have reached (a shared ledger's: every run counting into it). */
  readonly max: number;
  readonly reached: number;
  /** Output tokens counted so far over every attempt (provider usage where sent, else estimated), in the ledger the limit is on. */
  readonly outputTokens: number;
}

/**
 * The run reached a limit of its {@link budget}. Category `abort`: a spending limit is the
 * caller's decision, so it is never retried and never falls back to another model.
 *
 * @example
 * import { isBudgetExceededError } from 'l0-rx';
 * if (isBudgetExceededError(e)) console.log(e.info.limit, e.info.reached);
 * @see {@link budget}
 */
export class BudgetExceededError extends L0Error {
  override readonly name = 'BudgetExceededError';
  declare readonly code: 'BUDGET_EXCEEDED';
  readonly info: BudgetExceededInfo;

  constructor(info: BudgetExceededInfo) {
    super(`Budget exceeded: ${info.limit} ${info.max} (would reach ${Number(info.reached.toFixed(6))})`, {
      code: 'BUDGET_EXCEEDED',
      category: 'abort',
      retryable: false,
      reason: 'abort',
    });
    this.info = Object.freeze({ ...info });
  }
}

/**
 * True for a {@link BudgetExceededError} from any copy of the package.
 * @example import { isBudgetExceededError } from 'l0-rx'; if (isBudgetExceededError(e)) console.warn(e.info);
 */
export const isBudgetExceededError = (e: unknown): e is BudgetExceededError => isL0Error(e) && e.name === 'BudgetExceededError';
