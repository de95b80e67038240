/* A real openai client whose `fetch` answers with SSE text: the real SDK parsing real SSE, no network. */
import OpenAI from 'openai';

/** SSE text for `payloads` (JSON-encoded), ending with `data: [DONE]` unless `done` is false. */
export function sseText(payloads: readonly unknown[], { done = true } = {}): string {
  return payloads.map((p) => `data: ${typeof p === 'string' ? p : JSON.stringify(p)}\n\n`).join('') + (done ? 'data: [DONE]\n\n' : '');
}

/** What the fake fetch saw. */
export interface FetchLog {
  signals: (AbortSignal | undefined)[];
}

/** A client whose every request gets `body()` as a 200 `text/event-stream` response. */
export function fakeClient(body: () => BodyInit, log: FetchLog = { signals: [] }): OpenAI {
  const fakeFetch = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    log.signals.push(init?.signal ?? undefined);
    return new Response(body(), { status: 200, headers: { 'content-type': 'text/event-stream' } });
  };
  return new OpenAI({ apiKey: 'x', baseURL: 'http://127.0.0.1', fetch: fakeFetch, maxRetries: 0, logLevel: 'off' });
}

/** A body that sends `text` and then stalls until the request is aborted (the read then errors). */
export function stallingBody(text: string, signal: () => AbortSignal | undefined): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      signal()?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
    },
  });
}
