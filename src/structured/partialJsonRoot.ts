/**
 * Which `{` or `[` of an answer is the root of the partial-JSON parser (partialJson.ts holds the
 * algorithm; its steps 1 and 4 are this class's): the prose before it, citations and footnote
 * marks, JSON fences, a root that turns out prose, and one stopped at text that is not JSON,
 * read on to its close. Internal: never re-exported.
 */
import { commentEnd, SCHEME_GAP, URL_CHAR, urlAt } from './comments.js';
import { introduces, LINE_SPACE, MARK_GAP, SUBSCRIPT, TAGGED } from './extractJson.js';
import { FenceScanner } from './fences.js';
import { isWhitespace, Mode, type Container, type Frame } from './partialJsonFrames.js';
import { JsonReader } from './partialJsonReader.js';

const ROOT = /[[{]/g;
/** Text before a root, cut to its last 12 characters, led by `\0` when it went on further back (see extractJson's `textBefore`). */
const clip = (t: string) => (t.length > 12 ? `\0${t.slice(-12)}` : t);

/** Finds the root in the text and reads the text outside it (steps 1 and 4); the subclass takes the snapshots. @internal */
export abstract class RootFinder extends JsonReader {
  /** An empty root that closed (`[]`, `{}`): shown, but a later root replaces it. */
  protected empty: Container | undefined = undefined;
  /** The last (up to 12) characters of prose before the root, led by `\0` when there was more. */
  private tail = '';
  /** The root is an array no prose introduced, nothing but white space in it yet: a citation if a number comes first (see `step`). */
  private loose = false;
  /** Spaces and tabs (LINE_SPACE) read after a closed `[1]` root (see `mark`). */
  private trail = 0;
  /** extractJson's fences, read in the text outside the root (step 4). */
  protected readonly fence = new FenceScanner();
  /** The root is the body of the first JSON fence: it stays, even empty. */
  private fenced = false;
  /** The root of the last snapshot (the subclass takes them): a root that replaces it waits for a value (step 4). */
  protected shown: Container | undefined = undefined;
  /**
   * While no member of the root has begun: the text before it and its own text up to this delta,
   * as `tail` holds it; with `leadFrom`, where the root's text in this delta starts, it is the
   * prose before a root that turns out prose (see `before`).
   */
  protected lead = '';
  protected leadFrom = 0;
  /** A root outside a fence stopped at text that is not JSON: its open brackets, read on to its close (see `skipTo`). */
  private skip = 0;
  /** The quote `skipTo` is in ('' when none), and whether a backslash escapes the next character. */
  private quote = '';
  private escaped = false;
  /** What ends the comment `skipTo` is in (`\n`, `*\/`; '' when none), and the last characters it read (SCHEME_GAP and 2), those before it first: a comment's start, as commentEnd sees it. */
  private comment = '';
  private back = '';
  /** `skipTo` is in a URL (see commentEnd): it reads on over the URL's characters. */
  private url = false;
  /**
   * The last SCHEME_GAP deltas, a ring (`deltas` counts them; the subclass adds each after reading it): the text
   * before a delta, read only when a root stops (the start of `back`), with no string made per token.
   */
  protected readonly recent: string[] = [];
  protected deltas = 0;
  /** Such a root came first: extraction's answer unless valid JSON follows, so a later empty root never replaces it. */
  private failed = false;

  /** Consumes input from `i`; returns the next index. */
  protected step(s: string, i: number): number {
    if (this.mode === Mode.Before) {
      ROOT.lastIndex = i; // one scan for either bracket: prose full of `[1]` stays linear
      const at = ROOT.exec(s)?.index ?? -1;
      const end = at === -1 ? s.length : at;
      const fenced = this.fence.scan(s, i, at === -1 ? end : at + 1) !== -1;
      const keep = Math.max(i, end - 12);
      this.tail = clip((keep > i ? '\0' : this.tail) + s.slice(keep, end));
      if (at === -1) return s.length;
      // a bracket in a string in a fence's body (`"use {x}"`) is the string's, as extractJson's proseView reads it; a subscript in code
      // (`data["name"]`: `tail` ends with the character before it, `\0` after a root; not after a `json` tag, TAGGED) is prose, as extractJson reads it
      if (fenced || !(this.fence.quotedInBody || (s[at] === '[' && SUBSCRIPT.test(this.tail.slice(-1)) && !TAGGED.test(this.tail)))) return this.begin(s, at, fenced);
      this.tail = clip(this.tail + s[at]); // the prose before a next root, as extractJson's textBefore (`` x[`[1]` ``); a `[` makes one after it a subscript (`df[["a"]]`)
      return at + 1;
    }
    // the scanner reads past the root, and the root's text while it is a fence's info string (`` ```json [\n{ ``)
    const scan = this.mode === Mode.Done || this.mode === Mode.Failed || this.fence.opening;
    const j = this.read(s, i);
    // a JSON fence after a root outside one, or whose body starts in such a root: its body replaces the root (step 4)
    const at = scan ? this.fence.scan(s, i, j) : -1;
    if (at === -1) return j;
    this.reset(at);
    return this.begin(s, at, true);
  }

  /** Reads on from `i` in (or after) the root; returns the next index. */
  private read(s: string, i: number): number {
    switch (this.mode) {
      case Mode.Done:
        return s.length;
      case Mode.Failed:
        return this.skip > 0 ? this.skipTo(s, i) : s.length;
      case Mode.Probe:
        return this.probe(s, i);
      case Mode.Mark:
        return this.mark(s, i);
      default:
        if (this.loose && !isWhitespace(s[i]!)) {
          // a citation (`See [1, 2]`) is prose: the search goes on from its first value, as extractJson's does
          if (/[-\d]/.test(s[i]!)) return this.reset(i);
          this.loose = false;
        }
        return this.value(s, i);
    }
  }

  /** Opens the root at `s[at]`; one that is a fence's body is never a citation. */
  private begin(s: string, at: number, fenced: boolean): number {
    this.mode = Mode.Value;
    this.fenced = fenced;
    this.lead = this.tail;
    this.leadFrom = at;
    this.open(s[at] === '[');
    this.odd = false;
    this.loose = s[at] === '[' && !fenced && !introduces(this.tail);
    return at + 1;
  }

  protected close(i: number): number {
    const f = this.pop();
    if (this.stack.length > 0) return i + 1;
    this.trail = 0;
    if (!this.isMark(f)) return this.settle(f.size, i + 1);
    this.mode = Mode.Mark;
    return i + 1;
  }

  /**
   * The root closed (a `[1]` once no words follow it): the answer, or, empty or one JSON.parse refuses
   * (`{"a":\u00a01}`, see `odd`), shown until a root after it replaces it, as in extractJson.
   */
  private settle(size: number, i: number): number {
    if ((size > 0 && !this.odd) || this.fenced) this.mode = Mode.Done;
    else if (this.failed || (size === 0 && this.empty !== undefined)) return this.reset(i); // a later empty root: the first stays, as in extractJson
    else {
      this.failed = size > 0;
      this.empty = this.root;
      this.mode = Mode.Before;
      this.tail = '\0'; // the prose before the next root starts after this one (`{}[1]` is no answer's start)
    }
    return i;
  }

  /** A root of one integer (`[1]`) outside a fence: once closed, a footnote mark if words follow it on its line (extractJson's rule). */
  protected isMark(f: Frame): boolean {
    return !this.fenced && f.isArray && f.size === 1 && /^-?\d+$/.test(this.buf) && typeof (f.c as unknown[])[0] === 'number';
  }

  /** After a `[1]` root: up to `MARK_GAP` spaces, tabs or other LINE_SPACE, then a letter or digit make it a footnote mark (prose); anything else, the answer. */
  private mark(s: string, i: number): number {
    let j = i;
    for (; j < s.length && this.trail < MARK_GAP && LINE_SPACE.test(s[j]!); j++) this.trail++;
    if (j === s.length) return j;
    if (/[\p{L}\p{N}]/u.test(s[j]!)) return this.reset(j);
    return this.settle(1, j);
  }

  /**
   * Stops the parser, unless no member of the root has begun and `s[i]` is no JSON-like start:
   * then the root was prose (`[see below]`, `{curly}`), and the search for the root resumes at
   * `i`. A word opening an object is probed first: `{name:` is JSON with an unquoted key (stop).
   * Stopped, it reads on from `at` for a fence (step 4).
   */
  protected fail(s: string, i = -1, at = i < 0 ? s.length : i): number {
    // (a number run into a character jsonrepair ends none at, still an atom, is JSON to extraction: `[1\u00a0`, `[50%` stop it, see JsonReader)
    if (i >= 0 && !this.fenced && this.unbegun() && s[i] !== "'" && this.mode !== Mode.Atom) {
      if (this.stack[0]!.isArray || !/[A-Za-z_$]/.test(s[i]!)) return this.reset(i, this.before(s, i));
      this.buf = '';
      this.mode = Mode.Probe;
      return i;
    }
    return this.stop(s, at, i < 0 ? '"' : ''); // a bad escape stops it in a string
  }

  /**
   * Stops at text that is not JSON (single quotes, `{key:`, a trailing comma). A JSON fence's body
   * stays stopped (extraction takes it); a root outside one is read on to its close, as
   * extractJson's balanced scan reads it, and the search goes on after it (`{'q': 1} or {"q": 1}`):
   * valid JSON after it is extraction's answer. `quote` is the string the reader stopped in.
   */
  private stop(s: string, at: number, quote: string): number {
    this.mode = Mode.Failed;
    this.skip = this.fenced ? 0 : this.stack.length;
    this.quote = quote;
    this.escaped = false;
    this.comment = '';
    this.url = false;
    let back = s.slice(Math.max(0, at - SCHEME_GAP), at);
    for (let k = this.deltas; back.length < SCHEME_GAP && k > 0 && k > this.deltas - SCHEME_GAP; ) back = this.recent[--k % SCHEME_GAP] + back;
    this.back = back.slice(-SCHEME_GAP);
    return at;
  }

  /**
   * Reads a stopped root to its close (quotes of either kind and escapes skipped, and comments, as
   * extractJson's matchingEnd skips them: a comment is known at its second character); then the search goes on.
   */
  private skipTo(s: string, i: number): number {
    for (; i < s.length; i++) {
      const ch = s[i]!;
      if (this.url && URL_CHAR.test(ch)) continue; // a `//`, `#` or quote in a URL is the URL's (`https://x.com//a`)
      // after a URL, its characters start no comment with this one (`https://x# `)
      const back = (this.back = ((this.url ? '' : this.back) + ch).slice(-SCHEME_GAP - 2));
      this.url = false;
      if (this.comment !== '') {
        if (back.endsWith(this.comment)) this.comment = this.back = ''; // after its end, a `/` opens no comment with the `*\/`'s
      } else if (this.quote !== '') {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === this.quote) this.quote = '';
      } else if (commentEnd(back, back.length - 2) === back.length) {
        // `//`, `/*` or `# ` (not `#` and its line break): its own `*` closes no `/*`
        this.comment = ch === '*' ? '*/' : '\n';
        this.back = '';
      } else if (ch === '"' || ch === "'") this.quote = ch;
      else if (ch === '{' || ch === '[') this.skip++;
      else if ((ch === '}' || ch === ']') && --this.skip === 0) {
        this.failed = true;
        return this.reset(i + 1);
      } else this.url = urlAt(back, back.length - 2);
    }
    return i;
  }

  /** A word after `{` (`buf` is ' ' once past it): a `:` after it stops the parser, anything else makes it prose. */
  private probe(s: string, i: number): number {
    let j = i;
    if (this.buf === '') while (j < s.length && /[\w$]/.test(s[j]!)) j++;
    for (; j < s.length && isWhitespace(s[j]!); j++) this.buf = ' ';
    if (j === s.length) return j;
    if (s[j] !== ':') return this.reset(j, this.before(s, j));
    return this.stop(s, j, '');
  }

  /** The (up to 12) characters before `s[i]`, as `tail` holds them: the prose before the root and the root's text, which may have come in earlier deltas. */
  protected before(s: string, i: number): string {
    return clip(this.lead + s.slice(Math.max(this.leadFrom, i - 13), i));
  }

  /**
   * Drops the root for prose: back to the empty root before it, which is due if it was not shown
   * yet. `before` is the text before `s[i]` (see `before`), the root's own included, which decides
   * whether the next root is introduced (`{\n  [1, 2]` is, as in extractJson) or a backtick at `i`
   * opens a code span (`` [`[1]` `` does, `` [tru`[1]` `` does not; see extractJson's `introduces`).
   */
  private reset(i: number, before = '\0'): number {
    this.stack.length = 0;
    this.root = this.empty;
    this.openSize = 0;
    this.dirty = this.root !== this.shown;
    this.mode = Mode.Before;
    this.tail = before;
    this.loose = false;
    this.fenced = false;
    return i;
  }
}
