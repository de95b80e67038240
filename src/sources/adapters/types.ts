/**
 * The stream adapter interface: how {@link fromStream} turns the chunks of a provider SDK's stream
 * into {@link L0Event}s, and how users teach it a stream it does not know.
 */
import type { L0Event } from '../../events/eventTypes.js';

/**
 * Hands one event to {@link fromStream}. Synchronous; call it zero or more times per chunk.
 *
 * What happens to an emitted event:
 * 1. `start` is dropped: fromStream emits its own `start` at subscribe time.
 * 2. A `token` or `reasoning` with an empty `value` is dropped.
 * 3. `complete` ends the run: it is the last event delivered, fromStream stops reading the source
 *    and releases it (`iterator.return()` / `reader.cancel()`); anything emitted after it is ignored.
 * 4. Events from custom adapters are validated (known `type`, string `value`...); an invalid one
 *    fails the run with an `InvalidStreamError`.
 */
export type AdapterEmit = (event: L0Event) => void;

/**
 * Decodes one stream. Created by {@link StreamAdapter.create} once per subscription, so it may keep
 * state (partial tool calls, the finish reason, usage) in its closure.
 *
 * Rules:
 * 1. `push` is called with every chunk, the first included, in order; `end` once when the source ends
 *    normally without the decoder having emitted `complete`.
 * 2. Neither is called after the subscriber unsubscribed, after an error, after `complete`, or after
 *    fromStream aborted the request itself (so an SDK that ends silently after an abort, as openai
 *    does, never looks like a cut stream).
 * 3. To fail the attempt, throw. Throw an `L0Error` (e.g. a `ProviderError` with code
 *    `INCOMPLETE_STREAM` or `MALFORMED_CHUNK`) when you know what happened; anything else thrown is
 *    normalised like an SDK error (HTTP status, `code`, `name`...), so throwing an SDK error object
 *    found in the stream (an in-band `error` chunk) is right.
 * 4. In `end`: if the protocol has a terminal marker (a finish reason, a `finish` part) and it did not
 *    arrive, throw a retryable `ProviderError` with code `INCOMPLETE_STREAM`, never return a silent short
 *    answer. If the protocol has no marker, emit nothing and fromStream adds `complete{finishReason: 'stop'}`.
 *    `end` may also emit a deferred `complete` (OpenAI chat does: its usage chunk follows the finish reason).
 * 5. Keep per-chunk work proportional to the chunk: no rescans of accumulated text.
 * 6. `push` returns `true` for a chunk whose content it holds back without emitting it yet (a tool
 *    call's argument fragment, a citation no event carries), or that otherwise shows the provider at
 *    work (a hosted tool's progress, a tool's result, a prompt's processing that advanced): right after
 *    fromStream, `withTimeouts` hears the provider is not silent. Any other chunk that emits nothing (a
 *    keep-alive, an empty delta, a usage-only chunk, a status, a bound that repeats what streamed) is
 *    silence, so a stream of them never keeps a stalled answer alive. A decoder that returns nothing
 *    (written before this rule) has all such chunks taken for silence.
 */
export interface ChunkDecoder {
  /** Decodes one chunk, emitting the events it carries; `true`: it held content back (rule 6). Throw to fail the attempt. */
  push(chunk: unknown, emit: AdapterEmit): boolean | void;
  /** The source ended normally and `complete` was not emitted yet: emit it, throw, or emit nothing. */
  end(emit: AdapterEmit): void;
}

/**
 * Teaches {@link fromStream} a stream format. Pass custom adapters in `fromStream(factory, { adapters })`;
 * they are tried before {@link BUILT_IN_ADAPTERS}.
 *
 * How fromStream uses adapters:
 * 1. If the factory's value is an object (other than an Observable or a promise), each adapter's `unwrap`
 *    is asked, in order, for the stream inside it (the AI SDK adapter returns `result.stream ?? result.fullStream`
 *    for an object that is not a stream itself).
 *    The value returned is resolved again (it may be an `AsyncIterable`, a `ReadableStream`, an
 *    `Observable<L0Event>` or a promise of one).
 * 2. On the first chunk, `detect` is called on each adapter in order; the first that returns `true`
 *    decodes the whole stream (`create()` is called once for this subscription). If none does, the run
 *    fails with an `InvalidStreamError` naming the chunk. Unless a custom adapter takes it, a keep-alive
 *    `{type: 'ping'}` picks no adapter (the next chunk is asked), and an SDK stream's (openai's, which carries its
 *    own `controller`) chunk that is not an object fails the attempt with a retryable `MALFORMED_CHUNK`.
 * 3. If the stream ends before its first chunk, the adapter that unwrapped it (if any) gets an `end` call,
 *    so an empty provider stream is a cut stream; otherwise the run completes with `finishReason: 'stop'`.
 *
 * `detect` must be cheap and side-effect free; keep all state in the decoder, never in the adapter
 * object, which is shared by every subscription.
 *
 * @example
 * import { fromStream, ProviderError, type FinishReason, type StreamAdapter } from 'l0-rx';
 *
 * // Anthropic's raw message stream events (message_start, content_block_delta, message_delta, message_stop).
 * const anthropic: StreamAdapter = {
 *   name: 'anthropic',
 *   detect: (chunk) => (chunk as { type?: unknown } | null)?.type === 'message_start',
 *   create() {
 *     let reason: FinishReason = 'stop';
 *     return {
 *       push(chunk: any, emit) {
 *         if (chunk.type === 'content_block_delta' && chunk.delta.type === 'text_delta') {
 *           emit({ type: 'token', value: chunk.delta.text });
 *         } else if (chunk.type === 'message_delta' && chunk.delta.stop_reason === 'max_tokens') {
 *           reason = 'length';
 *         } else if (chunk.type === 'message_stop') {
 *           emit({ type: 'complete', finishReason: reason });
 *         }
 *       },
 *       end() {
 *         throw new ProviderError('Anthropic stream ended without message_stop', {
 *           code: 'INCOMPLETE_STREAM', category: 'network', retryable: true, reason: 'incomplete_stream',
 *         });
 *       },
 *     };
 *   },
 * };
 *
 * // e.g. (signal) => anthropic.messages.create({ model, max_tokens: 1024, messages, stream: true }, { signal })
 * declare function messageStream(signal: AbortSignal): Promise<AsyncIterable<unknown>>;
 * const events$ = fromStream(({ signal }) => messageStream(signal), { adapters: [anthropic] });
 * @see {@link fromStream} {@link BUILT_IN_ADAPTERS}
 */
export interface StreamAdapter {
  /** A short, unique, kebab-case name (used in error messages), e.g. `openai-chat`. */
  readonly name: string;
  /** True if this adapter decodes a stream whose first chunk is `chunk`. Called once per subscription (again after a skipped keep-alive). */
  detect(chunk: unknown): boolean;
  /** A fresh decoder for one subscription. */
  create(): ChunkDecoder;
  /**
   * Optional: the stream inside a top-level object this adapter knows (an SDK result object), or
   * `undefined` if it does not know `input`. Called before the generic stream checks, so it may also
   * wrap an `AsyncIterable` / `ReadableStream` input (returning `input` itself counts as `undefined`).
   */
  unwrap?(input: object): unknown;
}
