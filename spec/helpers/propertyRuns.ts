/*
 * How many inputs a property draws, and how long its test may take. Every property states its own
 * run count, sized to its cost (`runs(300)`); L0_PROPERTY_RUNS is one factor applied to every count, so
 * it means the same thing in every file: `L0_PROPERTY_RUNS=3` draws three times each property's inputs.
 * Unset, each property draws its own count. A bound on how many runs reached a check scales the same
 * way (`expect(found).toBeGreaterThan(runs(100))` in a property of `runs(500)`), so it stays a share of
 * the runs; the factor is at least 1, as fewer runs would make such a share a coin toss. Test timeouts
 * grow with the factor (vitest.config.ts scales the default, `runsTimeout` a test's own), so a longer
 * run is not cut short by a timeout sized for the default one.
 *
 *   L0_PROPERTY_SEED=random L0_PROPERTY_RUNS=3 npx vitest run spec/preset
 */

/** The largest factor: a count such as 300 (the variable once was one) is refused rather than run 300 times. */
const MAX_FACTOR = 50;

/** L0_PROPERTY_RUNS read as a factor (1 when unset); any other value is refused, with what was given. */
export function runsFactor(given: string | undefined): number {
  if (given === undefined || given.trim() === '') return 1;
  const factor = Number(given);
  if (!(factor >= 1 && factor <= MAX_FACTOR)) {
    throw new TypeError(
      `L0_PROPERTY_RUNS must be a factor of every property's own run count, from 1 to ${MAX_FACTOR} (3 draws three times the inputs), got ${JSON.stringify(given)}`,
    );
  }
  return factor;
}

const FACTOR = runsFactor(process.env['L0_PROPERTY_RUNS']);

/** A property's run count (or a bound on its runs): its own count `n`, scaled by L0_PROPERTY_RUNS. */
export function runs(n: number, factor = FACTOR): number {
  return Math.round(n * factor);
}

/** A test's own timeout `ms`, scaled by L0_PROPERTY_RUNS. */
export function runsTimeout(ms: number, factor = FACTOR): number {
  return Math.ceil(ms * factor);
}
