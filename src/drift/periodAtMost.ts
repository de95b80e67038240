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
  return periodAtMost(s, maxPeriod, 1) > 0;
}

/**
 * A period of `s` of at most `maxPeriod` characters (see {@link hasPeriodAtMost}), or, when it has
 * none, minus how many of the windows of its length that end `step`, 2 `step`... characters further
 * on in the text have none either (0 when none is known to be free). Each p <= maxPeriod has a pair
 * `s[i] !== s[i + p]`; a later window holds that pair, so lacks the period p, while it starts at or
 * before i. A p that is no candidate has its pair past `last - p`, so past `last - maxPeriod`; a
 * candidate that fails is compared again from where the free windows start.
 * @internal
 */
export function periodAtMost(s: string, maxPeriod: number, step: number): number {
  const probe = Math.min(PROBE, s.length - maxPeriod);
  if (probe <= 0) return s.length; // its whole length is a period
  const end = s.slice(s.length - probe);
  const last = s.length - probe;
  // the windows ahead whose start is at or before every pair found so far
  let free = ((last - maxPeriod) / step) | 0;
  // forward `indexOf` from the farthest candidate (a fast native search; `lastIndexOf` is a slow runtime call)
  for (let q = s.indexOf(end, last - maxPeriod); q >= 0 && q < last; q = s.indexOf(end, q + 1)) {
    const d = last - q;
    if (s.slice(d) === s.slice(0, s.length - d)) return d;
    // no pair past where the free windows start (cut + d <= last): one may have the period d
    const cut = free * step;
    if (s.slice(cut + d) === s.slice(cut, s.length - d)) free = 0;
  }
  return -free;
}
