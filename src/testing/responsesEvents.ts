/**
 * The OpenAI Responses API's event sequence for a fault plan, one part at a time, with the shapes of
 * the `openai` SDK's types (`resources/responses/responses.d.ts`): `sequence_number` from 0, output
 * items (`message` with `output_text`/`refusal` content parts, `function_call`) opened, streamed and
 * closed, and the `response` object every lifecycle event carries.
 */
import type { StreamPart } from './faults.js';

/** @internal Per-response values of a Responses answer. */
export interface ResponsesContext {
  /** `resp_fault_<n>`. */
  readonly id: string;
  /** The request's 1-based number on the server (as in `id`), used in item ids. */
  readonly n: number;
  /** Unix seconds. */
  readonly createdAt: number;
  readonly model: string;
  readonly inputTokens: number;
  readonly instructions: string | null;
}

/** @internal One Responses stream event (`type` plus `sequence_number` and its fields). */
export type ResponsesEvent = { readonly type: string; readonly sequence_number: number } & Record<string, unknown>;

/** @internal How a Responses answer ends: completed, or incomplete for a reason. */
export type ResponsesEnding = { readonly status: 'completed' } | { readonly status: 'incomplete'; readonly reason: 'max_output_tokens' | 'content_filter' };

type ContentPart = { type: 'output_text'; text: string } | { type: 'refusal'; text: string };
type OpenItem =
  | { readonly kind: 'message'; readonly id: string; readonly index: number; readonly parts: ContentPart[] }
  | { readonly kind: 'function_call'; readonly id: string; readonly index: number; readonly callId: string; readonly name: string; args: string };

type ItemStatus = 'in_progress' | 'completed' | 'incomplete';
type TextPart = Extract<StreamPart, { content: string } | { refusal: string }>;
type ToolPart = Extract<StreamPart, { tool: unknown }>['tool'];

const IN_BAND_ERROR_MESSAGE = 'The server had an error while processing your request. Sorry about that!';

/** @internal Builds the events of one Responses answer, in order; one instance per response. */
export class ResponsesEncoder {
  private seq = 0;
  private deltas = 0;
  private readonly output: Record<string, unknown>[] = [];
  private open: OpenItem | undefined;

  constructor(private readonly ctx: ResponsesContext) {}

  /** `response.created` and `response.in_progress`. */
  opening(): ResponsesEvent[] {
    return [this.event('response.created', { response: this.response('in_progress') }), this.event('response.in_progress', { response: this.response('in_progress') })];
  }

  /** The events of one plan part (opening its item or content part first when needed). */
  part(part: TextPart | { readonly tool: ToolPart }): ResponsesEvent[] {
    if ('tool' in part) return this.tool(part.tool);
    return 'content' in part ? this.text('output_text', part.content) : this.text('refusal', part.refusal);
  }

  /** An `error` event (`server_error`), as the SDK types it: `code`, `message`, `param` at the top level. */
  error(): ResponsesEvent {
    return this.event('error', { code: 'server_error', message: IN_BAND_ERROR_MESSAGE, param: null });
  }

  /** A `response.output_text.delta` data line cut mid-JSON (takes a sequence number, as a real event would). */
  malformed(): string {
    const head = JSON.stringify(this.event('response.output_text.delta', { item_id: this.open?.id ?? `msg_fault_${this.ctx.n}_0`, output_index: 0, content_index: 0 }));
    return `${head.slice(0, -1)},"delta":`;
  }

  /** Closes the open item (its content part, then `output_item.done`), without a terminal event. */
  closeItems(status: ItemStatus = 'completed'): ResponsesEvent[] {
    const item = this.open;
    if (!item) return [];
    this.open = undefined;
    if (item.kind === 'function_call') {
      const done = this.event('response.function_call_arguments.done', { item_id: item.id, output_index: item.index, arguments: item.args });
      const json = functionCall(item, 'completed');
      this.output.push(json);
      return [done, this.event('response.output_item.done', { output_index: item.index, item: json })];
    }
    const events = item.parts.length > 0 ? this.closePart(item, item.parts.length - 1) : [];
    const json = message(item, status);
    this.output.push(json);
    return [...events, this.event('response.output_item.done', { output_index: item.index, item: json })];
  }

  /**
   * Closes the open item and ends with `response.completed` or `response.incomplete`. An answer with
   * no output item (empty-completion) gets one empty message, as a model that says nothing does.
   */
  finish(ending: ResponsesEnding): ResponsesEvent[] {
    const empty = this.output.length === 0 && !this.open ? this.text('output_text', '') : [];
    const close = this.closeItems(ending.status);
    const terminal = ending.status === 'completed'
      ? this.event('response.completed', { response: this.response('completed') })
      : this.event('response.incomplete', { response: this.response('incomplete', ending.reason) });
    return [...empty, ...close, terminal];
  }

  /** The whole `response` object as it stands (the non-streaming answer, once `finish` ran). */
  response(status: 'in_progress' | 'completed' | 'incomplete', reason?: string): Record<string, unknown> {
    const { id, createdAt, model, instructions, inputTokens } = this.ctx;
    const done = status !== 'in_progress';
    return {
      id, object: 'response', created_at: createdAt, status, background: false, error: null,
      incomplete_details: reason === undefined ? null : { reason }, instructions, max_output_tokens: null,
      model, output: done ? this.output.slice() : [], parallel_tool_calls: true, previous_response_id: null,
      reasoning: { effort: null, summary: null }, store: false, temperature: 1,
      text: { format: { type: 'text' } }, tool_choice: 'auto', tools: [], top_p: 1, truncation: 'disabled',
      usage: done ? {
        input_tokens: inputTokens, input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        output_tokens: this.deltas, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: inputTokens + this.deltas,
      } : null,
      user: null, metadata: {},
    };
  }

  private event(type: string, fields: Record<string, unknown>): ResponsesEvent {
    return { type, sequence_number: this.seq++, ...fields };
  }

  private text(type: ContentPart['type'], delta: string): ResponsesEvent[] {
    const events: ResponsesEvent[] = [];
    if (this.open?.kind !== 'message') {
      events.push(...this.closeItems());
      const index = this.output.length;
      const item: OpenItem = { kind: 'message', id: `msg_fault_${this.ctx.n}_${index}`, index, parts: [] };
      this.open = item;
      events.push(this.event('response.output_item.added', { output_index: index, item: message(item, 'in_progress') }));
    }
    const item = this.open;
    if (item.kind !== 'message') return events; // unreachable: narrowed for the compiler
    if (item.parts.at(-1)?.type !== type) {
      if (item.parts.length > 0) events.push(...this.closePart(item, item.parts.length - 1));
      item.parts.push({ type, text: '' });
      events.push(this.event('response.content_part.added', { ...where(item, item.parts.length - 1), part: partJson({ type, text: '' }) }));
    }
    const content_index = item.parts.length - 1;
    item.parts[content_index]!.text += delta;
    if (delta === '') return events;
    this.deltas++;
    const kind = type === 'output_text' ? 'response.output_text.delta' : 'response.refusal.delta';
    events.push(this.event(kind, { ...where(item, content_index), delta, ...(type === 'output_text' ? { logprobs: [] } : {}) }));
    return events;
  }

  private closePart(item: Extract<OpenItem, { kind: 'message' }>, contentIndex: number): ResponsesEvent[] {
    const part = item.parts[contentIndex]!;
    const done = part.type === 'output_text'
      ? this.event('response.output_text.done', { ...where(item, contentIndex), text: part.text, logprobs: [] })
      : this.event('response.refusal.done', { ...where(item, contentIndex), refusal: part.text });
    return [done, this.event('response.content_part.done', { ...where(item, contentIndex), part: partJson(part) })];
  }

  private tool({ id, name, args }: ToolPart): ResponsesEvent[] {
    const events: ResponsesEvent[] = [];
    if (name !== undefined) {
      events.push(...this.closeItems());
      const index = this.output.length;
      const item: OpenItem = { kind: 'function_call', id: `fc_fault_${this.ctx.n}_${index}`, index, callId: id ?? `call_fault_${index}`, name, args: '' };
      this.open = item;
      events.push(this.event('response.output_item.added', { output_index: index, item: functionCall(item, 'in_progress') }));
    }
    const item = this.open;
    if (item?.kind !== 'function_call') throw new Error('fault plan: a tool-call fragment without a name before it');
    if (args === '') return events;
    item.args += args;
    this.deltas++;
    events.push(this.event('response.function_call_arguments.delta', { item_id: item.id, output_index: item.index, delta: args }));
    return events;
  }
}

const where = (item: { id: string; index: number }, contentIndex: number) => ({ item_id: item.id, output_index: item.index, content_index: contentIndex });

const partJson = (part: ContentPart) =>
  part.type === 'output_text' ? { type: 'output_text', annotations: [], logprobs: [], text: part.text } : { type: 'refusal', refusal: part.text };

function message(item: Extract<OpenItem, { kind: 'message' }>, status: ItemStatus) {
  return { id: item.id, type: 'message', status, content: status === 'in_progress' ? [] : item.parts.map(partJson), role: 'assistant' };
}

function functionCall(item: Extract<OpenItem, { kind: 'function_call' }>, status: ItemStatus) {
  return { id: item.id, type: 'function_call', status, arguments: item.args, call_id: item.callId, name: item.name };
}
