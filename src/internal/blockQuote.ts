/**
 * One block quote mark as CommonMark reads it, as regex source: up to 3 spaces of indentation, `>`, an
 * optional space (4 spaces start an indented code block, not a quote). The one rule of every reader of
 * `>` marks: extractCodeBlocks, markdownRule and the code-aware scans (see CODE_MARKERS). @internal
 */
export const QUOTE_MARK = ' {0,3}> ?';

const MARKS = /*#__PURE__*/ new RegExp(`^(?:${QUOTE_MARK})*`);

/** A line's block quote marks: its leading {@link QUOTE_MARK}s, with their spaces. @internal */
export const quoteMarks = (line: string): string => MARKS.exec(line)![0];

/** A line's block quote depth: the number of its marks. @internal */
export const quoteDepth = (line: string): number => quoteMarks(line).split('>').length - 1;
