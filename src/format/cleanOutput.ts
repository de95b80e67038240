import { checkBag, checkKeys, optionKeys, optionPath } from '../internal/options.js';
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
const WHOLE_FENCE = /^(`{3,}|~{3,})[^\n`]*\n([\s\S]*?)\n?\1[ \t]*$/;

/**
 * Tidies a model's answer without touching its words: newlines normalised, a fence that wraps
 * the whole answer removed, trailing spaces and surrounding blank lines trimmed. Prose is never
 * cut by pattern (L0's version turned "Here is the JSON: {…}" into "SON: {…}").
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
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { normalizeNewlines: newlines = true, stripFences = true, trimLines = true, collapseWhitespace = false, trim = true } = config;
  let out = newlines ? normalizeNewlines(text) : text;
  if (stripFences) {
    const m = WHOLE_FENCE.exec(out.trim());
    if (m) out = m[2]!;
  }
  if (trimLines) out = out.replace(/[ \t]+$/gm, '');
  if (collapseWhitespace) out = out.replace(/\n{3,}/g, '\n\n').replace(/[ \t]{2,}/g, ' ');
  return trim ? out.trim() : out;
}
