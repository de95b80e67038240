/** @test {retryWithBackoff} with a source that relays another run's attempts (fromServerSentEvents, rule 7) */
import { asapScheduler, lastValueFrom, merge, takeWhile, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromAttempt, fromServerSentEvents, fromStream, hedge, ProviderError, retryWithBackoff, serializeError, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const start = (attempt: number): L0Event => ({ type: 'start', attempt, fallbackIndex: 0, isRetry: attempt > 1, isFallback: false });
const tok = (value: string): L0Event => ({ type: 'token', value });
const down = serializeError(new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 }));
/** What the server's l0() run streams: its own attempts 1 and 2 (its retry), then its last error, as frames. */
const serverRetriedThenFailed = [start(1), tok('a'), { type: 'retry', attempt: 1, delayMs: 0, reason: 'server_error', countsTowardAttempts: false, error: down } as L0Event, start(2), tok('b')];
const frames = (events: readonly L0Event[], end: string) =>
  events.map((e, i) => `id: ${i + 1}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('') + end;
const errorFrame = `event: error\ndata: ${JSON.stringify(down)}\n\n`;
const endFrame = 'event: end\ndata: {}\n\n';

/** A fetch answering each request with the next body, as a text/event-stream. */
function fakeFetch(bodies: readonly string[]): { fetch: typeof fetch; calls: number } {
  const out = { calls: 0, fetch: (async () => new Response(bodies[out.calls++]!, { headers: { 'content-type': 'text/event-stream' } })) as typeof fetch };
  return out;
}

describe('retryWithBackoff after fromServerSentEvents: the server numbers its own attempts (rule 7)', () => {
  it('should number its own retries by its own requests, not by the server run\'s retries it relays', async () => {
    const server = fakeFetch([frames(serverRetriedThenFailed, errorFrame), frames([start(1), tok('c'), { type: 'complete', finishReason: 'stop' }], endFrame)]);
    const asked: number[] = [];
    const events = await lastValueFrom(fromServerSentEvents('http://x/events', { fetch: server.fetch }).pipe(
      retryWithBackoff({ baseDelay: 0, scheduler: asapScheduler, shouldRetry: (_, ctx) => (asked.push(ctx.attempt), true) }),
      toArray(),
    ));
    // the client made one request before its retry: that request failed, whatever the server's run did inside it
    const clientRetry = events.filter((e) => e.type === 'retry').at(-1);
    expect([server.calls, asked, clientRetry?.type === 'retry' && clientRetry.attempt]).toEqual([2, [1], 1]);
  });

  it('should hand a fromStream merged after it the next attempt of the client\'s loop, whatever the server relayed', async () => {
    // the server's run stays open after its own retry (no end frame, a body that never ends): the merged model decides
    const open = (events: readonly L0Event[]) => new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new TextEncoder().encode(frames(events, ''))) });
    const server = { fetch: (async () => new Response(open(serverRetriedThenFailed), { headers: { 'content-type': 'text/event-stream' } })) as typeof fetch };
    let relayed!: () => void;
    const serverRetried = new Promise<void>((resolve) => (relayed = resolve));
    const attempts: number[] = [];
    const model = fromStream(({ attempt }) => {
      attempts.push(attempt);
      return (async function* (): AsyncGenerator<string> {
        if (attempt > 1) return yield 'done';
        await serverRetried; // fails once the server's start of its attempt 2 went through the client's loop
        throw new ProviderError('down', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
      })();
    }, { model: 'local' });
    const events = await lastValueFrom(merge(fromServerSentEvents('http://x/events', { fetch: server.fetch }), model).pipe(
      tap((e) => e.type === 'start' && e.attempt === 2 && e.model === undefined && relayed()),
      retryWithBackoff({ baseDelay: 0, scheduler: asapScheduler }),
      takeWhile((e) => e.type !== 'token' || e.value !== 'done', true),
      toArray(),
    ));
    const local = events.flatMap((e) => (e.type === 'start' && e.model === 'local' ? [e.attempt] : []));
    const clientRetry = events.filter((e) => e.type === 'retry').at(-1); // after the server's own retry 1
    expect([attempts, local, clientRetry?.type === 'retry' && clientRetry.attempt]).toEqual([[1, 2], [1, 2], 1]);
  });
});

describe('retryWithBackoff around a hedge whose backup, subscribed by the hedge\'s timer, has retries of its own', () => {
  it('should number its retry and next attempt after the backup\'s own retries', () => {
    const ts = testScheduler();
    const seen: string[] = [];
    const failed = new Error('network down');
    ts.run(({ cold, flush }) => {
      const values = { a: tok('a'), b: tok('b') };
      // the primary is slow; the backup (after 2) streams a token and fails on its attempts 1 and 2 (its own
      // loop retries once, then gives up), then answers
      const primary = fromAttempt(() => cold('------------a|', values));
      const backup = fromAttempt((ctx) => (ctx.attempt <= 2 ? cold('-b#', values, failed) : cold('-b|', values)))
        .pipe(retryWithBackoff({ maxRetries: 1, backoff: 'fixed', baseDelay: 1, scheduler: ts }));
      primary.pipe(hedge(backup, { delay: 2, scheduler: ts }), retryWithBackoff({ backoff: 'fixed', baseDelay: 1, scheduler: ts }))
        .subscribe((e) => (e.type === 'start' || e.type === 'retry') && seen.push(`${e.type} ${e.attempt}`));
      flush();
    });
    expect(seen).toEqual(['start 1', 'retry 1', 'start 2', 'retry 2', 'start 3']);
  });
});
