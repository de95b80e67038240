/**
 * An incremental parser for JSON that is still arriving: fed one delta at a time, it keeps the
 * value parsed so far and can hand out a deep-partial snapshot of it. Internal: never re-exported.
 *
 * Algorithm (each character is looked at once, and by the fence scanner at most once more, so a
 * delta costs O(delta)):
 * 1. Before the root: skip prose and fences up to the first `{` or `[`; a "root" that fails
 *    before holding any value (`[see below]`, `{curly}`) was prose too, and the search goes on
 *    (its text is prose before the next one: `{\n  [1, 2]` introduces the array), but for a
 *    JSON fence's body, which extraction takes whatever it holds: the parser stops (`{ // ids`).
 *    So no snapshot is due until the root holds a value or a finished key (`{"a":` shows `{}`),
 *    grows a value string, or closes. An array led by a number that the prose before it does not
 *    introduce (`See [1].`; the rule of extractJson, where an inline code span's opening backtick
 *    introduces: `` See `[1]` `` is an answer) is a citation: prose, never shown, and the
 *    search goes on from its first value, as extractJson's does (`You could send [0,[]]` finds
 *    `[]`). A one-integer array with words after it on its line (`[1] Smith`) is a footnote mark:
 *    it is not shown before its `,` or the rest of its line, and at the end of the answer
 *    (`end()`) it is the root.
 * 2. A stack of open containers, each with what it expects next (key, colon, value, comma/end).
 *    A finished scalar is assigned into the top container; a new container is attached to its
 *    parent at once and pushed; a closed one is frozen and popped, and is never touched again.
 * 3. Strings are copied a run at a time (up to the next quote or backslash); escapes, `\uXXXX`
 *    included, may span deltas (a high surrogate waits for its low half). A value string in
 *    progress is shown in snapshots as its prefix (never half a raw surrogate pair); a key in
 *    progress, and a number or literal until its delimiter, are not shown. Steps 2 and 3 are the
 *    grammar, {@link JsonReader}; RootFinder (partialJsonRoot.ts) finds the root (steps 1 and 4);
 *    this class takes the snapshots (step 5).
 * 4. After the root closes the rest (a closing fence, prose) is ignored, but as extractJson
 *    prefers, a later root replaces an empty one (`[]` in prose; not a later empty one: the first
 *    stays), and the body of a later JSON fence (its first non-space character `{` or `[`)
 *    replaces a root outside one: extractJson's FenceScanner reads all the text outside the root
 *    (so a "```" in a root's string is no fence), and the root's own text while that is a fence's
 *    info string, which is never its body (`` ```json [ `` then `{"a": 1},` on the next line: the
 *    body's `{"a": 1}` replaces the `[`). A root that is the first JSON fence's body
 *    stays, even empty. Input that is not JSON (single quotes, comments, `{key:`...) stops the
 *    parser: no more partials from that root (parseStructured shows what repair makes of it at
 *    the end). Outside a fence the stopped root is read to its close (a bracket in
 *    a comment is the comment's, as in extraction), then the search goes on,
 *    as extraction prefers valid JSON after it (`{'q': 1}. As JSON: {"q": 1}`); a later empty
 *    root never replaces it. So too, once closed, a root the parser read whole but JSON.parse refuses
 *    for the white space jsonrepair reads in it (`{"a":\u00a01}`): shown, then replaced by a later root that holds a value. A root that replaces one already shown is shown once it holds a
 *    value (or grows a value string, or closes): until then the old one stays, so the partials never step back to an empty `{}`
 *    (`{a: 1}`, then `{b: 2}`). The answer's first root shows at its first key, as step 1 says:
 *    from nothing, `{}` is no step back. One that shows the same value as the last snapshot
 *    (`[]`, then a fence holding `[]`) is not shown at all (see `due`). An empty first root is
 *    shown even when a delta ends on a root after it that may not show yet (`[]{`): the result
 *    would be that empty root (see `masked`).
 * 5. A snapshot is due only when the value changed: a value or container added, a value string
 *    grown. A closing quote or bracket changes nothing shown (a growing string is shown whole) and
 *    asks for none, but for the lone high surrogate a quote may end a string on (step 3). A key
 *    written twice keeps its first value until the second is complete (a string closed, a
 *    container closed: JsonReader's `hidden`), which then replaces it, as JSON.parse keeps the last.
 *    `snapshot()` copies only the open containers (the path from the root to the growing value)
 *    and shares every closed one, so partials are immutable and each is a new object. To keep
 *    that copying O(delta) overall on huge documents, `feed` asks for a snapshot only once the
 *    characters received since the last one pay for the open containers' size.
 */
import { SCHEME_GAP } from './comments.js';
import { copyOpenPath, Expect, Mode, sameJson } from './partialJsonFrames.js';
import { RootFinder } from './partialJsonRoot.js';

/** Characters of copying paid for by one received character (see step 5). */
const CREDIT_PER_CHAR = 8;

/** Incremental JSON parser with deep-partial snapshots (steps 2 and 3 are JsonReader's, 1 and 4 RootFinder's). @internal */
export class PartialJsonParser extends RootFinder {
  private credit = 0;
  /** The last snapshot, which a root that replaces the shown one must differ from (see `due`). */
  private last: unknown = undefined;

  /** True once the root value closed (an empty one, or one outside a fence, may still be replaced: step 4). */
  get done(): boolean {
    return this.mode === Mode.Done || (this.mode === Mode.Before && this.root !== undefined);
  }

  /** Feeds one delta; true when a snapshot is due (the value changed and the copy is paid for). */
  feed(chunk: string): boolean {
    this.credit += chunk.length * CREDIT_PER_CHAR;
    let i = 0;
    const n = chunk.length;
    this.leadFrom = 0;
    while (i < n && !(this.fence.found && (this.mode === Mode.Done || this.mode === Mode.Failed))) i = this.step(chunk, i);
    if (this.stack.length === 1 && this.unbegun()) this.lead = this.before(chunk, n);
    if (chunk !== '') this.recent[this.deltas++ % SCHEME_GAP] = chunk;
    return this.due(this.credit >= this.openSize);
  }

  /**
   * Settles the answer at its end: a closed `[2]` that waited for words after it (step 1) is the
   * root. True when a snapshot is due, paid for or not (it is the last).
   */
  end(): boolean {
    if (this.mode === Mode.Mark) this.mode = Mode.Done;
    return this.due(true);
  }

  /**
   * A value shown for the answer before this parser read any of it (a bare JSON string's prefix,
   * see BareString): the last snapshot that `differs` and a root that replaces it compare with.
   */
  showOutside(value: unknown): void {
    this.last = value;
  }

  /** True when the answer's value at its end (what repair made of it) is not the last snapshot's, which it then follows. */
  differs(value: unknown): boolean {
    return !sameJson(value, this.last);
  }

  /**
   * A snapshot is due: the value changed (the reader's flag) and may be shown (`committed`). The
   * flag is all it takes while the root stays the shown one; a root that replaces it (step 4) is
   * compared with the last snapshot once, when it would first show, and is not due when it shows
   * the same (`[]` in prose, then a fence holding `[]`): at most three roots are ever shown; so is
   * a root whose duplicate key replaced a value (the reader's `replaced`: it may have changed back). An
   * empty root never shown and masked by a root after it that may not show yet is due (`masked`).
   */
  private due(paid: boolean): boolean {
    if (!this.dirty || !paid) return false;
    if (!this.committed()) return this.masked();
    if ((this.root === this.shown && !this.replaced) || !sameJson(this.copy(), this.last)) return true;
    this.dirty = this.replaced = false;
    this.shown = this.root;
    // the comparison copied the open containers, as a snapshot does: it is paid for alike, or a key
    // written again with its value on every delta (`"a": 0, "a": 0, ...`) would compare the whole root per delta
    this.credit -= this.openSize;
    return false;
  }

  /**
   * The root may be shown: it is JSON for sure (it holds a value or a finished key, a value string
   * is growing in it, or it closed), not prose that looked like it (`[see below]`, `{curly}`); one
   * that replaces a shown root must hold a value (step 4).
   */
  private committed(): boolean {
    if (this.mode === Mode.Mark) return false;
    const root = this.stack[0];
    if (root === undefined) return this.root !== undefined;
    if (this.stack.length === 1 && this.inValueString()) return true;
    if (root.expect === Expect.CommaOrEnd && this.isMark(root)) return false; // `[1 ` may close as `[1] Smith`: shown at its `,`
    return this.shown === undefined || this.shown === this.root ? !this.unbegun() : root.size > 0;
  }

  /**
   * The answer's first root is empty and closed, and a root after it that may not show yet came in
   * the same delta (`[]{`, `{}[`, `[]\n[1`): the empty one is shown (it is the value until the later
   * one holds one, as in extractJson), and the later one then shows as a root that replaces it.
   */
  private masked(): boolean {
    return this.shown === undefined && this.empty !== undefined && this.root !== this.empty && !this.committed();
  }

  /** The deep-partial value so far (undefined before the root opens; a masked empty root, see `masked`); clears the change flag. */
  snapshot(): unknown {
    const masked = this.masked();
    this.dirty = masked; // the root after a masked one is still to show (a `[2]` settled at the end, say)
    this.replaced = false;
    this.credit = 0;
    this.shown = masked ? this.empty : this.root;
    return (this.last = masked ? this.empty : this.copy());
  }

  private copy(): unknown {
    const { stack } = this;
    // a duplicate key's open container is not shown yet (see JsonReader's `hidden`)
    return stack.length === 0 ? this.root : copyOpenPath(this.quiet() ? stack.slice(0, this.hidden) : stack, this.inValueString() ? this.buf : undefined);
  }
}
