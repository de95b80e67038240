import { Observable } from 'rxjs';
import type { AttemptContext } from '../attempt/attemptContext.js';
import type { L0Event } from '../events/eventTypes.js';
import { checkModel, openAttempt, type FromAttemptConfig } from '../attempt/fromAttempt.js';
import { checkBag, checkKeys, describeOption, optionError, optionKeys, optionPath, type OptionPath } from '../internal/options.js';
import { BUILT_IN_ADAPTERS } from './adapters/index.js';
import type { StreamAdapter } from './adapters/types.js';
import { StreamRun } from './streamRun.js';
import { AttemptSignal, streamContext } from './attemptSignal.js';

/** What the factory gets for each subscription (each attempt): the {@link AttemptContext} and a signal. Frozen. */
export interface StreamContext extends AttemptContext {
  /**
   * Fires when the subscription ends before the run completed: the subscriber unsubscribed (a timeout,
   * a race lost, the user cancelled) or the run failed. Pass it to the SDK call
   * (`create(body, { signal })`, `streamText({ abortSignal })`) so the HTTP request is really cancelled.
   * Made on first read: a factory that never reads it (an async generator) costs no AbortController.
   */
  readonly signal: AbortSignal;
}

/**
 * What a {@link StreamFactory} may return (or resolve to):
 *
 * - an OpenAI Chat Completions stream (`Stream<ChatCompletionChunk>`, from `create({ stream: true })`);
 * - an OpenAI Responses stream (`Stream<ResponseStreamEvent>`);
 * - an AI SDK `streamText` result (its `stream`, else `fullStream`, is read; never `textStream`, which hides errors);
 * - AI SDK provider parts: a `ReadableStream<LanguageModelV4StreamPart>` or the `{ stream }` object `doStream` returns;
 * - Mastra agent output (its `fullStream`) or a stream of Mastra chunk envelopes;
 * - an `AsyncIterable<string>`, or a `ReadableStream<string | Uint8Array>` (bytes decoded as UTF-8);
 * - an `Observable<L0Event>`;
 * - a promise (or any thenable, such as openai's `APIPromise`) of any of these;
 * - anything a custom {@link StreamAdapter} recognises.
 *
 * Typed loosely (`object`) so an SDK's own stream type is accepted without importing that SDK.
 */
export type StreamInput = Observable<L0Event> | AsyncIterable<unknown> | ReadableStream<unknown> | object;

/** Makes the request for one attempt. Called once per subscription, with that subscription's context. */
export type StreamFactory = (ctx: StreamContext) => StreamInput | Promise<StreamInput>;

/** Options of {@link fromStream}. */
export interface FromStreamConfig extends FromAttemptConfig {
  /**
   * Extra stream formats, tried before {@link BUILT_IN_ADAPTERS} (so one may also override a built-in).
   * @default []
   */
  readonly adapters?: readonly StreamAdapter[];
}

const FROM_STREAM_KEYS = /*#__PURE__*/ optionKeys<FromStreamConfig>()(['adapters', 'model']);
const ROOT = /*#__PURE__*/ optionPath('fromStream', 'factory, ');

/**
 * Turns a stream factory into a cold `Observable<L0Event>`: one request per subscription, cancelled
 * when the subscriber leaves.
 *
 *   --a--b--c--|               chunks of the factory's stream (a, b, c text deltas)
 *   s-a--b--c--(x|)            fromStream(({ signal }) => makeStream(signal))   s start, x complete{stop}
 *
 * What happens on each subscription:
 * 1. `start{attempt, fallbackIndex, isRetry, isFallback, model?}` is emitted synchronously, from the
 *    {@link AttemptContext} that `retryWithBackoff` / `fallbackTo` hand down (attempt 1, fallback 0
 *    without one; see {@link fromAttempt} for the compositions that keep it), then
 *    `resume{checkpoint}` if the context carries a non-empty checkpoint.
 * 2. The factory is called once with `{signal, attempt, fallbackIndex, checkpoint?}`. A throw or a rejected
 *    promise becomes the error.
 * 3. The value is read by fromStream itself (`iterator.next()` / `reader.read()`, never rxjs `from()`, which
 *    only notices an unsubscribe when the next chunk arrives). Its first chunk picks an adapter (a keep-alive
 *    `{type: 'ping'}` no custom adapter takes picks none: the next chunk does); each chunk becomes zero or more events. An `Observable<L0Event>` is subscribed and each item validated; its `start`
 *    events are dropped and its first `complete` ends the run.
 * 4. Exactly one `complete` is the last event. Plain text and Observables that end without one get
 *    `complete{finishReason: 'stop'}`; provider streams that end without their terminal marker (a finish
 *    reason, a `finish` part, `response.completed`) fail with a retryable `ProviderError` `INCOMPLETE_STREAM`.
 * 5. Errors: SDK and network errors are normalised (`ProviderError`, `StreamAbortedError`...); anything else
 *    thrown or rejected with (a user `Error`, a string, `undefined`, an odd object) is an `UnknownError` with
 *    the value as `cause`; a value or a first chunk no adapter knows, and invalid events, are an
 *    `InvalidStreamError` naming what was received (a non-streaming SDK result says what to change; so is a
 *    generator or SDK stream an earlier subscription read: the factory must make a new one per call; and a text
 *    stream whose first chunk is an SDK's wire format, a raw HTTP body of server-sent events carrying JSON objects);
 *    a malformed chunk of a known format is a retryable `ProviderError` `MALFORMED_CHUNK`, and so is an SDK stream's
 *    (openai's, which carries its own `controller`) first chunk that is not an object, unless a custom adapter takes it.
 * 6. Unsubscribing (or an error) aborts `signal` at once, even while a read is pending, and also cancels the
 *    reader / returns the iterator (and aborts an openai `Stream`'s own `controller`). Nothing is emitted after.
 *    A successful run does not fire the signal.
 *
 * @example
 * import OpenAI from 'openai';
 * import { fromStream } from 'l0-rx';
 *
 * const client = new OpenAI({ maxRetries: 0 }); // l0-rx owns retries
 * const events$ = fromStream(({ signal }) =>
 *   client.chat.completions.create(
 *     { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } },
 *     { signal },
 *   ),
 * );
 * @example
 * import { streamText, type LanguageModel } from 'ai';
 * import { fromStream } from 'l0-rx';
 *
 * declare const model: LanguageModel;
 * const events$ = fromStream(({ signal }) => streamText({ model, prompt: 'Hi', abortSignal: signal, maxRetries: 0 }));
 * @see {@link StreamAdapter} {@link BUILT_IN_ADAPTERS} {@link retryWithBackoff} {@link fallbackTo}
 * @param factory Makes the request; called once per subscription.
 * @param config See {@link FromStreamConfig}.
 * @returns A cold Observable of {@link L0Event}s.
 * @throws TypeError when `factory` is not a function, or naming the option for an unknown key
 * (with the closest valid one) or `adapters` that is not an array of adapters.
 */
export function fromStream(factory: StreamFactory, config: FromStreamConfig = {}): Observable<L0Event> {
  if (typeof factory !== 'function') throw new TypeError(`fromStream(factory) must be a function, got ${describeOption(factory)}`);
  checkBag(ROOT, config);
  checkKeys(ROOT, config, FROM_STREAM_KEYS);
  return streamSource(factory, checkModel(ROOT, config), checkAdapters(ROOT, config.adapters));
}

/**
 * {@link fromStream} with its options checked. `resume` is given by l0() only: an l0() attempt's
 * source drops the `checkpoint` events a relayed run (a nested l0()) sends, and with continuation on
 * (`true`) relays that run's text after the checkpoint the attempt resumed from (see StreamRun's
 * `resumed`); off (`false`) every attempt starts over, whatever checkpoint its loop hands it (see
 * openAttempt). @internal
 */
export function streamSource(factory: StreamFactory, model: string | undefined, custom: readonly StreamAdapter[], resume?: boolean): Observable<L0Event> {
  const adapters: readonly StreamAdapter[] = Object.freeze([...custom, ...BUILT_IN_ADAPTERS]);
  return new Observable<L0Event>((subscriber) => {
    const attemptContext = openAttempt(subscriber, model, resume);
    const abort = new AttemptSignal();
    const run = new StreamRun(subscriber, abort, adapters, custom.length, resume === undefined ? undefined : (attemptContext.checkpoint ?? ''));
    const ctx = streamContext(abort, attemptContext);
    if (!subscriber.closed) {
      let input: unknown;
      try {
        input = factory(ctx);
      } catch (e) {
        run.fail(e);
      }
      if (!subscriber.closed) run.run(input);
    }
    return run;
  });
}

/**
 * Validates custom adapters (`undefined` is none). `where` names the bag holding `adapters` in
 * messages (the l0 preset passes its own).
 * @internal
 */
export function checkAdapters(where: OptionPath, adapters: unknown): readonly StreamAdapter[] {
  if (adapters === undefined) return [];
  if (!Array.isArray(adapters) || !adapters.every(isAdapter)) {
    throw optionError(where, 'adapters', 'an array of StreamAdapter objects ({ name, detect, create })', adapters);
  }
  return adapters;
}

function isAdapter(a: unknown): a is StreamAdapter {
  const o = a as Partial<StreamAdapter> | null;
  return typeof o === 'object' && o !== null && typeof o.name === 'string' && typeof o.detect === 'function' && typeof o.create === 'function';
}
