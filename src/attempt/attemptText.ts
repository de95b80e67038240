import type { L0Event, ResumeEvent, TokenEvent } from '../events/eventTypes.js';
import { globalSlot } from '../internal/globalSlot.js';

/**
 * How an event changes the current attempt's text, the one rule every text-reading operator
 * follows: a `token` appends; `start`, `retry` and `fallback` reset (a new attempt begins, or the
 * failed one is retracted); `resume` sets the text to exactly its checkpoint. Other events leave
 * it alone (`undefined`).
 */
export type AttemptTextChange = 'token' | 'reset' | 'resume' | undefined;

/**
 * The {@link AttemptTextChange} an event makes. Pure; one `switch` on `type`.
 *
 *   s-a-b-r-s-R-c|      events (s start, a/b/c tokens, r retry, R resume)
 *   Z-T-T-Z-Z-S-T|      attemptTextChange   (Z reset, T token, S resume)
 *
 * @example
 * import { attemptTextChange } from 'l0-rx';
 * const perAttempt = new Map<string, number>(); // your own state about the current attempt
 * events$.subscribe((e) => { if (attemptTextChange(e) === 'reset') perAttempt.clear(); });
 */
export function attemptTextChange(e: L0Event): AttemptTextChange {
  switch (e.type) {
    case 'token':
      return 'token';
    case 'start':
    case 'retry':
    case 'fallback':
      return 'reset';
    case 'resume':
      return 'resume';
    default:
      return undefined;
  }
}

/** Options of {@link AttemptText}. */
export interface AttemptTextConfig {
  /** Keep the text itself; `false` tracks only `length` and `tokenCount` (and holds no text). @default true */
  readonly keepText?: boolean;
}

/**
 * The last text change made by any AttemptText, so the next one to see the same event from the
 * same text reuses its result. A token flows synchronously down an operator chain, and each
 * text-reading operator (guardrails, drift, checkpoints) keeps an AttemptText: without this each
 * would build its own copy of the attempt's text, one string node per token per operator, all of
 * them live until the attempt ends (measured: about 0.25 us per token per copy in garbage
 * collection). Texts are told apart by an id given to every distinct string an AttemptText
 * builds, never by comparing strings (a comparison of two long texts is O(n)). It holds the last
 * event and the AttemptText that made the change until the next change anywhere.
 *
 * The result is read from its maker (`owner`), whose strings are the change's as long as its id is
 * still `id`, rather than copied here: this object lives long, and each store of a young string in
 * it pays the write barrier (three such stores per token made `accumulate()` and `checkpointEvery`
 * 7-8% slower per token).
 */
interface LastChange {
  event: L0Event | undefined;
  /** The id of the text the change was applied to (`-1`: any, for `resume`). */
  from: number;
  id: number;
  /** The AttemptText that made the change (it holds the text while its id is `id`). */
  owner: AttemptText | undefined;
  /** The next id to give (id 0 is the empty text); shared with the cache, so two copies of the package never give one id twice. */
  nextId: number;
}
const KEY = /*#__PURE__*/ Symbol.for('l0-rx.attemptText.lastChange.v3');
/** Characters of latest tokens after which they are flattened into one piece of the text. */
const SETTLE = 64;
/** Shared through `globalThis`, like the attempt context, so the ESM and CJS copies share it too. */
const LAST: LastChange = /*#__PURE__*/ globalSlot(KEY, { event: undefined, from: 0, id: 0, owner: undefined, nextId: 1 });
/**
 * The version (see AttemptText's `version`) of the text an AttemptText made from the text
 * `from` (`-1`: any, for `resume`) with the event `e`, if that was the last change anywhere; else
 * -1. Follows an attempt text's identity without building it: a reader downstream of an
 * AttemptText that sees the same events gets the same versions, in O(1) per event.
 * @internal
 */
export function followVersion(e: L0Event, from: number): number {
  const last = LAST;
  return last.event === e && last.from === from ? last.id : -1;
}

/**
 * The current attempt's text, followed event by event with {@link attemptTextChange}'s rule, in
 * O(delta) per token (an append, never a rescan). Operators that read the text (checkpoints,
 * zero-output detection, continuation, lifecycle callbacks, accumulate, guardrails, drift,
 * structured output) keep one per subscription and feed it every event. Instances that see the
 * same events share one string: the second one to apply a token reuses the first's result.
 *
 *   s-a-b-r-s-R-c|      events (s start, a 'x', b 'y', r retry, R resume{'xy'}, c 'z')
 *   text: '' 'x' 'xy' '' '' 'xy' 'xyz'
 *
 * @example
 * import { AttemptText } from 'l0-rx';
 * const text = new AttemptText();
 * events$.subscribe((e) => { if (text.observe(e) === 'token') render(text.text); });
 */
export class AttemptText {
  /** Its length in UTF-16 code units, kept either way. */
  length = 0;
  /** `token` events of the current attempt (a resumed checkpoint counts none). */
  tokenCount = 0;
  /** The checkpoint the current attempt resumed from, if any. */
  resumedFrom: string | undefined = undefined;
  private readonly keepText: boolean;
  /** The text, `base + tail`: `base` grows by flattened batches of tokens, `tail` holds the latest tokens. */
  private current = '';
  private base = '';
  private tail = '';
  /** Which string `current` is (see LastChange). */
  private id = 0;

  constructor(config: AttemptTextConfig = {}) {
    this.keepText = config.keepText ?? true;
  }

  /**
   * Which string `text` is: two instances with the same version hold the same string, built from
   * the same events since their attempt began (see LastChange). 0 is the empty text.
   * @internal
   */
  get version(): number {
    return this.id;
  }

  /** The text so far (empty with `keepText: false`). */
  get text(): string {
    return this.current;
  }

  /** Applies one event; returns what it changed ({@link attemptTextChange}). */
  observe(e: L0Event): AttemptTextChange {
    const change = attemptTextChange(e);
    if (change === 'token') {
      const { value } = e as TokenEvent;
      if (this.keepText) this.append(e, value);
      this.length += value.length;
      this.tokenCount++;
    } else if (change === 'reset') this.reset();
    else if (change === 'resume') {
      const { checkpoint } = e as ResumeEvent;
      if (this.keepText && !this.reuse(e, -1)) this.become(e, -1, checkpoint, checkpoint, '');
      this.length = checkpoint.length;
      this.tokenCount = 0;
      this.resumedFrom = checkpoint;
    }
    return change;
  }

  /** Back to an empty attempt. */
  reset(): void {
    this.current = this.base = this.tail = '';
    this.id = 0;
    this.length = 0;
    this.tokenCount = 0;
    this.resumedFrom = undefined;
  }

  private append(e: L0Event, value: string): void {
    if (this.reuse(e, this.id)) return;
    const tail = this.tail + value;
    const settle = tail.length >= SETTLE;
    // V8 flattens a concatenated string when a character is read: the batch's per-token links die
    // young, and the text keeps one link per batch instead of one per token (GC cost per retained
    // link: about 0.25 us per token at 100,000 tokens, measured)
    if (settle) tail.charCodeAt(0);
    const text = this.base === '' ? tail : this.base + tail;
    this.become(e, this.id, text, settle ? text : this.base, settle ? '' : tail);
  }

  /**
   * Takes the text another instance made from text `from` (`-1`: any, for `resume`) with `e`, if it
   * was the last change and its maker still holds it (not reset since).
   */
  private reuse(e: L0Event, from: number): boolean {
    const last = LAST;
    if (last.event !== e || last.from !== from) return false;
    const owner = last.owner!;
    if (owner.id !== last.id) return false;
    this.current = owner.current;
    this.base = owner.base;
    this.tail = owner.tail;
    this.id = owner.id;
    return true;
  }

  /** Sets the text to `text` (`base + tail`), made from text `from` by `e`, and remembers the change. */
  private become(e: L0Event, from: number, text: string, base: string, tail: string): void {
    const last = LAST;
    this.current = text;
    this.base = base;
    this.tail = tail;
    this.id = last.id = last.nextId++;
    last.owner = this;
    last.event = e;
    last.from = from;
  }
}
