/* One fromStream subscription: resolves the factory's value, owns its iteration, decodes it. Internal. */
import { isObservable, map, takeWhile, type Observable, type Subscriber, type Subscription } from 'rxjs';
import type { CompleteEvent, L0Event } from '../events/eventTypes.js';
import { describeValue, InvalidStreamError } from '../errors/InvalidStreamError.js';
import { toL0Error } from '../errors/normalizeError.js';
import { StreamAbortedError } from '../errors/StreamAbortedError.js';
import { incompleteStream, isRecord, malformedChunk, unreadableChunk, type Rec } from './adapters/shared.js';
import { tellSourceActive } from '../internal/sourceActivity.js';
import type { AdapterEmit, ChunkDecoder, StreamAdapter } from './adapters/types.js';
import { thrownFinish } from './adapters/openaiChat.js';
import { checkEvent } from './validateEvent.js';
import { placed } from '../events/reduceState.js';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import { nextWithUncheckedTail } from '../attempt/uncheckedTail.js';
import { subscribeChild } from '../attempt/attemptContext.js';
import { controllerOf, discard, openReader, settle, unknownInputMessage, type AbortControllerLike, type ChunkReader } from './streamReaders.js';

const STOP: CompleteEvent = /*#__PURE__*/ Object.freeze({ type: 'complete', finishReason: 'stop' });
/** How many promises and adapter unwraps one value may go through (a guard against ones that never end). */
const MAX_UNWRAP = 8;

/**
 * The state of one subscription. Every public method is safe to call after the subscriber closed.
 *
 * 1. `run(value)`: Observable -> subscribed (validated, `complete` ends it); promise or thenable -> its
 *    first callback, then run again; object -> adapters' `unwrap`, then a `ReadableStream` (read with a
 *    reader) or an `AsyncIterable` (read with its iterator); anything else -> `InvalidStreamError`.
 * 2. Chunks: the first picks the adapter (`detect`; unless a custom adapter takes it, an SDK stream's chunk that is no
 *    object is `MALFORMED_CHUNK` and a keep-alive `{type: 'ping'}` is skipped), every chunk goes to its decoder.
 * 3. End: the decoder's `end`, then `complete{stop}` if nobody completed; an SDK stream (one with its
 *    own `controller`) that ends before its first chunk is a retryable `INCOMPLETE_STREAM`.
 * 4. `unsubscribe()` (the teardown): unless the run completed, aborts the factory's signal (and an SDK stream's own
 *    `controller`); cancels the reader / returns the iterator if the source is still open; unsubscribes
 *    an Observable source. Rejections of those calls are swallowed.
 * 5. Every failure, whatever was thrown, ends the run through `fail` with a typed error ({@link toL0Error}
 *    is total); no callback handed to a promise can throw, so no rejection is ever left unhandled.
 */
export class StreamRun {
  private completed = false;
  private sourceEnded = false;
  private reader: ChunkReader | undefined;
  /** What `reader` reads (openai's chat helper: its snapshot says which choice a thrown finish was). */
  private source: object | undefined;
  private inner: Subscription | undefined;
  private inputController: AbortControllerLike | undefined;
  private unwrappedBy: StreamAdapter | undefined;
  private decoder: ChunkDecoder | undefined;
  private sink: AdapterEmit = (e) => this.emit(e);
  /** Whether the chunk being decoded produced an event. */
  private emitted = false;

  constructor(
    private readonly subscriber: Subscriber<L0Event>,
    private readonly controller: { abort(): void },
    private readonly adapters: readonly StreamAdapter[],
    private readonly customCount: number,
    /**
     * l0()'s attempt (else `undefined`: fromStream passes every event on): the checkpoint it resumed
     * from (`''`: none). See {@link emit}.
     */
    private readonly resumed?: string,
  ) {}

  /** Starts (or continues, after a promise or an unwrap) with a value the factory produced. */
  run(input: unknown, depth = 0): void {
    if (this.subscriber.closed) {
      discard(input);
      return;
    }
    try {
      this.resolve(input, depth);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Fails the run with `e`, normalised (never throws); ignored once the subscriber is closed. */
  fail(e: unknown): void {
    if (!this.subscriber.closed) this.subscriber.error(toL0Error(e));
  }

  /** The subscription's teardown (the run is returned to rxjs as the teardown itself: no closure per stream). */
  unsubscribe(): void {
    if (!this.completed) {
      this.controller.abort();
      settle(() => this.inputController?.abort());
    }
    if (!this.sourceEnded) this.reader?.cancel();
    this.inner?.unsubscribe();
  }

  private resolve(input: unknown, depth: number): void {
    if (depth > MAX_UNWRAP) {
      throw new InvalidStreamError(
        `fromStream: the factory's value was unwrapped (promises, thenables, adapters' unwrap) more than ${MAX_UNWRAP} times; ` +
          'a thenable that resolves to itself never ends',
      );
    }
    if (isObservable(input)) return this.subscribeEvents(input);
    if (isPromiseLike(input)) return this.awaitThenable(input, depth);
    if (typeof input === 'object' && input !== null) {
      this.inputController ??= controllerOf(input);
      for (const adapter of this.adapters) {
        const inner: unknown = adapter.unwrap?.(input);
        if (inner !== undefined && inner !== input) {
          this.unwrappedBy = adapter;
          return this.resolve(inner, depth + 1);
        }
      }
      const reader = openReader(input, this.inputController !== undefined);
      if (reader) {
        this.reader = reader;
        this.source = input;
        this.next();
        return;
      }
    }
    throw new InvalidStreamError(unknownInputMessage(input));
  }

  /**
   * Waits for a promise or any thenable by calling its `then` ourselves (`Promise.resolve` would loop in
   * microtasks forever on a thenable that resolves to itself): only the first callback counts, a `then`
   * that throws before calling one fails the run, and each thenable layer counts toward MAX_UNWRAP.
   */
  private awaitThenable(thenable: PromiseLike<unknown>, depth: number): void {
    let settled = false;
    const once =
      (f: (v: unknown) => void) =>
      (v: unknown): void => {
        if (settled) return;
        settled = true;
        f(v);
      };
    const onError = once((e) => this.fail(e));
    try {
      thenable.then(once((value) => this.run(value, depth + 1)), onError);
    } catch (e) {
      onError(e);
    }
  }

  private subscribeEvents(source: Observable<unknown>): void {
    const events = source.pipe(
      map((e) => {
        checkEvent(e, 'the source Observable');
        return e as L0Event;
      }),
      takeWhile((e) => e.type !== 'complete', true),
    );
    // the source's subscriber is the consumer's child: a synchronous source stops as soon as the consumer leaves
    const inner = subscribeChild(events, { next: (e) => this.emit(e), error: (e: unknown) => this.fail(e), complete: () => this.emit(STOP) }, this.subscriber);
    this.inner = inner;
    if (this.subscriber.closed) inner.unsubscribe();
  }

  /**
   * Asks the reader for its next chunk. Reading is a loop of `then`s with two callbacks made once
   * per stream, not an `async` loop: V8 allocates resume closures at every `await`, about 100 bytes
   * per chunk that stay alive until the next one (a fan-in of 10,000 streams in lockstep has its
   * scavenges copy them all). Neither callback can throw, so the promises `then` makes never reject.
   */
  private next(): void {
    try {
      const p: unknown = this.reader!.read();
      // anything else (a thenable, a sloppy iterator's plain result) is adopted as `await` would
      (p instanceof Promise ? p : Promise.resolve(p)).then(this.onRead, this.onReadError);
    } catch (e) {
      this.onReadError(e);
    }
  }

  private readonly onReadError = (e: unknown): void => {
    this.sourceEnded = true;
    // openai's chat helper throws a `length` / `content_filter` finish when asked for parsed output: it ends as on `create()`
    // (a first chunk picks the chat adapter)
    const finish = this.inputController && thrownFinish(e, this.source);
    if (finish) {
      try {
        this.push(finish);
        return this.end();
      } catch (x) {
        e = x;
      }
    }
    // an SDK stream's SyntaxError is a chunk it could not parse: openai 5 and 6 rethrow JSON.parse's
    // (openai 7 words its own, which classifyError knows); from user code it stays an UnknownError
    this.fail(this.inputController && e instanceof SyntaxError ? unreadableChunk(e) : e);
  };

  /** One chunk read (or the end): decoded and emitted, then the next one asked for. Never throws. */
  private readonly onRead = (result: unknown): void => {
    try {
      if (this.subscriber.closed) return;
      if (typeof result !== 'object' || result === null) {
        throw new InvalidStreamError(
          `fromStream: the stream's next() / read() resolved to ${describeValue(result)}, not an iterator result {done, value}`,
        );
      }
      const { done, value } = result as IteratorResult<unknown>;
      if (done) return this.end();
      this.push(value);
      if (!this.subscriber.closed) this.next();
    } catch (e) {
      this.fail(e);
    }
  };

  private push(chunk: unknown): void {
    if (!this.decoder) {
      const adapter = this.adapters.find((a) => a.detect(chunk));
      // unless a custom adapter takes it: an SDK stream's chunks are JSON a server sent (its fault, retryable, as
      // later), and a keep-alive picks no format (the AI SDK's would take a proxy's `{type: 'ping'}`): the next chunk does
      if (!adapter || this.adapters.indexOf(adapter) >= this.customCount) {
        if (this.inputController && !isRecord(chunk)) throw malformedChunk('fromStream', 'not an object', chunk);
        if ((chunk as Rec | undefined)?.['type'] === 'ping') return;
      }
      if (!adapter) {
        const names = this.adapters.map((a) => a.name).join(', ');
        throw new InvalidStreamError(
          `fromStream: no adapter recognises the stream's first chunk, ${describeValue(chunk)} (tried ${names}); ` +
            'pass a custom adapter: fromStream(factory, { adapters: [myAdapter] })',
        );
      }
      this.use(adapter);
    }
    this.emitted = false;
    // a chunk held back (a tool call's argument fragment): the provider is not silent (see sourceActivity);
    // one with nothing in it (a keep-alive, an empty delta, usage) is silence
    if (this.decoder!.push(chunk, this.sink) === true && !this.emitted) tellSourceActive(this.subscriber);
  }

  private end(): void {
    this.sourceEnded = true;
    if (this.inputController?.signal.aborted) {
      throw new StreamAbortedError('The stream was aborted through its own controller before it finished');
    }
    if (!this.decoder && this.unwrappedBy) this.use(this.unwrappedBy);
    // an SDK stream (it carries its own controller: openai's chat and responses streams) that ends
    // before its first chunk is cut, not an empty answer: both protocols end with a marker
    if (!this.decoder && this.inputController) throw incompleteStream('the SDK stream ended before its first chunk');
    this.decoder?.end(this.sink);
    this.emit(STOP);
  }

  private use(adapter: StreamAdapter): void {
    this.decoder = adapter.create();
    if (this.adapters.indexOf(adapter) < this.customCount) {
      const origin = `the custom adapter "${adapter.name}"`;
      this.sink = (e) => {
        checkEvent(e, origin);
        this.emit(e);
      };
    }
  }

  /**
   * The single exit to the subscriber: drops `start` and empty deltas; `complete` ends the run. In
   * an l0() attempt, a relayed run's `checkpoint` is dropped (it holds that run's text only, unchecked
   * by the attempt's guardrails: the attempt's own come from its checkpointEvery), and in one that
   * resumed from `resumed`, that run's text follows it: its `retry` or `fallback` (which retracts
   * everything since the last `start`) is followed by `resume{resumed}`, its `resume{x}` becomes
   * `resume{resumed + x}`, and a `violation`'s `position` (a number from 0) is moved past `resumed`.
   */
  private emit(e: L0Event): void {
    if (this.subscriber.closed) return;
    const { resumed } = this;
    switch (e.type) {
      case 'start':
        return;
      case 'checkpoint':
        if (resumed !== undefined) return;
        break;
      case 'retry':
      case 'fallback':
        if (resumed) {
          this.subscriber.next(e);
          e = { type: 'resume', checkpoint: resumed };
        }
        break;
      case 'resume':
        if (resumed) e = { type: 'resume', checkpoint: resumed + e.checkpoint };
        break;
      case 'violation': {
        // its position is in that run's text, which follows `resumed` in the attempt's (a resume keeps those inside its checkpoint)
        const v = e.violation;
        // one that is not a number from 0 (null, a string) stays unplaced, never moved to `resumed`'s end
        if (resumed && placed(v.position, Infinity)) e = { ...e, violation: { ...v, position: resumed.length + v.position! } };
        break;
      }
      case 'token':
        if (e.value === '') return;
        this.emitted = true;
        // a source fed from inside another run's delivery (a Subject relayed by its consumer) starts
        // its own chain: that run's unchecked count is not this one's (see uncheckedTail)
        return nextWithUncheckedTail(this.subscriber, e, 0, true);
      case 'reasoning':
        if (e.value === '') return;
        break;
      case 'complete':
        this.completed = true;
        this.subscriber.next(e);
        this.subscriber.complete();
        return;
      default:
        break;
    }
    this.emitted = true;
    this.subscriber.next(e);
  }
}
