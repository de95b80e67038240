import type { AttemptContext } from '../attempt/attemptContext.js';
import type { StreamContext } from './fromStream.js';

/**
 * The abort side of one subscription's `signal`, made on first read: an `AbortController` with its
 * `AbortSignal` (an EventTarget) costs about 800 bytes of heap, which 10,000 open streams of a
 * factory that never reads `signal` (an async generator, a canned stream) need not pay. Reading
 * `signal` after `abort()` gets a signal that is already aborted, so nobody can tell the
 * difference from an eager controller. @internal
 */
export class AttemptSignal {
  private controller: AbortController | undefined = undefined;
  private aborted = false;

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.controller?.abort();
  }
}

const SIGNAL = Symbol('l0-rx.attemptSignal');

/** `signal` of every context: one shared getter, reading the context's own AttemptSignal. */
const signalProperty: PropertyDescriptor = Object.freeze({
  enumerable: true,
  get(this: { [SIGNAL]: AttemptSignal }) {
    return this[SIGNAL].signal;
  },
});

/**
 * The frozen {@link StreamContext} a factory gets: `signal` is an enumerable own property (a getter,
 * so spreading or destructuring the context reads it like any other field). @internal
 */
export function streamContext(abort: AttemptSignal, ctx: AttemptContext): StreamContext {
  return Object.freeze(withSignalOf(contextFields(ctx), abort));
}

/**
 * `{...ctx, ...fields}` for a context made by {@link streamContext}, without reading its `signal`
 * (a spread would call the getter and so make the AbortController). Not frozen, as a spread is not.
 * @internal
 */
export function extendStreamContext<T extends object>(ctx: StreamContext, fields: T): StreamContext & T {
  const abort = (ctx as unknown as { [SIGNAL]?: AttemptSignal })[SIGNAL];
  if (abort === undefined) return { ...ctx, ...fields }; // a context made elsewhere: a plain spread
  return withSignalOf(Object.assign(contextFields(ctx), fields), abort) as StreamContext & T;
}

/** The attempt's fields of a context, `checkpoint` only when there is one. */
function contextFields({ attempt, fallbackIndex, checkpoint }: AttemptContext): AttemptContext {
  return typeof checkpoint === 'string' && checkpoint !== '' ? { attempt, fallbackIndex, checkpoint } : { attempt, fallbackIndex };
}

function withSignalOf<T extends object>(target: T, abort: AttemptSignal): T & StreamContext {
  Object.defineProperty(target, SIGNAL, { value: abort });
  Object.defineProperty(target, 'signal', signalProperty);
  return target as T & StreamContext;
}
