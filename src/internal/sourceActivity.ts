/*
 * How a source tells the timeouts right after it that it is not silent although it emits nothing.
 *
 * The adapters hold back what cannot be shown yet: a tool call's argument fragments (until the call
 * is whole), audio bytes. While they stream, the provider is talking, but no
 * event leaves `fromStream`, and `withTimeouts` would see silence: a tool call whose arguments
 * take longer than `initialToken` to stream failed every attempt. So `fromStream` calls this method
 * on its subscriber for each chunk that produced no event but held content back (its decoder's
 * `push` returned true; a keep-alive, an empty delta, a role or usage chunk is silence), and
 * `withTimeouts`, subscribed directly to it (as in `l0()`), restarts its clock. Any other subscriber lacks the method: nothing happens.
 * A registered symbol, so two copies of the package (ESM and CJS) agree.
 */

/** The method a subscriber offers to hear of a source's chunk that carried no event. @internal */
export const SOURCE_ACTIVE: unique symbol = Symbol.for('l0-rx.sourceActive') as never;

/** Tells `subscriber` that its source read a chunk that produced no event, if it listens. @internal */
export function tellSourceActive(subscriber: object): void {
  (subscriber as { [SOURCE_ACTIVE]?: () => void })[SOURCE_ACTIVE]?.();
}
