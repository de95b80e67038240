/**
 * An incremental parser for JSON that is still arriving: fed one delta at a time, it keeps the
 * value parsed so far and can hand out a deep-partial snapshot of it. Internal: never re-exported.
 *
 * Algorithm (each character is looked at once, so a delta costs O(delta)):
 * 1. Before the root: skip prose and fences up to the first `{` or `[`; a "root" that fails
 *    before holding any value (`[see below]`, `{curly}`) was prose too, and the search goes on.
 *    So no snapshot is due until the root holds a value, grows a value string, or closes. An
 *    array led by a number that the prose before it does not introduce (`See [1].`; the rule of
 *    extractJson) is a citation: never shown, and the search goes on after it; so is a closed
 *    one-integer array with words after it on its line (`[1] Smith`), which waits to be shown.
 * 2. A stack of open containers, each with what it expects next (key, colon, value, comma/end).
 *    A finished scalar is assigned into the top container; a new container is attached to its
 *    parent at once and pushed; a closed one is frozen and popped, and is never touched again.
 * 3. Strings are copied a run at a time (up to the next quote or backslash); escapes, `\uXXXX`
 *    included, may span deltas (a high surrogate waits for its low half). A value string in
 *    progress is shown in snapshots as its prefix (never half a raw surrogate pair); a key in
 *    progress, and a number or literal until its delimiter, are not shown.
 * 4. After the root closes the rest (a closing fence, prose) is ignored, but as extractJson
 *    prefers, a later root replaces an empty one (`[]` in prose), and the body of a later JSON
 *    fence (its first non-space character `{` or `[`) replaces a root outside one: extractJson's
 *    FenceScanner reads all the text outside the root (so a "```" in a root's string is no fence).
 *    A root that is the first JSON fence's body stays, even empty. Input that is not JSON (single
 *    quotes, comments, `{key:`...) stops the parser until such a fence: no more partials until
 *    then; repair happens at the end.
 * 5. `snapshot()` copies only the open containers (the path from the root to the growing value)
 *    and shares every closed one, so partials are immutable and each is a new object. To keep
 *    that copying O(delta) overall on huge documents, `feed` asks for a snapshot only once the
 *    characters received since the last one pay for the open containers' size.
 */
import { isHighSurrogate } from '../internal/surrogate.js';
import { FenceScanner, introduces, MARK_GAP } from './extractJson.js';
import { copyOpenPath, ESCAPES, Expect, isWhitespace, Mode, NUMBER, setOwn, type Container, type Frame } from './partialJsonFrames.js';

const ROOT = /[[{]/g;
/** Characters of copying paid for by one received character (see step 5). */
const CREDIT_PER_CHAR = 8;

/** Incremental JSON parser with deep-partial snapshots. @internal */
export class PartialJsonParser {
  private root: Container | undefined = undefined;
  private readonly stack: Frame[] = [];
  private mode: Mode = Mode.Before;
  private buf = '';
  private strIsKey = false;
  private unicode = '';
  /** A decoded high surrogate waiting for its low half (never shown alone in a snapshot). */
  private high = '';
  /** A value was added or a value string grew since the last snapshot. */
  private dirty = false;
  private credit = 0;
  /** Slots held by open containers: what a snapshot copies. */
  private openSize = 0;

  /** An empty root that closed (`[]`, `{}`): shown, but a later root replaces it. */
  private empty: Container | undefined = undefined;
  /** The last (up to 12) characters of prose before the root, led by `\0` when there was more. */
  private tail = '';
  /** The root is an array no prose introduced, led by a number so far: a citation until it holds something else. */
  private loose = false;
  /** Spaces and tabs read after a closed `[1]` root (see `mark`). */
  private trail = 0;
  /** extractJson's fences, read in the text outside the root (step 4). */
  private readonly fence = new FenceScanner();
  /** The root is the body of the first JSON fence: it stays, even empty. */
  private fenced = false;

  /** True once the root value closed (an empty one, or one outside a fence, may still be replaced: step 4). */
  get done(): boolean {
    return this.mode === Mode.Done || (this.mode === Mode.Before && this.root !== undefined);
  }

  /** Feeds one delta; true when a snapshot is due (the value changed and the copy is paid for). */
  feed(chunk: string): boolean {
    this.credit += chunk.length * CREDIT_PER_CHAR;
    let i = 0;
    const n = chunk.length;
    while (i < n && !(this.fence.found && (this.mode === Mode.Done || this.mode === Mode.Failed))) i = this.step(chunk, i);
    return this.dirty && this.committed() && this.credit >= this.openSize;
  }

  /**
   * The root is JSON for sure, so it may be shown: it holds a value, a value string is growing in
   * it, or it closed. Until then it may still turn out to be prose (`[see below]`, `{curly}`).
   */
  private committed(): boolean {
    if (this.loose || this.mode === Mode.Mark) return false;
    const root = this.stack[0];
    return root === undefined ? this.root !== undefined : !this.unbegun() || (this.stack.length === 1 && this.inValueString());
  }

  /** The root is open and no member of it has begun (no value, no finished key). */
  private unbegun(): boolean {
    const root = this.stack[0];
    return this.stack.length === 1 && root!.size === 0 && (root!.expect === Expect.KeyOrEnd || root!.expect === Expect.ValueOrEnd);
  }

  /** The deep-partial value so far (undefined before the root opens); clears the change flag. */
  snapshot(): unknown {
    this.dirty = false;
    this.credit = 0;
    const { stack } = this;
    return stack.length === 0 ? this.root : copyOpenPath(stack, this.inValueString() ? this.buf : undefined);
  }

  private inValueString(): boolean {
    return !this.strIsKey && (this.mode === Mode.Str || this.mode === Mode.Escape || this.mode === Mode.Unicode);
  }

  /** Consumes input from `i`; returns the next index. */
  private step(s: string, i: number): number {
    switch (this.mode) {
      case Mode.Before: {
        ROOT.lastIndex = i; // one scan for either bracket: prose full of `[1]` stays linear
        const at = ROOT.exec(s)?.index ?? -1;
        const end = at === -1 ? s.length : at;
        const fenced = this.fence.scan(s, i, at === -1 ? end : at + 1) !== -1;
        const keep = Math.max(i, end - 12);
        const tail = (keep > i ? '\0' : this.tail) + s.slice(keep, end);
        this.tail = tail.length > 12 ? `\0${tail.slice(-12)}` : tail;
        return at === -1 ? s.length : this.begin(s, at, fenced);
      }
      case Mode.Done:
      case Mode.Failed: {
        // a JSON fence after a root outside one: its body replaces the root (extractJson prefers it)
        const at = this.fence.scan(s, i, s.length);
        if (at === -1) return s.length;
        this.reset(at);
        return this.begin(s, at, true);
      }
      case Mode.Str:
        return this.string(s, i);
      case Mode.Escape:
        return this.escape(s, i);
      case Mode.Unicode: {
        this.unicode += s[i];
        if (this.unicode.length === 4) {
          if (!/^[0-9a-fA-F]{4}$/.test(this.unicode)) return this.fail(s, -1, i + 1);
          const code = Number.parseInt(this.unicode, 16);
          if (isHighSurrogate(code)) {
            this.buf += this.high; // a high surrogate after a high one: the first stays alone, as JSON.parse keeps it
            this.high = String.fromCharCode(code);
          } else this.append(String.fromCharCode(code));
          this.mode = Mode.Str;
        }
        return i + 1;
      }
      case Mode.Probe:
        return this.probe(s, i);
      case Mode.Mark:
        return this.mark(s, i);
      case Mode.Atom: {
        let j = i;
        while (j < s.length && /[\w.+-]/.test(s[j]!)) j++;
        this.buf += s.slice(i, j);
        if (j < s.length && !this.endAtom()) return this.fail(s, j);
        return j;
      }
      default:
        return this.structural(s, i);
    }
  }

  private string(s: string, i: number): number {
    let j = i;
    while (j < s.length && s[j] !== '"' && s[j] !== '\\') j++;
    // a raw pair split across deltas: its first half waits for the second, as a decoded one does
    const end = j === s.length && j > i && isHighSurrogate(s.charCodeAt(j - 1)) ? j - 1 : j;
    if (end > i) this.append(s.slice(i, end));
    if (end < j) {
      this.buf += this.high;
      this.high = s[end]!;
    }
    if (j === s.length) return j;
    if (s[j] === '\\') {
      this.mode = Mode.Escape;
      return j + 1;
    }
    this.endString();
    return j + 1;
  }

  private escape(s: string, i: number): number {
    const ch = s[i]!;
    if (ch === 'u') {
      this.unicode = '';
      this.mode = Mode.Unicode;
      return i + 1;
    }
    const decoded = ESCAPES[ch];
    if (decoded === undefined) return this.fail(s, -1, i + 1);
    this.append(decoded);
    this.mode = Mode.Str;
    return i + 1;
  }

  /** Adds decoded text to the string, after any pending high surrogate. */
  private append(text: string): void {
    this.buf += this.high + text;
    this.high = '';
    if (!this.strIsKey) this.dirty = true;
  }

  private endString(): void {
    const top = this.stack[this.stack.length - 1]!;
    this.buf += this.high;
    this.high = '';
    this.mode = Mode.Value;
    if (this.strIsKey) {
      top.key = this.buf;
      top.expect = Expect.Colon;
    } else this.assign(this.buf);
  }

  /** Assigns the finished number or literal; false when it is neither. */
  private endAtom(): boolean {
    const text = this.buf;
    this.mode = Mode.Value;
    if (text === 'true') this.assign(true);
    else if (text === 'false') this.assign(false);
    else if (text === 'null') this.assign(null);
    else if (NUMBER.test(text)) this.assign(Number(text));
    else return false;
    return true;
  }

  /** Punctuation, whitespace and the start of values, by what the top container expects. */
  private structural(s: string, i: number): number {
    const ch = s[i]!;
    if (isWhitespace(ch)) return i + 1;
    const top = this.stack[this.stack.length - 1]!;
    switch (top.expect) {
      case Expect.KeyOrEnd:
      case Expect.Key:
        if (ch === '"') return this.startString(true, i);
        if (ch === '}' && top.expect === Expect.KeyOrEnd) return this.close(i);
        return this.fail(s, i);
      case Expect.Colon:
        if (ch !== ':') return this.fail(s, i);
        top.expect = Expect.Value;
        return i + 1;
      case Expect.CommaOrEnd:
        if (ch === ',') top.expect = top.isArray ? Expect.Value : Expect.Key;
        else if (ch === (top.isArray ? ']' : '}')) return this.close(i);
        else return this.fail(s, i);
        return i + 1;
      default: // Value, ValueOrEnd
        if (ch === ']' && top.expect === Expect.ValueOrEnd) return this.close(i);
        return this.startValue(s, i);
    }
  }

  private startValue(s: string, i: number): number {
    const ch = s[i]!;
    if (this.loose && this.unbegun() && !/[-\d]/.test(ch)) this.loose = false;
    if (ch === '"') return this.startString(false, i);
    if (ch === '{' || ch === '[') {
      this.open(ch === '[');
      return i + 1;
    }
    if (/[-\d tfn]/.test(ch)) {
      this.buf = '';
      this.mode = Mode.Atom;
      return i;
    }
    return this.fail(s, i);
  }

  private startString(isKey: boolean, i: number): number {
    this.buf = '';
    this.strIsKey = isKey;
    this.mode = Mode.Str;
    if (!isKey) this.dirty = true;
    return i + 1;
  }

  /** Opens the root at `s[at]`; one that is a fence's body is never a citation. */
  private begin(s: string, at: number, fenced: boolean): number {
    this.mode = Mode.Value;
    this.fenced = fenced;
    this.open(s[at] === '[');
    this.loose = s[at] === '[' && !fenced && !introduces(this.tail);
    return at + 1;
  }

  private open(isArray: boolean): void {
    const c: Container = isArray ? [] : {};
    const parent = this.stack[this.stack.length - 1];
    let slot: string | number = '';
    if (parent === undefined) this.root = c;
    else slot = this.assign(c);
    this.stack.push({ c, isArray, slot, expect: isArray ? Expect.ValueOrEnd : Expect.KeyOrEnd, key: '', size: 0 });
    this.dirty = true;
  }

  /** Adds a value to the top container; returns the slot it took. */
  private assign(value: unknown): string | number {
    const top = this.stack[this.stack.length - 1]!;
    top.expect = Expect.CommaOrEnd;
    this.dirty = true;
    this.openSize++;
    top.size++;
    if (top.isArray) return (top.c as unknown[]).push(value) - 1;
    setOwn(top.c as Record<string, unknown>, top.key, value);
    return top.key;
  }

  private close(i: number): number {
    if (this.loose && this.stack.length === 1) {
      if (this.stack[0]!.size > 0) return this.reset(i + 1); // a citation: `[1]`
      this.loose = false; // `[]` stays an empty root, as ever
    }
    const f = this.stack.pop()!;
    this.openSize -= f.size;
    Object.freeze(f.c);
    if (this.stack.length === 0) this.mode = f.size === 0 && !this.fenced ? Mode.Before : this.isMark(f) ? Mode.Mark : Mode.Done;
    if (f.size === 0 && this.stack.length === 0) this.empty = f.c;
    this.dirty = true;
    return i + 1;
  }

  /** A closed root of one integer (`[1]`): a footnote mark if words follow it on its line (extractJson's rule). */
  private isMark(f: Frame): boolean {
    this.trail = 0;
    return f.isArray && f.size === 1 && /^-?\d+$/.test(this.buf) && typeof (f.c as unknown[])[0] === 'number';
  }

  /** After a `[1]` root: up to `MARK_GAP` spaces or tabs, then a letter or digit make it a footnote mark (prose); anything else, the answer. */
  private mark(s: string, i: number): number {
    let j = i;
    for (; j < s.length && this.trail < MARK_GAP && (s[j] === ' ' || s[j] === '\t'); j++) this.trail++;
    if (j === s.length) return j;
    if (/[\p{L}\p{N}]/u.test(s[j]!)) return this.reset(j);
    this.mode = Mode.Done;
    return j;
  }

  /**
   * Stops the parser, unless no member of the root has begun and `s[i]` is no JSON-like start:
   * then the root was prose (`[see below]`, `{curly}`), and the search for the root resumes at
   * `i`. A word opening an object is probed first: `{name:` is JSON with an unquoted key (stop).
   * Stopped, it reads on from `at` for a fence (step 4).
   */
  private fail(s: string, i = -1, at = i < 0 ? s.length : i): number {
    if (this.loose) return this.reset(at);
    if (i >= 0 && this.unbegun() && s[i] !== "'") {
      if (this.stack[0]!.isArray || !/[A-Za-z_$]/.test(s[i]!)) return this.reset(i);
      this.buf = '';
      this.mode = Mode.Probe;
      return i;
    }
    this.mode = Mode.Failed;
    return at;
  }

  /** A word after `{` (`buf` is ' ' once past it): a `:` after it stops the parser, anything else makes it prose. */
  private probe(s: string, i: number): number {
    let j = i;
    if (this.buf === '') while (j < s.length && /[\w$]/.test(s[j]!)) j++;
    for (; j < s.length && isWhitespace(s[j]!); j++) this.buf = ' ';
    if (j === s.length) return j;
    if (s[j] !== ':') return this.reset(j);
    this.mode = Mode.Failed;
    return j;
  }

  private reset(i: number): number {
    this.stack.length = 0;
    this.root = this.empty;
    this.openSize = 0;
    this.dirty = false;
    this.mode = Mode.Before;
    this.tail = '\0';
    this.loose = false;
    this.fenced = false;
    return i;
  }
}
