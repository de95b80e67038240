import type { FinishReason } from '../../events/eventTypes.js';
import { builtInRule, openAtEnd, SCAN_INTERVAL } from './builtInRule.js';
import { DECIDED, type GuardFinding, type GuardRule, type GuardRuleRun } from '../guardRule.js';
import { closes, FENCE_INDENT, fenceIndent } from './codeSpans.js';
import { quoteDepth } from '../../internal/blockQuote.js';
import { LineReader } from './lineReader.js';

/**
 * A fence line; a backtick fence's info string has no backtick (CommonMark), so a line of inline
 * ```code``` is text. Indented up to 8 spaces or tabs (a list item's fence; deeper, it is text),
 * maybe quoted (`> ```js`: it ends with its quote) or starting a list item (`- ```js`), and closed
 * only by a fence indented less than 4 more than it, at its quote depth, with no list marker (see
 * closes): the fences the code-aware patterns read. A CR inside the line is part of it, as there.
 */
const FENCE = /*#__PURE__*/ new RegExp(`${FENCE_INDENT}(\`{3,}(?=[^\`]*$)|~{3,})([^]*)$`);
const TABLE_SEPARATOR = /^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$/;
const LIST_ITEM = /^(\s*)(?:([-*+])|(\d{1,9})[.)])\s/;

/** The number of cells of a table row: its unescaped pipes, minus the outer ones. */
function cells(row: string): number {
  const t = row.trim();
  let pipes = 0;
  for (let i = 0; i < t.length; i++) if (t[i] === '|' && t[i - 1] !== '\\') pipes++;
  return pipes + 1 - (t.startsWith('|') ? 1 : 0) - (t.endsWith('|') && t.length > 1 ? 1 : 0);
}

/** Markdown structure, line by line in O(delta): one attempt of {@link markdownRule}. */
class MarkdownRun extends LineReader implements GuardRuleRun {
  #fence: string | undefined = undefined;
  /** The open fence's indent, a tab as 4 spaces, and its block quote depth. */
  #fenceIndent = 0;
  #depth = 0;
  #previous = '';
  #columns = 0;
  /** Per indent, whether the open list there is ordered (allocated at the first list item). */
  #lists: Map<number, boolean> | undefined = undefined;
  #reportedTable = false;
  #reportedList = false;

  check(delta: string): GuardFinding[] | undefined {
    this.feed(delta);
    return this.takeFindings();
  }

  resume(checkpoint: string): void {
    this.check(checkpoint);
  }

  /**
   * An open fence at the end: an `error` when the model ended the answer there, a `warning` when
   * the token limit cut it (`length`: the finish reason reports the cut, and a retry under the
   * same limit would be cut again, so failing the attempt only spends attempts).
   */
  complete(_text: string, finishReason?: FinishReason): GuardFinding[] {
    this.flush();
    const found = this.takeFindings() ?? [];
    if (this.#fence !== undefined) found.push(openAtEnd('the answer ends inside a code fence', finishReason));
    return found;
  }

  protected line(text: string, position: number): void {
    const fence = FENCE.exec(text);
    if (this.#fence !== undefined) {
      if (quoteDepth(text) >= this.#depth) {
        if (fence && closes(text, fence[1]!, fence[2]!, this.#fence, this.#fenceIndent, this.#depth)) this.#fence = undefined;
        return;
      }
      // a line without the `>` marks ends the block quote, and the fence in it (CommonMark): it is read as any other
      this.#fence = undefined;
    }
    if (fence) {
      this.#fence = fence[1];
      this.#fenceIndent = fenceIndent(text);
      this.#depth = quoteDepth(text);
      this.#columns = 0;
      return;
    }
    const finding = this.#table(text, position) ?? this.#list(text, position);
    this.#previous = text;
    // decided at the line's end (see DECIDED)
    if (finding) this.report({ ...finding, [DECIDED]: this.decided });
  }

  #table(text: string, position: number): GuardFinding | undefined {
    if (!text.includes('|')) {
      this.#columns = 0;
      return undefined;
    }
    if (this.#columns === 0) {
      if (TABLE_SEPARATOR.test(text) && this.#previous.includes('|')) this.#columns = cells(this.#previous);
      return undefined;
    }
    if (cells(text) === this.#columns || this.#reportedTable) return undefined;
    this.#reportedTable = true;
    return { message: `a table row has ${cells(text)} cells, the header ${this.#columns}`, severity: 'warning', position };
  }

  #list(text: string, position: number): GuardFinding | undefined {
    const item = LIST_ITEM.exec(text);
    if (!item) {
      // a blank line, or an unindented line that is no item (a heading, a `**Notes:**` label), ends the lists: one after it is another list
      if (text.trim() === '' || !/^\s/.test(text)) this.#lists?.clear();
      return undefined;
    }
    const indent = item[1]!.length;
    const ordered = item[3] !== undefined;
    const lists = (this.#lists ??= new Map());
    // an item ends the sublists deeper than it: the next sublist there has another parent
    for (const deeper of lists.keys()) if (deeper > indent) lists.delete(deeper);
    const before = lists.get(indent);
    lists.set(indent, ordered);
    if (before === undefined || before === ordered || this.#reportedList) return undefined;
    this.#reportedList = true;
    return { message: 'a list switches between ordered and unordered items at the same level', severity: 'warning', position };
  }
}

/**
 * Checks Markdown structure as it streams: code fences (an answer that ends inside a fence is an
 * `error`; only a `warning` when it ends with `finishReason: 'length'`: the token limit cut it, the
 * finish reason says so, and a retry under the same limit would be cut again), tables whose rows disagree with their header (`warning`), and lists that switch between
 * ordered and unordered items at one level (`warning`; sublists of different parents, and lists
 * with a blank line, a heading or another unindented line between them, are different lists). Each line is read once, when it completes; CRLF line ends are read as LF. A line such as
 * ```npm install``` is inline code, not a fence. Text without Markdown never triggers it.
 *
 *   -a-b-x|       tokens "```js\n", "x = 1", x complete
 *   -a-b-(v#)     guard([markdownRule()])   (v: ends inside a code fence)
 *
 * @example
 * import { guard, markdownRule } from 'l0-rx';
 * events$.pipe(guard([markdownRule()]));
 */
export function markdownRule(): GuardRule {
  return builtInRule({
    name: 'markdown-structure',
    severity: 'error',
    interval: SCAN_INTERVAL,
    create: (): GuardRuleRun => new MarkdownRun(),
  } satisfies GuardRule, false);
}
