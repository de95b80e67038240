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
 * and the two are joined with one space instead.
 */
export function joinResults(texts: readonly string[], separator: string, minOverlap: number, maxOverlap: number): string {
  if (minOverlap === 0) return texts.join(separator);
  let out = '';
  texts.forEach((text, i) => {
    if (i === 0) return void (out = text);
    const prev = out.trimEnd();
    const next = text.trimStart();
    const k = overlapLength(prev, next, maxOverlap);
    out = k >= minOverlap ? `${prev}${next.slice(k)}` : `${out}${separator}${text}`;
  });
  return out;
}
