/** A `node:http` server on loopback whose answers each spec scripts, and the requests it received. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/** Answers one request; `n` is its 1-based number since the last `serve`. */
export type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

export interface ScriptedServer {
  /** The server's URL (set before the first test). */
  readonly url: string;
  /** The requests since the last `serve`. */
  readonly requests: readonly IncomingMessage[];
  /** Answers the next requests with `handler`, the request list started afresh. */
  serve(handler: Handler): void;
}

/** Starts the server before the file's tests and closes it after them. */
export function useScriptedServer(path = '/events'): ScriptedServer {
  let server: Server;
  let handler: Handler = (_req, res) => res.end();
  const state = {
    url: '',
    requests: [] as IncomingMessage[],
    serve: (h: Handler) => { state.requests = []; handler = h; },
  };
  beforeAll(async () => {
    server = createServer((req, res) => handler(req, res, state.requests.push(req)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  });
  afterAll(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return state;
}

/** Answers 200 `text/event-stream` and writes the frames, leaving the response open. */
export function sse(res: ServerResponse, ...frames: (string | Buffer)[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const f of frames) res.write(f);
}

/** The error a promise rejects with; a resolution fails the test. */
export const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => { throw new Error('expected an error'); }, (e: unknown) => e);
