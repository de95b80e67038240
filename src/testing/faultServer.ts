import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { MAX_DELAY_MS, parseFaultHeader, parseFaultModel, planFault, type FaultName, type FaultSpec } from './faults.js';
import { resolveOptions, type FaultServerOptions } from './faultServerOptions.js';
import { chatContext, internalError, listen, readJson, responsesContext, sendError, type RequestBody } from './faultServerIO.js';
import { responsesUnsupported, writeResponsesObject, writeResponsesStream } from './responsesSse.js';
import { writeCompletion, writeStatus, writeStream, type ResponseIO } from './sse.js';

/**
 * The API a request used: `chat.completions` (`POST /v1/chat/completions`) or `responses`
 * (`POST /v1/responses`), named as the openai SDK's client namespaces are.
 *
 * @example
 * import { startFaultServer, type FaultRoute } from 'l0-rx/testing';
 * const server = await startFaultServer();
 * const viaResponses = (route: FaultRoute) => server.requests.filter((r) => r.route === route);
 * console.log(viaResponses('responses').length);
 */
export type FaultRoute = 'chat.completions' | 'responses';

/** One request the fault server received, turned away (404, 400) or not. Fields update live (`closedByClient`). */
export interface FaultRequest {
  /** 0-based order of arrival. */
  readonly index: number;
  /** The request's HTTP method, e.g. `POST`. */
  readonly method: string;
  /** The request's path, without the query string, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** The API the request used; `null` when its method and path match no route (answered 404 `not_found`). */
  readonly route: FaultRoute | null;
  /** The body's `model`; `null` when the body was not read (a 404) or has no string `model` (answered 400 `invalid_body`). */
  readonly model: string | null;
  /** The fault picked for this request (`flapping`: every request); absent for an ordinary model or past `*k`. */
  readonly fault?: FaultName;
  /** The fault's raw argument, if any. */
  readonly arg?: string;
  /** Whether the request asked for `stream: true` (false when the body was not read or not JSON). */
  readonly stream: boolean;
  /** The request's `messages`, as sent (for checking continuation prompts); `[]` on the `responses` route. */
  readonly messages: readonly unknown[];
  /** The request's `input` (a string or a list of items), as sent; only on the `responses` route. */
  readonly input?: unknown;
  /** True when the client went away before the response ended (an abort reached the server). */
  readonly closedByClient: boolean;
}

/** A running fault server. */
export interface FaultServer {
  /** The base URL an SDK takes, e.g. `http://127.0.0.1:51234/v1`. */
  readonly url: string;
  /** Every request received so far, in order, including those answered 404 or 400 (a live view). */
  readonly requests: readonly FaultRequest[];
  /** Stops listening, cancels every timer and destroys every socket; resolves once closed. Idempotent. */
  close(): Promise<void>;
}

const ROUTES: ReadonlyMap<string, FaultRoute> = new Map([['/v1/chat/completions', 'chat.completions'], ['/v1/responses', 'responses']]);

type MutableRequest = { -readonly [K in keyof FaultRequest]: FaultRequest[K] };

/**
 * Starts an OpenAI-compatible HTTP server on loopback that injects named faults, for integration
 * tests with the real `openai` and `ai` SDKs and for the offline demo.
 *
 *   model 'fault:cut-after-n:2*1'          requests for that model
 *   The quick (socket destroyed)            request 1
 *   The quick brown fox ... dog. [DONE]     request 2 and later (past *1: normal)
 *
 * Rules:
 * 1. `POST /v1/chat/completions` and `POST /v1/responses` (anything else is a 404 JSON error). On
 *    chat completions, `stream: true` answers with SSE `data:` chunks: a role chunk (`content: ''`), one
 *    chunk per word of `reply`, a `finish_reason` chunk, a usage chunk with empty `choices` when
 *    `stream_options.include_usage`, then `data: [DONE]`; otherwise one `chat.completion` JSON object.
 *    On responses, `stream: true` answers with the Responses API's events (`event:` and `data:` lines,
 *    `sequence_number` from 0, no `[DONE]`): `response.created`, `response.in_progress`,
 *    `response.output_item.added` (a `message`), `response.content_part.added`, one
 *    `response.output_text.delta` per word, `response.output_text.done`, `response.content_part.done`,
 *    `response.output_item.done`, then `response.completed` with `usage`; otherwise one `response` object.
 * 2. The model name `fault:<name>[:<arg>][*<k>]` (or an `x-fault: <name>[:<arg>][*<k>]` header, which
 *    wins) picks a fault from {@link FAULT_NAMES}; `*k` limits it to the first k requests for that
 *    model. Names and the `fault:` prefix are lower-case. An unknown fault, one in another case
 *    (`Fault:stall`), or a bad argument (a count above 10 000, a time above an hour) is answered
 *    with HTTP 400 naming it.
 * 3. Faults: `rate-limit[:s]` 429 + `Retry-After: s` (default 1); `rate-limit-ms[:ms]` 429 +
 *    `retry-after-ms` (default 1000); `rate-limit-date[:s]` 429 + `Retry-After` as an HTTP date s seconds
 *    ahead; `rate-limit-none` 429 without header; `server-error` 500; `unavailable` 503; `overloaded-529`
 *    529 with Anthropic's `overloaded_error` body; `auth-401` 401 `invalid_api_key`; `quota-429` 429
 *    `insufficient_quota` (billing: no retry helps), without a retry header; `context-length-400`
 *    400 `context_length_exceeded`; `reset-before-headers` destroys the socket before any byte;
 *    `no-response` never answers; `slow-first-token[:ms]` waits (default 500) before the first word;
 *    `cut-after-n[:n]` destroys the socket after n words (default 3); `stall[:n]` goes silent after n
 *    words (default 2), socket open; `malformed-chunk[:n]` sends an invalid JSON data line after n words
 *    (default 2) and then carries on; `no-done` ends without finish reason and `[DONE]`; `error-in-200[:n]`
 *    sends an in-band `{error: {type: 'server_error'}}` frame after n words (default 2) and ends;
 *    `content-filter[:n]` stops after n words (default 3) with `finish_reason: 'content_filter'`;
 *    `flapping` is 503 on odd-numbered requests for the model and clean on even ones; `truncated-json`
 *    streams a JSON object cut mid-string, then finishes `stop`; `refusal[:content|delta]` streams
 *    "I'm sorry, but I cannot help with that." as content (default) or as `delta.refusal`;
 *    `repetition-loop[:k]` repeats one sentence k times (default 20), finish `length`; `empty-completion`
 *    has no words, finish `stop`; `tool-call-fragments[:k]` streams one `get_weather` tool call whose
 *    arguments are split over k chunks (default 4), finish `tool_calls`; `cut-tool-call[:k]` sends that
 *    call's head and the first k of its 4 argument chunks (default 2), then destroys the socket.
 * 4. On responses the faults mean the same in that API's events: the HTTP faults, `reset-before-headers`,
 *    `no-response`, `slow-first-token` and `flapping` are unchanged; `cut-after-n`, `stall` and
 *    `malformed-chunk` count `output_text` deltas (the malformed line is an `event:
 *    response.output_text.delta` whose data is cut mid-JSON); `no-done` closes the message item but
 *    sends no `response.completed`; `error-in-200` sends an `error` event (`code: 'server_error'`) and
 *    ends; `content-filter` and `repetition-loop` end with `response.incomplete` (`incomplete_details.reason`
 *    `content_filter`, `max_output_tokens`); `refusal:delta` streams `response.refusal.delta` in a
 *    `refusal` content part; `empty-completion` is one empty message; `tool-call-fragments` is a
 *    `function_call` item (`call_id: 'call_fault_1'`) whose arguments arrive as k
 *    `response.function_call_arguments.delta` events, then `.done` and `response.output_item.done`;
 *    `cut-tool-call` is that item with the first k of its 4 argument deltas, then the socket is destroyed.
 *    Without `stream: true`, the faults about the stream's shape (`malformed-chunk`, `no-done`,
 *    `error-in-200`) are answered with HTTP 400 `unsupported_fault` naming the fault.
 * 5. Every delay is real time, capped at 10 s, and cancelled by `close()`, which also destroys every
 *    socket, so the server never outlives a test. It binds loopback only.
 * 6. A bug in the server itself is answered with HTTP 500 and error code `fault_server_internal_error`
 *    naming it (or, once headers are out, a destroyed socket), never mistaken for a silent fault.
 * 7. `requests` records every request, turned away or not: a 404 has `route: null`, a body that is not
 *    JSON with a string `model` has `model: null`; both keep their `method` and `path`.
 *
 * @example
 * import OpenAI from 'openai';
 * import { startFaultServer } from 'l0-rx/testing';
 * const server = await startFaultServer({ tokenDelayMs: 1 });
 * const client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
 * const stream = await client.chat.completions.create({
 *   model: 'fault:cut-after-n:2', messages: [{ role: 'user', content: 'hi' }], stream: true,
 * });
 * try { for await (const chunk of stream) console.log(chunk.choices[0]?.delta.content); }
 * catch (e) { console.log('cut:', e); } // TypeError: terminated (cause code UND_ERR_SOCKET)
 * finally { await server.close(); }
 * @see {@link parseFaultModel} {@link fakeModel}
 * @param options See {@link FaultServerOptions}.
 * @returns The running server; rejects with an Error naming the port when it is in use, and with a
 *   TypeError naming the option for options that are not an object, unknown keys or bad values.
 */
export async function startFaultServer(options: FaultServerOptions = {}): Promise<FaultServer> {
  const { reply, tokenDelayMs, port, host } = resolveOptions(options);
  const requests: MutableRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const counts = new Map<string, number>();
  let closing = false;
  const sleep = (ms: number) => new Promise<void>((resolve) => {
    if (closing) return; // never resolves: a closing server abandons the response
    if (ms <= 0) return resolve();
    const t = setTimeout(() => (timers.delete(t), resolve()), Math.min(ms, MAX_DELAY_MS));
    timers.add(t);
  });

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => internalError(res, e));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const route = ROUTES.get(path);
    const method = req.method ?? '';
    if (method !== 'POST' || route === undefined) {
      record({ method, path, route: null }, undefined, undefined);
      return sendError(res, 404, `No route for ${method} ${path}`, 'not_found');
    }
    const body = await readJson(req);
    if (typeof body?.model !== 'string') {
      record({ method, path, route }, body, undefined);
      return sendError(res, 400, 'The request body must be JSON with a string "model".', 'invalid_body');
    }
    const header = req.headers['x-fault'];
    let spec: FaultSpec | undefined;
    try {
      spec = typeof header === 'string' ? parseFaultHeader(header) : parseFaultModel(body.model);
    } catch (e) {
      record({ method, path, route }, body, undefined);
      return sendError(res, 400, (e as Error).message, 'unknown_fault');
    }
    const key = typeof header === 'string' ? `${body.model}\u0000${header}` : body.model;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    const applied = spec && (spec.limit === undefined || n <= spec.limit) ? spec : undefined;
    const entry = record({ method, path, route }, body, applied);
    let cutByServer = false;
    res.on('close', () => {
      if (!res.writableEnded && !cutByServer && !closing) entry.closedByClient = true;
    });
    const io: ResponseIO = { res, sleep, cut: () => ((cutByServer = true), res.socket?.destroy()) };
    const unsupported = route === 'responses' ? responsesUnsupported(applied?.name, entry.stream) : undefined;
    if (unsupported !== undefined) return sendError(res, 400, unsupported, 'unsupported_fault');
    const plan = planFault(applied, reply, n);
    const id = `${route === 'responses' ? 'resp_fault_' : 'chatcmpl-fault-'}${requests.length}`;
    if (plan.kind === 'status') return writeStatus(res, plan, id);
    if (plan.kind === 'reset') return io.cut();
    if (plan.kind === 'hang') return;
    if (route === 'responses') {
      const ctx = responsesContext(body, id, requests.length);
      return entry.stream ? writeResponsesStream(io, ctx, plan, tokenDelayMs) : writeResponsesObject(io, ctx, plan);
    }
    const ctx = chatContext(body, id);
    return entry.stream ? writeStream(io, ctx, plan, tokenDelayMs) : writeCompletion(io, ctx, plan);
  }

  /** Records a request; `body` is undefined when it was not read or is not a JSON object. */
  function record(target: Pick<FaultRequest, 'method' | 'path' | 'route'>, body: RequestBody | undefined, spec: FaultSpec | undefined): MutableRequest {
    const { route } = target;
    const entry: MutableRequest = {
      index: requests.length,
      ...target,
      model: typeof body?.model === 'string' ? body.model : null,
      ...(spec ? { fault: spec.name, ...(spec.arg === undefined ? {} : { arg: spec.arg }) } : {}),
      stream: body?.stream === true,
      messages: route === 'chat.completions' && Array.isArray(body?.messages) ? body.messages : [],
      ...(route === 'responses' ? { input: body?.input } : {}),
      closedByClient: false,
    };
    requests.push(entry);
    return entry;
  }

  await listen(server, port, host);
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${hostInUrl}:${actualPort}/v1`,
    requests,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        closing = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      })),
  };
}
