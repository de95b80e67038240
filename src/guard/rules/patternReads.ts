/**
 * The characters that must follow a match of a user's regex before it is final (its `settle`): 0
 * when the character after a match settles it, else `span` (its look-aheads, optional tails and
 * backtracking are unknown, and `span` bounds what one match reads past its end). 0 only for the
 * shapes proven to settle: a run of single-character atoms (a literal, an escape, a class, `.`)
 * with fixed counts, and assertions (`^`, `$`, `\b`, `\B`), whose last atom alone may take a
 * varying count (greedy or lazy, nothing after it: `sk-\d+`, `\bsk-[A-Za-z0-9]{20,}`).
 * Conservative: `\p{}`, `\u`, `\x` and `\c` escapes read `span` too. A match of such a regex that
 * a character follows is the one the whole text gives, and an earlier start that failed within
 * the text so far fails in it too. Anything else (a group, `|`, a back-reference, the `v` flag, an
 * assertion after the varying atom) reads `span`.
 * @internal
 */
export function patternReads(re: RegExp, span: number): number {
  return !re.flags.includes('v') && SETTLES.test(re.source) ? 0 : span;
}

/**
 * The shape of a regex source the character after a match settles: assertions, and atoms (a
 * one-character escape, not a back-reference, a class, a literal or `.`), each with a fixed count,
 * then maybe one atom with a varying count, last.
 */
const SETTLES = /^(?:\^|\$|\\[bB]|(?:\\[^1-9kbBcpux]|\[(?:\\[^]|[^\]\\])*\]|[^\\[\](){}|^$*+?])(?:\{\d+\}\??)?)*(?:(?:\\[^1-9kbBcpux]|\[(?:\\[^]|[^\]\\])*\]|[^\\[\](){}|^$*+?])(?:[*+?]|\{\d+,\d*\})\??)?$/;
