import { readFileSync } from 'node:fs';

/** The JSDoc line of `file` (under src/) that draws a marble and whose description contains `label`. */
function drawnLine(file: string, label: string): string {
  const source = readFileSync(new URL(`../../src/${file}`, import.meta.url), 'utf8');
  const line = source.split('\n').find((l) => /^\s*\*\s{2,}\S/.test(l) && l.includes(label));
  if (!line) throw new Error(`${file} draws no marble line labelled "${label}"`);
  return line;
}

/** The marble of the JSDoc line of `file` (under src/) whose description contains `label`. */
export function drawn(file: string, label: string): string {
  return /^\s*\*\s+(.*?)\s{2,}/.exec(drawnLine(file, label))![1]!;
}

/**
 * {@link drawn}, with the column the marble starts at and the line's description: a line indented under another (a
 * reconnection's) starts at the frame of that column, counted from the other line's.
 */
export function drawnAt(file: string, label: string): { readonly marble: string; readonly column: number; readonly description: string } {
  const line = drawnLine(file, label);
  const [, lead, marble, description] = /^(\s*\*\s+)(.*?)\s{2,}(.*)$/.exec(line)!;
  return { marble: marble!, column: lead!.length, description: description! };
}
