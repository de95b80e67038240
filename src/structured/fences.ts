/**
 * Markdown fences as extractJson and the partial parser read them: where a fence opens, where its
 * body starts, where it closes (a "```" inside a string is the string's), and the brackets in its
 * strings, which are never a root. @internal
 */

// what a FenceScanner is reading
const SEEK = 0; // text outside fences, up to a "```"
const OPENER = 1; // the rest of the opener's line (its info string; with a "```" on it, inline code)
const LEAD = 2; // white space before the body's first character
const BODY = 3; // a body that holds no object or array, up to its closing "```"
const FOUND = 4;

/**
 * Markdown fences as {@link extractJson} reads them, fed a piece at a time: "```" opens a fence
 * and, as in CommonMark, the rest of its line is the info string, never the body, which starts on
 * the next line (`` ```json [ `` then `{"a": 1},` is a fence whose JSON is `{"a": 1}`); the first
 * character of the body that is not white space decides it: `{` or `[` opens the JSON (the first such fence is the answer); anything
 * else is code or prose, skipped to the next "```" (its close). A "```" with another "```" after it
 * on its line is an inline code span (`` ```[1, 2]``` ``), whose inside is prose: no fence. A "```"
 * after an odd number of `"` on its line (escapes aside) is inside a string (`"code": "```js`),
 * never a fence. @internal Shared with the partial parser, which feeds it the text outside its root,
 * and a root's own text while that is an opener's line.
 */
export class FenceScanner {
  private state = SEEK;
  /** Backticks in a row (a "```" may arrive in pieces). */
  private ticks = 0;
  /** An odd number of `"` since the line break. */
  private quoted = false;
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
      if (this.state === OPENER) {
        this.ticks = ch === '`' ? this.ticks + 1 : 0;
        if (this.ticks === 3) {
          // three more on the line close an inline code span (`` ```[1, 2]``` ``): no fence
          this.ticks = 0;
          this.state = SEEK;
        } else if (ch === '\n') this.state = LEAD;
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
      this.ticks = ch === '`' && !this.quoted ? this.ticks + 1 : 0;
      if (this.escaped) this.escaped = false;
      else if (ch === '\\') this.escaped = true;
      else if (ch === '"') this.quoted = !this.quoted;
      if (ch === '\n') this.quoted = false;
      if (this.ticks === 3) {
        this.ticks = 0;
        this.state = this.state === SEEK ? OPENER : SEEK;
      }
    }
    return -1;
  }
}

/**
 * Where the first "```" from `from` that closes a fence starts, else -1: as {@link FenceScanner} reads
 * it, one after an odd number of `"` on its line (escapes aside) is inside a string (`{"s": "```js`). @internal
 */
export function fenceClose(text: string, from: number): number {
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i += text[i + 1] === '\n' ? 0 : 1;
    else if (ch === '"') quoted = !quoted;
    else if (ch === '\n') quoted = false;
    else if (ch === '`' && !quoted && text.startsWith('```', i)) return i;
  }
  return -1;
}

/** A fence: where its "```" starts, its body (after the opener's line; -1 before that line ends) and its close (-1: it never closes). @internal */
export interface Fence {
  readonly at: number;
  readonly body: number;
  readonly close: number;
}

/**
 * The fences of `text` in order, each up to its close ({@link fenceClose}: a "```" inside a string
 * is the string's); a one-line code span (`` ```42``` ``) is none. The last may never close. @internal
 */
export function fences(text: string): Fence[] {
  const found: Fence[] = [];
  // the first line break after an opener, kept while it is still ahead (a search per "```" on a long line is quadratic)
  let line = 0;
  for (let at = text.indexOf('```'); at !== -1; ) {
    if (line !== -1 && line < at + 3) line = text.indexOf('\n', at + 3);
    const span = text.indexOf('```', at + 3);
    if (span !== -1 && (line === -1 || span < line)) {
      at = text.indexOf('```', span + 3);
      continue;
    }
    const close = line === -1 ? -1 : fenceClose(text, line + 1);
    found.push({ at, body: line === -1 ? -1 : line + 1, close });
    if (close === -1) break;
    at = text.indexOf('```', close + 3);
  }
  return found;
}

/**
 * `text` with the brackets inside double-quoted strings in fence bodies (`` ```json\n"use {x}"\n``` ``,
 * `print("[1]")`) made spaces: a string's, never a root (the partial parser skips them the same way). @internal
 */
export function proseView(text: string): string {
  if (!text.includes('```')) return text;
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
