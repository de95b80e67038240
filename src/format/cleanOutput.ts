import { checkBag, checkKeys, checkText, optionError, optionKeys, optionPath } from '../internal/options.js';
import { normalizeNewlines } from './text.js';

/** Options of {@link cleanOutput}; every step is on by default except `collapseWhitespace`. */
export interface CleanOutputConfig {
  /** `\r\n` and `\r` become `\n`. @default true */
  readonly normalizeNewlines?: boolean;
  /** Unwrap text that is one Markdown fence as a whole (```` ```json … ``` ````). @default true */
  readonly stripFences?: boolean;
  /** Remove trailing spaces on each line. @default true */
  readonly trimLines?: boolean;
  /** Collapse runs of blank lines to one and runs of spaces inside lines to one (destroys indentation). @default false */
  readonly collapseWhitespace?: boolean;
  /** Trim the whole text. @default true */
  readonly trim?: boolean;
}

const KEYS = /*#__PURE__*/ optionKeys<CleanOutputConfig>()(['normalizeNewlines', 'stripFences', 'trimLines', 'collapseWhitespace', 'trim']);
const PATH = /*#__PURE__*/ optionPath('cleanOutput', 'text, ');
const OPEN_FENCE = /^(?:`{3,}[^`]*|~{3,}[\s\S]*)$/;

/**
 * The content of text that is one fenced block as a whole: its first line opens a fence, its last
 * line is the first line after it that closes the fence (the same character, at least as long, only
 * spaces after); otherwise `undefined`. Two blocks with prose between them are not one block.
 */
function unwrapFence(text: string): string | undefined {
  const lines = text.split('\n');
  if (lines.length < 2 || !OPEN_FENCE.test(lines[0]!)) return undefined;
  const fence = /^(`+|~+)/.exec(lines[0]!)![1]!;
  const close = new RegExp(`^${fence[0]}{${fence.length},}[ \\t\\r]*$`);
  const end = lines.findIndex((line, i) => i > 0 && close.test(line));
  return end === lines.length - 1 ? lines.slice(1, end).join('\n') : undefined;
}

/* A line's text, up to any line terminator (where `$` matches with the m flag). */
const LINE = /[^\n\r\u2028\u2029]+/g;

/** The line without its trailing spaces and tabs, in linear time (`/[ \t]+$/gm` is quadratic on a long run of spaces inside a line). */
function trimLineEnd(line: string): string {
  let end = line.length;
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  return line.slice(0, end);
}

/**
 * Tidies a model's answer without touching its words: newlines normalised, a fence that wraps
 * the whole answer removed (one block whose opening and closing lines are the answer's first and
 * last lines: two blocks with prose between them stay), trailing spaces and surrounding blank lines
 * trimmed. Prose is never cut by pattern (L0's version turned "Here is the JSON: {…}" into "SON: {…}").
 *
 *   '```json\n{"a": 1}\n```\n'  ->  '{"a": 1}'
 *   'Hello  \r\nworld  '        ->  'Hello\nworld'
 *
 * @example
 * import { cleanOutput } from 'l0-rx';
 * cleanOutput(answer, { collapseWhitespace: true });
 * @param text The model's answer.
 * @param config See {@link CleanOutputConfig}.
 */
export function cleanOutput(text: string, config: CleanOutputConfig = {}): string {
  checkText('cleanOutput(text)', text);
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { normalizeNewlines: newlines = true, stripFences = true, trimLines = true, collapseWhitespace = false, trim = true } = config;
  for (const [key, v] of Object.entries({ normalizeNewlines: newlines, stripFences, trimLines, collapseWhitespace, trim })) {
    if (typeof v !== 'boolean') throw optionError(PATH, key, 'a boolean', v);
  }
  let out = newlines ? normalizeNewlines(text) : text;
  if (stripFences) {
    const inner = unwrapFence(out.trim());
    if (inner !== undefined) out = inner;
  }
  if (trimLines) out = out.replace(LINE, trimLineEnd);
  if (collapseWhitespace) out = out.replace(/\n{3,}/g, '\n\n').replace(/[ \t]{2,}/g, ' ');
  return trim ? out.trim() : out;
}
