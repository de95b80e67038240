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
 * fails the run with an `InvalidStreamError` naming it.
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

/** One stream's decoder state: a class, not closures, since fan-in keeps one per open stream. */
class TextChunks implements ChunkDecoder {
  private decoder: TextDecoder | undefined = undefined;

  push(chunk: unknown, emit: AdapterEmit): void {
    if (typeof chunk === 'string') {
      emit({ type: 'token', value: chunk });
    } else if (isBytes(chunk)) {
      this.decoder ??= new TextDecoder();
      emit({ type: 'token', value: this.decoder.decode(chunk, { stream: true }) });
    } else {
      throw new InvalidStreamError(`fromStream: a text stream yielded ${describeValue(chunk)}, expected a string or bytes`);
    }
  }

  end(emit: AdapterEmit): void {
    if (this.decoder) emit({ type: 'token', value: this.decoder.decode() });
  }
}
