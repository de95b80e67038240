import { Observable, type MonoTypeOperatorFunction, type Subscriber } from 'rxjs';
import type { L0Event, ResumeEvent, TokenEvent } from '../events/eventTypes.js';
import { AttemptText } from '../attempt/attemptText.js';
import { DriftDetectedError } from '../errors/DriftDetectedError.js';
import { Relay } from '../internal/relay.js';
import { quiet } from '../internal/isPromiseLike.js';
import { isListenedTo, nextWithUncheckedTail } from '../attempt/uncheckedTail.js';
import { checkBag, checkKeys, optionError, optionKeys, optionPath, type OptionPath } from '../internal/options.js';
import type { DriftCheck, DriftDetector, DriftType } from './driftDetector.js';
import { DRIFT_DETECTORS } from './driftDetectors.js';

export type { DriftCheck, DriftDetector, DriftType } from './driftDetector.js';

/** Options of {@link detectDrift}. */
export interface DetectDriftConfig {
  /** `'warn'` only emits `drift`; `'retry'` also fails the attempt with DriftDetectedError (retried through `attempts`). @default 'warn' */
  readonly action?: 'warn' | 'retry';
  /** With `action: 'retry'`, the confidence a detection needs to fail the attempt; weaker ones are only reported. @default 0.7 */
  readonly minConfidence?: number;
  /** The built-in detectors to run. @default every {@link DriftType} */
  readonly types?: readonly DriftType[];
  /** Detectors of your own, run after the built-in ones. @default [] */
  readonly detectors?: readonly DriftDetector[];
  /** Called with each `drift` event's types and confidence, after the event. A throw errors the stream; so does a returned promise's rejection while the stream runs (after its end it is dropped, never left unhandled). */
  readonly onDrift?: (types: readonly string[], confidence: number) => void;
}

/**
 * Characters of new text between the detectors' looks: each looks at every character, in batches of
 * at least this many (a token this long or longer is looked at on arrival), which keeps the
 * per-token work to an append. @internal
 */
export const BATCH = 64;

const KEYS = /*#__PURE__*/ optionKeys<DetectDriftConfig>()(['action', 'minConfidence', 'types', 'detectors', 'onDrift']);

/** Validated config. @internal */
export function resolveDetectDrift(config: DetectDriftConfig, path: OptionPath = optionPath('detectDrift')) {
  checkBag(path, config);
  checkKeys(path, config, KEYS);
  const { action = 'warn', minConfidence = 0.7, types = Object.keys(DRIFT_DETECTORS) as DriftType[], detectors = [], onDrift } = config;
  if (action !== 'warn' && action !== 'retry') throw optionError(path, 'action', "'warn' or 'retry'", action);
  if (!(typeof minConfidence === 'number' && minConfidence >= 0 && minConfidence <= 1)) throw optionError(path, 'minConfidence', 'a number in [0, 1]', minConfidence);
  if (!Array.isArray(types) || types.some((t: unknown) => typeof t !== 'string' || !(t in DRIFT_DETECTORS))) throw optionError(path, 'types', `an array of ${Object.keys(DRIFT_DETECTORS).join(', ')}`, types);
  if (!Array.isArray(detectors) || detectors.some((d) => typeof d?.type !== 'string' || typeof d.create !== 'function' || !(d.confidence >= 0 && d.confidence <= 1))) {
    throw optionError(path, 'detectors', 'an array of { type, confidence in [0, 1], create() }', detectors);
  }
  if (onDrift !== undefined && typeof onDrift !== 'function') throw optionError(path, 'onDrift', 'a function', onDrift);
  const all = [...(types as readonly DriftType[]).map((t) => DRIFT_DETECTORS[t]), ...detectors];
  // the detectors whose detection fails the attempt: a checkpoint holds only text they have passed
  const gates = all.map((d) => action === 'retry' && d.confidence >= minConfidence);
  return { action, minConfidence, detectors: all, gates, gated: gates.includes(true), onDrift, custom: detectors.length > 0 };
}

/**
 * Watches each attempt's text for drift as it streams: meta commentary, runaway repetition, format
 * collapse, tone shift, markdown collapse, a hedging first line, entropy spikes. Emits
 * `drift{types, confidence}` (and calls `onDrift`) right after the token that revealed it (within
 * 64 characters: detectors look at the new text in batches); with
 * `action: 'retry'` a detection of at least `minConfidence` then fails the attempt with
 * {@link DriftDetectedError}, so a model looping one phrase is stopped while it streams.
 *
 *   -s-a-b-A---c-x|    source (A: "As an AI language model...", the delta that takes the text past 64 characters)
 *   -s-a-b-(Ad)c-x|    detectDrift()                     (d: drift{['meta_commentary'], 0.9})
 *   -s-a-b-(Ad#)       detectDrift({ action: 'retry' })
 *
 * 1. Each attempt (`start`, `retry`, `fallback`, `resume`) gets fresh detector state, so one
 *    attempt's drift never counts against the next. After `resume{checkpoint}` the detectors are
 *    brought up to the checkpoint (their `resume` hook) without reporting: the continuation is
 *    judged as the rest of the answer (a "Here is the result" after a checkpoint is no opener).
 * 2. Each detector sees all the new text, in batches of at least 64 characters (`delta`, never a
 *    gap; the rest at completion), and the text so far ({@link AttemptText}); it does O(delta)
 *    work: windows are checked once as they fill, repetition at every 64th character of the text
 *    on a bounded tail (fixed places: the verdicts do not depend on where tokens or batches end).
 * 3. A type is reported once per attempt; the event lists every type seen so far and the highest
 *    confidence among them. At `complete` (or the source's end) detectors get a last look first.
 * 4. Drift on every attempt ends in the retry budget's failure or a fallback, never in accepted
 *    drifting output (L0 silently accepted it).
 *
 * @example
 * import { detectDrift, retryWithBackoff } from 'l0-rx';
 * events$.pipe(detectDrift({ action: 'retry' }), retryWithBackoff());
 * @see {@link DriftDetectedError} {@link guard}
 * @param config See {@link DetectDriftConfig}.
 */
export function detectDrift(config: DetectDriftConfig = {}): MonoTypeOperatorFunction<L0Event> {
  const plan: DriftPlan = resolveDetectDrift(config);
  return (source) => new Observable<L0Event>((subscriber) => source.subscribe(new DriftSubscription(plan, subscriber)));
}

/** What one `detectDrift()` call fixes for all its subscriptions. */
type DriftPlan = ReturnType<typeof resolveDetectDrift>;

/** One subscription, the source's subscriber itself (fan-in keeps one per open stream: no closures). */
class DriftSubscription extends Relay<L0Event> {
  /** The built-in detectors keep the little text they need; only detectors of your own get the whole text. */
  private readonly text: AttemptText;
  private checks: DriftCheck[] = [];
  /** Whether each detector has reported (a type is reported once per attempt). */
  private reported: boolean[] = [];
  private found: string[] = [];
  private confidence = 0;
  /** The text since the detectors' last look: they look once per BATCH characters, not per token. */
  private owed = '';
  /** After the last look, the most characters at the end of the text a detector that can fail the attempt has not judged yet ({@link DriftCheck.held}). */
  private held = 0;
  /** Can fail the attempt and a checkpoint listens downstream: each token says what the detectors have not passed. */
  private readonly tells: boolean;
  /** Stops at a failure. */
  private done = false;
  /** True once the last look is done (`complete` or the source's end). */
  private finished = false;

  constructor(
    private readonly plan: DriftPlan,
    out: Subscriber<L0Event>,
  ) {
    super(out);
    this.text = new AttemptText({ keepText: plan.custom });
    this.tells = plan.gated && isListenedTo();
    this.reset();
  }

  next(event: L0Event): void {
    try {
      this.handle(event);
    } catch (thrown) {
      this.raise(thrown);
    }
  }

  private handle(event: L0Event): void {
    if (this.isStopped || this.done || this.finished) return;
    const change = this.text.observe(event);
    if (change === 'token') {
      const owed = (this.owed += (event as TokenEvent).value);
      // with `action: 'retry'`, a checkpoint made downstream leaves out what the detectors have not looked at
      if (this.tells) nextWithUncheckedTail(this.out, event, owed.length + this.held);
      else this.out.next(event);
      if (owed.length < BATCH) return;
      this.owed = '';
      this.done = !this.look(owed, false);
      return;
    }
    if (change === 'reset' || change === 'resume') {
      this.reset();
      this.owed = '';
      if (change === 'resume') this.resume((event as ResumeEvent).checkpoint);
    }
    if (event.type === 'complete' && !this.finish()) return void (this.done = true);
    this.out.next(event);
  }

  override complete(): void {
    if (this.isStopped) return;
    this.isStopped = true;
    if (!this.done && (this.finished || this.finish())) this.out.complete();
  }

  private reset(): void {
    const { detectors } = this.plan;
    this.checks = detectors.map((d) => d.create());
    this.reported = detectors.map(() => false);
    this.found = [];
    this.confidence = 0;
    this.held = 0;
  }

  /** Brings the fresh detectors up to a resumed checkpoint (each `resume` hook; nothing is reported). */
  private resume(checkpoint: string): void {
    for (const c of this.checks) c.resume?.(checkpoint);
    if (this.tells) this.held = this.heldBack();
  }

  /** The most characters a detector that can fail the attempt has left unjudged at the end of the text. */
  private heldBack(): number {
    const { checks, reported, plan } = this;
    let held = 0;
    for (let i = 0; i < checks.length; i++) {
      if (!plan.gates[i] || reported[i]) continue;
      const h = checks[i]!.held;
      if (h !== undefined && h > held) held = h;
    }
    return held;
  }

  /** The last look: the owed text, then each detector's completion check. */
  private finish(): boolean {
    this.finished = true;
    if (this.owed !== '' && !this.look(this.owed, false)) return false;
    this.owed = '';
    return this.look('', true);
  }

  /**
   * An async `onDrift`'s rejection: it errors the stream as a throw would while the stream runs, and
   * is never left unhandled (it would end Node); after the stream's end it is dropped.
   */
  private rejected(e: unknown): void {
    if (this.closed || this.isStopped || this.done) return;
    this.done = true;
    this.isStopped = true;
    this.out.error(e);
  }

  /** Runs each detector's check (or, `final`, its completion check); false (after erroring) when the attempt fails. */
  private look(delta: string, final: boolean): boolean {
    const { checks, reported, plan, out } = this;
    let fresh = false;
    const all = this.text.text;
    for (let i = 0; i < checks.length; i++) {
      if (reported[i]) continue;
      const c = checks[i]!;
      if (!(final ? (c.complete?.(all) ?? false) : c.check(delta, all))) continue;
      const d = plan.detectors[i]!;
      reported[i] = true;
      if (this.found.includes(d.type)) continue;
      this.found = [...this.found, d.type];
      this.confidence = Math.max(this.confidence, d.confidence);
      fresh = true;
    }
    if (this.tells && !final) this.held = this.heldBack();
    if (!fresh) return true;
    const { found, confidence } = this;
    out.next({ type: 'drift', types: found, confidence });
    try {
      quiet(plan.onDrift?.(found, confidence), (e) => this.rejected(e));
    } catch (e) {
      out.error(e);
      return false;
    }
    if (plan.action === 'retry' && confidence >= plan.minConfidence) {
      out.error(new DriftDetectedError({ types: found, confidence }));
      return false;
    }
    return true;
  }
}
