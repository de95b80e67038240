import type { Subscriber } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { globalSlot } from '../internal/globalSlot.js';

/*
 * How a content check tells the checkpoints downstream what it has not passed yet.
 *
 * A stream-first guardrail passes a token on before it has judged all of the text (a phrase may
 * still be coming, a match at the end waits for its next character, a rule may check every few
 * tokens), and drift detection looks at the text every 64 characters. `checkpointEvery`, further
 * down the same attempt, emits its checkpoint right after that token: without word from the
 * checks, the checkpoint would hold text they reject a moment later, a retry would resume from it,
 * and the rejected text would stay in the answer (a resumed checkpoint is not checked again).
 *
 * A token travels down an operator chain synchronously, so the word travels with the call: a
 * check hands the token on through {@link nextWithUncheckedTail}, which sets, for the duration of
 * that call, how many characters at the end of the attempt's text are not passed (nested checks
 * keep the largest), and restores the slot when the call returns or throws. A checkpoint made
 * inside the call reads it ({@link uncheckedTail}). Only small integers are stored: a per-token
 * store of the token object in this long-lived slot cost drift detection 5% (the write barrier).
 * An operator that emits text of its own that may be shorter than what it got (a hold-back guard)
 * passes the word on counted in its own text (`own`); one that only removes text (`splitThinking`)
 * can leave the count as it is (it only gets more cautious); one that lengthens tokens or delays
 * them to a later task (`delay`, `observeOn`) makes it wrong or drops it (README, `checkpointEvery`).
 * Each source starts its tokens' calls at zero: a run fed from inside another's delivery is not
 * narrowed by the other's count. Checks say nothing when no checkpoint listens: `checkpointEvery`
 * subscribes its source inside {@link listenForUncheckedTails}, and a check made then tells. The
 * slot lives on `globalThis` under a registered symbol, as the attempt context does, so the
 * package's ESM and CJS copies share it.
 */
interface Slot { tail: number; listening: number }
const KEY = /*#__PURE__*/ Symbol.for('l0-rx.uncheckedTail.v3');
const SLOT: Slot = /*#__PURE__*/ globalSlot(KEY, { tail: 0, listening: 0 });

/**
 * Passes `event` to `out` saying that the last `tail` characters of the attempt's text, this
 * token's included, are not passed by the calling check; a check around it that said more keeps
 * its count. `own`: `event` is a token of the caller's own text, and `tail` is the count whatever
 * the checks around it said (they counted in another text; the caller has folded their count in).
 * @internal
 */
export function nextWithUncheckedTail(out: Subscriber<L0Event>, event: L0Event, tail: number, own = false): void {
  const slot = SLOT;
  const outer = slot.tail;
  if (own ? tail === outer : tail <= outer) return out.next(event);
  slot.tail = tail;
  try {
    out.next(event);
  } finally {
    slot.tail = outer;
  }
}

/** While a token is being handed on: the characters at the end of the text the checks around the call have not passed (0 otherwise). @internal */
export function uncheckedTail(): number {
  return SLOT.tail;
}

/**
 * Runs `subscribe` (a checkpoint's subscription to its source) telling the checks subscribed
 * inside it that a checkpoint listens ({@link isListenedTo}): subscription runs synchronously up
 * the chain, so the checks before a `checkpointEvery` are made during this call. @internal
 */
export function listenForUncheckedTails<T>(subscribe: () => T): T {
  const slot = SLOT;
  slot.listening++;
  try {
    return subscribe();
  } finally {
    slot.listening--;
  }
}

/**
 * Whether a checkpoint is subscribing downstream right now: a check made without one need not say
 * what it has not passed (the call costs a few percent per token). A check subscribed later, on
 * its own (after `subscribeOn`), finds none and does not narrow the checkpoints. @internal
 */
export function isListenedTo(): boolean {
  return SLOT.listening > 0;
}
