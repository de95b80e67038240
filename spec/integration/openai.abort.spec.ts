/** @test {l0} */
import { describe, expect, it } from 'vitest';
import { isStreamAbortedError, l0, type L0Event } from 'l0-rx';
import {
  PATIENT,
  RETRY,
  abortAtToken,
  eventsOf,
  eventually,
  expectClosedByClient,
  expectFailure,
  openaiClient,
  requestsFor,
  runL0,
  runOpenAIModel,
  textOf,
  useFaultServer,
  viaOpenAI,
  type Calls,
} from './harness.js';

// User aborts through the real openai SDK: an abort is never retried and never falls back, and the
// HTTP request really ends (the server sees its socket closed by the client).
const ctx = useFaultServer();

describe('l0() + openai SDK: user abort', () => {
  it('should end a mid-stream abort with StreamAbortedError: no retry, no fallback, one request, socket closed', async () => {
    const client = openaiClient(ctx.server);
    const controller = new AbortController();
    const fallback: Calls = [];
    const o = await runL0(
      {
        stream: viaOpenAI(client, 'fault:stall:3'),
        fallbackStreams: [viaOpenAI(client, 'gpt-fallback', fallback)],
        retry: RETRY,
        timeout: PATIENT,
        signal: controller.signal,
      },
      abortAtToken(controller, 3),
    );
    expectFailure(o, isStreamAbortedError, { code: 'STREAM_ABORTED', category: 'abort', retryable: false }, 'The quick brown');
    expect(o.events.map((e) => e.type)).toEqual(['start', 'token', 'token', 'token']);
    expect(fallback).toEqual([]);
    expect(ctx.server.requests.length).toBe(1);
    await expectClosedByClient(ctx.server, 'fault:stall:3', 0);
  });

  it('should end an abort before the response headers with StreamAbortedError and close the socket', async () => {
    const controller = new AbortController();
    const calls: Calls = [];
    const run = runOpenAIModel(ctx.server, 'fault:no-response', { timeout: PATIENT, signal: controller.signal }, calls);
    await eventually(() => ctx.server.requests.length === 1, 500);
    controller.abort();
    const o = await run;
    expectFailure(o, isStreamAbortedError, { code: 'STREAM_ABORTED' }, '');
    expect(calls.length).toBe(1);
    expect(ctx.server.requests.length).toBe(1);
    await expectClosedByClient(ctx.server, 'fault:no-response', 0);
  });

  it('should end an abort during a Retry-After wait at once, without the retry request', async () => {
    const controller = new AbortController();
    const o = await runL0(
      { stream: viaOpenAI(openaiClient(ctx.server), 'fault:rate-limit:1'), retry: RETRY, timeout: PATIENT, signal: controller.signal },
      (e) => {
        if (e.type === 'retry') setTimeout(() => controller.abort(), 20);
      },
    );
    expectFailure(o, isStreamAbortedError, { code: 'STREAM_ABORTED' }, '');
    expect(eventsOf(o.events, 'retry').map((r) => r.delayMs)).toEqual([1000]);
    expect(o.ms).toBeLessThan(800); // did not sit out the 1 s Retry-After
    expect(ctx.server.requests.length).toBe(1);
  });

  it('should make no request at all for an already-aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    const calls: Calls = [];
    const o = await runL0({ stream: viaOpenAI(openaiClient(ctx.server), 'gpt-clean', calls), retry: RETRY, signal: controller.signal });
    expectFailure(o, isStreamAbortedError, { code: 'STREAM_ABORTED' }, '');
    expect(o.events).toEqual([]);
    expect(calls).toEqual([]);
    expect(ctx.server.requests.length).toBe(0);
  });

  it('should cancel the HTTP request when the subscriber unsubscribes mid-stream (no error, no retry)', async () => {
    const calls: Calls = [];
    const events: L0Event[] = [];
    const done = new Promise<void>((resolve) => {
      const sub = l0({ stream: viaOpenAI(openaiClient(ctx.server), 'fault:stall:3', calls), retry: RETRY, timeout: PATIENT }).subscribe({
        next: (e) => {
          events.push(e);
          if (eventsOf(events, 'token').length === 2) {
            sub.unsubscribe();
            resolve();
          }
        },
      });
    });
    await done;
    expect(textOf(events)).toBe('The quick');
    expect(calls[0]!.signal.aborted).toBe(true);
    await expectClosedByClient(ctx.server, 'fault:stall:3', 0);
    expect(requestsFor(ctx.server, 'fault:stall:3').length).toBe(1);
  });
});
