// @ts-check
// A streaming backend: `GET /chat/<id>?q=<question>` streams the l0() events of one answer as
// Server-Sent Events. The model key stays here; the browser reads the stream with
// fromServerSentEvents(). A client that goes away unsubscribes, so the model request aborts (after
// `keepAliveMs`, the grace a reconnect gets); a client that reconnects with `Last-Event-ID` gets the
// events after it from the replay buffer, then the live ones, each once (the buffer's ids carry the
// run, `<run>:<seq>`, so a reconnect that finds a newer run under the same chat id fails on the
// client instead of splicing two answers). With a shared event store
// (`store`: the Redis store for a fleet), every run is recorded, and a reconnect that reaches a
// server that is not running it resumes from the store's live tail instead. Each run gets one tag,
// for its buffer and its log alike, so its ids are the same on both paths: a resume of the run on
// another server goes on, and one that finds another run under the chat id there fails too.
import { createServer } from 'node:http';
import OpenAI from 'openai';
import { createSseReplayBuffer, createStoreReplaySource, l0, parseLastEventId, toServerSentEvents } from 'l0-rx';

/**
 * @typedef {object} ChatServerOptions
 * @property {string} baseURL   an OpenAI-compatible endpoint (the fault server offline, a provider live)
 * @property {string} [apiKey]  the provider key, kept on the server
 * @property {string} [model]   (default 'gpt-4o-mini')
 * @property {readonly string[]} [fallbackModels]  models to fall back to, in order, once the model's retries are spent (default none)
 * @property {number} [keepAliveMs]  how long a run survives without a client, for reconnects; 0 aborts at once (default 10000)
 * @property {number} [heartbeatMs] (default 15000)
 * @property {import('l0-rx').EventStore} [store]  records every run, and serves reconnects for runs this server is not running (needs `follow`)
 */

/**
 * Starts the chat backend on a free loopback port.
 * @param {ChatServerOptions} options
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function startChatServer({ baseURL, apiKey = 'offline', model = 'gpt-4o-mini', fallbackModels = [], keepAliveMs = 10_000, heartbeatMs = 15_000, store }) {
  const openai = new OpenAI({ apiKey, baseURL, maxRetries: 0 });
  const runs = createSseReplayBuffer({ keepAliveMs });
  const recorded = store === undefined ? undefined : createStoreReplaySource(store);
  /** Per chat id, the newest first request's delete of the old log (each waits for the one before it). */
  const deleting = new Map();
  /** A replaced run still recording is refused by the store (RUN_MISMATCH): expected, the log is the new run's. */
  const onRecordError = (/** @type {import('l0-rx').EventLogError} */ e) => {
    if (e.code !== 'RUN_MISMATCH') console.warn(`chat ${e.streamId}: recording stopped: ${e.message}`);
  };
  /** @param {string} id @param {string} question @param {string} run the run's tag, as its buffer's */
  const answer = (id, question, run) => {
    /** @param {string} name @returns {import('l0-rx').L0StreamFactory} */
    const ask = (name) => ({ signal }) =>
      openai.chat.completions.create({ model: name, messages: [{ role: 'user', content: question }], stream: true }, { signal });
    return l0({
      stream: ask(model),
      fallbackStreams: fallbackModels.map(ask),
      retry: { attempts: 2, maxRetries: 3, baseDelay: 50 },
      ...(store === undefined ? {} : { record: { store, streamId: id, runTag: () => run, onRecordError } }),
    });
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/chat\/([\w-]{1,64})$/.exec(url.pathname);
    if (req.method !== 'GET' || match === null) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"GET /chat/<id>?q=<question>"}');
      return;
    }
    const id = match[1];
    let after;
    try {
      after = parseLastEventId(req.headers['last-event-id']);
    } catch (e) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(e) }));
      return;
    }
    // a first connection (no Last-Event-ID: a new question, or a client's retry after a failed run)
    // starts a new run, replacing any earlier one of the id; a reconnect (Last-Event-ID) resumes its
    // run here, or from the store when another server runs it, or gets STREAM_NOT_FOUND as its error
    // frame (the client's run then fails with the retryable INCOMPLETE_STREAM: a client with a
    // retryWithBackoff after fromServerSentEvents asks again as a new answer; the Angular example has none)
    if (after === 0) {
      // the store's log of an earlier run under the id goes first: the new run records from seq 0, and
      // a reconnect to another server must never be served the old run's events as this one's (an
      // earlier run still recording is refused by the store, RUN_MISMATCH: the log is the new run's)
      // two first connections of one id at once (a double submit) take turns at the delete, and only
      // the newer one starts a run: had both deleted first and then both started, the older run,
      // subscribed first, would take the new log (the newer run's refused, RUN_MISMATCH), the store
      // holding the run this buffer replaced. The older one gets a 410, not retryable, even when its
      // own delete failed (a client's retry would replace the newer run in turn); the newest, when
      // the store is down, a 503, retryable (node:http ignores this handler's promise, and an
      // unhandled rejection ends Node)
      if (store !== undefined) {
        const deleted = Promise.resolve(deleting.get(id)).catch(() => {}).then(() => store.delete(id));
        deleting.set(id, deleted);
        const failure = await deleted.then(() => undefined, (e) => ({ e }));
        const newest = deleting.get(id) === deleted;
        if (newest) deleting.delete(id);
        if (failure !== undefined || !newest) {
          const error = newest ? String(failure?.e) : `a newer question for chat ${id} replaced this one`;
          res.writeHead(newest ? 503 : 410, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
          return;
        }
      }
      // one tag for the run's buffer and its log: random, so no two servers of a fleet make the same one
      const run = crypto.randomUUID();
      runs.add(id, answer(id, url.searchParams.get('q') ?? 'Hello', run), { run });
    }
    const events$ = !runs.has(id) && recorded !== undefined ? recorded.replay(id, after) : runs.replay(id, after);
    toServerSentEvents(events$, { resumeFrom: after, heartbeatMs }).writeTo(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
