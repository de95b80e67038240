import { Subscriber } from 'rxjs';

/**
 * The base of our operators' per-subscription observers: an rxjs `Subscriber` that the source
 * calls directly, as the subscribers of rxjs's own operators are.
 *
 * `source.subscribe(observer)` with a plain observer object wraps it in two objects, a
 * `SafeSubscriber` and its `ConsumerObserver`, and every event then passes through three calls
 * before reaching it, one of them a property lookup shared by every observer of the application
 * (profiles of the content stack put 14% of its time in that one function). A `Subscriber` is
 * used as it is: no wrapper, no extra object per layer.
 *
 * What the wrapper did, the relay does: its `next` starts with `if (this.isStopped) return;` (a
 * source may be unruly: nothing reaches a stopped or unsubscribed relay), and an `error` or
 * `complete` of its own sets `isStopped` before anything else, as the defaults here do. The
 * downstream subscriber holds the relay (the constructor adds it), so the downstream's end
 * unsubscribes the relay and, through it, the source, as rxjs's operators do.
 *
 * A notification a stopped relay drops is not reported to rxjs's `config.onStoppedNotification`
 * debugging hook (the wrapper did report it).
 *
 * The `Subscriber` constructor is marked deprecated for direct use in rxjs 7 ("internal in v8")
 * and in rxjs 8's drafts, which offer `operate({ destination, next, ... })` instead (a Subscriber
 * built from override closures). Subclassing it is how rxjs's own operators are written, and
 * `Observable.subscribe` uses any `Subscriber` as it is in both versions. Should a later rxjs
 * close it, a relay becomes an `operate()` call: closures per layer per subscription, which is
 * what the fan-in work avoided. @internal
 */
export abstract class Relay<T, R = T> extends Subscriber<T> {
  constructor(protected readonly out: Subscriber<R>) {
    super(out);
  }

  /**
   * Each relay's `next` hands the value to its handling inside `try` and passes a throw there (a
   * malformed event, a bug) to {@link raise}, as rxjs's operators do, instead of letting it reach the
   * source's `next` (a `Subject`'s caller would get it, and the operator would stay subscribed in an
   * unknown state). Each subclass writes that `try` in its own `next`: a shared one here would call
   * every subclass's handling from one call site, which V8 cannot inline (5-7% of the content stack).
   */
  abstract override next(value: T): void;

  /** Ends the subscription with an error of the relay's own, downstream (and so unsubscribes the source); rethrown once the relay has stopped. */
  protected raise(error: unknown): void {
    if (this.isStopped) throw error;
    this.isStopped = true;
    this.out.error(error);
  }

  /** Forwards the source's error, once. */
  override error(error: unknown): void {
    if (this.isStopped) return;
    this.isStopped = true;
    this.out.error(error);
  }

  /** Forwards the source's completion, once. */
  override complete(): void {
    if (this.isStopped) return;
    this.isStopped = true;
    this.out.complete();
  }
}
