/**
 * "Did you mean ...?" for names a user typed: option keys, callback names, fault names.
 * @internal Shared by the option validators and the testing kit; never re-exported.
 */

/** Names longer than this are not compared: nothing sensible is that long, and the cost stays bounded. */
const MAX_NAME = 64;

/**
 * The optimal-string-alignment distance (Damerau-Levenshtein restricted to adjacent swaps) between
 * `a` and `b`: the fewest single-character insertions, deletions, substitutions and swaps of two
 * neighbours that turn one into the other. O(|a| x |b|) time and memory (names are short: see
 * {@link MAX_NAME}); written for size, as it ships in every bundle that validates options.
 *
 *   editDistance('intialToken', 'initialToken') === 1     editDistance('onRetyr', 'onRetry') === 1
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = (d[i] = []);
    for (let j = 0; j <= b.length; j++) {
      // out of range, a[-1] and b[-1] are undefined, so the swap test is false in the first row and column
      row[j] =
        i * j === 0
          ? i + j
          : Math.min(
              d[i - 1]![j]! + 1,
              row[j - 1]! + 1,
              d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
              a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] ? d[i - 2]![j - 2]! + 1 : Infinity,
            );
    }
  }
  return d[a.length]![b.length]!;
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
    const contains = Math.min(w.length, c.length) >= 4 && (w.includes(c) || c.includes(w));
    const d = editDistance(w, c);
    if (d > Math.ceil(0.4 * Math.max(w.length, c.length)) && !contains) continue;
    let prefix = 0;
    while (w[prefix] && w[prefix] === c[prefix]) prefix++;
    if (d - 0.5 * prefix < bestScore) {
      best = candidate;
      bestScore = d - 0.5 * prefix;
    }
  }
  return best;
}
