/** @test {toServerSentEvents} */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI, { type ClientOptions } from 'openai';
import { lastValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import * as l0rx from 'l0-rx';
import { accumulate, fromServerSentEvents } from 'l0-rx';
import { startFaultServer, type FaultServer } from 'l0-rx/testing';
import { eventually } from './harness.js';
import { readmeBlock, runSnippet } from './readmeSnippet.js';

// The README's "A Node backend" quick start, run as written with the real openai SDK and node:http:
// the SDK's requests go to two fault servers with different replies (a model rarely says the same
// thing twice), the snippet's listen(3000) to a free port, and the first response is cut after a
// few frames, so the browser side reconnects with Last-Event-ID. A backend without a replay buffer
// cannot resume: it must not run the model again and let the client splice two answers together.
const BACKEND = readmeBlock('### A Node backend, streaming to the browser');
const FIRST = 'The first answer is about foxes and how quick they are.';
const SECOND = 'A second answer talks about dogs and how lazy they are.';

let servers: FaultServer[] = [];
let backend: http.Server | undefined;
afterEach(async () => {
  backend?.closeAllConnections();
  backend?.close();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  backend = undefined;
});

/** Starts the snippet; resolves to its URL. Model request n goes to fault server n (the last one repeats). */
async function startBackend(cutFirstResponseAfter: number): Promise<string> {
  servers = [await startFaultServer({ reply: FIRST, tokenDelayMs: 5 }), await startFaultServer({ reply: SECOND, tokenDelayMs: 5 })];
  let calls = 0;
  const route: typeof fetch = (input, init) => {
    const server = servers[Math.min(calls++, servers.length - 1)]!;
    const url = new URL(input instanceof Request ? input.url : String(input));
    return fetch(new URL(url.pathname + url.search, server.url.replace(/\/v1$/, '')), init);
  };
  class Routed extends OpenAI {
    constructor(options: ClientOptions) {
      super({ ...options, apiKey: 'test', baseURL: 'http://model.invalid/v1', fetch: route });
    }
  }
  let cut = true;
  const nodeHttp = {
    createServer: (handler: http.RequestListener) => {
      backend = http.createServer((req, res) => {
        if (cut) {
          cut = false;
          let frames = 0;
          const write = res.write.bind(res) as (chunk: string) => boolean;
          res.write = ((chunk: string) => {
            write(chunk);
            if (chunk.startsWith('id: ') && ++frames === cutFirstResponseAfter) res.destroy();
            return true;
          }) as typeof res.write;
        }
        handler(req, res);
      });
      const listen = backend.listen.bind(backend);
      return Object.assign(backend, { listen: () => listen(0, '127.0.0.1') });
    },
  };
  runSnippet(BACKEND, { 'node:http': nodeHttp, openai: { __esModule: true, default: Routed }, 'l0-rx': l0rx });
  await eventually(() => backend?.listening === true, 2000);
  return `http://127.0.0.1:${(backend!.address() as AddressInfo).port}/?q=Say+hi`;
}

const modelRequests = () => servers.reduce((n, s) => n + s.requests.length, 0);

describe('README quick start: a Node backend', () => {
  it('should stream a whole answer to fromServerSentEvents', async () => {
    const url = await startBackend(Number.POSITIVE_INFINITY);
    const state = await lastValueFrom(fromServerSentEvents(url).pipe(accumulate()));
    expect(state.status).toBe('complete');
    expect(state.content).toBe(FIRST);
    expect(modelRequests()).toBe(1);
  });

  it('should refuse a reconnect it cannot resume, never splicing a second model answer onto the first', async () => {
    const url = await startBackend(4); // start + 3 tokens reach the client, then the connection drops
    const state = await lastValueFrom(fromServerSentEvents(url, { reconnectDelay: 10 }).pipe(accumulate({ errorsAsState: true })));
    expect(FIRST.startsWith(state.content), `shown: ${JSON.stringify(state.content)}`).toBe(true);
    expect(state.content.length).toBeGreaterThan(0);
    expect(state.status).toBe('error');
    expect(state.error).toMatchObject({ code: 'INCOMPLETE_STREAM', retryable: true }); // the 204: a retryWithBackoff asks for the whole answer again
    expect(modelRequests(), 'model requests: the reconnect must not run the model again').toBe(1);
  });
});
