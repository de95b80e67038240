import { FindingRun } from '../guardRule.js';

/**
 * Cuts a growing text into lines as they complete, in O(delta): each character is looked at once.
 * A subclass receives each line in `line` and reports what it finds ({@link FindingRun}).
 * @internal
 */
export abstract class LineReader extends FindingRun {
  #partial = '';
  /** Offset of the start of the current (unfinished) line. */
  #lineStart = 0;

  /** Calls `line` with each line `delta` completes (without its newline) and the line's offset. */
  protected feed(delta: string): void {
    let from = 0;
    let nl = delta.indexOf('\n');
    while (nl >= 0) {
      const text = this.#partial + delta.slice(from, nl);
      this.#partial = '';
      this.line(text, this.#lineStart);
      this.#lineStart += text.length + 1;
      from = nl + 1;
      nl = delta.indexOf('\n', from);
    }
    if (from < delta.length) this.#partial += from === 0 ? delta : delta.slice(from);
  }

  /** Hands over the unfinished last line, at completion. */
  protected flush(): void {
    if (this.#partial !== '') this.line(this.#partial, this.#lineStart);
    this.#partial = '';
  }

  /** One complete line and its offset in the text. */
  protected abstract line(text: string, position: number): void;
}
