/** @test {README.md} */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyError, toL0Error } from 'l0-rx';
import { fakeError } from 'l0-rx/testing';

// The README's HTTP status table ("How each HTTP status is read") against the classification:
// each status a row names, as the openai SDK throws it, gets the row's code, category, reason and
// retry verdict.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The rows of the table whose header is `header`, as trimmed cells. */
function table(header: string): string[][] {
  const lines = readme.slice(readme.indexOf(header)).split('\n');
  if (!lines[0]!.startsWith(header)) throw new Error(`README has no table headed "${header}"`);
  return lines.slice(2, lines.findIndex((line) => !line.startsWith('|'))).map((line) => line.slice(1, -1).split(' | ').map((c) => c.trim()));
}

/** The statuses a first cell names: numbers as they are, `other 4xx` as 418 and 451, `5xx` as 500, 502, 503 and 599. */
function statuses(cell: string): number[] {
  const named = [...cell.matchAll(/\b\d{3}\b/g)].map((m) => Number(m[0]));
  if (cell.includes('other 4xx')) named.push(418, 451);
  if (cell.includes('5xx')) named.push(500, 502, 503, 599);
  return named;
}

describe("README's HTTP status table", () => {
  const rows = table('| status | `code` | `category` (`reason`) | retried |');

  it('should hold a row for each family of statuses', () => {
    expect(rows.flatMap(([cell]) => statuses(cell!)).length).toBeGreaterThanOrEqual(20);
  });

  it.each(rows)('should read %s as the row says', (cell, code, category, retried) => {
    for (const status of statuses(cell)) {
      const error = toL0Error(fakeError({ status }));
      const classified = classifyError(fakeError({ status }));
      expect(error.code, String(status)).toBe(/^`(\w+)`/.exec(code)![1]);
      expect(classified.category, String(status)).toBe(/^`([\w-]+)`/.exec(category)![1]);
      const reason = /^`[\w-]+` \(`(\w+)`\)/.exec(category)?.[1];
      if (reason !== undefined) expect(classified.reason, String(status)).toBe(reason);
      expect(classified.retryable, String(status)).toBe(retried.startsWith('yes'));
    }
  });
});
