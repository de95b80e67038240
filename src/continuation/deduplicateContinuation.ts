import { identity, Observable, type MonoTypeOperatorFunction, type Subscriber } from 'rxjs';
import { Relay } from '../internal/relay.js';
import type { CompleteEvent, L0Event, ResumeEvent, TokenEvent } from '../events/eventTypes.js';
import { attemptTextChange } from '../attempt/attemptText.js';
import { checkBag, checkKeys, optionError, optionKeys, optionPath, type OptionPath } from '../internal/options.js';
import { createOverlapMatcher, type OverlapMatcher, type OverlapOptions } from './overlap.js';
import { ThinkingLead } from './thinkingLead.js';
import { holding, markHeldOutput } from '../internal/heldOutput.js';
import { peekAttemptContext } from '../attempt/attemptContext.js';

/** Options of {@link deduplicateContinuation}. */
export interface DeduplicateContinuationConfig {
  /** `false` makes the operator the identity. `undefined` means on. @default true */
  readonly enabled?: boolean;
  /** Compare letters case-sensitively (`false` folds case, surrogate pairs included: Deseret, Adlam). @default true */
  readonly caseSensitive?: boolean;
  /**
   * Shortest overlap removed, in characters (UTF-16 code units) other than whitespace; a positive
   * integer. Shorter coincidences ("abc" + "cd", "| a |\n" + "| b |") are kept. @default 2
   */
  readonly minOverlap?: number;
  /**
   * Longest overlap searched for: only the checkpoint's last `maxOverlap` characters are compared,
   * which also bounds how much of the resumed head is held back (twice this at most: whitespace runs
   * match at any length). An integer >= `minOverlap`.
   * @default 500 (or `minOverlap`, if larger)
   */
  readonly maxOverlap?: number;
  /**
   * An overlap must start where a word starts in the checkpoint, so a 2-letter coincidence inside
   * a word ("The c|at" + "at home") is not cut. `false` matches L0's character-only rule. Scripts
   * written without spaces (Chinese, Japanese, Thai...) match at any character either way.
   * @default true
   */
  readonly wordBoundary?: boolean;
}

/** The documented defaults of {@link DeduplicateContinuationConfig} (L0's `deduplicationOptions`, plus `wordBoundary`). */
export const DEDUPLICATE_CONTINUATION_DEFAULTS: Readonly<Required<DeduplicateContinuationConfig>> = /*#__PURE__*/ Object.freeze({
  enabled: true,
  caseSensitive: true,
  minOverlap: 2,
  maxOverlap: 500,
  wordBoundary: true,
});

/**
 * Removes the text a resumed attempt repeats from the end of its checkpoint, so that the checkpoint
 * plus the new tokens read as one text ("Hello world" + "world is great" -> "Hello world is great").
 *
 *   -s-r-a-b-c-x-|      source (r resume{'Hello world'}, a 'world', b ' is', c ' great', x complete)
 *   -s-r---b-c-x-|      deduplicateContinuation()   (b ' is': the head 'world' was the overlap)
 *
 * 1. A `resume{checkpoint}` arms the operator; every other event passes through unchanged while
 *    it is not armed, so attempts that do not resume cost one comparison per event.
 * 2. While armed, `token` events are held back and their text is matched against the checkpoint's
 *    tail (the longest suffix that the head repeats, at least `minOverlap` and at most `maxOverlap`
 *    characters, starting at a word boundary; see `wordBoundary`, `caseSensitive`). A run of
 *    whitespace matches any run of whitespace ("world\n" and "world " repeat the same words). A
 *    lone word that whitespace sets apart from the checkpoint is kept: "She had" + " had enough"
 *    is English (glued, "Hello world" + "world is", it is cut).
 *    Thinking blocks a reasoning model writes inline at the head (`<think>…</think>`, see
 *    `THINKING_TAGS`) are not text: they pass on uncut as soon as they are known to be one, and
 *    the head is matched from the text after them (as `splitThinking` later shows it).
 * 3. As soon as no longer overlap is possible, the held tokens are released in order with the
 *    overlap cut from their front: tokens entirely inside it are dropped, the one it ends in is
 *    shortened; token boundaries are otherwise kept (L0 releases one coalesced token instead).
 *    The operator is then disarmed until the next `resume`.
 * 4. `reasoning` and `progress` pass through while armed, ahead of the held tokens (another
 *    channel: a reasoning model thinks before it writes). Any other event (`complete`,
 *    `tool-call`, `data`...) and the source completing decide the overlap with the text seen so
 *    far, release, then pass on. An attempt cut off (`complete` with `finishReason` `length` or
 *    `content-filter`) while its head still repeats the checkpoint's tail ("Hello world" + "wor",
 *    cut by the token limit mid-repeat) added nothing: the head is dropped whole (at least
 *    `minOverlap` characters besides whitespace). One the model ended itself (`stop`: "hello world,
 *    hello" + " world") or a `tool-call` or `data` interrupted is kept.
 * 5. `start`, `retry` and `fallback` discard held tokens (the attempt they belonged to is
 *    retracted) and disarm; an error discards them and is passed on, carrying them and the
 *    overlap cut from the head (written and paid for) to a `budget()` after it. A check after it
 *    that fails the attempt (a guardrail, drift detection) takes the overlap cut with its error too.
 *
 * Use it per attempt, before anything that reads the text (zero-output detection, guardrails,
 * checkpoints), as the `l0()` preset does. The state is per subscription.
 *
 * @example
 * import { fromStream, deduplicateContinuation, retryWithBackoff } from 'l0-rx';
 * fromStream(factory).pipe(deduplicateContinuation({ caseSensitive: false }), retryWithBackoff());
 * @see {@link checkpointEvery}
 * @see {@link fallbackTo}
 * @param config See {@link DeduplicateContinuationConfig}; defaults: `enabled` true, `caseSensitive` true,
 * `minOverlap` 2, `maxOverlap` 500, `wordBoundary` true.
 * @throws TypeError naming the option, for an unknown key (with the closest valid one) or a wrong value.
 */
export function deduplicateContinuation(config: DeduplicateContinuationConfig = {}): MonoTypeOperatorFunction<L0Event> {
  const options = resolveDeduplicateContinuation(config);
  if (!options) return identity;
  return (source) => new Observable<L0Event>((subscriber) => source.subscribe(new Deduplication(subscriber, options)));
}

/** The finish reasons of a model cut off mid-answer (not its own end): only they make a head still repeating all overlap. */
const CUT = /^(?:length|content-filter)$/;

/** One subscription's matcher, the source's subscriber itself (one object per open stream, no closures). */
class Deduplication extends Relay<L0Event> {
  /** Set while armed (after a `resume`, until the overlap is decided). */
  private matcher: OverlapMatcher | undefined = undefined;
  /** The tokens held back while armed (allocated when armed). */
  private held: TokenEvent[] = NO_TOKENS;
  /** Set while the head may still be thinking blocks (`<think>…</think>`): the text starts after them. */
  private lead: ThinkingLead | undefined = undefined;
  /** The head position of the first held character (thinking already passed on is before it). */
  private heldAt = 0;
  /** How many held characters are thinking, passed on uncut before the overlap. */
  private thinking = 0;
  /** The overlap cut from the attempt's head: written (and paid for), never passed on. */
  dropped = '';
  /** The attempt's context (its loop's, handed while it subscribes): only that attempt's loop or budget takes the cut (see holding). */
  readonly attempt = peekAttemptContext()?.ctx;

  constructor(
    out: Subscriber<L0Event>,
    private readonly options: OverlapOptions,
  ) {
    super(out);
  }

  next(event: L0Event): void {
    try {
      this.handle(event);
    } catch (thrown) {
      this.raise(thrown);
    }
  }

  private handle(event: L0Event): void {
    if (this.isStopped) return;
    switch (attemptTextChange(event)) {
      case 'token': {
        const { matcher } = this;
        if (!matcher) break;
        const { value } = event as TokenEvent;
        this.held.push(event as TokenEvent);
        const overlap = this.lead ? this.pushLead(value) : matcher.push(value);
        if (overlap !== undefined) this.release(overlap);
        return;
      }
      case 'resume': {
        this.disarm();
        const { checkpoint } = event as ResumeEvent;
        if (checkpoint.length >= this.options.minOverlap) {
          this.matcher = createOverlapMatcher(checkpoint, this.options);
          this.held = [];
          this.lead = new ThinkingLead();
        }
        break;
      }
      case 'reset':
        this.disarm();
        break;
      default:
        // reasoning and progress are channels of their own (a reasoning model thinks before its text): they pass, the match goes on
        // (a head still repeating when the model was cut, by the token limit or a filter, is all overlap; one it chose to end with is kept)
        if (this.matcher && event.type !== 'reasoning' && event.type !== 'progress') this.release(this.finish(CUT.test((event as CompleteEvent).finishReason)));
    }
    this.send(event);
  }

  /**
   * Hands `event` on. After a cut, the overlap goes with any error a check after this one fails the
   * attempt with meanwhile (it never passes here), so a `budget()` counts it (see holding).
   */
  private send(event: L0Event): void {
    const { out } = this;
    if (this.dropped === '') out.next(event);
    else holding(this, () => out.next(event));
  }

  /** The attempt failed: the head held back and the overlap cut go with the error, so a `budget()` after counts them (see heldOutput). */
  override error(err: unknown): void {
    if (!this.isStopped) markHeldOutput(err, this.dropped + this.heldText());
    this.disarm();
    super.error(err);
  }

  override complete(): void {
    if (this.isStopped) return;
    if (this.matcher) this.release(this.finish(false));
    holding(this, () => super.complete());
  }

  private disarm(): void {
    this.matcher = undefined;
    this.held = NO_TOKENS;
    this.lead = undefined;
    this.heldAt = 0;
    this.thinking = 0;
    this.dropped = ''; // (release sets it after this)
  }

  /** The text of the held tokens. */
  private heldText(): string {
    const { held } = this;
    return held.length === 1 ? held[0]!.value : held.map((t) => t.value).join('');
  }

  /**
   * The head's next token while it may still be thinking blocks: thinking known as such passes on
   * at once (a long block is not held back); the text after it goes to the matcher.
   */
  private pushLead(value: string): number | undefined {
    const lead = this.lead!;
    const start = lead.feed(value);
    if (start >= 0) return this.matchFrom(start);
    const { pending } = lead;
    if (pending < 0) this.passThinking(); // nothing held can be text
    // a long run of whitespace is text, not the way to a block: held no longer than an overlap could be
    else if (lead.length - pending > this.options.maxOverlap) return this.matchFrom(pending);
    return undefined;
  }

  /**
   * The head ended (the attempt did, or something other than text came): the overlap decided with what was seen;
   * `cut`: the attempt was cut off (`length`, `content-filter`), so a head still repeating the checkpoint is all overlap.
   */
  private finish(cut: boolean): number {
    const { lead } = this;
    if (lead && lead.pending >= 0) return this.matchFrom(lead.pending) ?? this.matcher!.finish(cut);
    this.lead = undefined; // (thinking only: passed on already)
    return this.matcher!.finish(cut);
  }

  /** The head's text starts at `start` (a head position): the held characters from there are matched. */
  private matchFrom(start: number): number | undefined {
    this.lead = undefined;
    if (start < 0) return undefined;
    this.thinking = start - this.heldAt;
    const text = this.heldText();
    return this.matcher!.push(text.slice(this.thinking), start > 0);
  }

  private passThinking(): void {
    const tokens = this.held;
    this.held = [];
    for (const t of tokens) {
      this.heldAt += t.value.length;
      this.out.next(t);
    }
  }

  /** Passes the held tokens on: their thinking uncut, then the text without its first `overlap` characters (the repeated text). */
  private release(overlap: number): void {
    const tokens = this.held;
    let keep = this.thinking;
    let skip = overlap;
    this.disarm();
    for (const t of tokens) {
      const { value } = t;
      if (keep >= value.length) {
        keep -= value.length;
        this.out.next(t);
        continue;
      }
      const cut = Math.min(skip, value.length - keep);
      if (cut > 0) this.dropped += value.slice(keep, keep + cut);
      if (cut === 0) this.send(t);
      else if (cut < value.length) this.send({ type: 'token', value: value.slice(0, keep) + value.slice(keep + cut) });
      skip -= cut;
      keep = 0;
    }
  }
}

/** Nothing held (shared, never pushed to: a fresh array is made when armed). */
const NO_TOKENS: TokenEvent[] = [];

/** Every key of {@link DeduplicateContinuationConfig}. @internal */
export const DEDUPLICATE_CONTINUATION_KEYS = /*#__PURE__*/ optionKeys<DeduplicateContinuationConfig>()([
  'enabled', 'caseSensitive', 'minOverlap', 'maxOverlap', 'wordBoundary',
]);
const ROOT = /*#__PURE__*/ optionPath('deduplicateContinuation');

/**
 * Validates a {@link DeduplicateContinuationConfig} eagerly and applies the defaults; `undefined`
 * when disabled. `where` names the bag in messages (the l0 preset passes `l0({deduplicateContinuation})`).
 * @internal
 */
export function resolveDeduplicateContinuation(
  config: DeduplicateContinuationConfig,
  where: OptionPath = ROOT,
): OverlapOptions | undefined {
  checkBag(where, config);
  checkKeys(where, config, DEDUPLICATE_CONTINUATION_KEYS);
  const d = DEDUPLICATE_CONTINUATION_DEFAULTS;
  const { enabled = d.enabled, caseSensitive = d.caseSensitive, minOverlap = d.minOverlap } = config;
  const { maxOverlap = Math.max(d.maxOverlap, minOverlap), wordBoundary = d.wordBoundary } = config;
  for (const [key, value] of [['enabled', enabled], ['caseSensitive', caseSensitive], ['wordBoundary', wordBoundary]] as const) {
    if (typeof value !== 'boolean') throw optionError(where, key, 'a boolean', value);
  }
  if (!Number.isInteger(minOverlap) || minOverlap < 1) throw optionError(where, 'minOverlap', 'a positive integer', minOverlap);
  if (!Number.isInteger(maxOverlap) || maxOverlap < minOverlap) {
    throw optionError(where, 'maxOverlap', `an integer >= minOverlap (${minOverlap})`, maxOverlap);
  }
  return enabled ? { caseSensitive, minOverlap, maxOverlap, wordBoundary } : undefined;
}
