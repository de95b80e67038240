/**
 * Comments outside strings, and the URLs whose `//` is no comment, as jsonrepair reads them: one
 * reading for extraction's balanced scan, repair's diagnosis and the partial parser's skip. Internal.
 */

/** The text before a `//` that makes it a URL's, as jsonrepair reads one: a scheme it knows, as a word of its own (`s3://` and `sftp://` are comments to it); jsonrepair also wants the scheme to begin the value (`see https://x` is a comment to it): a known difference. */
const URL_SCHEME = /(?:^|\W)(?:https?|ftp|mailto|file|data|irc):$/;
/** How far before a `//` {@link URL_SCHEME} looks: `mailto:` and the character before it. @internal Shared with the partial parser. */
export const SCHEME_GAP = 8;

/** A character jsonrepair reads a URL on over after its `//` (its regexUrlChar: no `[`, `]` or `,`, JSON's delimiters). @internal Shared with the partial parser. */
export const URL_CHAR = /[\w.~:/?#@!$&'()*+;=-]/;

/** True when the `//` at `text[i]` is a URL's, as jsonrepair reads one: `https://x`, never `s3://x`. @internal Shared with repair. */
export function urlAt(text: string, i: number): boolean {
  return text[i] === '/' && text[i + 1] === '/' && URL_SCHEME.test(text.slice(Math.max(0, i - SCHEME_GAP), i));
}

/**
 * Where a comment at `text[i]` ends, as repair removes it: a `//`, or a Python `#` before white
 * space (`#fff` is a value), at the line break after it, a `/*` at the `/` of its `*\/`, either at
 * the end of the text when that comes first; `i` when none starts there. The `//` of a URL
 * ({@link urlAt}) starts none: its end is the URL's last character, as jsonrepair reads the URL on
 * over its characters ({@link URL_CHAR}), so a `//`, `#` or `'` later in it is the URL's
 * (`https://x.com//a`). @internal Shared with repair and the partial parser.
 */
export function commentEnd(text: string, i: number): number {
  const ch = text[i];
  const next = text[i + 1];
  if (urlAt(text, i)) {
    let end = i + 2;
    while (end < text.length && URL_CHAR.test(text[end]!)) end++;
    return end - 1;
  }
  const block = ch === '/' && next === '*';
  const line = ch === '#' ? /\s/.test(next!) : ch === '/' && next === '/';
  if (!block && !line) return i;
  const end = block ? text.indexOf('*/', i + 2) + 1 : text.indexOf('\n', i);
  return end > 0 ? end : text.length;
}
