/* String utilities for prompts and model output. Pure, total (any string in, a string out; anything else is a TypeError naming the argument). */
import { isHighSurrogate } from '../internal/surrogate.js';
import { checkText } from '../internal/options.js';

/**
 * `\r\n` and lone `\r` become `\n`.
 * @example import { normalizeNewlines } from 'l0-rx'; normalizeNewlines('a\r\nb'); // 'a\nb'
 */
export function normalizeNewlines(text: string): string {
  checkText('normalizeNewlines(text)', text);
  return text.replace(/\r\n?/g, '\n');
}

/**
 * Removes the indentation common to every non-blank line (a tab and a space are not the same
 * indentation: `'\ta\n  b'` stays as it is); other whitespace is kept, and line ends
 * come out as `\n` (as {@link normalizeNewlines} gives them).
 * @example import { dedent } from 'l0-rx'; dedent('  a\n    b'); // 'a\n  b'
 */
export function dedent(text: string): string {
  checkText('dedent(text)', text);
  const lines = text.replace(/\r\n?/g, '\n').split('\n'); // normalizeNewlines(text), without checking it twice
  // the longest indentation every non-blank line starts with: a tab and a space are not the same indentation
  let common: string | undefined;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const ws = /^[ \t]*/.exec(line)![0];
    let i = 0;
    while (i < ws.length && (common ?? ws)[i] === ws[i]) i++;
    common = ws.slice(0, i);
  }
  const n = common?.length ?? 0;
  return lines.map((l) => l.slice(Math.min(n, /^[ \t]*/.exec(l)![0].length))).join('\n');
}

/**
 * Cuts text to at most `max` characters (UTF-16 units) including `suffix`, never splitting a
 * surrogate pair (an emoji stays whole or goes).
 * @example import { truncate } from 'l0-rx'; truncate('Hello world', 8); // 'Hello w…'
 */
export function truncate(text: string, max: number, suffix = '…'): string {
  checkText('truncate(text)', text);
  checkText('truncate(text, max, suffix)', suffix);
  if (!Number.isInteger(max) || max < 0) throw new TypeError(`truncate(text, max) must have a non-negative integer max, got ${String(max)}`);
  if (text.length <= max) return text;
  let end = Math.max(0, max - suffix.length);
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  // a suffix longer than max is cut too, never inside a surrogate pair
  const cut = max > 0 && max < suffix.length && isHighSurrogate(suffix.charCodeAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end) + suffix.slice(0, cut);
}

const HTML: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes `& < > " '` for HTML. @example import { escapeHtml } from 'l0-rx'; escapeHtml('<b>'); // '&lt;b&gt;' */
export function escapeHtml(text: string): string {
  checkText('escapeHtml(text)', text);
  return text.replace(/[&<>"']/g, (c) => HTML[c]!);
}

/**
 * Escapes every RegExp metacharacter, so the result matches the text literally as a pattern with
 * or without the `u` and `v` flags (and inside a character class, except with `v`, which reserves
 * pairs such as `&&`): a backslash before `. * + ? ^ $ { } ( ) | [ ] \ /`, and `-` as `\x2d` (as
 * `RegExp.escape` does; `\-` is a SyntaxError with `u` and `v`).
 * @example import { escapeRegex } from 'l0-rx'; new RegExp(escapeRegex('a.b')); escapeRegex('a-b'); // 'a\\x2db'
 */
export function escapeRegex(text: string): string {
  checkText('escapeRegex(text)', text);
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, (c) => (c === '-' ? '\\x2d' : `\\${c}`));
}

/**
 * Removes ANSI colour and cursor sequences (CSI) and OSC sequences such as titles and OSC 8
 * hyperlinks, ended by BEL or by ST (`ESC \`); an OSC without its terminator stays. Linear time.
 * @example import { removeAnsi } from 'l0-rx'; removeAnsi('\u001b[31mred\u001b[0m'); // 'red'
 */
export function removeAnsi(text: string): string {
  checkText('removeAnsi(text)', text);
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g, '');
}

/** Removes control characters except newline and tab. @example import { sanitize } from 'l0-rx'; sanitize('a\u0000b'); // 'ab' */
export function sanitize(text: string): string {
  checkText('sanitize(text)', text);
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}
