/**
 * Markdown fences as extractJson and the partial parser read them: where a fence opens, where its
 * body starts, where it closes (a "```" inside a string is the string's), and the brackets in its
 * strings, which are never a root. @internal
 */

// what a FenceScanner is reading
const SEEK = 0; // text outside fences, up to a "```" or "~~~"
const OPENER = 1; // the rest of the opener's line (its info string; with its marker again on it, inline code)
const LEAD = 2; // white space before the body's first character
const BODY = 3; // a body that holds no object or array, up to its closing "```"
const FOUND = 4;

/**
 * Markdown fences as {@link extractJson} reads them, fed a piece at a time: "```" or "~~~" opens a fence
 * (a longer run too, all of it the opener: "````") and, as in CommonMark, the rest of its line is the
 * info string, never the body, which starts on the next line (`` ```json [ `` then `{"a": 1},` is a fence whose JSON is `{"a": 1}`); the first
 * character of the body that is not white space decides it: `{` or `[` opens the JSON (the first such fence is the answer); anything
 * else is code or prose, skipped to its close, the next run of its marker's character at least as long
 * as its opener, as in CommonMark ("~~~" never closes a "```" fence, nor "```" a "````" one). A marker with another after it on its line is an inline code span
 * (`` ```[1, 2]``` ``), whose inside is prose: no fence. A marker after an odd number of `"` on its
 * line is inside a string (`"code": "```js`, `Type "```"`), never a fence. As {@link fenceClose} and
 * {@link fences} read them: a backslash escapes the character after it, in a string or out (an escaped
 * backtick is no marker's), and a `"` right after a digit and before no letter or digit opens no
 * string (`The 5" screen`: an inch mark; `Option 2"x"` and `5"x7"` quote). @internal Shared with the partial parser, which feeds it the text outside its root,
 * and a root's own text while that is an opener's line.
 */
export class FenceScanner {
  private state = SEEK;
  /** Marker characters in a row (a "```" may arrive in pieces). */
  private ticks = 0;
  /** The marker's character: the fence's from its opener to its close; outside fences, the last of '`' and '~' read. */
  mark = '`';
  /** The opener's run of marks ("````": 4), which its close must match or pass; 3 outside fences. */
  len = 3;
  /** The character read before this one. */
  private prev = '';
  /** An odd number of `"` since the line break. */
  private quoted = false;
  /** The last character was a `"` after a digit: an inch mark, unless a letter or digit follows (then it opened a string). */
  private inch = false;
  private escaped = false;

  /** True once the first JSON fence opened: nothing more is read. */
  get found(): boolean {
    return this.state === FOUND;
  }

  /** True on an opener's line (its info string) or the white space before its body's first character. */
  get opening(): boolean {
    return this.state === OPENER || this.state === LEAD;
  }

  /** True inside a double-quoted string on its line in the body of a fence that holds no object or array (`"use {x}"`): a bracket there is the string's, no root. */
  get quotedInBody(): boolean {
    return this.state === BODY && this.quoted;
  }

  /** Reads `s` from `i` up to `end`; returns where the first JSON fence's body opens (its `{` or `[`), else -1. */
  scan(s: string, i: number, end: number): number {
    for (; i < end && this.state !== FOUND; i++) {
      const ch = s[i]!;
      const prev = this.prev;
      this.prev = ch;
      if (this.state === OPENER) {
        // the opener's run goes on ("````"); after it, three more on the line close an inline code span (`` ```[1, 2]``` ``): no fence
        if (!this.ticks && ch === prev && ch === this.mark) this.len++;
        else if ((this.ticks = ch === this.mark ? this.ticks + 1 : 0) === 3) this.close();
        else if (ch === '\n') this.state = LEAD;
        continue;
      }
      if (this.state === LEAD) {
        if (/\s/.test(ch)) continue;
        if (ch === '{' || ch === '[') {
          this.state = FOUND;
          return i;
        }
        this.state = BODY; // this character may begin the close
      }
      if (this.inch) {
        this.inch = false;
        if (WORD.test(ch)) this.quoted = true; // `Option 2"x"`: the quote opened a string
      }
      if (this.state === SEEK && ch !== this.mark && (ch === '`' || ch === '~')) {
        this.mark = ch;
        this.ticks = 0;
      }
      this.ticks = ch === this.mark && !this.quoted && !this.escaped ? this.ticks + 1 : 0;
      if (this.escaped) this.escaped = false;
      else if (ch === '\\') this.escaped = true;
      else if (ch === '"') {
        if (!this.quoted && /\d/.test(prev)) this.inch = true; // decided by the next character, which may come in the next piece
        else this.quoted = !this.quoted;
      }
      if (ch === '\n') this.quoted = false;
      if (this.ticks === this.len) {
        if (this.state === SEEK) {
          this.ticks = 0;
          this.state = OPENER;
        } else this.close();
      }
    }
    return -1;
  }

  /** Back to text outside fences: a fence or an inline code span closed. */
  private close(): void {
    this.ticks = 0;
    this.len = 3;
    this.state = SEEK;
  }
}

/** A letter or digit: after a `"` that follows a digit, it makes that `"` a string's opening quote, no inch mark. */
const WORD = /[\p{L}\p{N}]/u;

/** Whether the unquoted `"` at `i` is an inch mark: a digit before it, and no letter or digit after it (as {@link FenceScanner} reads it). */
function isInch(text: string, i: number): boolean {
  return /\d/.test(text[i - 1] ?? '') && !WORD.test(text[i + 1] ?? '');
}

/**
 * Where the first marker from `from` starts ("```" or "~~~"; with `mark`, of that character only, and
 * a run of at least `len`: a fence's close), else -1: as {@link FenceScanner} reads it, one after an
 * odd number of `"` on its line is inside a string (`{"s": "```js`), and one after a `\\` is escaped. @internal
 */
export function fenceClose(text: string, from: number, mark = '`~', len = 3): number {
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') i += text[i + 1] === '\n' ? 0 : 1;
    else if (ch === '"' && (quoted || !isInch(text, i))) quoted = !quoted;
    else if (ch === '\n') quoted = false;
    else if (!quoted && mark.includes(ch)) {
      const run = runOf(text, i);
      if (run >= len) return i;
      i += run - 1; // a run too short is read once (a long fence's body of shorter runs stays linear)
    }
  }
  return -1;
}

/** How many of `text[i]` run from `i`. */
function runOf(text: string, i: number): number {
  let j = i;
  while (text[j] === text[i]) j++;
  return j - i;
}

/** A fence: where its "```" or "~~~" starts, its body (after the opener's line; -1 before that line ends) and its close (-1: it never closes). @internal */
export interface Fence {
  readonly at: number;
  readonly body: number;
  readonly close: number;
}

/**
 * The fences of `text` in order, as {@link FenceScanner} reads them: each from a marker outside a
 * string ({@link fenceClose}) up to the next run of its character at least as long outside one; a one-line code span
 * (`` ```42``` ``) is none. The last may never close. @internal
 */
export function fences(text: string): Fence[] {
  const found: Fence[] = [];
  // the first line break after an opener, kept while it is still ahead (a search per "```" on a long line is quadratic)
  let line = 0;
  for (let at = fenceClose(text, 0); at !== -1; ) {
    // the opener is its whole run ("````"), which its close must match or pass
    const len = runOf(text, at);
    if (line !== -1 && line < at + len) line = text.indexOf('\n', at + len);
    const span = text.indexOf(text.slice(at, at + 3), at + len);
    if (span !== -1 && (line === -1 || span < line)) {
      at = fenceClose(text, span + 3);
      continue;
    }
    const close = line === -1 ? -1 : fenceClose(text, line + 1, text[at], len);
    found.push({ at, body: line === -1 ? -1 : line + 1, close });
    if (close === -1) break;
    at = fenceClose(text, close + len);
  }
  return found;
}

/**
 * `text` with the brackets inside double-quoted strings in fence bodies (`` ```json\n"use {x}"\n``` ``,
 * `print("[1]")`) made spaces: a string's, never a root (the partial parser skips them the same way). @internal
 */
export function proseView(text: string): string {
  if (!/```|~~~/.test(text)) return text;
  const fence = new FenceScanner();
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    fence.scan(text, i, i + 1);
    if (fence.quotedInBody && /[[\]{}]/.test(text[i]!)) {
      out.push(text.slice(from, i), ' ');
      from = i + 1;
    }
  }
  out.push(text.slice(from));
  return out.join('');
}
