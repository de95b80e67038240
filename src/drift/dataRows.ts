/* What the repetition check takes for rows of data. Internal: never re-exported. */

/**
 * Whether a 480-character `window` that repeats its last `period` characters is data, whose exact
 * repeats are ordinary: inside a ``` code fence (`inCode`), or rows: a unit of whole lines (one
 * line running on is a runaway) of mostly digits, punctuation and symbols (fewer letters than
 * half its other visible characters: a zero matrix's rows), or lines that are all table rows
 * (`| a | b |`) or delimited records (a `,`, tab or `;` and no sentence end: CSV rows). Only
 * looked at where the tail check found a loop.
 * @internal
 */
export function isData(window: string, period: number, inCode: boolean): boolean {
  if (inCode) return true;
  const unit = window.slice(-period);
  // one line running on ("0, 0, 0, 0, ..." for 480 characters) is a runaway, not rows of data
  if (unit.indexOf('\n') < 0) return false;
  let letters = 0;
  let visible = 0;
  for (let i = 0; i < unit.length; i++) {
    const c = unit.charCodeAt(i);
    if (c <= 32) continue;
    visible++;
    if ((c | 32) >= 97 && (c | 32) <= 122) letters++;
    else if (c >= 128) letters++; // most non-ASCII text is letters
  }
  if (2 * letters < visible) return true;
  // whole lines: from the window's first line start (the loop's lines, each seen at least twice)
  const first = window.indexOf('\n');
  const lines = window.slice(first + 1).split('\n');
  lines.pop(); // the last may be cut
  return lines.length > 0 && lines.every((line) => TABLE_ROW.test(line) || (RECORD.test(line) && !SENTENCE_END.test(line)));
}

/** A Markdown table row; a delimited record's separator; a sentence's end inside or at the end of a line. */
const TABLE_ROW = /^\s*\|/;
const RECORD = /[,\t;]/;
const SENTENCE_END = /[.!?](?:\s|$)/;
