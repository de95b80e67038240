import { Observable, type MonoTypeOperatorFunction, type Subscriber } from 'rxjs';
import { Relay } from '../internal/relay.js';
import { peekAttemptContext } from '../attempt/attemptContext.js';
import { quiet } from '../internal/isPromiseLike.js';
import type { L0Event } from '../events/eventTypes.js';
import { checkBag, checkKeys, describeOption, optionError, optionKeys, optionPath } from '../internal/options.js';
import { BudgetExceededError, type BudgetExceededInfo } from './BudgetExceededError.js';

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
 * Enforces token and cost limits while the run streams, over every attempt, and cuts the run at
 * the delta that would cross a limit.
 *
 *   s-a-b-c-d-x|      run (each token ~1 token; maxOutputTokens: 3)
 *   s-a-b-c-#         budget({ maxOutputTokens: 3 })   (BudgetExceededError when d would make 4)
 *   s-a-b-c-(L|)      budget({ maxOutputTokens: 3, onExceeded: 'complete' })   (L complete{finishReason: 'length'})
 *
 * 1. Each `token` and `reasoning` delta adds `estimateTokens(value)` output tokens, and each
 *    `tool-call` `estimateTokens(name + arguments)`. A `complete` with `usage` replaces the current
 *    attempt's estimate with the provider's numbers.
 * 2. Tokens of failed attempts stay counted (`retry` and `fallback` start a new attempt, and the
 *    prompt is counted again for it): you paid for them.
 * 3. The delta (or tool call) that would cross a limit is not emitted: the source is unsubscribed (its request
 *    aborts) and the run ends with {@link BudgetExceededError} (category `abort`: never retried,
 *    never falls back) or, with `onExceeded: 'complete'`, with `complete{finishReason: 'length'}`
 *    whose `usage` is this run's own tokens, over its attempts.
 *    When a `retry` or `fallback` crosses it (the prompt sent again), the failed attempt is no
 *    partial result: with `onExceeded: 'complete'` that event still passes, retracting the
 *    attempt's text, right before the `complete`. A synchronous source is stopped at once.
 * 4. A run (inside the retry loop: a later attempt) that could not stream one token within the
 *    limits (a shared ledger already spent, a prompt, `inputTokens`, over them) is never subscribed,
 *    so its request is never sent: it ends at once with the {@link BudgetExceededError} of that one
 *    token, or with `complete{finishReason: 'length'}` and the run's usage so far (zero when it
 *    sent nothing before).
 * 5. Place it after `retryWithBackoff`/`fallbackTo` (or in `runOperators` of `l0()`) so it sees
 *    every attempt. Inside the retry loop (before `retryWithBackoff`, in `attemptOperators`), where
 *    each attempt subscribes it again, a later attempt continues the count of the run's attempt
 *    before (it would otherwise start from zero and never cut a run that keeps retrying); each
 *    fallback's loop counts afresh there. State is per run, unless given a {@link createBudget} ledger: then
 *    every stream piped through it counts into it (the entrants of a race or hedge, several calls):
 *    the limits hold for the ledger's total (and the error's `info` reports it), while each run's
 *    `complete{finishReason: 'length'}` reports that run's usage only. A ledger is told from
 *    options by a registered brand, so one made by another copy of the package (ESM and CJS) counts.
 *
 * @example
 * import { budget, l0 } from 'l0-rx';
 * l0({ stream }).pipe(budget({ maxCost: 0.05, pricing: { inputPerMillion: 2.5, outputPerMillion: 10 }, inputTokens: 800 }));
 * @param config See {@link BudgetConfig}, or a shared {@link Budget} from {@link createBudget}.
 */
export function budget(config: BudgetConfig | Budget): MonoTypeOperatorFunction<L0Event> {
  const shared = isBudget(config) ? config : undefined;
  const c = shared ? shared.rules : resolveBudget(config as BudgetConfig);
  return (source) => {
    /** Inside a retry loop (per attempt): each run's count, kept from one attempt to the next, by the loop that runs them. */
    const runs = new WeakMap<object, Tally>();
    return new Observable<L0Event>((subscriber) => {
      const tally = shared ? fresh(shared) : runTally(runs, c);
      // a request that could not stream one token within the limits (a spent ledger, a prompt over them) is never sent
      const spent = tally.ledger.exceeds(1, c.inputTokens);
      if (spent) {
        if (c.onExceeded === 'error') return subscriber.error(new BudgetExceededError(spent));
        subscriber.next({ type: 'complete', finishReason: 'length', usage: { outputTokens: tally.output, inputTokens: tally.input } });
        return subscriber.complete();
      }
      // the watch is the source's subscriber itself: a cut inside a synchronous flood closes it, and a source that checks `closed` stops
      return source.subscribe(new BudgetWatch(subscriber, c, tally));
    });
  };
}

/** A run's count: the ledger it counts into, and its own tokens over its attempts (a shared ledger also holds other runs'). */
interface Tally {
  readonly ledger: Budget;
  output: number;
  input: number;
  /** The attempt of its retry loop it last counted. */
  attempt: number;
}

const fresh = (ledger: Budget, attempt = 1): Tally => ({ ledger, output: 0, input: 0, attempt });

/**
 * The count of the run this subscription belongs to. A budget the retry loop resubscribes (it sits
 * inside the loop: before `retryWithBackoff`, in `l0()`'s `attemptOperators`) would otherwise start
 * from zero at every attempt and never cut the run: a later attempt of the same loop run continues
 * the count of the one before. Anything else (no loop, the first attempt, a second subscription in
 * the same attempt, the streams of a fallback loop, each its attempt 1) counts afresh.
 */
function runTally(runs: WeakMap<object, Tally>, c: ResolvedBudget): Tally {
  const holder = peekAttemptContext();
  const attempt = holder?.ctx.attempt ?? 1;
  const run = holder?.run;
  const prior = run && runs.get(run);
  if (prior && attempt > prior.attempt) {
    prior.attempt = attempt;
    return prior;
  }
  const tally = fresh(new Budget(c), attempt);
  if (run && !prior) runs.set(run, tally);
  return tally;
}

/** One subscription's count against its ledger (its own, or one shared on purpose). */
class BudgetWatch extends Relay<L0Event> {
  /** This subscription's current attempt, as counted in the ledger. */
  private attemptOutput = 0;
  private readonly ledger: Budget;

  constructor(
    out: Subscriber<L0Event>,
    private readonly c: ResolvedBudget,
    private readonly tally: Tally,
  ) {
    super(out);
    this.ledger = tally.ledger;
    tally.input += c.inputTokens;
    tally.ledger.inputTokens += c.inputTokens; // the request is made: its prompt is paid for
  }

  next(e: L0Event): void {
    try {
      this.handle(e);
    } catch (thrown) {
      this.raise(thrown);
    }
  }

  private handle(e: L0Event): void {
    if (this.isStopped) return;
    const { c, ledger } = this;
    let dOutput = 0;
    let dInput = 0;
    const newAttempt = e.type === 'retry' || e.type === 'fallback';
    if (e.type === 'token' || e.type === 'reasoning' || e.type === 'tool-call') {
      try {
        // a tool call's name and arguments are output the model wrote (an agent's whole answer, often)
        dOutput = c.estimateTokens(e.type === 'tool-call' ? e.name + e.arguments : e.value);
      } catch (err) {
        return this.fail(err);
      }
      if (!(Number.isFinite(dOutput) && dOutput >= 0)) {
        quiet(dOutput); // an async estimator's rejection is not unhandled: the TypeError says what went wrong
        return this.fail(new TypeError(`budget({estimateTokens}): returned ${describeOption(dOutput)} for a delta; it must return a finite number of tokens >= 0`));
      }
    } else if (e.type === 'complete' && e.usage) {
      dOutput = (e.usage.outputTokens ?? this.attemptOutput) - this.attemptOutput;
      dInput = (e.usage.inputTokens ?? c.inputTokens) - c.inputTokens;
    } else if (newAttempt) {
      dInput = c.inputTokens; // the next attempt sends the prompt again
    }
    const over = e.type === 'complete' ? undefined : ledger.exceeds(dOutput, dInput);
    if (!over) {
      ledger.outputTokens += dOutput;
      ledger.inputTokens += dInput;
      this.tally.output += dOutput;
      this.tally.input += dInput;
      this.attemptOutput = newAttempt ? 0 : this.attemptOutput + dOutput;
      return this.out.next(e);
    }
    if (c.onExceeded === 'error') return this.fail(new BudgetExceededError(over));
    // the failed attempt's text is no partial result: its retraction passes before the run completes
    this.cut(newAttempt ? e : undefined);
  }

  /** Stops the source (its request aborts), then errors. */
  private fail(err: unknown): void {
    const out = this.out;
    this.unsubscribe();
    out.error(err);
  }

  /**
   * Stops the source, then completes with `length` (after `retraction`, the retry or fallback that
   * crossed the limit), reporting this run's own usage, never a shared ledger's total.
   */
  private cut(retraction: L0Event | undefined): void {
    const { out } = this;
    const { output, input } = this.tally;
    this.unsubscribe();
    if (retraction) out.next(retraction);
    out.next({ type: 'complete', finishReason: 'length', usage: { outputTokens: output, inputTokens: input } });
    out.complete();
  }
}

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
const isBudget = (x: unknown): x is Budget => typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;

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
    if (c.maxCost !== undefined && cost > c.maxCost) return { limit: 'maxCost', max: c.maxCost, reached: cost, outputTokens: output };
    return undefined;
  }
}

type ResolvedBudget = ReturnType<typeof resolveBudget>;

function resolveBudget(config: BudgetConfig) {
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
