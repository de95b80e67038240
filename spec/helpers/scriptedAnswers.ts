/** Scripted answers for the specs: `parseStructured` runs over chunks (structured) and texts cut into tokens (continuation). */
import { from } from 'rxjs';
import { z } from 'zod';
import { parseStructured, type L0Event } from 'l0-rx';

export const START: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };

/** The partials, result and error of `parseStructured` (any schema, onTruncated: 'accept') over `chunks` then a `complete`. */
export function parseRun(chunks: readonly string[], finishReason: 'stop' | 'length' = 'stop') {
  const out: L0Event[] = [];
  let error: unknown;
  const events: L0Event[] = [START, ...chunks.map((value): L0Event => ({ type: 'token', value })), { type: 'complete', finishReason }];
  from(events).pipe(parseStructured({ schema: z.any(), onTruncated: 'accept' })).subscribe({ next: (e) => out.push(e), error: (e: unknown) => (error = e) });
  const result = out.find((e) => e.type === 'result');
  return { error, result: result?.type === 'result' ? result : undefined, partials: out.flatMap((e) => (e.type === 'partial' ? [e.value as unknown] : [])) };
}

/** Cuts `text` into tokens: each cut a token of `cut + 1` characters, the rest one token. */
export function cutTokens(text: string, cuts: readonly number[]): L0Event[] {
  const out: L0Event[] = [];
  let at = 0;
  for (const c of cuts) if (at < text.length) out.push({ type: 'token', value: text.slice(at, (at += c + 1)) });
  if (at < text.length) out.push({ type: 'token', value: text.slice(at) });
  return out;
}

/**
 * Whether `rest` itself starts with words the checkpoint ends with (an honest "the the": ambiguous, left out), its
 * leading whitespace aside; with `before`, only the checkpoint's tails that start before it.
 */
export const startsLikeTail = (checkpoint: string, rest: string, before = checkpoint.length): boolean => {
  const flat = (t: string) => t.replace(/\s+/g, ' ');
  const head = flat(rest.trimStart());
  for (let i = 0; i < before; i++) {
    const tail = flat(checkpoint.slice(i).trimStart());
    if (tail.replace(/\s/g, '').length >= 2 && head.startsWith(tail.trimEnd())) return true;
  }
  return false;
};
