/*
 * Answers as scripts (text and reasoning in order, tool calls, a finish reason, usage) and the chunks of each
 * stream format that describe one, cut and batched as the dice say: the property specs check every cut
 * gives the script's events.
 */
import fc from 'fast-check';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses';
import type { LanguageModelV4StreamPart } from '@ai-sdk/provider';
import type { TextStreamPart, ToolSet } from 'ai';
import type { FinishReason, L0Event, Usage } from 'l0-rx';

export interface Script {
  /** Text and reasoning, in order (each non-empty). */
  readonly pieces: readonly { readonly kind: 'token' | 'reasoning'; readonly text: string }[];
  /** Tool calls in order; `args` is JSON text. */
  readonly calls: readonly { readonly id: string; readonly name: string; readonly args: string }[];
  readonly finish: 'stop' | 'length' | 'tool-calls' | 'content-filter';
  readonly usage: { readonly input: number; readonly output: number } | undefined;
}

const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,9}$/);
const args = fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((o) => JSON.stringify(o));

export const scriptArb: fc.Arbitrary<Script> = fc.record({
  pieces: fc.array(fc.record({ kind: fc.constantFrom('token' as const, 'reasoning' as const), text }), { maxLength: 6 }),
  calls: fc.uniqueArray(fc.record({ id: fc.stringMatching(/^call_[A-Za-z0-9]{1,8}$/), name, args }), { selector: (c) => c.id, maxLength: 3 }),
  finish: fc.constantFrom('stop' as const, 'length' as const, 'tool-calls' as const, 'content-filter' as const),
  usage: fc.option(fc.record({ input: fc.nat(5000), output: fc.nat(5000) }), { nil: undefined }),
});

/** Dice: fast-check's numbers, read in turn (0 once they run out, so a shrunk plan cuts nothing). */
export const diceArb = fc.array(fc.nat(1000), { maxLength: 80 });
export class Dice {
  private at = 0;
  constructor(private readonly rolls: readonly number[]) {}
  /** 0 .. n - 1. */
  roll(n: number): number {
    return n <= 1 ? 0 : (this.rolls[this.at++] ?? 0) % n;
  }
  /** One time in `n`. */
  odds(n: number): boolean {
    return this.roll(n) === n - 1;
  }
}

/** `s` cut into pieces between code points, where the dice say. */
export function cut(s: string, dice: Dice): string[] {
  const points = Array.from(s);
  const out: string[] = [];
  let piece = '';
  for (const p of points) {
    if (piece !== '' && dice.odds(3)) {
      out.push(piece);
      piece = '';
    }
    piece += p;
  }
  return piece === '' ? out : [...out, piece];
}

/** Two lists merged in an order the dice pick, each kept in its own order. */
export function interleave<T>(a: readonly T[], b: readonly T[], dice: Dice): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && dice.roll(2) === 0) ? a[i++]! : b[j++]!);
  return out;
}

/** Adjacent tokens and adjacent reasonings joined: what any cut of one answer must give. */
export function joined(events: readonly L0Event[]): L0Event[] {
  const out: L0Event[] = [];
  for (const e of events) {
    const last = out.at(-1);
    if ((e.type === 'token' || e.type === 'reasoning') && last?.type === e.type) out[out.length - 1] = { ...last, value: last.value + e.value };
    else out.push(e);
  }
  return out;
}

const START: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };

/** The events a script is, its text joined: start, text and reasoning, the calls (the last cut by a `length` or `content-filter` finish), complete. */
export function expectedEvents(script: Script, finishReason: FinishReason, usage: Usage | undefined): L0Event[] {
  const cutLast = finishReason === 'length' || finishReason === 'content-filter';
  const calls = script.calls.map((c, i): L0Event => ({
    type: 'tool-call', id: c.id, name: c.name, arguments: c.args, ...(cutLast && i === script.calls.length - 1 ? { truncated: true } : {}),
  }));
  const complete: L0Event = usage === undefined ? { type: 'complete', finishReason } : { type: 'complete', finishReason, usage };
  return joined([START, ...script.pieces.map((p): L0Event => ({ type: p.kind, value: p.text })), ...calls, complete]);
}

/** A delta as compatible servers stream reasoning in it (DeepSeek, vLLM). */
type Delta = ChatCompletionChunk.Choice.Delta & { reasoning_content?: string };
const RAW_FINISH = { stop: 'stop', length: 'length', 'tool-calls': 'tool_calls', 'content-filter': 'content_filter' } as const;

/** OpenAI chat chunks: text cut into deltas (reasoning and text batched into one now and then), call fragments interleaved and batched, a second choice here and there. */
export function chatChunks(script: Script, dice: Dice): ChatCompletionChunk[] {
  const chunk = (delta: Delta, finish: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk => ({
    id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-test', choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const texts: Delta[] = [];
  for (const p of script.pieces) {
    for (const f of cut(p.text, dice)) {
      const last = texts.at(-1);
      // a reasoning fragment then a text one may come in one delta (the adapter reads reasoning first)
      if (p.kind === 'token' && last && last.content === undefined && last.reasoning_content !== undefined && dice.odds(2)) last.content = f;
      else texts.push(p.kind === 'token' ? { content: f } : { reasoning_content: f });
    }
  }
  let fragments: ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
  script.calls.forEach((c, index) => {
    const own = cut(c.args, dice).map((a) => ({ index, function: { arguments: a } }));
    const head = { index, id: c.id, type: 'function' as const, function: { name: c.name, arguments: own[0]?.function.arguments ?? '' } };
    fragments = interleave(fragments, [head, ...own.slice(1)], dice);
  });
  const tools: Delta[] = [];
  for (const f of fragments) {
    const last = tools.at(-1);
    if (last && dice.odds(2)) last.tool_calls!.push(f);
    else tools.push({ tool_calls: [f] });
  }
  const chunks = [chunk({ role: 'assistant', content: '' }), ...interleave(texts, tools, dice).map((d) => chunk(d))];
  const last = chunks.at(-1)!;
  if (chunks.length > 1 && dice.odds(2)) last.choices[0]!.finish_reason = RAW_FINISH[script.finish];
  else chunks.push(chunk({}, RAW_FINISH[script.finish]));
  // another choice (n > 1) rides along now and then, or has a chunk of its own
  for (let i = chunks.length - 1; i >= 0; i--) {
    if (dice.odds(4)) chunks[i]!.choices.push({ index: 1, delta: { content: 'other' }, finish_reason: null });
    if (dice.odds(6)) chunks.splice(i, 0, { ...chunk({}), choices: [{ index: 1, delta: { content: 'other' }, finish_reason: null }] });
  }
  const { usage } = script;
  if (usage) chunks.push({ ...chunk({}), choices: [], usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } });
  return chunks;
}

/** OpenAI Responses events: deltas cut anywhere, each call an item (added, argument deltas, done) with text between them. */
export function responsesEvents(script: Script, dice: Dice): ResponseStreamEvent[] {
  let seq = 0;
  const response = (over: Partial<Response>): Response => ({
    id: 'resp_1', access_programs: null, output_text: '', created_at: 1, error: null, incomplete_details: null, instructions: null,
    metadata: null, model: 'gpt-test', object: 'response', output: [], parallel_tool_calls: true, temperature: null,
    tool_choice: 'auto', tools: [], top_p: null, status: 'in_progress', ...over,
  });
  const texts: ResponseStreamEvent[] = script.pieces.flatMap((p) => cut(p.text, dice).map((delta): ResponseStreamEvent => (p.kind === 'token'
    ? { type: 'response.output_text.delta', delta, item_id: 'msg_1', output_index: 0, content_index: 0, logprobs: [], sequence_number: 0 }
    : { type: 'response.reasoning_summary_text.delta', delta, item_id: 'rs_1', output_index: 0, summary_index: 0, sequence_number: 0 })));
  const items: ResponseStreamEvent[][] = script.calls.map((c, i) => {
    const item = { type: 'function_call' as const, id: `fc_${i}`, call_id: c.id, name: c.name, arguments: '', status: 'in_progress' as const };
    return [
      { type: 'response.output_item.added', output_index: i + 1, item, sequence_number: 0 },
      ...cut(c.args, dice).map((delta): ResponseStreamEvent => ({ type: 'response.function_call_arguments.delta', delta, item_id: item.id, output_index: i + 1, sequence_number: 0 })),
      { type: 'response.function_call_arguments.done', arguments: c.args, name: c.name, item_id: item.id, output_index: i + 1, sequence_number: 0 },
      { type: 'response.output_item.done', output_index: i + 1, item: { ...item, arguments: c.args, status: 'completed' }, sequence_number: 0 },
    ];
  });
  // a call's events stay together (its done gives the order the calls are emitted in); text may come between two calls
  const events = interleave(texts.map((t) => [t]), items, dice).flat();
  const { usage } = script;
  const usageOf = usage && {
    input_tokens: usage.input, output_tokens: usage.output, total_tokens: usage.input + usage.output,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 },
  };
  const incomplete = script.finish === 'length' ? 'max_output_tokens' : script.finish === 'content-filter' ? 'content_filter' : undefined;
  const last: ResponseStreamEvent = incomplete === undefined
    ? { type: 'response.completed', response: response({ status: 'completed', ...(usageOf ? { usage: usageOf } : {}) }), sequence_number: 0 }
    : { type: 'response.incomplete', response: response({ status: 'incomplete', incomplete_details: { reason: incomplete }, ...(usageOf ? { usage: usageOf } : {}) }), sequence_number: 0 };
  return [{ type: 'response.created', response: response({}), sequence_number: 0 }, ...events, last].map((e) => ({ ...e, sequence_number: seq++ }) as ResponseStreamEvent);
}

/** The finish reason of a Responses script: a completed response with calls finished with them. */
export function responsesFinish(script: Script): FinishReason {
  if (script.finish === 'length' || script.finish === 'content-filter') return script.finish;
  return script.calls.length > 0 ? 'tool-calls' : 'stop';
}

/** AI SDK parts of one step: `streamText`'s (`text`, parsed `input`) or the provider's (`delta`, string `input`), tool input streamed before each call. */
export function aiSdkParts(script: Script, dice: Dice, level: 'result' | 'provider'): (TextStreamPart<ToolSet> | LanguageModelV4StreamPart)[] {
  const provider = level === 'provider';
  const parts: (TextStreamPart<ToolSet> | LanguageModelV4StreamPart)[] = provider ? [{ type: 'stream-start', warnings: [] }] : [{ type: 'start' }, { type: 'start-step', request: {}, warnings: [] }];
  const texts = script.pieces.flatMap((p, i) => cut(p.text, dice).map((f) => {
    const type = p.kind === 'token' ? ('text-delta' as const) : ('reasoning-delta' as const);
    return provider ? { type, id: `p${i}`, delta: f } : { type, id: `p${i}`, text: f };
  }));
  const calls = script.calls.map((c) => [
    { type: 'tool-input-start' as const, id: c.id, toolName: c.name },
    ...cut(c.args, dice).map((delta) => ({ type: 'tool-input-delta' as const, id: c.id, delta })),
    { type: 'tool-input-end' as const, id: c.id },
    provider
      ? { type: 'tool-call' as const, toolCallId: c.id, toolName: c.name, input: c.args }
      : { type: 'tool-call' as const, toolCallId: c.id, toolName: c.name, input: JSON.parse(c.args) as unknown },
  ]);
  parts.push(...(interleave<unknown>(texts, calls, dice).flat() as typeof parts));
  const u = script.usage;
  if (provider) {
    const usage = { inputTokens: { total: u?.input, noCache: u?.input, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: u?.output, text: u?.output, reasoning: undefined } };
    parts.push({ type: 'finish', finishReason: { unified: script.finish, raw: RAW_FINISH[script.finish] }, usage });
    return parts;
  }
  const usage = {
    inputTokens: u?.input, inputTokenDetails: { noCacheTokens: u?.input, cacheReadTokens: undefined, cacheWriteTokens: undefined },
    outputTokens: u?.output, outputTokenDetails: { textTokens: u?.output, reasoningTokens: undefined }, totalTokens: u && u.input + u.output,
  };
  parts.push(
    // the fields the adapter reads (no `performance`)
    { type: 'finish-step', response: { id: 'r', timestamp: new Date(0), modelId: 'm' }, usage, finishReason: script.finish, rawFinishReason: RAW_FINISH[script.finish], providerMetadata: undefined } as unknown as TextStreamPart<ToolSet>,
    { type: 'finish', finishReason: script.finish, rawFinishReason: RAW_FINISH[script.finish], totalUsage: usage },
  );
  return parts;
}

/** Mastra envelopes of one step: the AI SDK parts in Mastra's payloads. */
export function mastraChunks(script: Script, dice: Dice): unknown[] {
  const env = (type: string, payload: Record<string, unknown>) => ({ type, runId: 'run-1', from: 'AGENT', payload });
  const texts = script.pieces.flatMap((p, i) => cut(p.text, dice).map((f) => env(p.kind === 'token' ? 'text-delta' : 'reasoning-delta', { id: `p${i}`, text: f })));
  const calls = script.calls.map((c) => [
    env('tool-call-input-streaming-start', { toolCallId: c.id, toolName: c.name }),
    ...cut(c.args, dice).map((argsTextDelta) => env('tool-call-delta', { toolCallId: c.id, argsTextDelta })),
    env('tool-call', { toolCallId: c.id, toolName: c.name, args: JSON.parse(c.args) as unknown }),
  ]);
  const u = script.usage;
  const usage = u && { inputTokens: u.input, outputTokens: u.output, totalTokens: u.input + u.output };
  return [
    env('start', {}), env('step-start', { request: {} }), ...interleave<unknown>(texts, calls, dice).flat(),
    env('step-finish', { stepResult: { reason: script.finish }, output: { usage }, metadata: {} }),
    env('finish', { stepResult: { reason: script.finish }, output: { usage }, metadata: {}, messages: {} }),
  ];
}
