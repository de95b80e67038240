/** The fault server's HTTP plumbing: listening, reading the JSON body, answering errors and per-response values. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ResponsesContext } from './responsesEvents.js';
import type { ResponseContext } from './sse.js';

const MAX_BODY_BYTES = 1 << 20;

/** @internal The part of a chat completions or responses request body the fault server reads. */
export interface RequestBody {
  model: string;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
  messages?: unknown;
  /** Responses only. */
  input?: unknown;
  instructions?: unknown;
}

/** @internal Listens on `port`/`host`; rejects with an Error naming the port when it cannot. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'is already in use' : `could not be opened (${e.code ?? e.message})`;
      reject(new Error(`startFaultServer: port ${port} on ${host} ${why}`, { cause: e }));
    });
    server.listen(port, host, () => resolve());
  });
}

/** @internal Reads a JSON object body of at most 1 MiB; `undefined` for anything else. */
export function readJson(req: IncomingMessage): Promise<RequestBody | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('error', () => resolve(undefined));
    req.on('end', () => {
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        resolve(size <= MAX_BODY_BYTES && typeof parsed === 'object' && parsed !== null ? (parsed as RequestBody) : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** @internal A bug in the server: a 500 naming it while the headers are unsent, else the socket is destroyed. */
export function internalError(res: ServerResponse, e: unknown): void {
  if (res.headersSent || res.destroyed) return void res.destroy();
  const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  try {
    sendError(res, 500, `fault server internal error (a bug in the test kit, not a fault): ${why}`, 'fault_server_internal_error', 'server_error');
  } catch {
    res.destroy();
  }
}

/** @internal Answers an OpenAI-shaped JSON error. */
export function sendError(res: ServerResponse, status: number, message: string, code: string, type = 'invalid_request_error'): void {
  const body = JSON.stringify({ error: { message, type, param: null, code } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** About 4 characters a token, at least 1. */
const promptTokens = (prompt: unknown): number => Math.max(1, Math.ceil(JSON.stringify(prompt ?? '').length / 4));

/** @internal The values every chunk of a chat completions answer repeats. */
export function chatContext(body: RequestBody, id: string): ResponseContext {
  return {
    id,
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    includeUsage: body.stream_options?.include_usage === true,
    promptTokens: promptTokens(body.messages),
  };
}

/** @internal The values of a responses answer. */
export function responsesContext(body: RequestBody, id: string, n: number): ResponsesContext {
  const instructions = typeof body.instructions === 'string' ? body.instructions : null;
  return {
    id,
    n,
    createdAt: Math.floor(Date.now() / 1000),
    model: body.model,
    inputTokens: promptTokens([instructions ?? '', body.input]),
    instructions,
  };
}
