/**
 * "Did you mean ...?" for names a user typed: option keys, callback names, fault names.
 * @internal Shared by the option validators and the testing kit; never re-exported.
 */

/** Names longer than this are not compared: nothing sensible is that long, and the cost stays bounded. */
const MAX_NAME = 64;

/**
 * The optimal-string-alignment distance (Damerau-Levenshtein restricted to adjacent swaps) between
 * `a` and `b`: the fewest single-character insertions, deletions, substitutions and swaps of two
 * neighbours that turn one into the other. O(|a| x |b|) time, O(|b|) memory.
 *
 *   editDistance('intialToken', 'initialToken') === 1     editDistance('onRetyr', 'onRetry') === 1
 */
export function editDistance(a: string, b: string): number {
  let beforePrevious = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, beforePrevious[j - 2]! + 1);
      current[j] = d;
    }
    [beforePrevious, previous, current] = [previous, current, beforePrevious];
  }
  return previous[b.length]!;
}

/**
 * The candidate `word` was most likely meant to be, or `undefined` when none is close. Compared
 * case-insensitively; a candidate is close when its {@link editDistance} is at most 40 % of the
 * longer name, rounded up (`retries` -> `retry`), or when one name contains the other and the
 * shorter has 4 characters or more (`maxAttempts` -> `attempts`). Among close candidates the
 * lowest distance wins, less half a point per leading character in common, so a name that starts
 * the same way is preferred (`fallbacks` -> `fallbackStreams` rather than `onFallback`, but
 * `maxRetry` -> `maxRetries` rather than `maxRetryAfter`). Ties go to the earlier candidate.
 *
 *   closestName('intialToken', ['initialToken', 'interToken', 'total']) === 'initialToken'
 */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > MAX_NAME) return undefined;
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const limit = Math.ceil(0.4 * Math.max(w.length, c.length));
    const contains = Math.min(w.length, c.length) >= 4 && (w.includes(c) || c.includes(w));
    if (!contains && Math.abs(w.length - c.length) > limit) continue; // the length gap alone is too far
    const d = editDistance(w, c);
    if (d > limit && !contains) continue;
    const score = d - 0.5 * commonPrefix(w, c);
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
