// @ts-check
// The servers behind the browser: the fault server (an offline OpenAI-compatible model), the chat
// backend of examples/server, and one HTTP server that serves the built app and forwards
// `/chat/*` to the backend (same origin, as a reverse proxy does in production), able to cut a
// response after n frames: a dropped connection the browser must resume from.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFaultServer } from 'l0-rx/testing';
import { startChatServer } from '../../server/chatServer.mjs';

export const APP_DIR = fileURLToPath(new URL('../dist/browser/', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.txt': 'text/plain' };

/**
 * @typedef {object} Backend
 * @property {string} model  the primary model: a fault-server model name such as 'fault:cut-after-n:4*1'
 * @property {readonly string[]} [fallbackModels]
 * @property {number} [keepAliveMs]  how long the backend keeps a run without a client (default 10000)
 */

/**
 * Starts the app server on a free loopback port (or `port`). `use(backend)` replaces the fault
 * server and the chat backend with fresh ones (so each scenario counts its own model requests).
 * @param {{ port?: number, tokenDelayMs?: number }} [options]
 */
export async function startStack({ port = 0, tokenDelayMs = 20 } = {}) {
  if (!existsSync(join(APP_DIR, 'index.html'))) throw new Error(`no built app in ${APP_DIR}: run \`npm run build\` in examples/angular first`);
  /** @type {{ faults: import('l0-rx/testing').FaultServer, chat: { url: string, close(): Promise<void> } } | undefined} */
  let current;
  /** @type {number | undefined} frames after which the next first connection (no Last-Event-ID) is cut */
  let cutAfter;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/chat/')) return forward(req, res);
    const file = normalize(join(APP_DIR, url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname)));
    if (!file.startsWith(APP_DIR) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': TYPES[/** @type {keyof TYPES} */ (extname(file))] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  function forward(req, res) {
    if (current === undefined) return void res.writeHead(503).end('no backend');
    const cut = req.headers['last-event-id'] === undefined ? cutAfter : undefined;
    if (cut !== undefined) cutAfter = undefined;
    const upstream = request(new URL(req.url ?? '/', current.chat.url), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      let frames = 0;
      answer.on('data', (/** @type {Buffer} */ chunk) => {
        if (cut !== undefined && frames >= cut) return; // cut: nothing more reaches the browser
        frames += (chunk.toString('utf8').match(/(^|\n)id: /g) ?? []).length;
        const cutNow = cut !== undefined && frames >= cut;
        res.write(chunk, () => {
          if (!cutNow) return;
          upstream.destroy(); // the backend sees its client go (the run waits in its replay buffer)
          res.destroy(); // once the frames are out, the browser's fetch body fails mid-stream: a dropped connection
        });
      });
      answer.on('end', () => res.end());
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', () => res.destroy());
    req.on('close', () => upstream.destroy());
    upstream.end();
  }

  await new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());

  async function stopBackend() {
    const old = current;
    current = undefined;
    await old?.chat.close();
    await old?.faults.close();
  }

  return {
    url: `http://127.0.0.1:${address.port}/`,
    /**
     * Fresh fault server and chat backend for the next question; resolves to the fault server (its `requests`).
     * @param {Backend} backend
     */
    async use({ model, fallbackModels = [], keepAliveMs }) {
      await stopBackend();
      cutAfter = undefined;
      const faults = await startFaultServer({ tokenDelayMs });
      const chat = await startChatServer({ baseURL: faults.url, model, fallbackModels, ...(keepAliveMs === undefined ? {} : { keepAliveMs }) });
      current = { faults, chat };
      return faults;
    },
    /** Cuts the next answer's first connection once it has carried `frames` events. @param {number} frames */
    dropNextConnectionAfter(frames) {
      cutAfter = frames;
    },
    async close() {
      await stopBackend();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}
