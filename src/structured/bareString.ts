/* A whole answer that is one JSON string, read as it streams. Internal: never re-exported. */
import { isHighSurrogate } from '../internal/surrogate.js';
import { ESCAPES, isBadControl, isWhitespace } from './partialJsonFrames.js';

/** What {@link BareString.feed} found: nothing new, a longer prefix to show, or no bare string after all (numbers: see partialJsonFrames). */
export const SAME = 0;
export const GREW = 1;
export const NOT = 2;

const BEFORE = 0;
const IN = 1;
const ESCAPE = 2;
const UNICODE = 3;
const CLOSED = 4;

/**
 * The decoded prefix of an answer whose first character past white space is `"`: a JSON string
 * that may be the whole answer (white space around it as extraction trims it: U+00A0 and U+200B too). Runs of plain characters are copied at once; escapes, `\uXXXX`
 * included, may span deltas, and a high surrogate (raw or escaped) waits for its low half, so the
 * prefix never ends in half a pair. Anything but white space after the closing quote, a first
 * character other than `"`, or a bad escape makes it {@link NOT}: the answer is read as any
 * other. A raw control character jsonrepair refuses stops the prefix where it was. O(delta) per feed.
 * @internal
 */
export class BareString {
  /** The decoded text so far, without a high surrogate that waits for its pair. */
  value = '';
  private state = BEFORE;
  private high = '';
  private hex = '';
  /** A control character jsonrepair refuses came in the string: its prefix grows no more (the answer is an INVALID_JSON). */
  private bad = false;

  feed(s: string): number {
    const before = this.value.length;
    for (let i = 0; i < s.length; ) {
      const ch = s[i]!;
      switch (this.state) {
        case BEFORE:
        case CLOSED:
          if (!isWhitespace(ch)) {
            if (this.state === CLOSED || ch !== '"') return NOT;
            this.state = IN;
          }
          i++;
          break;
        case IN: {
          let j = i;
          while (j < s.length && s[j] !== '"' && s[j] !== '\\' && !isBadControl(s[j]!)) j++;
          if (j > i) this.add(s.slice(i, j));
          if (j < s.length) {
            if (s[j] === '"') {
              this.value += this.high; // a high surrogate the string ends on stays alone, as JSON.parse keeps it
              this.high = '';
              this.state = CLOSED;
            } else if (s[j] === '\\') this.state = ESCAPE;
            else this.bad = true; // jsonrepair refuses it (`"a\u0001: [1]"`): no more partials, and none of a root inside
          }
          i = j + 1;
          break;
        }
        case ESCAPE:
          if (ch === 'u') {
            this.hex = '';
            this.state = UNICODE;
          } else {
            const decoded = ESCAPES[ch];
            if (decoded === undefined) return NOT;
            this.add(decoded);
            this.state = IN;
          }
          i++;
          break;
        default: // UNICODE
          this.hex += ch;
          i++;
          if (this.hex.length === 4) {
            if (!/^[0-9a-fA-F]{4}$/.test(this.hex)) return NOT;
            this.add(String.fromCharCode(Number.parseInt(this.hex, 16)));
            this.state = IN;
          }
      }
    }
    return this.value.length > before && !this.bad ? GREW : SAME;
  }

  /** Appends decoded text after any waiting high surrogate, keeping back a high surrogate it ends on. */
  private add(text: string): void {
    const all = this.high + text;
    const cut = isHighSurrogate(all.charCodeAt(all.length - 1)) ? all.length - 1 : all.length;
    this.value += all.slice(0, cut);
    this.high = all.slice(cut);
  }
}
