/** @test {toServerSentEvents} @test {fromServerSentEvents} end to end: examples/server over real loopback HTTP */
import { lastValueFrom, take, tap, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryEventStore, fromServerSentEvents, retryWithBackoff, type L0Event } from 'l0-rx';
import { FAULT_SERVER_DEFAULTS, startFaultServer, type FaultServer } from 'l0-rx/testing';
import { startChatServer, type ChatServer } from '../../examples/server/chatServer.mjs';
import { expectClosedByClient } from '../integration/harness.js';

const REPLY = FAULT_SERVER_DEFAULTS.reply;
const text = (events: readonly L0Event[]) => events.map((e) => (e.type === 'token' ? e.value : '')).join('');
const types = (events: readonly L0Event[]) => events.map((e) => e.type);

/**
 * A fetch whose first response body is cut once it has carried `frames` event ids: a dropped
 * connection. `beforeReconnect` runs before each later request.
 */
function droppingFetch(frames: number, seen: Headers[], beforeReconnect?: () => Promise<void>): typeof fetch {
  let calls = 0;
  return async (input, init) => {
    seen.push(new Headers(init?.headers));
    if (calls > 0) await beforeReconnect?.();
    const response = await fetch(input, init);
    if (calls++ > 0 || response.body === null) return response;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let seenText = '';
    const cut = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await reader.read();
        if (done) return controller.close();
        controller.enqueue(value);
        seenText += decoder.decode(value, { stream: true });
        if ((seenText.match(/(^|\n)id: /g) ?? []).length >= frames) {
          await reader.cancel();
          controller.close();
        }
      },
    });
    return new Response(cut, { status: response.status, headers: response.headers });
  };
}

describe('examples/server: l0() events over SSE', () => {
  let faults: FaultServer;
  let backend: ChatServer | undefined;
  beforeEach(async () => {
    faults = await startFaultServer({ tokenDelayMs: 10 });
  });
  afterEach(async () => {
    await backend?.close();
    backend = undefined;
    await faults.close();
  });

  it('should stream a clean answer: start first, every token, complete last', async () => {
    const chat = (backend = await startChatServer({ baseURL: faults.url }));
    const events = await lastValueFrom(fromServerSentEvents(`${chat.url}/chat/clean?q=fox`).pipe(toArray()));
    expect([types(events)[0], types(events).at(-1), text(events)]).toEqual(['start', 'complete', REPLY]);
  });

  it('should abort the model request when the client goes away (closedByClient on the fault server)', async () => {
    const chat = (backend = await startChatServer({ baseURL: faults.url, keepAliveMs: 0 }));
    const tokens = await lastValueFrom(fromServerSentEvents(`${chat.url}/chat/gone`).pipe(take(3), toArray()));
    expect(tokens).toHaveLength(3);
    await expectClosedByClient(faults, 'gpt-4o-mini', 0, 2000);
  });

  it('should resume a dropped connection with Last-Event-ID: every event once, in order, from one model request', async () => {
    const chat = (backend = await startChatServer({ baseURL: faults.url, keepAliveMs: 5_000 }));
    const sent: Headers[] = [];
    const received: L0Event[] = [];
    await lastValueFrom(
      fromServerSentEvents(`${chat.url}/chat/resume`, { fetch: droppingFetch(3, sent), reconnectDelay: 0 }).pipe(tap((e) => received.push(e))),
    );
    expect(sent.map((h) => h.get('last-event-id'))).toEqual([null, expect.stringMatching(/^[\w.-]+:\d+$/)]); // <run>:<seq>, the replay buffer's ids
    expect([types(received).filter((t) => t === 'start').length, types(received).at(-1), text(received)]).toEqual([1, 'complete', REPLY]);
    expect(faults.requests).toHaveLength(1);
  });

  it("should start a new run for a client's retry after the run failed (never replay the failed run to every retry)", async () => {
    // the backend's own retries (4 model requests, 3 retry events) all fail; the client's retry (the 4th) asks again under the same id
    const chat = (backend = await startChatServer({ baseURL: faults.url, model: 'fault:server-error*4' }));
    const received: L0Event[] = [];
    await lastValueFrom(fromServerSentEvents(`${chat.url}/chat/retried?q=fox`).pipe(retryWithBackoff({ baseDelay: 1 }), tap((e) => received.push(e))));
    expect([faults.requests.length, types(received).filter((t) => t === 'retry').length, types(received).at(-1), text(received)]).toEqual([5, 4, 'complete', REPLY]);
  });

  it('should answer a first connection with a new run of its own question, not an earlier finished run of the id', async () => {
    const chat = (backend = await startChatServer({ baseURL: faults.url }));
    await lastValueFrom(fromServerSentEvents(`${chat.url}/chat/asked-twice?q=first`));
    await lastValueFrom(fromServerSentEvents(`${chat.url}/chat/asked-twice?q=second`));
    expect(faults.requests.map((r) => r.messages)).toEqual([[{ role: 'user', content: 'first' }], [{ role: 'user', content: 'second' }]]);
  });

  it("should answer a first connection 503 (retryable) when the store cannot delete the id's old log, never leave it hanging", async () => {
    // a store that is down: the handler's rejected delete must not go unhandled (node:http ignores its promise; Node exits)
    const store = { ...createMemoryEventStore(), delete: () => Promise.reject(new Error('store down')) };
    const chat = (backend = await startChatServer({ baseURL: faults.url, store }));
    const error = await lastValueFrom(fromServerSentEvents(`${chat.url}/chat/unstored?q=fox`)).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ name: 'ProviderError', status: 503, retryable: true });
    expect(faults.requests).toHaveLength(0); // no model request for a run whose old log is still there
  });

  it('should start one run for two first connections of a chat id at once (a double submit): the newer, the one the store holds', async () => {
    // the first request's delete of the old log waits until the second request reached the server (its
    // own delete, or a later request answered): both are then between their delete and their run
    const inner = createMemoryEventStore();
    let deleting!: () => void, arrived!: () => void;
    const firstDeleting = new Promise<void>((resolve) => (deleting = resolve));
    const secondArrived = new Promise<void>((resolve) => (arrived = resolve));
    let deletes = 0;
    const store = { ...inner, delete: async (id: string) => (deletes++ === 0 ? (deleting(), await secondArrived) : arrived(), inner.delete(id)) };
    const chat = (backend = await startChatServer({ baseURL: faults.url, store }));
    const first = fetch(`${chat.url}/chat/twice?q=first`);
    await firstDeleting;
    const second = fetch(`${chat.url}/chat/twice?q=second`);
    expect((await fetch(`${chat.url}/not-a-chat`)).status).toBe(404);
    arrived();
    const answers = await Promise.all([first, second].map(async (r) => ({ status: (await r).status, run: /(?:^|\n)id: ([\w.-]+):/.exec(await (await r).text())?.[1] })));
    // every answer a client got is the store's log, so a reconnect to another server resumes it
    const log = await inner.read('twice');
    expect([answers.map((a) => a.status), answers.filter((a) => a.status === 200).map((a) => a.run)]).toEqual([[410, 200], [log[0]?.run]]);
    expect([faults.requests.map((r) => r.messages), log.at(-1)?.event.type]).toEqual([[[{ role: 'user', content: 'second' }]], 'complete']);
  });

  it("should answer the older of a double submit 410 (not retryable) even when its own delete failed: its client's retry would replace the newer run", async () => {
    // as above, but the first request's delete fails once the second arrived (the store blinked); the second's succeeds
    const inner = createMemoryEventStore();
    let deleting!: () => void, arrived!: () => void;
    const firstDeleting = new Promise<void>((resolve) => (deleting = resolve));
    const secondArrived = new Promise<void>((resolve) => (arrived = resolve));
    let deletes = 0;
    const store = {
      ...inner,
      delete: async (id: string) => (deletes++ === 0 ? (deleting(), await secondArrived, Promise.reject(new Error('store blinked'))) : inner.delete(id)),
    };
    const chat = (backend = await startChatServer({ baseURL: faults.url, store }));
    const first = lastValueFrom(fromServerSentEvents(`${chat.url}/chat/blinked?q=first`)).then(() => undefined, (e: unknown) => e);
    await firstDeleting;
    const second = fetch(`${chat.url}/chat/blinked?q=second`);
    expect((await fetch(`${chat.url}/not-a-chat`)).status).toBe(404);
    arrived();
    const [older, newer] = await Promise.all([first, second.then(async (r) => [r.status, await r.text()] as const)]);
    expect([older, newer[0]]).toEqual([expect.objectContaining({ name: 'ProviderError', status: 410, retryable: false }), 200]);
    expect([faults.requests.map((r) => r.messages), (await inner.read('blinked')).at(-1)?.event.type]).toEqual([[[{ role: 'user', content: 'second' }]], 'complete']);
  });

  it('should fail, never splice, a reconnect that finds a new run under the chat id (the one it read was aborted meanwhile)', async () => {
    const chat = (backend = await startChatServer({ baseURL: faults.url, keepAliveMs: 0 }));
    let other: ReadableStreamDefaultReader<Uint8Array> | undefined;
    const startAnotherRun = async () => {
      await expectClosedByClient(faults, 'gpt-4o-mini', 0, 2000); // the first run was aborted and forgotten
      other = (await fetch(`${chat.url}/chat/reused?q=other`)).body!.getReader(); // another tab asks under the same id
      await other.read();
    };
    const received: L0Event[] = [];
    const error = await lastValueFrom(
      fromServerSentEvents(`${chat.url}/chat/reused`, { fetch: droppingFetch(3, [], startAnotherRun), reconnectDelay: 0 }).pipe(tap((e) => received.push(e))),
    ).then(() => undefined, (e: unknown) => e);
    await other?.cancel();
    expect(error).toMatchObject({ name: 'ProviderError', code: 'INCOMPLETE_STREAM', message: expect.stringMatching(/it restarted the run instead of resuming it/) });
    expect([types(received).filter((t) => t === 'start').length, types(received).includes('complete'), faults.requests.length]).toEqual([1, false, 2]);
  });
});
