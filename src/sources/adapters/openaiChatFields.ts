/* The chat adapter's readers of chunk fields, typed (a field of another type is `MALFORMED_CHUNK` naming it). Internal. */
import type { Usage } from '../../events/eventTypes.js';
import type { AdapterEmit } from './types.js';
import { argumentsText, isRecord, malformedChunk, rec, str, usageOf, type Rec } from './shared.js';

export const NAME = 'openai-chat';

/**
 * `o[key]` as a string (absent or null: undefined). Any other value is `MALFORMED_CHUNK` naming it: dropped,
 * an argument fragment would leave its call's JSON cut and the answer whole-looking (the AI SDK rejects such a chunk too).
 */
export const text = (o: Rec | undefined, key: string, chunk: unknown) => field(o, key, chunk, (v): v is string => typeof v === 'string', 'a string');

/**
 * A call's `arguments` (of `function`, `function_call`): a string fragment, or an object, which some compatible
 * gateways stream whole instead of its JSON text (rig#1829): read as that text, made once, a whole value that a later
 * object replaces (an object no JSON holds, in-process, is `MALFORMED_CHUNK`). Any other value is `MALFORMED_CHUNK`, as {@link text}.
 */
export const args = (o: Rec | undefined, chunk: unknown) => (isRecord(o?.['arguments']) ? argumentsText(o['arguments'], NAME, chunk) : text(o, 'arguments', chunk));

/** `o[key]` as an object (absent or null: undefined); any other value is `MALFORMED_CHUNK` naming it, as {@link text}. */
export const part = (o: Rec, key: string, chunk: unknown) => field(o, key, chunk, isRecord, 'an object');

/**
 * `o.index` (of a choice, a tool call) as an integer >= 0 (absent or null: undefined); any other value is
 * `MALFORMED_CHUNK`: a choice at `"0"` taken for another would lose its text, a fragment at `"1"` go on another call.
 */
export const indexOf = (o: Rec, chunk: unknown) => field(o, 'index', chunk, (v): v is number => Number.isSafeInteger(v) && (v as number) >= 0, 'an integer >= 0');

function field<T>(o: Rec | undefined, key: string, chunk: unknown, is: (value: unknown) => value is T, what: string): T | undefined {
  const value = o?.[key];
  if (value === undefined || value === null) return undefined;
  if (is(value)) return value;
  throw malformedChunk(NAME, `\`${key}\` is not ${what}`, chunk);
}

/**
 * Reasoning text: a string, or the `text` of an object (Envoy AI Gateway streams Bedrock's reasoning as
 * `reasoning_content: {text, signature, redacted_content}`). Reasoning of another shape is not read,
 * never `MALFORMED_CHUNK`: it is no part of the answer, and failing it would fail a healthy answer on every attempt.
 */
export function thought(value: unknown): string | undefined {
  return typeof value === 'string' ? value : str(rec(value)?.['text']);
}

/** Reasoning the delta holds but no text was read from (a signature, redacted reasoning): the provider is at work. */
export const unread = (d: Rec): boolean => (d['reasoning_content'] ?? d['reasoning']) != null;

/**
 * `delta.content` as parts (Mistral's reasoning models: `{type: 'thinking', thinking: [{type: 'text', text}]}`, then
 * `{type: 'text', text}`): text parts -> `token`, thinking parts' text -> `reasoning`, in order; a part with no
 * text (or `""`) emits nothing. A part of another type is skipped, as the AI SDK skips it; one that is no object
 * with a string `type` is `MALFORMED_CHUNK`.
 */
export function contentParts(parts: readonly unknown[], emit: AdapterEmit, chunk: unknown): void {
  for (const p of parts) {
    const type = rec(p)?.['type'];
    if (typeof type !== 'string') throw malformedChunk(NAME, 'a `delta.content` part is not an object with a string `type`', chunk);
    const thinking = (p as Rec)['thinking'];
    for (const step of type === 'text' ? [p] : type === 'thinking' && Array.isArray(thinking) ? (thinking as unknown[]) : []) {
      const value = rec(step)?.['type'] === 'text' && text(step as Rec, 'text', chunk);
      if (value) emit({ type: type === 'text' ? 'token' : 'reasoning', value });
    }
  }
}

/** A delta with something in it (not only a role, nulls or empty text). */
export function says(delta: unknown): boolean {
  const d = rec(delta);
  if (d) for (const key in d) if (key !== 'role' && d[key] != null && d[key] !== '') return true;
  return false;
}

/**
 * A tool call's `id` or `name`, with `""` read as absent: compatible servers send `id: ""` on every
 * fragment after the first (DashScope / Qwen), or `name: ""` before the real name (vLLM) or after it
 * (Volcengine Ark); taken as values, they split one call in two or name it `""`.
 */
export function filled(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function chatUsage(u: Rec): Usage | undefined {
  return usageOf({
    inputTokens: u['prompt_tokens'],
    outputTokens: u['completion_tokens'],
    totalTokens: u['total_tokens'],
    reasoningTokens: rec(u['completion_tokens_details'])?.['reasoning_tokens'],
    cachedInputTokens: rec(u['prompt_tokens_details'])?.['cached_tokens'],
  });
}
