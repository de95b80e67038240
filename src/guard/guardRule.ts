import type { ViolationSeverity } from '../events/eventTypes.js';

/**
 * What a rule reports: one finding becomes one `violation` event. `severity` and `recoverable`
 * default to the rule's; `position` is the offset in the attempt's text where the offending text
 * starts.
 */
export interface GuardFinding {
  readonly message: string;
  readonly severity?: ViolationSeverity;
  /** @default severity !== 'fatal' (a fatal finding is never retried) */
  readonly recoverable?: boolean;
  readonly position?: number;
  /**
   * Replace `length` characters from `position` in the released text by `replacement` instead of
   * failing the attempt (the finding is then reported as a `warning` with `redacted` set).
   */
  readonly redact?: { readonly length: number; readonly replacement: string };
}

/** Zero, one or many findings, as a rule's check returns them. */
export type GuardFindings = GuardFinding | readonly GuardFinding[] | undefined | null | void;

/**
 * The per-attempt half of a rule: its state and its checks. {@link guard} gets a fresh one from
 * {@link GuardRule.create} for every attempt (or uses the rule itself when it has no `create`).
 */
export interface GuardRuleRun {
  /**
   * The incremental check: `delta` is the text added since this rule's last check (never a gap,
   * whatever the interval), `text` the attempt's text so far. Do O(delta) work on `delta` and state
   * of your own: a regex, `slice` or `charCodeAt` on `text` makes V8 copy the whole growing string
   * on every call (O(n^2) over a run); read `text` only at completion or rarely.
   */
  check?(delta: string, text: string): GuardFindings;
  /** The completion check on the whole text. May be async (bounded by the rule's `timeout`). */
  complete?(text: string): GuardFindings | Promise<GuardFindings>;
  /**
   * The attempt resumed from `checkpoint`, text the rules already passed: bring the state up to it
   * without reporting anything. Without it, the rule's incremental check starts after the checkpoint.
   */
  resume?(checkpoint: string): void;
}

/**
 * A guardrail rule: a frozen description. Its per-attempt state comes from `create()`, so the same
 * rule (or preset) is safe on any number of concurrent runs.
 *
 * @example
 * import { guard, type GuardRule } from 'l0-rx';
 * const noShouting: GuardRule = {
 *   name: 'no-shouting',
 *   severity: 'warning',
 *   check: (delta) => (/[A-Z]{20}/.test(delta) ? { message: 'shouting' } : undefined),
 * };
 * events$.pipe(guard([noShouting]));
 */
export interface GuardRule extends GuardRuleRun {
  /** The `ruleId` of its violations. */
  readonly name: string;
  /** Severity of findings that give none. @default 'error' */
  readonly severity?: ViolationSeverity;
  /** Tokens between incremental checks; each check sees all the text since the last one. @default 1 */
  readonly interval?: number;
  /** Time budget in ms of an async `complete`. @default 5000 */
  readonly timeout?: number;
  /**
   * When a check throws or times out: `'open'` reports a `warning` and lets the text through,
   * `'closed'` reports an `error` (the attempt fails and is retried). @default 'open'
   */
  readonly onRuleError?: 'open' | 'closed';
  /** The longest text one finding covers; hold-back keeps at least this many characters back. @default 0 */
  readonly span?: number;
  /** A fresh per-attempt state. Without it the rule object itself is used (a stateless rule). */
  create?(): GuardRuleRun;
}

/**
 * Finds the matches of a global regex in a growing text, each once, from its deltas: it keeps its
 * own buffer of the last `span` characters plus the new delta and runs the regex on that, so the
 * work is O(delta + span) per call and the whole text is never touched (a regex or `charCodeAt` on
 * the whole, ever-growing string would make V8 flatten it on every token: O(n^2)). A match longer
 * than `span` may be missed. The character kept before the scanned region gives `\b` and
 * multiline `^` their context; a non-multiline `^` only matches at the very start of the text.
 *
 * The patterns are read-only and may be shared by any number of scanners (one regex per rule, not
 * per run): a scan sets each regex's `lastIndex` before using it and runs synchronously, so two
 * interleaved runs never see each other's position. A subclass receives matches in `matched`
 * (no callback to allocate per call), or a caller passes `found` to `scan`.
 * @internal
 */
export class TailScanner {
  private buf = '';
  /** Offset of `buf` in the text. */
  private start = 0;
  /**
   * Per pattern, two numbers: the text length scanned so far (`Infinity` once `stop`ped) and where
   * its last match ended. One array per scanner, not two.
   */
  private readonly at: number[];
  private readonly span: number;
  /** Patterns that may still match: none left, a scan only counts the length. */
  private live: number;

  /** One regex, or several sharing one buffer (one append per delta, whatever their number). */
  constructor(
    private readonly patterns: readonly { readonly re: RegExp; readonly span: number; readonly limit?: number }[],
  ) {
    let span = 1;
    for (const p of patterns) span = Math.max(span, p.span);
    this.span = span;
    this.at = new Array<number>(2 * patterns.length).fill(0);
    this.live = patterns.length;
  }

  /** Appends `delta` and reports each new match, its offset and its pattern's index, to `found` (or `matched`). */
  scan(delta: string, found?: (match: RegExpExecArray, position: number, pattern: number) => void): void {
    if (this.live === 0) {
      this.start += delta.length;
      return;
    }
    this.buf += delta;
    const { start, at } = this;
    const length = start + this.buf.length;
    let live = 0;
    for (let i = 0; i < this.patterns.length; i++) {
      const { re, span, limit = Infinity } = this.patterns[i]!;
      if (at[2 * i]! >= limit) continue;
      re.lastIndex = Math.max(at[2 * i + 1]!, at[2 * i]! - span + 1, start === 0 ? 0 : start + 1) - start;
      let m: RegExpExecArray | null;
      while ((m = re.exec(this.buf)) !== null) {
        const where = start + m.index;
        if (where >= limit) break;
        const stop = where + m[0].length;
        if (m[0].length === 0) re.lastIndex++;
        else if (stop > at[2 * i]!) {
          at[2 * i + 1] = stop;
          if (found) found(m, where, i);
          else this.matched(m, where, i);
          if (at[2 * i] === Infinity) break;
        }
      }
      if (at[2 * i] === Infinity) continue;
      at[2 * i] = length;
      if (length < limit) live++;
    }
    this.live = live;
    if (live === 0) this.buf = '';
    else this.keep();
  }

  /** Marks `checkpoint` as seen, reporting nothing (a resumed checkpoint). */
  skip(checkpoint: string): void {
    this.buf = checkpoint;
    this.start = 0;
    for (let i = 0; i < this.at.length; i++) if (this.at[i] !== Infinity) this.at[i] = checkpoint.length;
    this.keep();
  }

  /** No more matches of pattern `index` are wanted: it is not scanned again. */
  protected stop(index: number): void {
    this.at[2 * index] = Infinity;
  }

  /** A subclass's match handler, when `scan` gets no `found`. */
  protected matched(_match: RegExpExecArray, _position: number, _pattern: number): void {}

  /** Drops what no future match can start in, keeping `span` characters (and the text's head while a `limit` needs it). */
  private keep(): void {
    const length = this.start + this.buf.length;
    if (this.buf.length <= 2 * this.span + 64) return;
    for (let i = 0; i < this.patterns.length; i++) {
      const { limit } = this.patterns[i]!;
      if (limit !== undefined && this.at[2 * i]! < limit && length <= limit + this.span) return;
    }
    const cut = length - this.span - this.start;
    this.buf = this.buf.slice(cut);
    this.start += cut;
  }
}

/** A finding list as an array. @internal */
export function findingsOf(result: GuardFindings): readonly GuardFinding[] {
  if (result === undefined || result === null) return [];
  return Array.isArray(result) ? (result as readonly GuardFinding[]) : [result as GuardFinding];
}
