import { FindingRun } from './guardRule.js';

/**
 * Finds the matches of a global regex in a growing text, each once, from its deltas: it keeps its
 * own buffer of the last `span` (+ `settle`) characters plus the new delta and runs the regex on that, so the
 * work is O(delta + span) per call and the whole text is never touched (a regex or `charCodeAt` on
 * the whole, ever-growing string would make V8 flatten it on every token: O(n^2)). A match longer
 * than `span` may be missed. The characters kept before the scanned region (`behind`, at least
 * one) give `\b`, look-behinds and multiline `^` their context; a non-multiline `^` only matches at
 * the very start of the text, in a look-behind too (a trimmed buffer's first character is at
 * least `behind` before any place a scan looks at).
 *
 * The patterns are read-only and may be shared by any number of scanners (one regex per rule, not
 * per run): a scan sets each regex's `lastIndex` before using it and runs synchronously, so two
 * interleaved runs never see each other's position. A subclass receives matches in `matched`
 * (no callback to allocate per call), or a caller passes `found` to `scan`.
 * @internal
 */
export class TailScanner extends FindingRun {
  #buf = '';
  /** Offset of `buf` in the text. */
  #start = 0;
  /** The text length scanned so far. */
  #scanned = 0;
  /** The end of a resumed checkpoint: matches inside it were the earlier attempt's to report (one straddling its end is new). */
  #floor = 0;
  /** Per pattern, where its last match ended, {@link STOPPED} once `stop`ped: allocated at the first match, so most runs never need it. */
  #ends: number[] | undefined = undefined;
  /** Per pattern, whether a match is held back until more text follows it (allocated at the first). */
  #held: boolean[] | undefined = undefined;
  /** Where the first match held back by the last scan starts ({@link NO_LIMIT}: none). */
  #heldFrom = NO_LIMIT;
  /** Patterns that may still match: none left, a scan only counts the length. */
  #live: number;
  /** The offset of the last character seen that is one of the patterns' `trigger`s. */
  #lastTrigger = -NO_LIMIT; // "none yet", a small integer: `-Infinity` would box a number per scanner

  readonly #plan: ScanPlan;

  /**
   * One regex, or several sharing one buffer (one append per delta, whatever their number). A
   * pattern's `trigger` lists characters one of which every match of it contains: while none is
   * within its `span` of the new text, the regex is not run at all.
   */
  constructor(patterns: readonly ScanPattern[]) {
    super();
    this.#plan = scanPlan(patterns);
    this.#live = patterns.length;
  }

  /**
   * Appends `delta` and reports each new match, its offset and its pattern's index, to `found` (or
   * `matched`). A match is reported once `settle` characters (its pattern's, at least one) follow
   * it: until then more text could still change it (a `\b`, a greedy `+`, a `(?![a-z])` at the end
   * of what has arrived), so it is held back and looked for again in the next delta, or by `finish`.
   * A pattern whose `settle` covers all it looks at after a match, and whose matches fit its `span`,
   * is reported at the first scan that has its end plus `settle` plus one characters, whatever the deltas.
   */
  scan(delta: string, found?: MatchSink): void {
    this.#run(delta, found, STREAMING);
  }

  /**
   * The end of the text: reports the matches held back (they are final now), then runs the patterns
   * a line's end can complete (`lineEnd`) on a final newline.
   */
  protected finish(found?: MatchSink): void {
    // nothing scanned since a resumed checkpoint: the matches its end held are judged here, as a scan would
    if (this.#floor > 0 && this.#scanned === this.#floor) this.#run('', found, STREAMING);
    this.#run('', found, HELD);
    this.#run('\n', found, LINE_END);
  }

  /** The characters from the first held-back match to the end of the text: not judged yet. */
  get held(): number {
    return this.#heldFrom === NO_LIMIT ? 0 : this.#scanned - this.#heldFrom;
  }

  #run(delta: string, found: MatchSink | undefined, mode: number): void {
    const from = this.#scanned;
    const scanned = (this.#scanned += delta.length);
    this.#heldFrom = NO_LIMIT;
    if (this.#live === 0) return;
    this.#buf += delta;
    const start = this.#start;
    const plan = this.#plan;
    const triggers = plan.triggers;
    for (let k = 0; k < triggers.length; k++) {
      // `indexOf` forward (a fast native search; `lastIndexOf` is a slow runtime call): one call when absent
      for (let at = delta.indexOf(triggers[k]!); at >= 0; at = delta.indexOf(triggers[k]!, at + 1)) {
        if (from + at > this.#lastTrigger) this.#lastTrigger = from + at;
      }
    }
    let live = 0;
    for (let i = 0; i < plan.res.length; i++) {
      const limit = plan.limits[i]!;
      const settle = plan.settles[i]!;
      // a match not reported yet ends at most `settle` characters before the new text, so starts at most span + settle before it
      const reach = plan.spans[i]! + settle;
      // so one that starts before the limit may be found until `reach` past it
      const last = limit + reach;
      if (this.#ended(i) === STOPPED) continue;
      const held = this.#held !== undefined && this.#held[i]!;
      if ((from >= last && !held) || (mode === HELD && !held) || (mode === LINE_END && !plan.lineEnds[i])) continue;
      // every match holds a trigger character
      if (plan.gated[i] && !held && this.#lastTrigger < from - reach) {
        if (scanned < last) live++;
        continue;
      }
      if (held) this.#held![i] = false;
      this.#find(i, Math.max(from - reach, this.#ended(i), start === 0 ? 0 : start + plan.behind), limit, settle, mode === STREAMING ? scanned : NO_LIMIT, found);
      if ((scanned < last || this.#held?.[i]) && this.#ended(i) !== STOPPED) live++;
    }
    // the end-of-text runs leave the buffer as it is for the one that follows
    if (mode !== STREAMING) return;
    this.#live = live;
    if (live === 0) this.#buf = '';
    else this.#keep();
  }

  /**
   * Reports pattern `i`'s matches from text offset `at`, holding back (until the next run) the first
   * one that fewer than `settle` + 1 characters follow before `streamed`.
   */
  #find(i: number, at: number, limit: number, settle: number, streamed: number, found: MatchSink | undefined): void {
    const start = this.#start;
    const re = this.#plan.res[i]!;
    re.lastIndex = at - start;
    let m: RegExpExecArray | null;
    while ((m = re.exec(this.#buf)) !== null) {
      const position = start + m.index;
      if (position >= limit) return;
      const end = position + m[0].length;
      if (m[0].length === 0) re.lastIndex++;
      // inside a resumed checkpoint: the attempt that wrote it reported it (a match straddling its end is new)
      else if (end + settle < this.#floor) continue;
      else if (end + settle >= streamed) {
        (this.#held ??= new Array<boolean>(this.#plan.res.length).fill(false))[i] = true;
        if (position < this.#heldFrom) this.#heldFrom = position;
        return;
      } else {
        // new even when it ends in text scanned before (a lookahead, a line's end, may have needed the
        // delta); one reported before is not found again: the scan starts after the pattern's last match
        (this.#ends ??= new Array<number>(this.#plan.res.length).fill(0))[i] = end;
        if (found) found(m, position, i);
        else this.matched(m, position, i);
        if (this.#ends[i] === STOPPED) return;
      }
    }
  }

  /** Marks `checkpoint` as seen, reporting nothing (a resumed checkpoint). */
  skip(checkpoint: string): void {
    this.#buf = checkpoint;
    this.#start = 0;
    this.#scanned = this.#floor = checkpoint.length;
    // a match straddling the checkpoint's end may have its trigger inside it ("[ins" + "ert name]"): the
    // gated patterns run on the text within their reach of its end as if a trigger ended it
    this.#lastTrigger = checkpoint.length - 1;
    this.#keep();
  }

  /** No more matches of pattern `index` are wanted: it is not scanned again. */
  protected stop(index: number): void {
    (this.#ends ??= new Array<number>(this.#plan.res.length).fill(0))[index] = STOPPED;
  }

  /** Where pattern `i`'s last match ended (0 before any), {@link STOPPED} once stopped. */
  #ended(i: number): number {
    return this.#ends === undefined ? 0 : this.#ends[i]!;
  }

  /** A subclass's match handler, when `scan` gets no `found`. */
  protected matched(_match: RegExpExecArray, _position: number, _pattern: number): void {}

  /** Drops what no future match can start in, keeping the longest `span` (and the text's head while a `limit` needs it). */
  #keep(): void {
    const plan = this.#plan;
    for (let i = 0; plan.limited && i < plan.res.length; i++) {
      // a pattern still inside its limit needs the text's head kept
      if (plan.limits[i] !== NO_LIMIT && this.#scanned < plan.limits[i]! && this.#ended(i) !== STOPPED) return;
    }
    // the farthest back a scan starts, and the characters before it a look-behind reads (`\b`'s one at least)
    const keep = plan.maxReach + plan.behind;
    if (this.#buf.length <= 2 * keep + 64) return;
    const cut = this.#scanned - keep - this.#start;
    this.#buf = this.#buf.slice(cut);
    this.#start += cut;
  }
}

/** A pattern of a {@link TailScanner}. @internal */
export interface ScanPattern {
  readonly re: RegExp;
  readonly span: number;
  readonly limit?: number;
  readonly trigger?: string;
  /**
   * Whether a newline after the text can complete a match (a lookahead for the line's end, a class
   * that takes `\n`): such patterns are run again on the final newline at completion. @default true
   */
  readonly lineEnd?: boolean;
  /**
   * Characters beyond the first that must follow a match before it is reported while the text
   * streams (a match ending where the text so far ends always waits for one more). @default 0
   */
  readonly settle?: number;
  /** Characters before a match's start its look-behinds read (`\b` reads one): always kept, so a `^` there is the text's start. @default 1 */
  readonly behind?: number;
}

/** A match handler: the match, its offset in the text and its pattern's index. */
type MatchSink = (match: RegExpExecArray, position: number, pattern: number) => void;

/** What a run of {@link TailScanner} is for: streaming text, the held-back matches at the end, the final newline. */
const STREAMING = 0;
const HELD = 1;
const LINE_END = 2;

/** "No limit" and "stopped" as small integers (no boxed number per scanner), beyond any text a scanner sees. */
const NO_LIMIT = 0x3fffffff;
const STOPPED = NO_LIMIT;

/** A pattern list as parallel arrays, made once per list and shared by every scanner of it (nothing per run). */
interface ScanPlan {
  readonly res: readonly RegExp[];
  readonly spans: readonly number[];
  readonly limits: readonly number[];
  readonly gated: readonly boolean[];
  readonly lineEnds: readonly boolean[];
  readonly settles: readonly number[];
  /** Every pattern's trigger characters, each once. */
  readonly triggers: string;
  /** The longest `span + settle`: how far back a scan may start. */
  readonly maxReach: number;
  /** The most characters before a match any pattern's look-behinds read (at least one). */
  readonly behind: number;
  /** Some pattern has a `limit` (the buffer then keeps the text's head while it applies). */
  readonly limited: boolean;
}

const PLANS = /*#__PURE__*/ new WeakMap<readonly ScanPattern[], ScanPlan>();

function scanPlan(patterns: readonly ScanPattern[]): ScanPlan {
  let plan = PLANS.get(patterns);
  if (plan) return plan;
  let triggers = '';
  for (const { trigger = '' } of patterns) for (const c of trigger) if (!triggers.includes(c)) triggers += c;
  plan = Object.freeze({
    res: patterns.map((p) => p.re),
    spans: patterns.map((p) => p.span),
    limits: patterns.map((p) => Math.min(p.limit ?? NO_LIMIT, NO_LIMIT)),
    gated: patterns.map((p) => p.trigger !== undefined),
    lineEnds: patterns.map((p) => p.lineEnd ?? true),
    settles: patterns.map((p) => p.settle ?? 0),
    triggers,
    maxReach: patterns.reduce((max, p) => Math.max(max, p.span + (p.settle ?? 0)), 1),
    behind: patterns.reduce((max, p) => Math.max(max, p.behind ?? 1), 1),
    limited: patterns.some((p) => p.limit !== undefined),
  });
  // a list that can change (not frozen) is planned at every construction, so a change is always seen
  if (Object.isFrozen(patterns)) PLANS.set(patterns, plan);
  return plan;
}
