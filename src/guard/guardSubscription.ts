import { forkJoin, type Subscriber, type Subscription } from 'rxjs';
import type { L0Event, ResumeEvent, TokenEvent } from '../events/eventTypes.js';
import { attemptTextChange } from '../attempt/attemptText.js';
import { GuardrailViolationError } from '../errors/GuardrailViolationError.js';
import { quiet } from '../internal/isPromiseLike.js';
import { Relay } from '../internal/relay.js';
import { isListenedTo, nextWithUncheckedTail, uncheckedTail } from '../attempt/uncheckedTail.js';
import type { GuardRuleRun } from './guardRule.js';
import { lastBoundary, releaseTarget, releaseText, VerdictBuilder, type Redaction, type RedactionSink } from './guardRun.js';
import { phaseReporter } from './guardPhase.js';
import { notAsync, NO_RUN } from './guardRuleCalls.js';
import { NEVER, type GuardPlan } from './guardPlan.js';
import { HOLDS_NOTHING } from './guardEngineKey.js';
import { completeRuns } from './guardCompletion.js';
import { isHighSurrogate } from '../internal/surrogate.js';
import { markHeldOutput } from '../internal/heldOutput.js';
import { isLimitCut } from '../internal/limitCut.js';

/** Rule `i`'s bit in a mask: rules from the 32nd on share the last one. */
const bit = (i: number): number => 1 << (i < 31 ? i : 31);

/**
 * One subscription of the guard, the source's subscriber itself (fan-in keeps thousands open: no
 * closures per subscription). Per token it does O(1) work and nothing per rule: the token joins
 * `owed`, the text since the last check round, and only when the token count reaches `nextDue`
 * does a round run the rules that are due (a rule not due gets the batch added to its own arrears
 * once per round). Rule runs are created at the attempt's first round, or at completion.
 * @internal
 */
export class GuardSubscription extends Relay<L0Event> implements RedactionSink {
  /** Pending in-flight replacements (allocated at the first redaction). */
  redactions: Redaction[] | undefined = undefined;
  /** The attempt's text length and tokens, and the checkpoint it resumed from ({@link attemptTextChange}'s rule; the text itself is `base + owed`). */
  #length = 0;
  #tokens = 0;
  #resumedFrom: string | undefined = undefined;
  /** The attempt's text up to the last round (the checkpoint after a resume); the text is `base + owed`. */
  #base = '';
  /** The tokens since the last round (the first `#owedCount`): the next round's batch. A list, not a string per token (in fan-in those outlived scavenges). */
  #owed: string[] | undefined = undefined;
  #owedCount = 0;
  /** The token count of the next round. */
  #nextDue: number;
  /**
   * How far every incremental rule has checked: hold-back releases nothing beyond it, a checkpoint
   * holds nothing beyond it. {@link NEVER} once no rule checks any more text (all of it counts as
   * checked); in hold-back a run with only `complete` keeps it at 0 (it judges the text at the end).
   */
  #checked = 0;
  /** Bit `i`: run `i` may hold text back, its `held` is read (bit 31: every run from the 32nd on). */
  #holding = 0;
  /** Per run, whether its `held` getter threw this attempt (allocated at the first). */
  #heldFailed: boolean[] | undefined = undefined;
  /** This attempt's rule runs, created at its first round. */
  #runs: GuardRuleRun[] | undefined = undefined;
  /** Per rule, the text it has not seen because it was not due (only when intervals differ). */
  #arrears: string[] | undefined = undefined;
  /** The current round's verdict, made at its first finding (a round that finds nothing allocates none). */
  #verdict: VerdictBuilder | undefined = undefined;
  #released = 0;
  /** How much longer redactions have made the released text than the raw text (a count of unchecked characters grows by it). */
  #grown = 0;
  /** The text after `released`, kept apart so nothing slices (and so flattens) the whole text per token. */
  #pending = '';
  /** Sentence hold-back: where the released sentences end, and the sentence ends after it (allocated at the first). */
  #boundary = 0;
  #boundaries: number[] | undefined = undefined;
  #finishing: Subscription | undefined = undefined;
  /** The attempt made a tool call, sent data or a validated result: an answer without text (see completeRuns). */
  #answered = false;
  #sourceDone = false;
  #ended = false;

  readonly #plan: GuardPlan;
  /** A checkpoint listens downstream: each token says what the rules have not passed (see uncheckedTail). */
  readonly #tells: boolean;

  constructor(plan: GuardPlan, out: Subscriber<L0Event>) {
    super(out);
    this.#plan = plan;
    this.#tells = isListenedTo();
    this.#nextDue = plan.firstDue;
  }

  next(event: L0Event): void {
    try {
      this.handle(event);
    } catch (thrown) {
      this.raise(thrown);
    }
  }

  private handle(event: L0Event): void {
    if (this.isStopped || this.#ended || this.#finishing) return;
    const change = attemptTextChange(event);
    if (change === 'token') return this.#token(event as TokenEvent);
    if (change === 'reset') this.#reset();
    else if (change === 'resume') {
      this.#reset();
      const { checkpoint } = event as ResumeEvent;
      this.#base = this.#resumedFrom = checkpoint;
      this.#released = this.#checked = this.#length = checkpoint.length;
    }
    // a budget's own cut is no empty answer (the limit is the caller's), as for detectZeroOutput
    if (event.type === 'complete') return this.#finish(event, this.#answered || isLimitCut(event));
    if (event.type === 'tool-call' || event.type === 'data' || event.type === 'result') this.#answered = true;
    this.out.next(event);
  }

  override complete(): void {
    if (this.isStopped) return;
    this.isStopped = true;
    this.#sourceDone = true;
    if (this.#ended) this.out.complete();
    else if (!this.#finishing) this.#finish(undefined);
  }

  /** An error from upstream ends the attempt: the text held back goes with it (see heldOutput). */
  override error(e: unknown): void {
    if (!this.isStopped && !this.#ended) markHeldOutput(e, this.#pending);
    super.error(e);
  }

  /** Cancels asynchronous completion checks in flight and unsubscribes the source. */
  override unsubscribe(): void {
    this.#finishing?.unsubscribe();
    super.unsubscribe();
  }

  /** The text length released downstream (a redaction cannot reach it any more). */
  get released(): number {
    return this.#released;
  }

  #token(event: TokenEvent): void {
    const { value } = event;
    const length = (this.#length += value.length);
    const tokenCount = ++this.#tokens;
    (this.#owed ??= [])[this.#owedCount++] = value;
    const passed = this.#checked;
    const verdict = tokenCount >= this.#nextDue ? this.#round(tokenCount) : undefined;
    const { holdBack, span } = this.#plan;
    if (holdBack === undefined) {
      // stream-first: the token passes as it is unless a redaction is pending. A checkpoint made
      // downstream while it does holds only text the rules have passed, `span` short of it (a phrase
      // may still be coming, as hold-back keeps back), and nothing of a round that fails the attempt
      const failed = verdict !== undefined && verdict.failing.length > 0;
      const unchecked = !this.#tells || (!failed && this.#nextDue === NEVER) ? 0 : length - Math.max(0, (failed ? passed : this.#checked) - span);
      if (this.redactions === undefined || this.redactions.length === 0) {
        this.#released = length;
        this.#pass(event, unchecked, 0);
      } else {
        this.#pending += value;
        this.#emitText(length, event, unchecked);
      }
      if (verdict) this.#report(verdict);
      return;
    }
    this.#pending += value;
    if (verdict && !this.#report(verdict)) return;
    // before any round `#checked` is 0: a list of rules that only judge at completion releases nothing before it
    const all = this.#checked === NEVER;
    const checked = all ? length : this.#checked;
    let to: number;
    if (holdBack === 'sentence') {
      const i = lastBoundary(value);
      if (i >= 0) (this.#boundaries ??= []).push(length - value.length + i + 1);
      // a sentence goes once the rules have checked `span` past its end: a match may run across a boundary
      const limit = all ? length : checked - span;
      const ends = this.#boundaries;
      while (ends !== undefined && ends.length > 0 && ends[0]! <= limit) this.#boundary = ends.shift()!;
      to = releaseTarget(length, this.#boundary, this.#released, this.redactions);
    } else {
      // never half an emoji: a released token does not end after a high surrogate (0xd800-0xdbff), whether its low
      // half follows or is still to come (a token that ends inside the pair, with a hold-back of 0)
      to = checked - holdBack;
      if (isHighSurrogate(this.#pending.charCodeAt(to - 1 - this.#released))) to--;
      to = releaseTarget(length, to, this.#released, this.redactions);
    }
    // a hold-back shorter than `span` releases text a phrase may still run through: no checkpoint holds it
    this.#emitText(to, undefined, all ? 0 : to - Math.max(0, checked - span));
  }

  /**
   * One round of incremental checks at token `count`: each due rule's `check` gets the text since
   * its last check. Without `count`, every rule gets what it has not seen yet (the catch-up before
   * the completion checks; a rule with nothing owed is not called).
   */
  #round(count: number | undefined): VerdictBuilder | undefined {
    const runs = this.#runs ?? this.#startRuns();
    // the batch: the tokens since the last round, flattened (`charCodeAt`) so that its per-token
    // links die young instead of living on in the text (GC about halved)
    const owed = this.#owed;
    const n = this.#owedCount;
    let batch = '';
    for (let i = 0; i < n; i++) {
      batch += owed![i]!;
      owed![i] = ''; // the list keeps no token alive
    }
    this.#owedCount = 0;
    if (n > 1) batch.charCodeAt(0);
    const all = batch === '' ? this.#base : this.#base + batch;
    this.#base = all;
    const { intervals, checkAllEvery, holdBack } = this.#plan;
    const c = count ?? 0;
    const everyRule = count === undefined || (checkAllEvery !== undefined && c % checkAllEvery === 0);
    let next = NEVER;
    let behind = 0;
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i]!;
      // read once: the runs are of many classes, so each read of a method is a slow (megamorphic) lookup
      const check = run.check;
      if (!check) {
        // a run that judges the text only at completion: hold-back releases none of it before then
        if (run.complete && holdBack !== undefined) behind = all.length;
        continue;
      }
      const interval = intervals[i]!;
      const into = c % interval;
      if (everyRule || into === 0) {
        const arrears = this.#arrears?.[i];
        const delta = arrears ? arrears + batch : batch;
        if (arrears) this.#arrears![i] = '';
        if (count !== undefined || delta !== '') this.#check(run, check, i, delta, all);
        // the text at the end a run has not judged yet (a match it waits to see the end of) is not checked
        behind = Math.max(behind, this.#held(run, i));
      } else {
        const arrears = (this.#arrears ??= runs.map(() => ''));
        arrears[i] += batch;
        behind = Math.max(behind, arrears[i]!.length + this.#held(run, i));
      }
      next = Math.min(next, c - into + interval);
    }
    if (next !== NEVER && checkAllEvery !== undefined) next = Math.min(next, c - (c % checkAllEvery) + checkAllEvery);
    this.#nextDue = count === undefined ? NEVER : next;
    // no rule checks any more text: all of it counts as checked, unless a completion-only run holds it all
    this.#checked = next === NEVER && behind === 0 ? NEVER : all.length - behind;
    // every round ends here (a throw ends the subscription): the next starts without a verdict
    const verdict = this.#verdict?.decide(all.length);
    this.#verdict = undefined;
    return verdict;
  }

  /** Run `i`'s `held`, not checked (create() made it): a fraction whole, NaN or below 0 as 0 (not less than its arrears); a getter that throws: the rule's failure once, then 0 (fail-open). */
  #held(run: GuardRuleRun, i: number): number {
    if (!(this.#holding & bit(i)) || this.#heldFailed?.[i]) return 0;
    try {
      return Math.max(0, Math.ceil(run.held!)) || 0;
    } catch (e) {
      (this.#heldFailed ??= [])[i] = true;
      this.#found().ruleFailed(i, e);
      return 0;
    }
  }

  /** The current round's verdict, made at its first finding: ordered (see VerdictBuilder). */
  #found(): VerdictBuilder {
    return (this.#verdict ??= new VerdictBuilder(this, this.#plan.rules));
  }

  #check(run: GuardRuleRun, check: NonNullable<GuardRuleRun['check']>, i: number, delta: string, all: string): void {
    try {
      const result = check.call(run, delta, all);
      if (result !== undefined && result !== null) this.#found().add(i, notAsync(result, 'check'), all.length);
    } catch (e) {
      this.#found().ruleFailed(i, e);
    }
  }

  /** Fresh runs of the rules for this attempt, brought up to a resumed checkpoint; a `create` or `resume` that throws is a rule failure. */
  #startRuns(): GuardRuleRun[] {
    const resumed = this.#resumedFrom;
    this.#holding = 0;
    // `map`, not `push`: an array of exactly the rules' number, no spare capacity per stream
    return (this.#runs = this.#plan.rules.map((rule, i) => {
      try {
        const run = rule.create ? notAsync(rule.create(), 'create') : rule;
        if (typeof run !== 'object' || run === null) throw new TypeError('create() returned no object');
        if (resumed !== undefined) run.resume?.(resumed);
        // read `held` from every run but the built-in ones that never hold (a property most runs lack costs a slow lookup per round)
        if (!(rule as { [HOLDS_NOTHING]?: true })[HOLDS_NOTHING]) this.#holding |= bit(i);
        return run;
      } catch (e) {
        this.#found().ruleFailed(i, e);
        return NO_RUN;
      }
    }));
  }

  #reset(): void {
    // the list goes too: a retracted attempt's tokens since its last round (all of them when only completion rules judge) stay in no slot
    this.#runs = this.#arrears = this.#heldFailed = this.redactions = this.#resumedFrom = this.#boundaries = this.#owed = undefined;
    this.#released = this.#boundary = this.#checked = this.#length = this.#tokens = this.#grown = this.#owedCount = 0;
    this.#pending = this.#base = '';
    this.#answered = false;
    this.#nextDue = this.#plan.firstDue;
  }

  /**
   * Releases the text up to `to`, telling the checkpoints downstream (see uncheckedTail) what is
   * not passed at its end, in released characters: the last `unchecked` by this guard, and what
   * the checks before it had not passed of the text so far (less the part still held back here);
   * a redaction that lengthens the released text lengthens the count too.
   */
  #emitText(to: number, original?: TokenEvent, unchecked = 0): void {
    const before = this.#released;
    if (to <= before) return;
    const value = releaseText(this.#pending, before, to, this.redactions);
    this.#pending = this.#pending.slice(to - before);
    this.#released = to;
    const event = original && value === original.value ? original : value !== '' ? ({ type: 'token', value } as const) : undefined;
    if (event === undefined) return;
    this.#grown += Math.max(0, value.length - (to - before));
    this.#pass(event, unchecked, this.#length - to);
  }

  /**
   * Hands a released token on, telling a listening checkpoint (see uncheckedTail) the count in
   * released characters: this guard's `unchecked`, or what the checks before it had not passed
   * less the `heldBack` characters not released yet, whichever is more, plus what redactions added.
   */
  #pass(event: TokenEvent, unchecked: number, heldBack: number): void {
    if (!this.#tells) return this.out.next(event);
    if (this.#grown === 0 && heldBack === 0) return nextWithUncheckedTail(this.out, event, unchecked);
    const tail = Math.max(unchecked, uncheckedTail() - heldBack);
    nextWithUncheckedTail(this.out, event, tail > 0 ? tail + this.#grown : 0, true);
  }

  /** Reports the violations (none without a verdict); false (after erroring) when the attempt fails (`whole`: a completion verdict). */
  #report(verdict: VerdictBuilder | undefined, whole = false): boolean {
    if (verdict === undefined) return true;
    const { violations, failing } = verdict;
    const { onViolation } = this.#plan;
    for (const v of violations) {
      // told of what the consumer was sent: never once it has unsubscribed, but for the event it leaves on
      const live = !this.closed;
      this.out.next({ type: 'violation', violation: v });
      try {
        quiet(live && onViolation?.(v), (e) => this.#rejected(e));
      } catch (e) {
        this.#fail(e);
        return false;
      }
    }
    if (failing.length === 0) return true;
    // a completion check judged the whole text: no checkpoint of it is known good, the next attempt starts over
    this.#fail(new GuardrailViolationError({ violations: failing }, whole ? '' : undefined));
    return false;
  }

  /**
   * Ends the attempt with `e`. The text held back and never released goes with it (see heldOutput):
   * the model wrote it, so a `budget()` after the guard counts it, as it counts the released tokens.
   */
  #fail(e: unknown): void {
    this.#ended = true;
    markHeldOutput(e, this.#pending);
    this.out.error(e);
  }

  /** An async `onViolation`'s or `onPhase`'s rejection: it errors the stream as a throw would while the guard runs (see `quiet`: never left unhandled, which would end Node). */
  #rejected(e: unknown): void {
    // (the error unsubscribes this subscriber, and so the completion checks in flight: see unsubscribe)
    if (!this.#ended && !this.closed) this.#fail(e);
  }

  /**
   * The end of the attempt: first the catch-up (each rule's `check` on the text its interval left
   * unchecked, reported as a round while streaming would be: a failing finding ends the attempt
   * there), then each rule's `complete` on the whole text, async ones within their `timeout`.
   */
  #finish(complete: L0Event | undefined, answered = this.#answered): void {
    if (!this.#report(this.#round(undefined))) return;
    const plan = this.#plan;
    const runs = this.#runs!;
    // ordered, all of it decided at the text's end: a fatal finding first (a refusal, not the
    // meta commentary a rule before it found in the same words), as when more text follows
    const verdict = new VerdictBuilder(this, this.#plan.rules);
    const all = this.#base;
    const phases = plan.onPhase && phaseReporter(plan.onPhase, plan.scheduler, runs.filter((run) => run.complete).length, this.#tokens, (e) => this.#rejected(e));
    const pending = completeRuns(plan, runs, all, complete?.type === 'complete' ? complete.finishReason : undefined, answered, verdict, phases);
    const conclude = (): void => {
      this.#finishing = undefined;
      verdict.decide(all.length, true);
      if (phases) {
        phases.end(verdict.violations, verdict.failing.length === 0);
        if (phases.error) return this.#fail(phases.error.cause);
      }
      if (!this.#report(verdict, true)) return;
      this.#emitText(all.length);
      if (complete) this.out.next(complete);
      this.#ended = true;
      if (this.#sourceDone || !complete) this.out.complete();
    };
    if (pending.length === 0) return conclude();
    this.#finishing = forkJoin(pending).subscribe({ complete: conclude });
  }
}
