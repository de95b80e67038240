/**
 * Cuts a growing text into lines as they complete, in O(delta): each character is looked at once.
 * @internal
 */
export class LineReader {
  private partial = '';
  /** Offset of the start of the current (unfinished) line. */
  lineStart = 0;

  /** Calls `line` with each line `delta` completes (without its newline) and the line's offset. */
  feed(delta: string, line: (text: string, position: number) => void): void {
    let from = 0;
    let nl = delta.indexOf('\n');
    while (nl >= 0) {
      const text = this.partial + delta.slice(from, nl);
      this.partial = '';
      line(text, this.lineStart);
      this.lineStart += text.length + 1;
      from = nl + 1;
      nl = delta.indexOf('\n', from);
    }
    if (from < delta.length) this.partial += delta.slice(from);
  }

  /** The unfinished last line, handed over at completion. */
  flush(line: (text: string, position: number) => void): void {
    if (this.partial !== '') line(this.partial, this.lineStart);
    this.partial = '';
  }
}
