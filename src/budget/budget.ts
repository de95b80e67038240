import { Observable, type MonoTypeOperatorFunction, type Subscription } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { checkBag, checkKeys, optionError, optionKeys, optionPath } from '../internal/options.js';
import { BudgetExceededError, type BudgetExceededInfo } from './BudgetExceededError.js';

/** Prices in currency units per million tokens. */
export interface BudgetPricing {
  readonly inputPerMillion?: number;
  readonly outputPerMillion?: number;
}

/** Options of {@link budget}. At least one limit is required. */
export interface BudgetConfig {
  /** Output tokens over every attempt (retries and fallbacks included: they were paid for). @default undefined (no limit) */
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
  /** Tokens in a delta when the provider has not reported usage. @default (text) => Math.max(1, Math.ceil(text.length / 4)) */
  readonly estimateTokens?: (text: string) => number;
}

const KEYS = /*#__PURE__*/ optionKeys<BudgetConfig>()(['maxOutputTokens', 'maxTotalTokens', 'maxCost', 'pricing', 'inputTokens', 'onExceeded', 'estimateTokens']);
const PATH = /*#__PURE__*/ optionPath('budget');
const estimate = (text: string) => Math.max(1, Math.ceil(text.length / 4));

/**
 * Enforces token and cost limits while the run streams, over every attempt, and cuts the run at
 * the delta that would cross a limit.
 *
 *   s-a-b-c-d-x|      run (each token ~1 token; maxOutputTokens: 3)
 *   s-a-b-c-#         budget({ maxOutputTokens: 3 })   (BudgetExceededError when d would make 4)
 *   s-a-b-c-(L|)      budget({ maxOutputTokens: 3, onExceeded: 'complete' })   (L complete{finishReason: 'length'})
 *
 * 1. Each `token` and `reasoning` delta adds `estimateTokens(value)` output tokens. A `complete`
 *    with `usage` replaces the current attempt's estimate with the provider's numbers.
 * 2. Tokens of failed attempts stay counted (`retry` and `fallback` start a new attempt, and the
 *    prompt is counted again for it): you paid for them.
 * 3. The delta that would cross a limit is not emitted: the source is unsubscribed (its request
 *    aborts) and the run ends with {@link BudgetExceededError} (category `abort`: never retried,
 *    never falls back) or, with `onExceeded: 'complete'`, with `complete{finishReason: 'length'}`.
 * 4. Place it after `retryWithBackoff`/`fallbackTo` (or in `runOperators` of `l0()`) so it sees
 *    every attempt. State is per subscription.
 *
 * @example
 * import { budget, l0 } from 'l0-rx';
 * l0({ stream }).pipe(budget({ maxCost: 0.05, pricing: { inputPerMillion: 2.5, outputPerMillion: 10 }, inputTokens: 800 }));
 * @param config See {@link BudgetConfig}.
 */
export function budget(config: BudgetConfig): MonoTypeOperatorFunction<L0Event> {
  const c = resolveBudget(config);
  return (source) =>
    new Observable<L0Event>((subscriber) => {
      let settledOutput = 0; // attempts that ended
      let settledInput = 0;
      let attemptOutput = 0; // the current attempt
      let attemptInput = c.inputTokens;
      const check = (output: number, input: number): BudgetExceededInfo | undefined => {
        const total = output + input;
        if (c.maxOutputTokens !== undefined && output > c.maxOutputTokens) return { limit: 'maxOutputTokens', max: c.maxOutputTokens, reached: output, outputTokens: output };
        if (c.maxTotalTokens !== undefined && total > c.maxTotalTokens) return { limit: 'maxTotalTokens', max: c.maxTotalTokens, reached: total, outputTokens: output };
        const cost = (input * c.inputPrice + output * c.outputPrice) / 1e6;
        if (c.maxCost !== undefined && cost > c.maxCost) return { limit: 'maxCost', max: c.maxCost, reached: cost, outputTokens: output };
        return undefined;
      };
      let sub: Subscription | undefined = undefined;
      sub = source.subscribe({
        next: (e) => {
          let nextOutput = attemptOutput;
          let nextInput = attemptInput;
          if (e.type === 'token' || e.type === 'reasoning') {
            try {
              nextOutput += c.estimateTokens(e.value);
            } catch (err) {
              sub?.unsubscribe();
              return subscriber.error(err);
            }
          }
          else if (e.type === 'complete' && e.usage) {
            nextOutput = e.usage.outputTokens ?? nextOutput;
            nextInput = e.usage.inputTokens ?? nextInput;
          } else if (e.type === 'retry' || e.type === 'fallback') {
            settledOutput += attemptOutput;
            settledInput += attemptInput;
            nextOutput = 0;
            nextInput = c.inputTokens;
          }
          const over = e.type === 'complete' ? undefined : check(settledOutput + nextOutput, settledInput + nextInput);
          if (!over) {
            attemptOutput = nextOutput;
            attemptInput = nextInput;
            return subscriber.next(e);
          }
          sub?.unsubscribe();
          if (c.onExceeded === 'error') return subscriber.error(new BudgetExceededError(over));
          subscriber.next({ type: 'complete', finishReason: 'length', usage: { outputTokens: settledOutput + attemptOutput, inputTokens: settledInput + attemptInput } });
          subscriber.complete();
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      if (subscriber.closed) sub.unsubscribe();
      return () => sub?.unsubscribe();
    });
}

function resolveBudget(config: BudgetConfig) {
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { maxOutputTokens, maxTotalTokens, maxCost, pricing, inputTokens = 0, onExceeded = 'error', estimateTokens = estimate } = config;
  for (const [key, v] of Object.entries({ maxOutputTokens, maxTotalTokens, maxCost, inputTokens })) {
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw optionError(PATH, key, 'a finite number >= 0', v);
  }
  if (maxOutputTokens === undefined && maxTotalTokens === undefined && maxCost === undefined) {
    throw new TypeError('budget(config) needs at least one limit: maxOutputTokens, maxTotalTokens or maxCost');
  }
  if (maxCost !== undefined && (typeof pricing !== 'object' || pricing === null)) throw optionError(PATH, 'pricing', '{inputPerMillion, outputPerMillion} when maxCost is set', pricing);
  if (pricing !== undefined) {
    checkBag(optionPath('budget', '', 'pricing'), pricing);
    checkKeys(optionPath('budget', '', 'pricing'), pricing, ['inputPerMillion', 'outputPerMillion']);
  }
  if (onExceeded !== 'error' && onExceeded !== 'complete') throw optionError(PATH, 'onExceeded', "'error' or 'complete'", onExceeded);
  if (typeof estimateTokens !== 'function') throw optionError(PATH, 'estimateTokens', 'a function', estimateTokens);
  return { maxOutputTokens, maxTotalTokens, maxCost, inputTokens, onExceeded, estimateTokens, inputPrice: pricing?.inputPerMillion ?? 0, outputPrice: pricing?.outputPerMillion ?? 0 };
}
