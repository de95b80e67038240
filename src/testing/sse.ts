/**
 * Renders a fault plan as an OpenAI Chat Completions response: SSE chunks when the request asked
 * for `stream: true`, a `chat.completion` JSON object otherwise.
 */
import type { ServerResponse } from 'node:http';
import type { FaultPlan, StreamPart } from './faults.js';

/** @internal Real ms between the last word and the socket being destroyed by `cut-after-n`. */
export const CUT_GRACE_MS = 25;

/** @internal Per-response values every chunk repeats. */
export interface ResponseContext {
  readonly id: string;
  readonly created: number;
  readonly model: string;
  readonly includeUsage: boolean;
  readonly promptTokens: number;
}

/** @internal What the writers need from the server: timers it can cancel and a socket it may cut. */
export interface ResponseIO {
  readonly res: ServerResponse;
  /** Waits `ms` (capped); never resolves once the server is closing. */
  sleep(ms: number): Promise<void>;
  /** Destroys the socket on the server's initiative (not counted as the client leaving). */
  cut(): void;
}

type StreamPlan = Extract<FaultPlan, { kind: 'stream' }>;

/** @internal Writes a plain HTTP status response with a JSON body. */
export function writeStatus(res: ServerResponse, plan: Extract<FaultPlan, { kind: 'status' }>, requestId: string): void {
  const body = JSON.stringify(plan.body);
  res.writeHead(plan.status, plan.statusText ?? '', {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
    ...plan.headers,
  });
  res.end(body);
}

function deltaOf(part: Exclude<StreamPart, { raw: string }>): Record<string, unknown> {
  if ('content' in part) return { content: part.content };
  if ('refusal' in part) return { refusal: part.refusal };
  const { index, id, name, args } = part.tool;
  const fn = name === undefined ? { arguments: args } : { name, arguments: args };
  return { tool_calls: [{ index, ...(id === undefined ? {} : { id, type: 'function' }), function: fn }] };
}

function chunk(ctx: ResponseContext, delta: Record<string, unknown>, finish: string | null): string {
  return envelope(ctx, [{ index: 0, delta, logprobs: null, finish_reason: finish }], ctx.includeUsage ? null : undefined);
}

function envelope(ctx: ResponseContext, choices: unknown[], usageField: unknown): string {
  return JSON.stringify({
    id: ctx.id,
    object: 'chat.completion.chunk',
    created: ctx.created,
    model: ctx.model,
    system_fingerprint: 'fp_l0rx_fault',
    choices,
    ...(usageField === undefined ? {} : { usage: usageField }),
  });
}

function usage(ctx: ResponseContext, completionTokens: number) {
  return { prompt_tokens: ctx.promptTokens, completion_tokens: completionTokens, total_tokens: ctx.promptTokens + completionTokens };
}

const countTokens = (parts: readonly StreamPart[]): number => parts.filter((p) => !('raw' in p)).length;

/** @internal Writes `text` and resolves once it is flushed (at once when the response is over). */
export function writeAndFlush(res: ServerResponse, text: string): Promise<void> {
  if (res.destroyed || res.writableEnded) return Promise.resolve();
  return new Promise((resolve) => res.write(text, () => resolve()));
}

/** @internal The 200 head of a streamed answer (either API). */
export function openEventStream(res: ServerResponse, requestId: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': requestId });
}

/**
 * @internal Hands `plan`'s parts to `send`, one per `tokenDelayMs` (the first after `firstDelayMs`,
 * which a plan without parts waits too); false when the client left on the way.
 */
export async function playParts(io: ResponseIO, plan: StreamPlan, tokenDelayMs: number, send: (part: StreamPart) => Promise<void>): Promise<boolean> {
  for (const [i, part] of plan.parts.entries()) {
    await io.sleep(i === 0 && plan.firstDelayMs !== undefined ? plan.firstDelayMs : tokenDelayMs);
    if (io.res.destroyed) return false;
    await send(part);
  }
  if (plan.parts.length === 0 && plan.firstDelayMs !== undefined) await io.sleep(plan.firstDelayMs);
  return !io.res.destroyed;
}

/** @internal Streams `plan` as SSE: role chunk, parts (one per tokenDelayMs), then the plan's ending. */
export async function writeStream(io: ResponseIO, ctx: ResponseContext, plan: StreamPlan, tokenDelayMs: number): Promise<void> {
  const { res } = io;
  openEventStream(res, ctx.id);
  const send = (data: string) => writeAndFlush(res, `data: ${data}\n\n`);
  await send(chunk(ctx, { role: 'assistant', content: '' }, null));
  if (!(await playParts(io, plan, tokenDelayMs, (part) => send('raw' in part ? part.raw : chunk(ctx, deltaOf(part), null))))) return;
  switch (plan.ending) {
    case 'cut':
      // A short grace before the cut, so a busy client has read the words before the connection
      // dies (fetch discards a body's unread chunks when it errors): the fault stays deterministic.
      await io.sleep(CUT_GRACE_MS);
      return io.cut();
    case 'stall': return;
    case 'end': return void res.end();
    case 'done':
      if (plan.finish !== null) await send(chunk(ctx, {}, plan.finish));
      if (ctx.includeUsage) {
        await send(envelope(ctx, [], usage(ctx, countTokens(plan.parts))));
      }
      await send('[DONE]');
      res.end();
  }
}

/**
 * @internal Answers `plan` as one `chat.completion` JSON body. A `raw` part (malformed JSON, an
 * in-band error) becomes the whole body; `cut` and `stall` send half the body, then cut or go silent.
 */
export async function writeCompletion(io: ResponseIO, ctx: ResponseContext, plan: StreamPlan): Promise<void> {
  const { res } = io;
  if (plan.firstDelayMs !== undefined) await io.sleep(plan.firstDelayMs);
  if (res.destroyed) return;
  const raw = plan.parts.find((p): p is Extract<StreamPart, { raw: string }> => 'raw' in p);
  return writeJsonBody(io, ctx.id, raw ? raw.raw : JSON.stringify(completion(ctx, plan)), plan.ending);
}

/**
 * @internal Answers one JSON `body` (a non-streaming answer of either API): whole, or, for a `cut`
 * or `stall` ending, its first half, then the connection is cut or goes silent.
 */
export async function writeJsonBody(io: ResponseIO, requestId: string, body: string, ending: StreamPlan['ending']): Promise<void> {
  const { res } = io;
  if (ending !== 'cut' && ending !== 'stall') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId });
    return void res.end(body);
  }
  res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': requestId });
  await writeAndFlush(res, body.slice(0, Math.floor(body.length / 2)));
  if (ending === 'cut') io.cut();
}

function completion(ctx: ResponseContext, plan: StreamPlan) {
  let text = '';
  let refusal: string | null = null;
  const calls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
  for (const part of plan.parts) {
    if ('content' in part) text += part.content;
    else if ('refusal' in part) refusal = (refusal ?? '') + part.refusal;
    else if ('tool' in part) {
      const { index, id, name, args } = part.tool;
      calls[index] ??= { id: id ?? `call_${index}`, type: 'function', function: { name: name ?? '', arguments: '' } };
      calls[index].function.arguments += args;
    }
  }
  const message = {
    role: 'assistant',
    content: calls.length > 0 && text === '' ? null : text,
    refusal,
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
  };
  return {
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    system_fingerprint: 'fp_l0rx_fault',
    choices: [{ index: 0, message, logprobs: null, finish_reason: plan.finish }],
    usage: usage(ctx, countTokens(plan.parts)),
  };
}
