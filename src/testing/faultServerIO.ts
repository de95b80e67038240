/** The fault server's HTTP plumbing: listening, reading the JSON body and answering errors. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 1 << 20;

/** @internal The part of a chat completions request body the fault server reads. */
export interface RequestBody {
  model: string;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
  messages?: unknown;
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
