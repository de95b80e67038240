import type { L0Event, ResumeEvent, TokenEvent } from '../events/eventTypes.js';

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
 * if (attemptTextChange(event) === 'reset') myState.clear();
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
 * The current attempt's text, followed event by event with {@link attemptTextChange}'s rule, in
 * O(delta) per token (an append, never a rescan). Operators that read the text (checkpoints,
 * zero-output detection, continuation, lifecycle callbacks, accumulate, guardrails, drift,
 * structured output) keep one per subscription and feed it every event.
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
  /** The text so far (empty with `keepText: false`). */
  text = '';
  /** Its length in UTF-16 code units, kept either way. */
  length = 0;
  /** `token` events of the current attempt (a resumed checkpoint counts none). */
  tokenCount = 0;
  /** The checkpoint the current attempt resumed from, if any. */
  resumedFrom: string | undefined = undefined;
  private readonly keepText: boolean;

  constructor(config: AttemptTextConfig = {}) {
    this.keepText = config.keepText ?? true;
  }

  /** Applies one event; returns what it changed ({@link attemptTextChange}). */
  observe(e: L0Event): AttemptTextChange {
    const change = attemptTextChange(e);
    if (change === 'token') {
      const { value } = e as TokenEvent;
      if (this.keepText) this.text += value;
      this.length += value.length;
      this.tokenCount++;
    } else if (change === 'reset') this.reset();
    else if (change === 'resume') {
      const { checkpoint } = e as ResumeEvent;
      this.text = this.keepText ? checkpoint : '';
      this.length = checkpoint.length;
      this.tokenCount = 0;
      this.resumedFrom = checkpoint;
    }
    return change;
  }

  /** Back to an empty attempt. */
  reset(): void {
    this.text = '';
    this.length = 0;
    this.tokenCount = 0;
    this.resumedFrom = undefined;
  }
}
