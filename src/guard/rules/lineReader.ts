import { FindingRun } from '../guardRule.js';

/** A line without the `\r` of a CRLF line end. */
const withoutCr = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line);

/**
 * Cuts a growing text into lines as they complete, in O(delta): each character is looked at once. A
 * CRLF line end counts as one (the `\r` is dropped).
 * A subclass receives each line in `line` and reports what it finds ({@link FindingRun}).
 * @internal
 */
export abstract class LineReader extends FindingRun {
  #partial = '';
  /** Offset of the start of the current (unfinished) line. */
  #lineStart = 0;
  /** Where the text decided the line handed to `line` while streaming: just past its `\n` (see DECIDED). */
  protected decided = 0;

  /** Calls `line` with each line `delta` completes (without its `\n` or `\r\n`) and the line's offset. */
  protected feed(delta: string): void {
    let from = 0;
    let nl = delta.indexOf('\n');
    while (nl >= 0) {
      const text = this.#partial + delta.slice(from, nl);
      const start = this.#lineStart;
      this.#partial = '';
      this.#lineStart = this.decided = start + text.length + 1;
      this.line(withoutCr(text), start);
      from = nl + 1;
      nl = delta.indexOf('\n', from);
    }
    if (from < delta.length) this.#partial += from === 0 ? delta : delta.slice(from);
  }

  /** Hands over the unfinished last line, at completion. */
  protected flush(): void {
    if (this.#partial !== '') this.line(withoutCr(this.#partial), this.#lineStart);
    this.#partial = '';
  }

  /** One complete line and its offset in the text. */
  protected abstract line(text: string, position: number): void;
}
