import { globalSlot } from './globalSlot.js';

/*
 * Whether the attempt after the one a context names would be refused at once: a `budget()` in that
 * attempt registers its check (its ledger cannot stream one more token), so the retry loop that
 * handed the context asks it before it announces a `retry` and waits its delay for an attempt that
 * will not come. Kept by context in a weak map (only the loop that handed that context asks: a loop
 * nested in the attempt hands its own), on `globalThis` under a registered symbol, so the package's
 * ESM and CJS copies share it.
 */
const CHECKS = /*#__PURE__*/ globalSlot(Symbol.for('l0-rx.refusedAttempt.v1'), new WeakMap<object, () => unknown>());

/**
 * Registers `check` for attempt `ctx`: the error the next attempt would end the run with, `true`
 * when it would complete it, or nothing. A second check of one attempt (budgets in the entrants of
 * a race, two in a row) leaves it unknown: the loop waits, and the attempt's budgets answer as before. @internal
 */
export function onNextAttempt(ctx: object, check: () => unknown): void {
  CHECKS.set(ctx, CHECKS.has(ctx) ? UNKNOWN : check);
}

const UNKNOWN = (): undefined => undefined;

/** What the checks registered for attempt `ctx` say of the attempt after it (see {@link onNextAttempt}). @internal */
export function refusedAfter(ctx: object | undefined): unknown {
  return ctx && CHECKS.get(ctx)?.();
}
