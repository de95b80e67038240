/** Characters of the tail's end looked up to find the candidate periods. */
const PROBE = 32;

/**
 * Whether `s` repeats one unit of at most `maxPeriod` characters all along (has a period
 * `p <= maxPeriod`: `s[i] === s[i + p]` throughout), with native string search instead of a
 * character loop: a period p puts the last `PROBE` characters again p characters earlier, so only
 * the offsets where `indexOf` finds them are candidates, each confirmed by one comparison of
 * `s` with itself shifted. Ordinary text has no candidate, or one that fails at once.
 * @internal
 */
export function hasPeriodAtMost(s: string, maxPeriod: number): boolean {
  return periodAtMost(s, maxPeriod) > 0;
}

/** A period of `s` of at most `maxPeriod` characters (see {@link hasPeriodAtMost}), or 0 when it has none. @internal */
export function periodAtMost(s: string, maxPeriod: number): number {
  const probe = Math.min(PROBE, s.length - maxPeriod);
  if (probe <= 0) return s.length; // its whole length is a period
  const end = s.slice(s.length - probe);
  const last = s.length - probe;
  // forward `indexOf` from the farthest candidate (a fast native search; `lastIndexOf` is a slow runtime call)
  for (let q = s.indexOf(end, last - maxPeriod); q >= 0 && q < last; q = s.indexOf(end, q + 1)) {
    const d = last - q;
    if (s.slice(d) === s.slice(0, s.length - d)) return d;
  }
  return 0;
}
