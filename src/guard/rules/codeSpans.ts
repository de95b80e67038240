import { QUOTE_MARK, quoteDepth, quoteMarks } from '../../internal/blockQuote.js';

/**
 * A fence line's start, as regex source: up to 4 block quote marks (`> ```js`, see QUOTE_MARK), at most 8 spaces or tabs before its
 * run (in answers a fence indented that far is one nested in a list item, see {@link fenceIndent}; a deeper one is
 * text), as drift's fence reader (FenceLines) reads an unquoted one, then maybe a list item's marker when the fence
 * starts the item (`- ```js`, `1. ```sh`: such a line opens a fence and never closes one, see {@link bareFence}).
 * Shared by {@link CODE_MARKERS} and markdownRule. @internal
 */
export const FENCE_INDENT = `^(?:${QUOTE_MARK}){0,4}[ \\t]{0,8}(?:(?:[-*+]|\\d{1,9}[.)])[ \\t]{1,4})?`;
/** Whether a fence line's run comes first on it (after its quote marks, spaces and tabs), not after a list item's marker: only such a line closes a fence. @internal */
export const bareFence = (line: string): boolean => /^[ \t]*[`~]/.test(line.slice(quoteMarks(line).length));

/**
 * The Markdown code markers, as regex source for a multiline regex that also holds a rule's own
 * alternatives (one regex, so markers and matches arrive in text order): group 1 a fence line's
 * run of backticks or tildes (it matches only a whole line: a backtick fence's info string, group
 * 2, has no backtick, so "```npm install```" is inline code; a tilde fence's may, as in CommonMark,
 * markdownRule and drift), group 3 a run of backticks, group 4 a blank line, or the line break
 * after a quoted line (a `\n` alone, matched once the next line's quote marks have ended: the
 * character after them is in), or after a line whose start a scanner's buffer has dropped (it
 * may be quoted; a `\n` alone ends only a quoted fence, at a line with fewer marks, so one after
 * an unquoted line changes nothing). Every marker is at most {@link MARKER_SPAN} long, so a scanner that keeps that much
 * finds the same markers however the text streams: a fence line with an info string longer than
 * 50 characters is read as inline backticks (and a run of more than 20 backticks as several). A
 * fence line may be indented up to 8 (a fence nested in a list item, see {@link fenceIndent}), be
 * quoted and start a list item (see {@link FENCE_INDENT}); a quoted fence ends with its quote, at a
 * line with fewer marks (a blank line too), as markdownRule and extractCodeBlocks read it.
 * @internal
 */
export const CODE_MARKERS = `${FENCE_INDENT}(\`{3,20}|~{3,20})((?<=~)[^\\n]{0,50}|[^\`\\n]{0,50})(?![^\\n])|(\`{1,20})|(\\n(?:[ \\t\\r]{0,60}\\n|(?<=(?:^ {0,3}>|(?<![^]))[^\\n]*\\n)(?=[ >]{0,20}[^ >])))`;
/** The longest code marker: a fence line, 4 quote marks of 3 spaces, `>` and a space, 8 spaces, a 9-digit list marker and 4 spaces, 20 backticks and a 50-character info string. @internal */
export const MARKER_SPAN = 112;
/** One of these is in every code marker. @internal */
export const CODE_TRIGGERS = '`~\n';
/**
 * The indent of a fence line (a tab as 4): in answers a fence indented 4 or more is one nested in
 * a list item (CommonMark counts its indent from the item's text), not an indented code block's
 * text. A closing fence is indented less than 4 more than its opening one (CommonMark's 3, from
 * the item's text): a deeper one is the code's own (Markdown in a docstring). @internal
 */
export function fenceIndent(line: string): number {
  let width = 0;
  for (let i = 0; i < line.length && (line[i] === ' ' || line[i] === '\t'); i++) width += line[i] === '\t' ? 4 : 1;
  return width;
}

/**
 * Whether a fence line (`line`, its run and what follows the run) closes the open fence (its run, indent and quote
 * depth): the same character, at least as long, nothing after it, indented less than 4 more, at the same quote depth,
 * no list marker before it. markdownRule and CodeSpans close fences alike. @internal
 */
export function closes(line: string, run: string, rest: string, open: string, indent: number, depth: number): boolean {
  return run[0] === open[0] && run.length >= open.length && rest.trim() === '' && fenceIndent(line) < indent + 4 && bareFence(line) && quoteDepth(line) === depth;
}

/** The most matches an open inline span holds back; one more and its backticks were literal after all. */
const MOST_HELD = 64;

/**
 * Which matches are inside Markdown code, from the markers of {@link CODE_MARKERS} in text order:
 * a fenced block (until a fence line of the same character, at least as long, without info
 * string) and an inline span (until a run of exactly as many backticks). An inline span's end is
 * not known when it opens, and backticks that no run closes are literal: matches inside an open
 * span are held back and dropped when it closes, or handed to `replay` (in order, before what
 * follows) when a blank line, a fence, the end of the text or {@link MOST_HELD} held matches show
 * that it was not one. O(1) per marker or match.
 * @internal
 */
export class CodeSpans<T> {
  /** The open fence's run ('' outside one). */
  #fence = '';
  /** The open fence's {@link fenceIndent}. */
  #fenceIndent = 0;
  /** The open fence's {@link quoteDepth}. */
  #depth = 0;
  /** The open inline span's backtick count (0 outside one). */
  #ticks = 0;
  #held: T[] | undefined = undefined;
  readonly #replay: (item: T) => void;

  constructor(replay: (item: T) => void) {
    this.#replay = replay;
  }

  /** Reads `m` if it is a code marker (its groups from `g`, as in {@link CODE_MARKERS}): true then. */
  marker(m: RegExpExecArray, g: number): boolean {
    const fence = m[g];
    if (fence !== undefined) {
      if (this.#fence === '') {
        this.#literal();
        this.#fence = fence;
        this.#fenceIndent = fenceIndent(m[0]);
        this.#depth = quoteDepth(m[0]);
      } else if (closes(m[0], fence, m[g + 1]!, this.#fence, this.#fenceIndent, this.#depth)) this.#fence = '';
      return true;
    }
    const ticks = m[g + 2];
    if (ticks !== undefined) {
      if (this.#fence !== '') return true;
      if (this.#ticks === 0) this.#ticks = ticks.length;
      else if (ticks.length === this.#ticks) {
        this.#ticks = 0;
        this.#held = undefined;
      }
      return true;
    }
    if (m[g + 3] === undefined) return false;
    // a line with fewer quote marks ends the quote, and a fence in it (CommonMark; a blank line's marks are none); a
    // blank line ends a paragraph, and an inline span with it (a line break in a quote ends none)
    if (this.#fence !== '') {
      if (quoteDepth(m.input.slice(m.index + 1)) < this.#depth) this.#fence = '';
    } else if (m[g + 3]!.length > 1) this.#literal();
    return true;
  }

  /** Inside a fence or an open inline span: a match here may be code (ask {@link code}). */
  get open(): boolean {
    return this.#fence !== '' || this.#ticks !== 0;
  }

  /** Whether a match here is code: inside a fence (dropped), or inside an open inline span (held: see the class). */
  code(item: T): boolean {
    if (this.#fence !== '') return true;
    if (this.#ticks === 0) return false;
    if ((this.#held ??= []).length >= MOST_HELD) {
      this.#literal();
      return false;
    }
    this.#held.push(item);
    return true;
  }

  /** The end of the text: an inline span still open was literal backticks. */
  end(): void {
    this.#literal();
  }

  /**
   * Reads the markers of `text` (a resumed checkpoint) that it decides, keeping none of its matches: `re` is the scan's
   * regex (markers first, as {@link CODE_MARKERS}) and `settle` the characters it waits for after a match. The scan
   * reads the markers after those (TailScanner's floor): each marker is read once (one at the checkpoint's end was
   * read twice, a fence there opened and closed).
   */
  read(text: string, re: RegExp, settle: number): void {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null && m.index + m[0].length + settle < text.length; m = re.exec(text)) this.marker(m, 1);
    this.#held = undefined;
  }

  /** The open inline span was not one: its held matches are text. */
  #literal(): void {
    this.#ticks = 0;
    const held = this.#held;
    this.#held = undefined;
    if (held) for (const item of held) this.#replay(item);
  }
}
