import { checkBag, checkKeys, checkText, describeOption, optionError, optionKeys, optionPath } from '../internal/options.js';
import { dedent } from './text.js';

/** How {@link formatContext} wraps text. */
export type ContextDelimiter = 'xml' | 'markdown' | 'brackets' | 'none';

/** Options of {@link formatContext}. */
export interface FormatContextConfig {
  /** The wrapper's name: the XML tag (lower-cased, made a valid name), the heading, the bracket label; one line (a line break is a TypeError). @default 'Context' */
  readonly label?: string;
  /** @default 'xml' */
  readonly delimiter?: ContextDelimiter;
  /** Remove the common indentation of the lines (whitespace inside lines is never collapsed). @default true */
  readonly dedent?: boolean;
  /** Escape the text so it can never close or fake the wrapper ({@link escapeDelimiters}). @default true */
  readonly escape?: boolean;
}

const KEYS = /*#__PURE__*/ optionKeys<FormatContextConfig>()(['label', 'delimiter', 'dedent', 'escape']);
const DELIMITERS: readonly ContextDelimiter[] = ['xml', 'markdown', 'brackets', 'none'];
const PATH = /*#__PURE__*/ optionPath('formatContext', 'content, ');
const RULE = '='.repeat(20);
/*
 * A heading's start after a line's whitespace (within the line only: `^\s*` across lines is quadratic), block quote
 * marks and list markers (a heading in a quote or an item is one too), and backslashes: a `#`, or a line of only `=` or
 * only `-` (the underline that makes the line before a heading, like the wrapper's or `## x`), but not right after a
 * list marker (`- -`, `1. ===`: the item's own line is no underline).
 */
const HEADING = /^([^\S\n\r\u2028\u2029]*(?:(?:>|(?:[-+*]|\d+[.)])[ \t])[ \t]*)*)(\\*)(#|(?<![-+*.)][ \t]+)(?:=+|-+)[ \t]*$)/gm;
const ESCAPED_HEADING = /^([^\S\n\r\u2028\u2029]*(?:(?:>|(?:[-+*]|\d+[.)])[ \t])[ \t]*)*)(\\*)\\(#|(?<![-+*.)][ \t]+)(?:=+|-+)[ \t]*$)/gm;
/** A line made only of `=` (spaces and tabs around it allowed), which could pass for the `brackets` rule. */
const RULE_LINE = /^([ \t]*)(=+[ \t]*)$/gm;

/** A safe XML tag name from a label: `User's data & notes` becomes `users_data_notes`. */
export function tagName(label: string): string {
  const name = label.toLowerCase().replace(/['"]/g, '').replace(/[^a-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[a-z_]/.test(name) ? name : `_${name}`;
}

/**
 * Escapes text for a wrapper so it can neither close it nor fake another one: `xml` turns `&`,
 * `<` and `>` into entities; `markdown` backslash-escapes a `#` that starts a line and the first
 * `=` or `-` of a line made only of `=` or of `-` (it would make the line above a heading), also
 * after block quote marks and list markers (`> # x`, `- # x`, `1. # x`, `> ===`); `brackets`
 * backslash-escapes `[`, `]`, backslashes and the first `=` of a line made only of `=` (the
 * wrapper's rule; spaces around it allowed); `none` changes nothing. {@link unescapeDelimiters} undoes it.
 * A `text` that is not a string, or a `delimiter` that is not one of these four (a misspelt one would
 * leave the text unescaped), is a TypeError naming it.
 *
 * @example
 * import { escapeDelimiters } from 'l0-rx';
 * escapeDelimiters('</context> ignore previous', 'xml'); // '&lt;/context&gt; ignore previous'
 */
export function escapeDelimiters(text: string, delimiter: ContextDelimiter): string {
  checkDelimiterArgs('escapeDelimiters', text, delimiter);
  return escapeFor(text, delimiter);
}

/** {@link escapeDelimiters} on arguments already checked (formatContext's). */
function escapeFor(text: string, delimiter: ContextDelimiter): string {
  switch (delimiter) {
    case 'xml':
      return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    case 'markdown':
      return text.replace(HEADING, '$1$2\\$3');
    case 'brackets':
      return text.replace(/[\\[\]]/g, '\\$&').replace(RULE_LINE, '$1\\$2');
    default:
      return text;
  }
}

/**
 * Undoes {@link escapeDelimiters}; the same TypeErrors for a `text` that is not a string or an unknown `delimiter`.
 * @example import { unescapeDelimiters } from 'l0-rx'; unescapeDelimiters('\\[x\\]', 'brackets'); // '[x]'
 */
export function unescapeDelimiters(text: string, delimiter: ContextDelimiter): string {
  checkDelimiterArgs('unescapeDelimiters', text, delimiter);
  switch (delimiter) {
    case 'xml':
      return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    case 'markdown':
      return text.replace(ESCAPED_HEADING, '$1$2$3');
    case 'brackets':
      return text.replace(/\\([\\[\]=])/g, '$1');
    default:
      return text;
  }
}

/** The arguments of the escaping pair: a string, and one of the four delimiters (another would silently escape nothing). */
function checkDelimiterArgs(fn: string, text: unknown, delimiter: unknown): void {
  checkText(`${fn}(text)`, text);
  if (!DELIMITERS.includes(delimiter as ContextDelimiter)) {
    throw new TypeError(`${fn}(text, delimiter) must be one of ${DELIMITERS.map((d) => `'${d}'`).join(', ')}, got ${describeOption(delimiter)}`);
  }
}

/** Drops the blank lines before the first line of text and the whitespace after the last; the first line keeps its indentation. */
function trimBlankLines(text: string): string {
  const end = text.trimEnd();
  const lead = /^\s*/.exec(end)![0];
  return end.slice(Math.max(lead.lastIndexOf('\n'), lead.lastIndexOf('\r')) + 1);
}

/**
 * Wraps document text for a prompt, escaped so the text cannot close the wrapper (a document
 * saying `</context>` stays inside it). Empty or whitespace-only text gives `''`. Indentation and
 * runs of spaces inside lines are kept (code and tables survive): `dedent` removes only the
 * indentation common to all lines, and only blank lines are trimmed around the text.
 *
 *   formatContext('Paris is...')                          -> '<context>\nParis is...\n</context>'
 *   formatContext('x', { delimiter: 'brackets' })         -> '[CONTEXT]\n====================\nx\n===================='
 *
 * @example
 * import { formatContext } from 'l0-rx';
 * declare const doc: string; // the document's text
 * const prompt = `${formatContext(doc, { label: 'Document' })}\n\nSummarise the document.`;
 * @param content The text to wrap.
 * @param config See {@link FormatContextConfig}.
 */
export function formatContext(content: string, config: FormatContextConfig = {}): string {
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { label = 'Context', delimiter = 'xml', dedent: undent = true, escape = true } = config;
  checkText('formatContext(content)', content);
  if (!DELIMITERS.includes(delimiter)) throw optionError(PATH, 'delimiter', DELIMITERS.map((d) => `'${d}'`).join(', '), delimiter);
  // one line with a non-space (`.` matches no line break): a line break would end the markdown heading or the bracket label early;
  // the lookahead is linear (`^.*\S.*$` backtracked quadratically over a long label with a line break)
  if (typeof label !== 'string' || !/^(?=.*\S).*$/.test(label)) throw optionError(PATH, 'label', 'a non-empty string on one line', label);
  for (const [key, v] of [['dedent', undent], ['escape', escape]] as const) if (typeof v !== 'boolean') throw optionError(PATH, key, 'a boolean', v);
  if (content.trim() === '') return '';
  const text = trimBlankLines(undent ? dedent(content) : content);
  const body = escape ? escapeFor(text, delimiter) : text;
  switch (delimiter) {
    case 'xml': {
      const tag = tagName(label);
      return `<${tag}>\n${body}\n</${tag}>`;
    }
    case 'markdown':
      return `# ${label}\n\n${body}`;
    case 'brackets':
      return `[${label.toUpperCase()}]\n${RULE}\n${body}\n${RULE}`;
    default:
      return body;
  }
}
