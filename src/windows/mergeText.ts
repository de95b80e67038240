/*
 * Joining per-chunk results without the text that overlapping windows make them repeat.
 * Internal: never re-exported from an entry point.
 */

/**
 * The length of the longest prefix of `next` that is also a suffix of `prev`, in O(|prev| + |next|)
 * (the KMP failure function of `next` run over `prev`), looking at most `max` characters back.
 */
export function overlapLength(prev: string, next: string, max: number): number {
  const m = Math.min(next.length, max);
  if (m === 0) return 0;
  const fail = new Int32Array(m);
  for (let i = 1, k = 0; i < m; i++) {
    while (k > 0 && next[i] !== next[k]) k = fail[k - 1]!;
    if (next[i] === next[k]) k++;
    fail[i] = k;
  }
  let k = 0;
  for (let i = Math.max(0, prev.length - m); i < prev.length; i++) {
    while (k > 0 && (k === m || prev[i] !== next[k])) k = fail[k - 1]!;
    if (prev[i] === next[k]) k++;
  }
  return k;
}

/**
 * `texts` joined with `separator`; with `minOverlap` > 0, each text's start that repeats the end of
 * the text before it (at least `minOverlap` characters, whitespace at the seam ignored) is dropped
 * and the two meet with no separator.
 *
 * 1. The joined text is kept as a list of parts (never one growing string that every step would
 *    copy or flatten: that made the join quadratic in the number of results); empty parts are never
 *    kept, and `solid` is the index of the last part with a non-whitespace character.
 * 2. For each text after the first: `next` is the text without leading whitespace; `tail` the last
 *    `min(|next|, maxOverlap)` characters of the joined text without its trailing whitespace, read
 *    from the parts back from `solid` (O(maxOverlap) per text); `k` their overlap.
 * 3. `k >= minOverlap`: the parts after `solid` go, `solid` loses its trailing whitespace, and
 *    `next` without its first `k` characters is appended. Else `separator` and the text are.
 */
export function joinResults(texts: readonly string[], separator: string, minOverlap: number, maxOverlap: number): string {
  if (minOverlap === 0) return texts.join(separator);
  const parts: string[] = [];
  let solid = -1;
  const push = (part: string) => {
    if (part === '') return;
    parts.push(part);
    if (/\S/.test(part)) solid = parts.length - 1;
  };
  texts.forEach((text, i) => {
    if (i === 0) return push(text);
    const next = text.trimStart();
    const k = overlapLength(tailOf(parts, solid, Math.min(next.length, maxOverlap)), next, maxOverlap);
    if (k < minOverlap) {
      push(separator);
      return push(text);
    }
    parts.length = solid + 1;
    parts[solid] = parts[solid]!.trimEnd(); // holds a non-whitespace character: never empty
    push(next.slice(k));
  });
  return parts.join('');
}

/** The last `m` characters of `parts.join('')` without its trailing whitespace (`solid`: the last part holding any other character). */
function tailOf(parts: readonly string[], solid: number, m: number): string {
  if (solid < 0 || m === 0) return '';
  let tail = parts[solid]!.trimEnd();
  tail = tail.slice(Math.max(0, tail.length - m));
  for (let i = solid - 1; i >= 0 && tail.length < m; i--) {
    const p = parts[i]!;
    tail = p.slice(Math.max(0, p.length - (m - tail.length))) + tail;
  }
  return tail;
}
