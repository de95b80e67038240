/* The JSONL store's file access: reading a file line by line, in chunks (a log of any size), comparing a line's first bytes, and syncing a folder. @internal */
import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';

/** Bytes read per `read` call. */
const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/**
 * Calls `line(bytes, start, end)` for each line of the file at `path`, in file order: the line is
 * `bytes[start, end)`, without its `\n` (a `\r` before it stays: JSON whitespace), valid only
 * during the call. Reads 1 MiB at a time, so a file past the longest string V8 holds (about
 * 512 MiB; `readFile(path, 'utf8')` then fails with "Invalid string length") is read in memory
 * bounded by its longest line. Resolves `false`, calling nothing, when the file does not exist.
 */
export async function eachLine(path: string, line: (bytes: Buffer, start: number, end: number) => void): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return false;
    throw e;
  }
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    /** The start of a line that goes on in the next chunk (copies: the chunk is reused). */
    let carry: Buffer[] = [];
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      const data = chunk.subarray(0, bytesRead);
      let start = 0;
      for (let end = data.indexOf(NEWLINE); end !== -1; end = data.indexOf(NEWLINE, start)) {
        if (carry.length === 0) line(data, start, end);
        else {
          const whole = Buffer.concat([...carry, data.subarray(start, end)]);
          carry = [];
          line(whole, 0, whole.length);
        }
        start = end + 1;
      }
      if (start < bytesRead) carry.push(Buffer.from(data.subarray(start)));
    }
    if (carry.length > 0) {
      const whole = Buffer.concat(carry);
      line(whole, 0, whole.length);
    }
  } finally {
    await handle.close();
  }
  return true;
}

/** `fsync`s a folder, so the entries of files created in it survive a power loss (POSIX; Windows cannot open a folder, and needs no such step). */
export async function syncFolder(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** True when `bytes[start, end)` starts with `prefix`. */
export function startsWith(bytes: Buffer, start: number, end: number, prefix: Buffer): boolean {
  return end - start >= prefix.length && bytes.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0;
}

/**
 * Whether the line `bytes[start, end)` is surely of another stream than the one whose lines start
 * with `own` (`head`, the store's `{"v":1,"streamId":`, then the id as JSON), undecoded: it starts
 * with `head` and an id written without escapes, in UTF-8, other than `own`'s. Any other line is parsed, as `streams()` parses every
 * line: an id another program's JSON wrote escaped (`"a\u003cb"` for `a<b`), or in bytes that are not
 * UTF-8 (listed with U+FFFD, and then `INVALID_LOG` when read), was listed, yet never read or found.
 */
export function ofAnother(bytes: Buffer, start: number, end: number, head: Buffer, own: Buffer): boolean {
  let at = start + head.length; // the id's opening quote
  if (!startsWith(bytes, start, end, head) || startsWith(bytes, start, end, own) || bytes[at] !== 0x22) return false;
  let high = false;
  for (let b = bytes[++at]; b !== 0x22; b = bytes[++at]) {
    if (b === 0x5c || at >= end) return false; // an escape, or no end of the id on the line
    if (b! >= 0x80) high = true;
  }
  return !high || isUtf8(bytes.subarray(start + head.length + 1, at));
}
