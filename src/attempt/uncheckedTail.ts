import type { L0Event } from '../events/eventTypes.js';

/*
 * How a content check tells the checkpoints downstream what it has not passed yet.
 *
 * A stream-first guardrail passes a token on before it has judged all of the text (a match at the
 * end waits for the next character; a rule may check every few tokens), and drift detection looks
 * at the text every 64 characters. `checkpointEvery`, further down the same attempt, emits its
 * checkpoint right after that token: without word from the checks, the checkpoint would hold text
 * they reject a moment later, a retry would resume from it, and the rejected text would stay in the
 * answer (a resumed checkpoint is not checked again).
 *
 * The word travels with the token: before handing a token on, a check calls
 * {@link markUncheckedTail} with the token event and how many characters at the end of the
 * attempt's text it has not passed; a second check on the same token keeps the larger count. A
 * checkpoint made at that token reads it with {@link uncheckedTailOf} and leaves that end out. The
 * mark names the event object, so it needs nothing undone after the token has passed (the next
 * token's mark replaces it, and a stale mark matches no other token), costs two stores per token,
 * and holds across a delay between the check and the checkpoint as long as no other marked token
 * passes in between. An operator in between that replaces token events by new objects drops the
 * word: checkpoints after it are not narrowed (README, "Continuation"). The count is from the end
 * of the text, so an operator in between that changes earlier text (a redaction) does not shift
 * it. The mark lives on `globalThis` under a registered symbol, as the attempt context does, so
 * the package's ESM and CJS copies share it.
 */
interface Mark { event: L0Event | undefined; tail: number }
const KEY = /*#__PURE__*/ Symbol.for('l0-rx.uncheckedTail.v1');
let shared: Mark | undefined;
function markOf(): Mark {
  if (shared) return shared;
  const host = globalThis as unknown as Record<symbol, Mark | undefined>;
  return (shared = host[KEY] ??= { event: undefined, tail: 0 });
}

/**
 * Says that the last `tail` characters of the attempt's text, as of token `event` (its own
 * included), are not passed yet by the calling check; call it before handing the token on. A
 * count of zero or less says nothing. @internal
 */
export function markUncheckedTail(event: L0Event, tail: number): void {
  if (tail <= 0) return;
  const mark = markOf();
  if (mark.event !== event) {
    mark.event = event;
    mark.tail = tail;
  } else if (tail > mark.tail) mark.tail = tail;
}

/** The characters at the end of the text the checks before it left unpassed at token `event` (0: none said). @internal */
export function uncheckedTailOf(event: L0Event): number {
  const mark = markOf();
  return mark.event === event ? mark.tail : 0;
}
