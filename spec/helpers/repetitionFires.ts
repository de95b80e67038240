import { RepetitionCheck } from '../../src/drift/repetition.js';

/** Whether the repetition check fires on `text` fed in chunks of the given sizes (checks, then the completion check). */
export function fires(text: string, sizes: readonly number[]): boolean {
  const check = new RepetitionCheck();
  for (let at = 0, k = 0; at < text.length; k++) {
    const size = sizes[k % sizes.length]!;
    if (check.check(text.slice(at, at + size))) return true;
    at += size;
  }
  return check.complete();
}
