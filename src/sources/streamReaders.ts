/*
 * Reading what a fromStream factory returned: readers we own (so unsubscribing can cancel a pending
 * read), releasing a value nobody wants, and the message for one fromStream cannot read. Internal.
 */
import { describeThrown, safeGet, safeHas } from '../errors/inspect.js';
import { describeValue, InvalidStreamError } from '../errors/InvalidStreamError.js';
import { quiet } from '../internal/isPromiseLike.js';
import { isAsyncIterable, isReadableStreamLike, isRecord } from './adapters/shared.js';

/** Pull-based reading we own, so unsubscribing can cancel a read that is still pending. */
export interface ChunkReader {
  read(): Promise<IteratorResult<unknown>>;
  cancel(): void;
}

export interface AbortControllerLike {
  abort(): void;
  readonly signal: { readonly aborted: boolean };
}

/** Runs `f`, swallowing a synchronous throw or a rejection of the promise it returns. */
export function settle(f: () => unknown): void {
  try {
    quiet(f());
  } catch {
    /* cleanup is best effort */
  }
}

/** An SDK stream's own AbortController (the openai `Stream.controller`), if it carries one. */
export function controllerOf(input: object): AbortControllerLike | undefined {
  const c = (input as { controller?: unknown }).controller;
  if (!isRecord(c) || typeof c['abort'] !== 'function' || !isRecord(c['signal'])) return undefined;
  return c as unknown as AbortControllerLike;
}

/**
 * The sources read so far that can be read only once but do not say so when read again: iterators
 * that are their own iterable (an async generator object) and SDK streams (the openai `Stream`).
 * Weak: an entry goes with its stream.
 */
const READ_ONCE = /*#__PURE__*/ new WeakSet<object>();
const READ_ONCE_HINT = 'a stream can be read once, so the factory must return a new one on every call';

/**
 * A reader for `source`, or undefined if it is neither a ReadableStream nor an AsyncIterable. `sdkStream`:
 * it carries its own controller. Throws an {@link InvalidStreamError} for a source an earlier subscription
 * read (a factory that returns the same generator or SDK stream every time: a retry would read it exhausted).
 */
export function openReader(source: object, sdkStream = false): ChunkReader | undefined {
  let handle: unknown;
  let opened: string;
  try {
    if (isReadableStreamLike(source)) {
      handle = source.getReader();
      opened = 'getReader()';
    } else if (isAsyncIterable(source)) {
      handle = source[Symbol.asyncIterator]();
      opened = '[Symbol.asyncIterator]()';
    } else {
      return undefined;
    }
  } catch (e) {
    throw new InvalidStreamError(
      `fromStream: could not start reading ${describeValue(source)} (${describeThrown(e)}); ` +
        READ_ONCE_HINT,
      e,
    );
  }
  if (handle === source || (sdkStream && opened !== 'getReader()')) {
    if (READ_ONCE.has(source)) {
      throw new InvalidStreamError(`fromStream: the factory returned ${describeValue(source)}, which an earlier subscription already read; ${READ_ONCE_HINT}`);
    }
    READ_ONCE.add(source);
  }
  const method = opened === 'getReader()' ? 'read' : 'next';
  if (typeof safeGet(handle, method) !== 'function') {
    throw new InvalidStreamError(`fromStream: ${opened} of ${describeValue(source)} returned ${describeValue(handle)}, which has no ${method}() method`);
  }
  return method === 'read' ? new StreamReader(handle as ReadableStreamDefaultReader<unknown>) : new IteratorReader(handle as AsyncIterator<unknown>);
}

/* Readers as classes, not closures: one small object per open stream (fan-in keeps 10,000 of them). */
class StreamReader implements ChunkReader {
  constructor(private readonly reader: ReadableStreamDefaultReader<unknown>) {}
  read(): Promise<IteratorResult<unknown>> {
    return this.reader.read() as Promise<IteratorResult<unknown>>;
  }
  cancel(): void {
    settle(() => this.reader.cancel());
  }
}

class IteratorReader implements ChunkReader {
  constructor(private readonly iterator: AsyncIterator<unknown>) {}
  read(): Promise<IteratorResult<unknown>> {
    return this.iterator.next();
  }
  cancel(): void {
    settle(() => this.iterator.return?.());
  }
}

/**
 * Releases a stream the subscriber no longer wants (a factory promise resolved after unsubscribe):
 * aborts an SDK stream's own controller, cancels a ReadableStream, returns an async iterator, and
 * looks one level into a `{stream}` wrapper (an AI SDK `doStream` result). Only
 * matters for a factory that ignored `signal`, which is already aborted.
 */
export function discard(value: unknown, depth = 0): void {
  if (typeof value !== 'object' || value === null || depth > 1) return;
  settle(() => {
    const controller = controllerOf(value);
    if (controller) settle(() => controller.abort());
    if (isReadableStreamLike(value)) {
      if (!value.locked) settle(() => value.cancel());
    } else if (isAsyncIterable(value)) {
      settle(() => value[Symbol.asyncIterator]().return?.());
    } else {
      discard(safeGet(value, 'stream'), depth + 1);
    }
  });
}

export function unknownInputMessage(input: unknown): string {
  return (
    `fromStream: the factory returned ${describeValue(input)}, which is not a stream fromStream can read${hintFor(input)}. ` +
    'Return an SDK stream, a streamText result, an AsyncIterable, a ReadableStream or an Observable<L0Event> ' +
    '(or a promise of one), or add a custom adapter with `unwrap`'
  );
}

/** What the user most likely did wrong, for the well-known non-stream results of the SDKs. */
function hintFor(input: unknown): string {
  if (safeHas(input, 'textStream')) return ' (never pass `textStream`: it hides errors; return the streamText result or its `stream`)';
  const object = safeGet(input, 'object');
  if (object === 'chat.completion' || object === 'response' || object === 'text_completion') {
    return ` (it is a complete OpenAI \`${object}\` object, not a stream: did you forget \`stream: true\`?)`;
  }
  if (safeHas(input, 'steps') && safeHas(input, 'text')) {
    return ' (it looks like an AI SDK generateText result, which is not a stream: use streamText, not generateText)';
  }
  // a fetch Response: the SDK's stream, not its body (read as plain text: an AI SDK toTextStreamResponse() body hides errors)
  return isReadableStreamLike(safeGet(input, 'body')) ? " (return the SDK's stream, not a Response)" : '';
}
