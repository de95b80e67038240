/**
 * Finds where a resumed attempt's text starts after the thinking blocks a reasoning model writes
 * inline (`<think>…</think>`, the tags of {@link THINKING_TAGS}) at its head, character by
 * character, so that de-duplication matches the checkpoint against the text and not the thinking.
 *
 * @internal Used by deduplicateContinuation; never re-exported.
 */
import { THINKING_TAGS } from '../format/stripThinking.js';

const OPENING: readonly string[] = /*#__PURE__*/ THINKING_TAGS.map((t) => `<${t}>`);
/** White space before a block: `\s` and the invisible U+180E, U+200B, as the structured parser reads it (`\u200b<think>` is a block). */
const SPACE = /[\s\u180e\u200b]/;

// The scan's states (numbers, not a `const enum`: the build compiles each module on its own and would
// emit an enum object, kept in every bundle that shares this chunk)
/** Between blocks (or before the first): whitespace or `<` may still lead to a block. */
const BETWEEN = 0;
/** Reading what may be an opening tag. */
const TAG = 1;
/** Inside a block, looking for its closing tag. */
const INSIDE = 2;

/** One resumed head's scan. Positions count the characters fed since it was created. */
export class ThinkingLead {
  private fed = 0;
  private state: typeof BETWEEN | typeof TAG | typeof INSIDE = BETWEEN;
  /** Start of the characters not yet known to be thinking (leading whitespace, a partial tag); -1: none. */
  private undecided = -1;
  /** Lower-cased tag read so far (Tag), or the closing tag looked for (Inside). */
  private tag = '';
  private matched = 0;

  /** The characters fed so far. */
  get length(): number {
    return this.fed;
  }

  /** Where characters not known to be thinking start (they may still be text); -1 when none are. */
  get pending(): number {
    return this.undecided;
  }

  /** Feeds the head's next characters; returns where its text starts once known, else -1. O(text). */
  feed(text: string): number {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      const at = this.fed + i;
      if (this.state === BETWEEN) {
        if (this.undecided < 0 && (ch === '<' || SPACE.test(ch))) this.undecided = at;
        if (ch === '<') {
          this.state = TAG;
          this.tag = '<';
        } else if (!SPACE.test(ch)) return this.done(text, this.undecided >= 0 ? this.undecided : at);
      } else if (this.state === TAG) {
        const tag = (this.tag += ch.toLowerCase());
        if (OPENING.includes(tag)) {
          this.state = INSIDE;
          this.tag = `</${tag.slice(1)}`;
          this.matched = 0;
          this.undecided = -1; // the whitespace before it and the tag are thinking's
        } else if (!OPENING.some((t) => t.startsWith(tag))) return this.done(text, this.undecided);
      } else {
        // the closing tag has one '<', at its start: a mismatch restarts the match there
        const lower = ch.toLowerCase();
        this.matched = lower === this.tag[this.matched] ? this.matched + 1 : lower === '<' ? 1 : 0;
        if (this.matched === this.tag.length) this.state = BETWEEN;
      }
    }
    this.fed += text.length;
    return -1;
  }

  private done(text: string, start: number): number {
    this.fed += text.length;
    return start;
  }
}
