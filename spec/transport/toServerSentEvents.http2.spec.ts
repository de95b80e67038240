/** @test {toServerSentEvents} writeTo on a node:http2 server (loopback, h2c): no connection-specific header */
import { connect, constants, createServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { of, Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { toServerSentEvents, type L0Event } from 'l0-rx';

const events: L0Event[] = [
  { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  { type: 'token', value: 'Hi' },
  { type: 'complete', finishReason: 'stop' },
];

/** One GET on `server` over HTTP/2: the response headers and body. */
async function get(server: Http2Server): Promise<{ headers: Record<string, unknown>; body: string }> {
  const { port } = server.address() as AddressInfo;
  const session = connect(`http://127.0.0.1:${port}`);
  try {
    return await new Promise((resolve, reject) => {
      const req = session.request({ ':path': '/' });
      let headers: Record<string, unknown> = {};
      let body = '';
      req.setEncoding('utf8');
      req.on('response', (h) => (headers = h));
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => resolve({ headers, body }));
      req.on('error', reject);
      req.end();
    });
  } finally {
    session.close();
  }
}

describe('toServerSentEvents on node:http2', () => {
  let server: Http2Server | undefined;
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);

  afterEach(async () => {
    process.off('warning', onWarning);
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('should stream the frames with the SSE headers but `connection`, which HTTP/2 forbids (Node warned at every response)', async () => {
    process.on('warning', onWarning);
    server = createServer((_req, res) => void toServerSentEvents(of(...events), { heartbeatMs: 0 }).writeTo(res));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { headers, body } = await get(server);
    // a warning is emitted on the next tick
    await new Promise((resolve) => setImmediate(resolve));
    expect(headers[':status']).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(headers['cache-control']).toBe('no-cache, no-transform');
    expect(headers['x-accel-buffering']).toBe('no');
    expect(headers.connection).toBeUndefined();
    expect(body).toBe('id: 1\nevent: start\ndata: {"type":"start","attempt":1,"fallbackIndex":0,"isRetry":false,"isFallback":false}\n\n' +
      'id: 2\nevent: token\ndata: {"type":"token","value":"Hi"}\n\nid: 3\nevent: complete\ndata: {"type":"complete","finishReason":"stop"}\n\nevent: end\ndata: {}\n\n');
    expect(warnings.map((w) => w.message)).toEqual([]);
  });

  it('should not run the events for a response whose client left before writeTo (node:http2 sets no `destroyed` on it, and its \'close\' has been)', async () => {
    const source = new Subject<L0Event>();
    let handled!: () => void;
    const done = new Promise<void>((resolve) => (handled = resolve));
    let received!: () => void;
    const requested = new Promise<void>((resolve) => (received = resolve));
    // a handler still awaiting something (a store, an auth check) when the client cancels its request
    server = createServer(async (_req, res) => {
      received();
      await new Promise((resolve) => res.once('close', resolve));
      toServerSentEvents(source, { heartbeatMs: 0 }).writeTo(res);
      handled();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const session = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const req = session.request({ ':path': '/' });
      req.on('error', () => undefined);
      await requested;
      req.close(constants.NGHTTP2_CANCEL);
      await done;
      await new Promise((resolve) => setImmediate(resolve));
      expect(source.observed).toBe(false); // (the model request would run on, no 'close' to come)
    } finally {
      session.close();
    }
  });
});
