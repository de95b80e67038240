import { Subscriber, type Observable, type Observer, type Subscription } from 'rxjs';

/**
 * Which attempt a subscription is: handed down by the operators that resubscribe
 * (`retryWithBackoff`, `fallbackTo`) to the source that makes the request (`fromStream`,
 * `fromAttempt`), which reports it in its `start` event and gives it to the factory.
 */
export interface AttemptContext {
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  readonly attempt: number;
  /** 0 for the primary stream, 1 for the first fallback, and so on (in a loop nested in another's stream k, from k). */
  readonly fallbackIndex: number;
  /** The text already accepted from a failed attempt (continuation), when there is one. */
  readonly checkpoint?: string;
}

/** The context of a subscription nobody handed one to. */
export const FIRST_ATTEMPT: AttemptContext = /*#__PURE__*/ Object.freeze({ attempt: 1, fallbackIndex: 0 });

/*
 * How the context travels. RxJS has no per-subscription context, but subscription is synchronous
 * down an operator chain: a resubscribing operator puts the context in a slot, subscribes its
 * source, and the source's subscribe function (which runs inside that call) takes it. Taking
 * clears it, so nothing subscribed later, or by the factory itself, inherits it. A source that
 * subscribes later (after `subscribeOn`, inside an asynchronous `switchMap`) finds the slot empty:
 * the loop that handed the context notices (see {@link subscribeWithContext}'s `taken`) and fails
 * the run when such a source then reports another attempt. The slot lives on `globalThis` under a
 * registered symbol so that two copies of the package (ESM and CJS) share it.
 */
/**
 * A context in the slot, whether a source took it, and whether a loop nested in the attempt took it
 * (a retry or fallback loop: its later `start`s continue the handing loop's numbers). @internal
 */
export interface Holder {
  readonly ctx: AttemptContext;
  taken: boolean;
  nested?: boolean;
  /**
   * The run it belongs to: one object for every attempt and stream of one run, the outermost loop
   * that handed a context (a loop nested in another loop's attempt belongs to that loop's run; a race's
   * entrant, a lane of it: see raceCore), so a `budget()` inside the loops counts over the run's attempts.
   */
  readonly run?: object;
}
/** `relayed`: the `start`s another run numbered (see {@link markRelayed}), made on first use. */
interface Slot { current: Holder | undefined; relayed?: WeakSet<object> }
const KEY = /*#__PURE__*/ Symbol.for('l0-rx.attemptContext.v2');
/** The shared slot, made on first use (a module that only imports this file has no side effect). */
function slotOf(): Slot {
  const host = globalThis as unknown as Record<symbol, Slot | undefined>;
  return (host[KEY] ??= { current: undefined });
}

/**
 * Reads and clears the context set by the nearest enclosing {@link subscribeWithContext}; call it
 * synchronously at the top of a subscribe function. `nested`: the caller is a retry or fallback
 * loop, which numbers its attempts (or streams) on from the context's. @internal
 */
export function takeAttemptContext(nested?: boolean): AttemptContext | undefined {
  const slot = slotOf();
  const holder = slot.current;
  if (!holder) return undefined;
  holder.taken = true;
  if (nested) holder.nested = true;
  slot.current = undefined;
  return holder.ctx;
}

/**
 * The context set by the nearest enclosing {@link subscribeWithContext}, left in place: for a
 * source that hands it on to sources of its own (`raceModels`, `hedge`), and sets `taken` once one
 * of them took it. Left untaken, the loop that set it checks the first `start` it receives. @internal
 */
export function peekAttemptContext(): Holder | undefined {
  return slotOf().current;
}

/**
 * Marks the context set by the nearest enclosing {@link subscribeWithContext} as taken, without
 * clearing it: for a source that numbers its attempts itself (`fromServerSentEvents`, whose
 * server's `start` says attempt 1), so the loop does not check its `start` against the context,
 * while a sibling subscribed after it in the same synchronous subscribe (a `fromStream` in a
 * `merge`) still takes it. Returns its attempt (1 without one): from 2 on, a retry, for which
 * `fromServerSentEvents` asks for the whole run again. @internal
 */
export function waiveAttemptContext(): number {
  const holder = slotOf().current;
  if (!holder) return 1;
  holder.taken = true;
  return holder.ctx.attempt;
}

/**
 * Marks a `start` that another run numbered (the server's run `fromServerSentEvents` relays): it
 * moves no loop's count, however many loops it passes through. @internal
 */
export function markRelayed(start: object): void {
  (slotOf().relayed ??= new WeakSet()).add(start);
}

/** Whether `start` was marked by {@link markRelayed}. @internal */
export function isRelayed(start: object): boolean {
  return slotOf().relayed?.has(start) === true;
}

/** `copy` of `start`, marked by {@link markRelayed} when `start` was (a race naming its winner's `start`). @internal */
export function relayedLike<T extends object>(start: object, copy: T): T {
  if (isRelayed(start)) markRelayed(copy);
  return copy;
}

/** What {@link subscribeWithContext} did. @internal */
export interface ContextSubscription {
  readonly subscription: Subscription;
  /** Whether the source took the context during its synchronous subscribe. */
  readonly taken: boolean;
}

/**
 * Subscribes `observer` to `source` with `ctx` (when given) visible to the source's synchronous
 * subscribe, through one {@link AttemptSubscriber}: the source calls it directly (an observer
 * object would be wrapped in two more objects per attempt, each event passing through both).
 *
 * The slot is released when the subscribe call returns, or earlier, at the first notification
 * that reaches `observer` while `ctx` is still untaken: a source that does not take it (a canned
 * `of(...)` fallback, a replay) may deliver values synchronously, and consumer code reacting to
 * them must not see another run's context. After that first notification `next` costs one flag
 * test per token. `observer`'s methods are called on it (`this` is the observer, as in rxjs).
 * With `parent` (the consumer's subscriber), the attempt's subscriber is its child, so it is
 * closed as soon as the consumer leaves, even during the source's synchronous subscribe.
 * @internal
 */
export function subscribeWithContext<T>(
  source: Observable<T>,
  observer: Partial<Observer<T>>,
  ctx: AttemptContext | undefined,
  parent?: Subscription,
): ContextSubscription {
  return subscribeWithHolder(source, observer, ctx && { ctx, taken: false }, parent);
}

/**
 * {@link subscribeWithContext} with the context's holder made by the caller, who so sees what took
 * it while the source's synchronous subscribe still runs (a nested loop whose first `start`s pass
 * at once: its primary failed inside it and its fallback started). @internal
 */
export function subscribeWithHolder<T>(
  source: Observable<T>,
  observer: Partial<Observer<T>>,
  holder: Holder | undefined,
  parent?: Subscription,
): ContextSubscription {
  const subscriber = new AttemptSubscriber(holder && slotOf(), holder, observer);
  parent?.add(subscriber); // removed again when the attempt ends (rxjs removes a finished child from its parents)
  try {
    source.subscribe(subscriber);
  } finally {
    subscriber.release();
  }
  return { subscription: subscriber, taken: holder?.taken ?? false };
}

/**
 * Subscribes `observer` to `source` as a child of `parent` (the consumer's subscriber), with no
 * attempt context: a synchronous source sees `closed` as soon as the consumer leaves, even during
 * its own subscribe. For operators whose source observer is a few closures. @internal
 */
export function subscribeChild<T>(source: Observable<T>, observer: Partial<Observer<T>>, parent: Subscription): Subscription {
  return subscribeWithHolder(source, observer, undefined, parent).subscription;
}

/**
 * The subscriber of one attempt's source, forwarding to the loop that runs the attempts: it holds
 * the context slot until the first notification, stops at the first error or completion and then
 * unsubscribes the attempt's source, as rxjs's own subscribers do. One object per attempt (a
 * class, not closures: fan-in keeps one per open stream).
 */
class AttemptSubscriber<T> extends Subscriber<T> {
  private readonly previous: Holder | undefined;
  private held: boolean;

  constructor(
    private readonly slot: Slot | undefined,
    readonly holder: Holder | undefined,
    private readonly observer: Partial<Observer<T>>,
  ) {
    super();
    this.held = slot !== undefined;
    this.previous = slot?.current;
    if (slot) slot.current = holder;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    this.slot!.current = this.previous;
  }

  /** A throw while the observer takes the value (a malformed event) is the source's error, as in rxjs's operators: never thrown back into the source's `next`. */
  override next(value: T): void {
    if (this.isStopped) return;
    if (this.held) this.release();
    try {
      this.observer.next?.(value);
    } catch (e) {
      if (this.isStopped) throw e;
      this.error(e);
    }
  }

  override error(err: unknown): void {
    if (this.isStopped) return;
    this.isStopped = true;
    this.release();
    try {
      if (this.observer.error) this.observer.error(err);
      else throw err;
    } finally {
      this.unsubscribe();
    }
  }

  override complete(): void {
    if (this.isStopped) return;
    this.isStopped = true;
    this.release();
    try {
      this.observer.complete?.();
    } finally {
      this.unsubscribe();
    }
  }
}
