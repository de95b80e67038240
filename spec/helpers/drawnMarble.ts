import { readFileSync } from 'node:fs';

/** The marble of the JSDoc line of `file` (under src/) whose description contains `label`. */
export function drawn(file: string, label: string): string {
  const source = readFileSync(new URL(`../../src/${file}`, import.meta.url), 'utf8');
  const line = source.split('\n').find((l) => /^\s*\*\s{2,}\S/.test(l) && l.includes(label));
  if (!line) throw new Error(`${file} draws no marble line labelled "${label}"`);
  return /^\s*\*\s+(.*?)\s{2,}/.exec(line)![1]!;
}
