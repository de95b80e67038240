/**
 * Renders a fault plan as an OpenAI Responses API answer (`POST /v1/responses`): SSE events
 * (`event: <type>` and `data: <json>`, no `[DONE]`) when the request asked for `stream: true`, one
 * `response` object otherwise. The faults keep their Chat Completions meaning (faults.ts), told in
 * this API's events.
 */
import type { FaultName, FaultPlan, OpenAIFinishReason } from './faults.js';
import { ResponsesEncoder, type ResponsesContext, type ResponsesEnding, type ResponsesEvent } from './responsesEvents.js';
import { CUT_GRACE_MS, openEventStream, playParts, writeAndFlush, writeJsonBody, type ResponseIO } from './sse.js';

type StreamPlan = Extract<FaultPlan, { kind: 'stream' }>;

/** Faults about a stream's shape: a single JSON answer cannot carry them. */
const STREAM_ONLY: ReadonlySet<FaultName> = new Set(['malformed-chunk', 'no-done', 'error-in-200']);

/**
 * @internal Why `fault` has no meaning on the Responses route for this request (`stream: false` and
 * a fault about the stream's shape), or `undefined` when it has one.
 */
export function responsesUnsupported(fault: FaultName | undefined, stream: boolean): string | undefined {
  if (fault === undefined || stream || !STREAM_ONLY.has(fault)) return undefined;
  return `fault "${fault}" has no meaning for a non-streaming Responses request (it is about the stream's shape): send stream: true`;
}

/** The Responses ending of a plan's Chat Completions finish reason (`null`: none). */
function endingOf(finish: OpenAIFinishReason | null): ResponsesEnding {
  if (finish === 'length') return { status: 'incomplete', reason: 'max_output_tokens' };
  if (finish === 'content_filter') return { status: 'incomplete', reason: 'content_filter' };
  return { status: 'completed' };
}

const sse = (e: ResponsesEvent) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

/**
 * @internal Streams `plan` as Responses SSE events: `response.created` and `response.in_progress` at
 * once, then each part's events (one part per tokenDelayMs), then the plan's ending: `done` closes the
 * open item and sends `response.completed` (or `response.incomplete` for finish `length` and
 * `content_filter`); `end` closes the item (no-done) or stops after an `error` event (error-in-200) and
 * ends the body without a terminal event; `cut` destroys the socket; `stall` goes silent.
 */
export async function writeResponsesStream(io: ResponseIO, ctx: ResponsesContext, plan: StreamPlan, tokenDelayMs: number): Promise<void> {
  const { res } = io;
  openEventStream(res, ctx.id);
  const encoder = new ResponsesEncoder(ctx);
  const send = (events: readonly ResponsesEvent[]) => (events.length === 0 ? Promise.resolve() : writeAndFlush(res, events.map(sse).join('')));
  await send(encoder.opening());
  let failed = false;
  const played = await playParts(io, plan, tokenDelayMs, (part) => {
    if (!('raw' in part)) return send(encoder.part(part));
    if (part.fault === 'malformed-chunk') return writeAndFlush(res, `event: response.output_text.delta\ndata: ${encoder.malformed()}\n\n`);
    failed = true;
    return send([encoder.error()]);
  });
  if (!played) return;
  switch (plan.ending) {
    case 'cut':
      await io.sleep(CUT_GRACE_MS); // as in sse.ts: the client reads the deltas before the connection dies
      return io.cut();
    case 'stall': return;
    case 'end':
      if (!failed) await send(encoder.closeItems());
      return void res.end();
    case 'done':
      await send(encoder.finish(endingOf(plan.finish)));
      res.end();
  }
}

/**
 * @internal Answers `plan` as one `response` JSON object (status `completed`, or `incomplete` with its
 * reason); `cut` and `stall` send half the body, then cut or go silent. Faults about the stream's
 * shape never get here (see {@link responsesUnsupported}).
 */
export async function writeResponsesObject(io: ResponseIO, ctx: ResponsesContext, plan: StreamPlan): Promise<void> {
  const { res } = io;
  if (plan.firstDelayMs !== undefined) await io.sleep(plan.firstDelayMs);
  if (res.destroyed) return;
  const encoder = new ResponsesEncoder(ctx);
  for (const part of plan.parts) if (!('raw' in part)) encoder.part(part);
  const ending = endingOf(plan.finish);
  encoder.finish(ending);
  return writeJsonBody(io, ctx.id, JSON.stringify(encoder.response(ending.status, ending.status === 'incomplete' ? ending.reason : undefined)), plan.ending);
}
