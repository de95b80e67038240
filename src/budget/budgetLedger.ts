/*
 * The ledger of budget(): its options, checked once, and the tokens counted against them. Shared on
 * purpose through createBudget(), or one per run, made by the operator (budget.ts).
 */
import { checkBag, checkKeys, optionError, optionKeys, optionPath } from '../internal/options.js';
import type { BudgetExceededInfo } from './BudgetExceededError.js';

/** Prices in currency units per million tokens, each a finite number >= 0 (a TypeError names another). With `maxCost`, at least one is needed. */
export interface BudgetPricing {
  /** @default 0 */
  readonly inputPerMillion?: number;
  /** @default 0 */
  readonly outputPerMillion?: number;
}

/** Options of {@link budget}. At least one limit is required. */
export interface BudgetConfig {
  /** Output tokens over every attempt (retries and fallbacks included: they were paid for), text, reasoning and tool calls. @default undefined (no limit) */
  readonly maxOutputTokens?: number;
  /** Input plus output tokens; input is known from provider usage or `inputTokens`. @default undefined (no limit) */
  readonly maxTotalTokens?: number;
  /** Cost limit, in the units of `pricing`. Needs `pricing`. @default undefined (no limit) */
  readonly maxCost?: number;
  readonly pricing?: BudgetPricing;
  /** The prompt's size in tokens, counted once per attempt until the provider reports usage. @default 0 */
  readonly inputTokens?: number;
  /** `error`: end with {@link BudgetExceededError}; `complete`: end with `complete{finishReason: 'length'}` and the partial result. @default 'error' */
  readonly onExceeded?: 'error' | 'complete';
  /**
   * Tokens in a delta (or a tool call's name and arguments) when the provider has not reported usage. A throw, or a value that is not a
   * finite number >= 0 (it would turn the limits off), errors the run (a TypeError naming the value).
   * @default (text) => Math.max(1, Math.ceil(text.length / 4))
   */
  readonly estimateTokens?: (text: string) => number;
}

const KEYS = /*#__PURE__*/ optionKeys<BudgetConfig>()(['maxOutputTokens', 'maxTotalTokens', 'maxCost', 'pricing', 'inputTokens', 'onExceeded', 'estimateTokens']);
const PATH = /*#__PURE__*/ optionPath('budget');
const estimate = (text: string) => Math.max(1, Math.ceil(text.length / 4));

/**
 * A spending ledger shared on purpose: every stream piped through `budget(sharedBudget)` counts
 * into it, so one limit covers the entrants of a race or a hedge, or several calls.
 *
 * @example
 * import { budget, createBudget, hedge, l0 } from 'l0-rx';
 * const perRequest = createBudget({ maxOutputTokens: 4_000 });
 * l0({ stream: gpt4o }).pipe(budget(perRequest), hedge(l0({ stream: claude }).pipe(budget(perRequest)), { delay: 1_000 }));
 * @see {@link budget}
 * @param config See {@link BudgetConfig}.
 */
export function createBudget(config: BudgetConfig): Budget {
  return new Budget(resolveBudget(config));
}

/**
 * The brand of a {@link Budget}: `budget()` tells a ledger from options by it, not by `instanceof`,
 * so a ledger made by another copy of the package (the ESM and the CJS build) is still one.
 * Registered (`Symbol.for`) so every copy agrees; versioned with the ledger's shape (`rules`,
 * `exceeds`, the two counts), which every copy that carries it must share.
 */
const BRAND = /*#__PURE__*/ Symbol.for('l0-rx.budget.v1');

/** True for a {@link Budget} from any copy of the package. */
export const isBudget = (x: unknown): x is Budget => typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;

/**
 * The tokens counted so far, against the limits of one {@link BudgetConfig}. Create with {@link createBudget}.
 *
 * @example
 * import { budget, createBudget, l0 } from 'l0-rx';
 * const ledger = createBudget({ maxCost: 0.5, pricing: { inputPerMillion: 2.5, outputPerMillion: 10 } });
 * l0({ stream }).pipe(budget(ledger)).subscribe({ complete: () => console.log(ledger.outputTokens, ledger.cost) });
 */
export class Budget {
  outputTokens = 0;
  inputTokens = 0;
  /** @internal Use {@link createBudget}. */
  constructor(readonly rules: ResolvedBudget) {
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** The cost so far, in the units of `pricing` (0 without pricing). */
  get cost(): number {
    return (this.inputTokens * this.rules.inputPrice + this.outputTokens * this.rules.outputPrice) / 1e6;
  }

  /** @internal What adding these tokens would exceed, if anything. */
  exceeds(dOutput: number, dInput: number): BudgetExceededInfo | undefined {
    const c = this.rules;
    const output = this.outputTokens + dOutput;
    const input = this.inputTokens + dInput;
    const total = output + input;
    if (c.maxOutputTokens !== undefined && output > c.maxOutputTokens) return { limit: 'maxOutputTokens', max: c.maxOutputTokens, reached: output, outputTokens: output };
    if (c.maxTotalTokens !== undefined && total > c.maxTotalTokens) return { limit: 'maxTotalTokens', max: c.maxTotalTokens, reached: total, outputTokens: output };
    const cost = (input * c.inputPrice + output * c.outputPrice) / 1e6;
    // reaching maxCost is no crossing: a price with no exact binary form (0.1) puts 3 tokens' cost an ulp above 3 tokens' worth
    if (c.maxCost !== undefined && cost > c.maxCost * (1 + 1e-12)) return { limit: 'maxCost', max: c.maxCost, reached: cost, outputTokens: output };
    return undefined;
  }
}

export type ResolvedBudget = ReturnType<typeof resolveBudget>;

export function resolveBudget(config: BudgetConfig) {
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { maxOutputTokens, maxTotalTokens, maxCost, pricing, inputTokens = 0, onExceeded = 'error', estimateTokens = estimate } = config;
  const { inputPerMillion, outputPerMillion } = pricing ?? {};
  // a negative, NaN or string price would turn maxCost off (a NaN cost is never over it); keys as childPath names them
  const numbers = { maxOutputTokens, maxTotalTokens, maxCost, inputTokens, 'pricing: {inputPerMillion}': inputPerMillion, 'pricing: {outputPerMillion}': outputPerMillion };
  for (const [key, v] of Object.entries(numbers)) {
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw optionError(PATH, key, 'a finite number >= 0', v);
  }
  if (maxOutputTokens === undefined && maxTotalTokens === undefined && maxCost === undefined) {
    throw new TypeError('budget(config) needs at least one limit: maxOutputTokens, maxTotalTokens or maxCost');
  }
  if (pricing !== undefined) {
    checkBag(optionPath('budget', '', 'pricing'), pricing);
    checkKeys(optionPath('budget', '', 'pricing'), pricing, ['inputPerMillion', 'outputPerMillion']);
  }
  if (maxCost !== undefined && inputPerMillion === undefined && outputPerMillion === undefined) {
    throw optionError(PATH, 'pricing', '{inputPerMillion, outputPerMillion} (at least one) when maxCost is set', pricing);
  }
  if (onExceeded !== 'error' && onExceeded !== 'complete') throw optionError(PATH, 'onExceeded', "'error' or 'complete'", onExceeded);
  if (typeof estimateTokens !== 'function') throw optionError(PATH, 'estimateTokens', 'a function', estimateTokens);
  return { maxOutputTokens, maxTotalTokens, maxCost, inputTokens, onExceeded, estimateTokens, inputPrice: inputPerMillion ?? 0, outputPrice: outputPerMillion ?? 0 };
}
