import { globalSlot } from './globalSlot.js';

/*
 * Whether the attempt after the one a holder names would be refused at once: a `budget()` in that
 * attempt registers its check (its ledger cannot stream one more token), so the retry loop that
 * made the holder asks it before it announces a `retry` and waits its delay for an attempt that
 * will not come. Kept by holder (the attempt's context as one loop handed it) in a weak map: only
 * that loop asks, never for a budget in a race's entrant (each has a holder of its own: refused
 * alone, it leaves the others racing; the race registers on its loop's holder whether all would be)
 * nor in a nested loop's attempt (that loop asks). On
 * `globalThis` under a registered symbol, so the package's ESM and CJS copies share it.
 */
const CHECKS = /*#__PURE__*/ globalSlot(Symbol.for('l0-rx.refusedAttempt.v2'), new WeakMap<object, (() => unknown)[]>());

/**
 * Registers `check` for the attempt `holder` names: the error the next attempt would end the run
 * with, `true` when it would complete it, or nothing. Two budgets in one attempt both register: the
 * first registered (subscribed first, so the outer of two in a row) that refuses answers, as in the
 * next attempt it refuses before the other is asked. A list, not a chain of closures: thousands of
 * races or budgets in one attempt ask theirs without a deep stack. @internal
 */
export function onNextAttempt(holder: object, check: () => unknown): void {
  const list = CHECKS.get(holder);
  if (list) list.push(check);
  else CHECKS.set(holder, [check]);
}

/** What the checks registered for the attempt `holder` names say of the attempt after it (see {@link onNextAttempt}). @internal */
export function refusedAfter(holder: object | undefined): unknown {
  let refused: unknown;
  for (const check of (holder && CHECKS.get(holder)) || []) if ((refused = check())) break;
  return refused;
}
