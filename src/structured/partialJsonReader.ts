/**
 * The grammar half of the partial-JSON parser (partialJson.ts holds the algorithm): a stack of open
 * containers, each with what it expects next, and the strings, numbers and literals inside them,
 * read a run at a time. Which `{` or `[` is the root, and what a root's close or text that is not
 * JSON means, is the subclass's. Internal: never re-exported.
 */
import { isHighSurrogate } from '../internal/surrogate.js';
import { ESCAPES, Expect, isBadControl, isWhitespace, Mode, NUMBER, setOwn, type Container, type Frame } from './partialJsonFrames.js';

/** Containers, strings, numbers and literals, fed a run at a time (steps 2 and 3 of the parser). @internal */
export abstract class JsonReader {
  protected root: Container | undefined = undefined;
  protected readonly stack: Frame[] = [];
  protected mode: Mode = Mode.Before;
  protected buf = '';
  protected strIsKey = false;
  private unicode = '';
  /** A decoded high surrogate waiting for its low half (never shown alone in a snapshot). */
  private high = '';
  /**
   * The value changed since the last snapshot: a value or container was added, or a value string
   * grew. Its closing quote, and a container's close, change nothing a snapshot shows (a growing
   * string is shown as it is), so they leave it as it was.
   */
  protected dirty = false;
  /** Slots held by open containers: what a snapshot copies. */
  protected openSize = 0;
  /**
   * The depth of a duplicate key's container while it is open (else Infinity): attached to its
   * object only once it closes, so the key's first value stays shown until the last replaces it
   * (JSON.parse keeps the last); nothing inside it changes a snapshot before then.
   */
  protected hidden = Infinity;
  /** The value string in progress is a duplicate key's, or inside such a container: shown once closed. */
  private quietStr = false;
  /**
   * A duplicate key's value replaced the first since the last snapshot: the value may have changed
   * and changed back (`"b": [], "b": false, "b": []` in one delta), so a snapshot is due only if it differs.
   */
  protected replaced = false;
  /** The root holds white space JSON does not allow (U+00A0...), which jsonrepair reads: no valid JSON, as extraction sees it. */
  protected odd = false;

  /** Closes the top container at `s[i]` (see {@link pop}); returns the next index. */
  protected abstract close(i: number): number;
  /** Text that is not JSON at `s[i]` (or, with `i` -1, before `at`); returns where reading goes on. */
  protected abstract fail(s: string, i?: number, at?: number): number;

  /** Reads the root's inside from `i`: a string, a number or literal, or punctuation; returns the next index. */
  protected value(s: string, i: number): number {
    switch (this.mode) {
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
      case Mode.Atom: {
        let j = i;
        while (j < s.length && /[\w.+-]/.test(s[j]!)) j++;
        this.buf += s.slice(i, j);
        // jsonrepair ends a number only at white space or a delimiter: `50%`, `1\u00a0` are the words "50%", "1\u00a0", no numbers
        // (`1\u2028` is a number: repair makes UNREAD_SPACE a space first)
        if (j < s.length && ((/\d$/.test(this.buf) && !/[ \t\n\r\v\f\u1680\u2028\u2029,:[\]{}()/]/.test(s[j]!)) || !this.endAtom())) return this.fail(s, j);
        return j;
      }
      default:
        return this.structural(s, i);
    }
  }

  /** The root is open and no member of it has begun (no value, no finished key). */
  protected unbegun(): boolean {
    const root = this.stack[0];
    return this.stack.length === 1 && root!.size === 0 && (root!.expect === Expect.KeyOrEnd || root!.expect === Expect.ValueOrEnd);
  }

  protected inValueString(): boolean {
    return !this.strIsKey && !this.quietStr && (this.mode === Mode.Str || this.mode === Mode.Escape || this.mode === Mode.Unicode);
  }

  private string(s: string, i: number): number {
    let j = i;
    while (j < s.length && s[j] !== '"' && s[j] !== '\\' && !isBadControl(s[j]!)) j++;
    // a raw pair split across deltas: its first half waits for the second, as a decoded one does
    const end = j === s.length && j > i && isHighSurrogate(s.charCodeAt(j - 1)) ? j - 1 : j;
    if (end > i) this.append(s.slice(i, end));
    if (end < j) {
      this.buf += this.high;
      this.high = s[end]!;
    }
    if (j === s.length) return j;
    if (isBadControl(s[j]!)) return this.fail(s, -1, j + 1); // jsonrepair refuses it (`"a\u0001"`): no more partials
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
    if (!this.strIsKey && !this.quietStr) this.dirty = true;
  }

  private endString(): void {
    const top = this.stack[this.stack.length - 1]!;
    const high = this.high; // a high surrogate that waited for its pair ends the string alone: the one change the quote makes
    this.buf += high;
    this.high = '';
    this.mode = Mode.Value;
    if (this.strIsKey) {
      top.key = this.buf;
      top.expect = Expect.Colon;
      return;
    }
    const dirty = this.dirty;
    this.assign(this.buf);
    if (!this.quietStr) this.dirty = dirty || high !== '';
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
    if (isWhitespace(ch)) {
      this.odd ||= ch > '~' || ch === '\v' || ch === '\f';
      return i + 1;
    }
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

  protected startValue(s: string, i: number): number {
    const ch = s[i]!;
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
    if (!isKey) this.dirty = !(this.quietStr = this.quiet() || this.duplicate()) || this.dirty;
    return i + 1;
  }

  protected open(isArray: boolean): void {
    const c: Container = isArray ? [] : {};
    const parent = this.stack[this.stack.length - 1];
    let slot: string | number = '';
    if (parent === undefined) {
      this.root = c;
      this.hidden = Infinity;
    } else if (!this.quiet() && this.duplicate()) {
      // a duplicate key's container: its slot keeps the first value until it closes (see `pop`)
      slot = this.assign((parent.c as Record<string, unknown>)[parent.key]);
      this.hidden = this.stack.length;
    } else slot = this.assign(c);
    this.stack.push({ c, isArray, slot, expect: isArray ? Expect.ValueOrEnd : Expect.KeyOrEnd, key: '', size: 0 });
    if (!this.quiet()) this.dirty = true;
  }

  /** The top container is a duplicate key's, or inside one (see `hidden`). */
  protected quiet(): boolean {
    return this.stack.length > this.hidden;
  }

  /** The top container is an object that holds the key whose value comes next: a duplicate. */
  private duplicate(): boolean {
    const top = this.stack[this.stack.length - 1]!;
    return !top.isArray && Object.hasOwn(top.c, top.key);
  }

  /** Adds a value to the top container; returns the slot it took. */
  private assign(value: unknown): string | number {
    const top = this.stack[this.stack.length - 1]!;
    const c = top.c as Record<string, unknown>;
    top.expect = Expect.CommaOrEnd;
    if (!this.quiet()) {
      this.dirty = true;
      this.replaced ||= Object.hasOwn(c, top.key);
    }
    this.openSize++;
    top.size++;
    if (top.isArray) return (top.c as unknown[]).push(value) - 1;
    setOwn(c, top.key, value);
    return top.key;
  }

  /** Pops the top container, frozen: closed, it is never touched again (and shown as it was: no change). */
  protected pop(): Frame {
    const f = this.stack.pop()!;
    this.openSize -= f.size;
    Object.freeze(f.c);
    if (this.stack.length === this.hidden) {
      // a duplicate key's value closed: it replaces the first, as JSON.parse's last wins
      setOwn(this.stack[this.hidden - 1]!.c as Record<string, unknown>, f.slot as string, f.c);
      this.hidden = Infinity;
      this.dirty = this.replaced = true;
    }
    return f;
  }
}
