import { describeValue, InvalidStreamError } from '../../errors/InvalidStreamError.js';
import type { AdapterEmit, ChunkDecoder, StreamAdapter } from './types.js';

function isBytes(chunk: unknown): chunk is ArrayBufferView | ArrayBuffer {
  return ArrayBuffer.isView(chunk) || chunk instanceof ArrayBuffer;
}

/**
 * Plain text: an `AsyncIterable<string>` or a `ReadableStream<string | Uint8Array>` (bytes, also `ArrayBuffer`s, are decoded
 * as UTF-8 with a streaming `TextDecoder`, so a character split across chunks is kept whole).
 *
 * Every string is a `token` (empty ones are dropped). Plain text has no terminal marker, so a source
 * that ends normally completes with `finishReason: 'stop'`. A chunk that is neither a string nor bytes
 * fails the run with an `InvalidStreamError` naming it, and so does a first chunk that is an SDK's wire
 * format rather than text (server-sent events carrying a JSON object, `data: {"...`, as an HTTP response body
 * is, its lines ended by CR, LF or both; the JSON lines of openai's `toReadableStream()`, Azure's prompt-filter chunk
 * among them), which would otherwise be streamed as the answer; a byte order mark that begins the body is dropped
 * (as `TextDecoder` drops it from a body of bytes), of strings or bytes alike, and no later one; a body
 * whose first chunks hold only SSE lines without data (comments, keep-alives, `event:` lines) has the chunk
 * after them checked, and a line split across chunks (`: pi` then `ng\n`, `data: ` then `{"...`: a network splits
 * a body anywhere) is read whole: of a field line only its name is kept (the rest does not matter), of any other
 * line its start and its last 31 characters, up to 4096 characters for a JSON line and 256 for any other (a longer
 * line is text), so a chat chunk's `"object"` key is found in the first 4096 characters of a JSON line, whole or
 * split alike. The error quotes the body's first 80 characters as received (after a byte order mark), split or not.
 * Later text that looks like the wire format is the answer's (an answer may quote it).
 *
 * Exported on its own so a custom adapter list can use it (custom adapters are tried before the
 * built-in ones, so listing it first makes it win detection):
 * @example
 * import { fromStream, textAdapter } from 'l0-rx';
 * const events$ = fromStream(factory, { adapters: [textAdapter] });
 */
export const textAdapter: StreamAdapter = /*#__PURE__*/ Object.freeze({
  name: 'text',
  detect: (chunk: unknown): boolean => typeof chunk === 'string' || isBytes(chunk),
  create: (): ChunkDecoder => new TextChunks(),
});

/**
 * The start of an SDK's wire format rather than text: server-sent events carrying a JSON object (an
 * HTTP body: `data: {"...`, maybe after `event:` / `id:` / comment lines), or the newline-delimited JSON
 * chunks of openai's `Stream.toReadableStream()` (after such lines too: a body split after them is read so): a chat
 * chunk, or Azure's prompt-filter chunk before it (`"object":""`, named by its `"prompt_filter_results"` key, never a value).
 * Only a JSON object with a quoted key: text that begins `data: [1, 2]` or `data: {x: 1}` (YAML) or
 * `data: {x | x > 0}` is text. A line ends at CR or LF, as in SSE (CR LF reads as a line end and a blank line);
 * SSE drops one space after `data:`, JSON any more: up to 25 are read (the line's start is carried whole, split or not).
 */
const WIRE_FORMAT = /^(?:(?:(?:event|id|retry)?:[^\r\n]*)?[\r\n])*(?:data:[ \t]{0,25}\{"|\{(?:"type":"response\.|([^\r\n]*?)"(?:object":"chat\.completion\.chunk"|prompt_filter_results":)))/;
/**
 * How far into a JSON line (after its `{`) a chat chunk's `"object"` key may begin, whole or split, and how long
 * a first JSON line is read (any other is text past 256 characters). openai's own chunks have the key second, after the id; a server that sorts its keys
 * (Azure's newer API versions) puts `choices` first, with the delta's text and content-filter results: hundreds
 * of characters. Only a line's last 31 characters are carried between chunks, so the bound costs a string search
 * per chunk (see `push`): it is how long an answer's first JSON line stays under the check.
 */
const JSON_LINE = 4096;
/** The keys WIRE_FORMAT finds in a JSON line (the 31 characters carried are one short of the longer); both hold `omp`. */
const CHUNK_KEY = /"(?:object":"chat\.completion\.chunk"|prompt_filter_results":)/;
/**
 * Only whole server-sent-event lines that carry no data: comments (OpenRouter's `: OPENROUTER PROCESSING`
 * keep-alives, sent before the first token), `event:` / `id:` / `retry:` fields, blank lines. A body can
 * begin with chunks of them, its first `data:` line in a later one: that chunk is checked too.
 */
const PREAMBLE = /^(?:(?:(?:event|id|retry)?:[^\r\n]*)?[\r\n])*$/;
/** A field (or comment) line: of an unfinished one, only its name (`$1`) matters to the next chunk. */
const FIELD = /^((?:event|id|retry)?:).*/s;
/**
 * Any other line of 33 characters or more, whose start has been read (`data: {"`, `{"type":"response.`): of an
 * unfinished one only its first character and its last 31 (a key one character short of
 * `"object":"chat.completion.chunk"`) matter to the next chunk, with a space between (so no `{"type"`).
 * (Sliced, not matched: `/^(.).+(.{31})$/s` backtracks 31 times at every line end, 2 µs a chunk against 45 ns.)
 */
const carried = (line: string): string => (line.length > 32 ? line[0] + ' ' + line.slice(-31) : line);

/** One stream's decoder state: a class, not closures, since fan-in keeps one per open stream. */
class TextChunks implements ChunkDecoder {
  private decoder: TextDecoder | undefined;
  private started = false;
  /** No character has come yet (the body's first one may be a byte order mark). */
  private fresh = true;
  /** The unfinished last line of the chunks checked so far, which the next one continues (bounded: see `push`). */
  private line = '';
  /** The characters of the unfinished line cut out of `line` (which keeps its first, a space and its last 31). */
  private cut = 0;
  /** The body's first 80 characters as received (after a byte order mark), which an error quotes. */
  private seen = '';

  push(chunk: unknown, emit: AdapterEmit): void {
    let text: string;
    if (typeof chunk === 'string') {
      text = chunk;
    } else if (isBytes(chunk)) {
      // (a byte order mark kept: only the body's first character is dropped, below, not one that begins bytes after strings)
      this.decoder ??= new TextDecoder(undefined, { ignoreBOM: true });
      text = this.decoder.decode(chunk, { stream: true });
    } else {
      throw new InvalidStreamError(`fromStream: a text stream yielded ${describeValue(chunk)}, expected a string or bytes`);
    }
    // the chunks up to the first one that is more than SSE lines without data, each read once with the unfinished
    // line before it, which is bounded: of a field line only its name, of any other its first character, a space and
    // its last 31 (`cut` counts the rest, up to JSON_LINE: a longer one is text): O(delta)
    if (!this.started) {
      if (this.fresh && text) {
        // a byte order mark is not the body's (TextDecoder drops one that begins a body of bytes), of strings or bytes alike
        this.fresh = false;
        if (text[0] === '\uFEFF') text = text.slice(1);
      }
      if (this.seen.length < 80) this.seen = (this.seen + text).slice(0, 80);
      if (this.cut > 0 && this.line[0] === '{' && !text.includes('\n') && !text.includes('\r')) {
        // a JSON line past its start (a structured answer's, often): only a chunk's key can make it the wire
        // format now, found as WIRE_FORMAT finds it (`$1` is the space and what follows it) at a string search's cost
        const tail = this.line.slice(2) + text;
        // (first a search for `omp`, which both keys hold and JSON answers seldom do: searching for the keys in every chunk
        // cost 30-55% of the adapter's time a token)
        const at = tail.includes('omp') ? tail.search(CHUNK_KEY) : -1;
        if (at >= 0 && this.cut + 1 + at <= JSON_LINE) throw wireFormat(this.seen);
        this.line = '{ ' + tail.slice(-31);
        this.started = (this.cut += text.length) > JSON_LINE;
        return emit({ type: 'token', value: text });
      }
      const head = this.line + text;
      const wire = WIRE_FORMAT.exec(head);
      if (wire && this.cut + (wire[1] ?? '').length <= JSON_LINE) throw wireFormat(this.seen);
      const end = Math.max(head.lastIndexOf('\n'), head.lastIndexOf('\r')) + 1;
      const line = head.slice(end).replace(FIELD, '$1');
      this.line = carried(line);
      this.cut = (end ? 0 : this.cut) + line.length - this.line.length;
      // (only a JSON line is read up to JSON_LINE: any other is text past about 256 characters, the 33 carried and
      // 256 - 33 cut, so prose pays the check that long)
      this.started = !PREAMBLE.test(head.slice(0, end)) || this.cut > (this.line[0] === '{' ? JSON_LINE : 256 - 33);
    }
    emit({ type: 'token', value: text });
  }

  end(emit: AdapterEmit): void {
    if (this.decoder) emit({ type: 'token', value: this.decoder.decode() });
  }
}

function wireFormat(text: string): InvalidStreamError {
  return new InvalidStreamError(
    `fromStream: a text stream began with an SDK's wire format, ${JSON.stringify(text)}: return the SDK's stream, ` +
      "not its HTTP body, or parse the body first (openai's Stream.fromSSEResponse); l0-rx's own events: fromServerSentEvents(url)",
  );
}
