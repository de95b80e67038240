import { globalSlot } from './globalSlot.js';

/*
 * Output an attempt's check held back and never passed on, handed with the error that ends the
 * attempt. A hold-back guard keeps the last tokens until its rules have judged them: when the
 * attempt fails (its own violation, or an error from upstream), those tokens are dropped, yet the
 * model wrote them and they were paid for. A `budget()` after the guard (in `l0()`'s
 * `attemptOperators`) never saw them as deltas; it reads them here from the error and counts
 * them, so the next attempt of the run is not sent when they spent the limit. The texts are kept
 * by error in a weak map (no user's error is written to, a frozen one too), on `globalThis` under
 * a registered symbol, so the package's ESM and CJS copies share it (v2: numbered holds).
 * Each hold is numbered: an error object that ends several attempts or runs (a source's constant
 * error, a rethrown one) carries them all, and a budget counts only those made since it subscribed
 * (or after the last it counted). The retry and fallback loops hand an attempt's holds on with
 * what they emit for its failure (the `retry` or `fallback` event, the copy of the error that ends
 * the run), so a budget after the loops counts them too.
 */
interface Holds {
  readonly byError: WeakMap<object, { readonly text: string; readonly n: number }[]>;
  /** The number of the last hold made. */
  n: number;
  /** The operator that cut output upstream of the call running now (see {@link holding}), for the error that call may end its attempt with. */
  cut?: Cut;
}

/** An operator's output cut and never passed on (deduplicateContinuation's overlap), and the attempt it belongs to (its loop's context). @internal */
export interface Cut {
  dropped: string;
  readonly attempt: object | undefined;
}

const HOLDS: Holds = /*#__PURE__*/ globalSlot(Symbol.for('l0-rx.heldOutput.v2'), { byError: new WeakMap(), n: 0 });

/**
 * Runs `call` (an operator handing on an event of its attempt) with `by`, whose output cut is for
 * the error a check after it (a guard, drift detection, zero output) fails the attempt with during
 * that call: such an error never passes the operator, and the loop or `budget()` of the same attempt
 * that first takes it ({@link claimHeldOutput}) adds the text to it. Another run's loop or budget
 * failing inside the call (one the consumer starts, or feeds through a Subject) takes nothing. @internal
 */
export function holding(by: Cut, call: () => void): void {
  const holds = HOLDS;
  const outer = holds.cut;
  holds.cut = by;
  try {
    call();
  } finally {
    holds.cut = outer;
  }
}

/** Adds the output cut upstream of the running call (see {@link holding}) to `error`, once, when `attempt` (the claimer's context) is the cut's. @internal */
export function claimHeldOutput(error: unknown, attempt: object | undefined): void {
  const by = HOLDS.cut;
  if (by && by.attempt === attempt) {
    markHeldOutput(error, by.dropped);
    by.dropped = '';
  }
}

/** Adds `text` (held back, never passed on) to `error`, the error that ends the attempt; checks nested in one attempt add theirs. @internal */
export function markHeldOutput(error: unknown, text: string): void {
  if (text === '' || error !== Object(error)) return;
  const hold = { text, n: ++HOLDS.n };
  const held = HOLDS.byError.get(error as object);
  if (held) held.push(hold);
  else HOLDS.byError.set(error as object, [hold]);
}

/** Hands the holds `error` carries on to `to` (what a loop emits for that failure), keeping their numbers; returns `to`. @internal */
export function passHeldOutput<T extends object>(error: unknown, to: T): T {
  const held = HOLDS.byError.get(error as object);
  if (held) HOLDS.byError.set(to, [...held]);
  return to;
}

/** The number of the last hold made: a reader of holds made after now keeps it (see {@link heldOutput}). @internal */
export function heldSince(): number {
  return HOLDS.n;
}

/**
 * The text the checks before it held back from the attempts `error` ended, counting only the holds
 * numbered after `reader.since` (a {@link heldSince} taken on subscribing), which moves on to the last
 * one counted (not to the last made: another attempt's hold may be made before its event arrives,
 * a race releases a winner's events late): '' for none (a weak map gets nothing for a primitive). @internal
 */
export function heldOutput(error: unknown, reader: { since: number }, attempt?: object): string {
  claimHeldOutput(error, attempt);
  let text = '';
  // (an error's holds are in the order made, so numbered upwards)
  for (const hold of HOLDS.byError.get(error as object) ?? []) {
    if (hold.n > reader.since) {
      text += hold.text;
      reader.since = hold.n;
    }
  }
  return text;
}
