import { checkText } from '../internal/options.js';
import { QUOTE_MARK, quoteDepth, quoteMarks } from '../internal/blockQuote.js';

/** A fenced code block found by {@link extractCodeBlocks}. */
export interface CodeBlock {
  /** The info string's first word, lower-cased (`''` when none); `{r}`, `{.python …}`, `js{1,3}` and `rust,no_run` give `r`, `python`, `js` and `rust`. */
  readonly language: string;
  readonly code: string;
  /** The fence was never closed (the answer was cut, or the block quote it is in ended first). */
  readonly unclosed: boolean;
}

/*
 * A line that opens a fence, after its block quote marks (quoteMarks): its indentation with a list item's marker (`- `, `1. `)
 * if the fence starts the item, the fence, the rest (the info string). As in CommonMark, a backtick fence's info string
 * has no backtick ("```js```" on one line is inline code, not a fence): checked apart, since a pattern that also splits
 * the info into words backtracks quadratically on a long info string ending in a backtick.
 */
const OPEN = /^([ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?)(`{3,}|~{3,})([\s\S]*)$/;
/** The info string's first word, out of pandoc's and R Markdown's braces (`{r}`, `{.python}`), before line numbers (`js{1,3}`) and rustdoc's attributes (`rust,no_run`). */
const INFO = /^[ \t]*\{?\.?([^\s`{},]*)/;

/** The line without the block quote marks `marks` matches (its first depth ones), or `undefined` when it has fewer (the quote, and a fence in it, ended). */
const unquote = (line: string, marks: RegExp): string | undefined => (marks.test(line) ? line.replace(marks, '') : undefined);

/** The line without up to `n` characters of its leading spaces and tabs. */
function outdent(line: string, n: number): string {
  let i = 0;
  while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
  return line.slice(i);
}

/**
 * Every fenced code block in Markdown text, in order: backtick or tilde fences of three or more,
 * closed by a fence of the same character at least as long; a fence still open at the end is
 * returned with `unclosed: true`. With `language`, only blocks of that language (case-insensitive).
 * As in CommonMark, when the opening fence is indented by N spaces or tabs, or starts a list item
 * (`- ```js`: N is the marker's width), up to N of them are removed from the start of each line of
 * its code; a fence in a block quote (`> ```js`) takes its code from the quote's lines, without
 * their `>` marks, and ends with the quote.
 *
 *   'Run:\n```sh\nnpm i\n```'                 ->  [{ language: 'sh', code: 'npm i', unclosed: false }]
 *   '1. Run:\n   ```sh\n   npm i\n   ```'     ->  [{ language: 'sh', code: 'npm i', unclosed: false }]
 *   '> ```sh\n> npm i\n> ```'                 ->  [{ language: 'sh', code: 'npm i', unclosed: false }]
 *
 * @example
 * import { extractCodeBlocks } from 'l0-rx';
 * for (const { language, code } of extractCodeBlocks(answer)) console.log(language, code);
 * @param text Markdown.
 * @param language Keep only blocks of this language.
 */
export function extractCodeBlocks(text: string, language?: string): CodeBlock[] {
  return findBlocks(text, language, 'extractCodeBlocks');
}

/** The blocks, after a TypeError naming `call`'s argument when `text` or `language` is not a string. */
function findBlocks(text: string, language: string | undefined, call: string): CodeBlock[] {
  checkText(`${call}(text)`, text);
  if (language !== undefined) checkText(`${call}(text, language)`, language);
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const quotes = quoteMarks(lines[i]!);
    const open = OPEN.exec(lines[i]!.slice(quotes.length));
    if (!open || (open[2]![0] === '`' && open[3]!.includes('`'))) continue;
    const depth = quoteDepth(quotes);
    const [, indent, fence, rest] = open as unknown as [string, string, string, string];
    const close = new RegExp(`^[ \\t]*${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`);
    const marks = new RegExp(`^(?:${QUOTE_MARK}){${depth}}`);
    const code: string[] = [];
    let line: string | undefined;
    let j = i + 1;
    for (; j < lines.length && (line = unquote(lines[j]!, marks)) !== undefined && !close.test(line); j++) code.push(outdent(line, indent.length));
    const closed = j < lines.length && line !== undefined;
    blocks.push({ language: INFO.exec(rest)![1]!.toLowerCase(), code: code.join('\n'), unclosed: !closed });
    // past the closing fence; a line that ended the quote may open a block itself
    i = closed ? j : j - 1;
  }
  const want = language?.toLowerCase();
  return want === undefined ? blocks : blocks.filter((b) => b.language === want);
}

/**
 * The code of the first fenced block (of `language`, when given), or `undefined`.
 * @example
 * import { extractCode } from 'l0-rx';
 * const sql = extractCode(answer, 'sql');
 */
export function extractCode(text: string, language?: string): string | undefined {
  return findBlocks(text, language, 'extractCode')[0]?.code;
}
