import { Observable, type MonoTypeOperatorFunction, type Subscriber } from 'rxjs';
import { Relay } from '../internal/relay.js';
import { peekAttemptContext, type AttemptContext } from '../attempt/attemptContext.js';
import { quiet } from '../internal/isPromiseLike.js';
import type { L0Event } from '../events/eventTypes.js';
import { describeOption } from '../internal/options.js';
import { markLimitCut } from '../internal/limitCut.js';
import { heldOutput, heldSince } from '../internal/heldOutput.js';
import { onNextAttempt } from '../internal/refusedAttempt.js';
import { BudgetExceededError } from './BudgetExceededError.js';
import { Budget, isBudget, resolveBudget, type BudgetConfig, type ResolvedBudget } from './budgetLedger.js';

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
 *    attempt's estimate with the provider's numbers (each a finite count >= 0; another is ignored).
 * 2. Tokens of failed attempts stay counted (`retry` and `fallback` start a new attempt, and the
 *    prompt is counted again for it): you paid for them. So do the tokens a hold-back guard before it
 *    (`l0()`'s `guardrails` before `attemptOperators`) held back from an attempt that failed, never
 *    passed on (and a resumed head `deduplicateContinuation` held back or cut as overlap): the
 *    attempt's error brings them, counted as one delta; after the loops (in
 *    `runOperators`), the `retry` or `fallback` event that follows the attempt (or the error that
 *    ends the run) brings them, each hold counted once.
 * 3. The delta (or tool call) that would cross a limit is not emitted: the source is unsubscribed (its request
 *    aborts) and the run ends with {@link BudgetExceededError} (category `abort`: never retried,
 *    never falls back) or, with `onExceeded: 'complete'`, with `complete{finishReason: 'length'}`
 *    whose `usage` is this run's own tokens, over its attempts.
 *    When a `retry` or `fallback` crosses it (the prompt sent again), the failed attempt is no
 *    partial result: with `onExceeded: 'complete'` that event still passes, retracting the
 *    attempt's text, right before the `complete`. A synchronous source is stopped at once. That
 *    `complete` is never zero output to a `detectZeroOutput` after it (the limit is the caller's):
 *    inside the loops, a cut before the attempt's first token ends the run, never a retry.
 * 4. A run (inside the retry loop: a later attempt) that could not stream one token within the
 *    limits (a shared ledger already spent, a prompt, `inputTokens`, over them) is never subscribed,
 *    so its request is never sent: it ends at once with the {@link BudgetExceededError} of that one
 *    token, or with `complete{finishReason: 'length'}` and the run's usage so far (zero when it
 *    sent nothing before); inside the retry loop that is known as the attempt before it fails, so
 *    a loop that would retry ends the run right then, not after its wait (with the error, no
 *    `retry`; with `onExceeded: 'complete'`, `retry{delayMs: 0}` then the `complete`; in a race's
 *    entrant it refuses that entrant alone, as the next attempt starts: the others race on, and a
 *    race whose every entrant's budget refuses with an error ends the run then, as that attempt would). After the loops, the `retry` or `fallback` that announces such an
 *    attempt ends the run so (with `onExceeded: 'complete'` it passes first, as in 3): the
 *    attempt is never sent, as inside them, nor resumed (no `resume` restores a checkpoint). A race
 *    that holds its entrants' events releases a winner's `retry` from before the win only at the
 *    win, its attempt sent already: the run ends there all the same (the token that won would cross).
 * 5. Place it after `retryWithBackoff`/`fallbackTo` (or in `runOperators` of `l0()`) so it sees
 *    every attempt. Inside the loops (before `retryWithBackoff`, in `attemptOperators`, in a
 *    `fallbackTo` that is itself inside a retry loop), where each attempt subscribes it again, a
 *    later attempt continues the count of the run's attempt before (it would otherwise start from
 *    zero and never cut a run that keeps retrying); each of `l0()`'s fallback streams, piped
 *    through its own copy of `attemptOperators`, counts afresh there. State is per run, unless given a {@link createBudget} ledger: then
 *    every stream piped through it counts into it (the entrants of a race or hedge, several calls):
 *    the limits hold for the ledger's total (and the error's `info` reports it), while each run's
 *    `complete{finishReason: 'length'}` reports that run's usage only (over its attempts, inside
 *    the loops too). A ledger is told from
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
    /** Inside the loops (per attempt): each run's count, kept from one attempt to the next. */
    const runs = new WeakMap<object, Tally>();
    const ledger = shared ? () => shared : () => new Budget(c);
    return new Observable<L0Event>((subscriber) => {
      const tally = runTally(runs, ledger);
      // inside a retry loop: whether the next attempt would be refused, asked as this one fails (the run ends then, not after a wait);
      // by the holder its loop made (a race's entrant, a lane, has one of its own, which the race asks: refused alone, the others race on);
      // only the run's count, which the next attempt continues (a second subscription in the attempt counts afresh, in the next one too).
      // Before the refusal below: a race entrant refused now is asked too
      const holder = peekAttemptContext();
      if (holder && runs.get(holder.run!) === tally) {
        onNextAttempt(holder, () => {
          const over = tally.ledger.exceeds(1, c.inputTokens);
          return over && (c.onExceeded === 'error' ? new BudgetExceededError(over) : true);
        });
      }
      // a request that could not stream one token within the limits (a spent ledger, a prompt over them) is never sent
      const spent = tally.ledger.exceeds(1, c.inputTokens);
      if (spent) {
        if (c.onExceeded === 'error') return subscriber.error(new BudgetExceededError(spent));
        subscriber.next(markLimitCut({ type: 'complete', finishReason: 'length', usage: { outputTokens: tally.output, inputTokens: tally.input } }));
        return subscriber.complete();
      }
      // the watch is the source's subscriber itself: a cut inside a synchronous flood closes it, and a source that checks `closed` stops
      return source.subscribe(new BudgetWatch(subscriber, c, tally));
    });
  };
}

/** A reported usage number, or `estimate` when it is no count (NaN would turn the limits off, a negative credit the ledger). */
const count = (n: number | undefined, estimate: number) => (Number.isFinite(n) && n! >= 0 ? n! : estimate);

/** A run's count: the ledger it counts into, and its own tokens over its attempts (a shared ledger also holds other runs'). */
interface Tally {
  readonly ledger: Budget;
  output: number;
  input: number;
  /** The attempt it last counted: the context its loop handed (one object per attempt). */
  attempt: AttemptContext | undefined;
}

/**
 * The count of the run this subscription belongs to. A budget the loops resubscribe (it sits inside
 * them: before `retryWithBackoff`, in `l0()`'s `attemptOperators`, in a `fallbackTo` inside a retry
 * loop) would otherwise start from zero at every attempt and never cut the run: a later attempt of
 * the same run (another context handed by its loops, which name the outermost loop as the run)
 * continues the count of the one before, into its own ledger or the shared one, so a `length`
 * completion reports the run's usage over its attempts either way. Anything else (no loop, the
 * first attempt, a second subscription in the same attempt) counts afresh; the entrants of a race
 * are each a run of their own (a lane: the same source raced twice never shares a count).
 */
function runTally(runs: WeakMap<object, Tally>, ledger: () => Budget): Tally {
  const holder = peekAttemptContext();
  const run = holder?.run;
  const prior = run && runs.get(run);
  if (prior && prior.attempt !== holder!.ctx) {
    prior.attempt = holder!.ctx;
    return prior;
  }
  const tally: Tally = { ledger: ledger(), output: 0, input: 0, attempt: holder?.ctx };
  if (run && !prior) runs.set(run, tally);
  return tally;
}

/** One subscription's count against its ledger (its own, or one shared on purpose). */
class BudgetWatch extends Relay<L0Event> {
  /** This subscription's current attempt, as counted in the ledger. */
  private attemptOutput = 0;
  private readonly ledger: Budget;
  /** The last hold counted: holds made before this subscription are another attempt's (an error object may end several: see heldOutput). */
  since = heldSince();

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
        dOutput = this.estimate(e.type === 'tool-call' ? e.name + e.arguments : e.value);
      } catch (err) {
        return this.fail(err);
      }
    } else if (e.type === 'complete' && e.usage) {
      dOutput = count(e.usage.outputTokens, this.attemptOutput) - this.attemptOutput;
      dInput = count(e.usage.inputTokens, c.inputTokens) - c.inputTokens;
    } else if (newAttempt) {
      dInput = c.inputTokens; // the next attempt sends the prompt again
      // after the loops: the failed attempt's held-back output comes with the event that announces the next one (rule 2)
      this.payHeld(e); // (an estimator's throw ends the run: next raises it, and the loop sends no next attempt)
    }
    // a retry or fallback whose attempt could not stream one token (rule 4) ends the run here: that request is never sent
    const over = e.type === 'complete' ? undefined : ledger.exceeds(newAttempt ? 1 : dOutput, dInput);
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

  /** The attempt failed: its held-back output is counted (rule 2); the next attempt of the run is not sent when it spent the limit (rule 4). */
  override error(err: unknown): void {
    if (this.isStopped) return;
    try {
      this.payHeld(err);
    } catch (e) {
      err = e; // a broken estimator, named: the next delta would fail the same way
    }
    super.error(err);
  }

  /**
   * Counts, as one delta, the output a check before it held back from the attempts `from` ended (a
   * hold-back guard's last tokens, see heldOutput: written and paid for, never passed on), `from`
   * being the error, or the `retry` or `fallback` event a loop before it handed them on with; each
   * hold once (a copy of the error that ends the run carries them again). Throws the estimator's error.
   */
  private payHeld(from: unknown): void {
    const held = heldOutput(from, this, this.tally.attempt);
    if (held === '') return;
    const d = this.estimate(held);
    this.ledger.outputTokens += d;
    this.tally.output += d;
  }

  /** `estimateTokens(text)`, which must be a finite count >= 0. */
  private estimate(text: string): number {
    const n = this.c.estimateTokens(text);
    if (Number.isFinite(n) && n >= 0) return n;
    quiet(n); // an async estimator's rejection is not unhandled: the TypeError says what went wrong
    throw new TypeError(`budget({estimateTokens}): returned ${describeOption(n)} for a delta; it must return a finite number of tokens >= 0`);
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
    out.next(markLimitCut({ type: 'complete', finishReason: 'length', usage: { outputTokens: output, inputTokens: input } }));
    out.complete();
  }
}
