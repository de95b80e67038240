/* Shared plumbing for the real-SDK integration specs: SDK-backed factories, an l0() runner and polling. */
import { lastValueFrom, tap } from 'rxjs';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import type OpenAI from 'openai';
import { streamText } from 'ai';
import { accumulate, l0, type L0Event, type L0Options, type L0State, type L0StreamContext, type L0StreamFactory } from 'l0-rx';
import { FAULT_SERVER_DEFAULTS, startFaultServer, type FaultServer } from 'l0-rx/testing';
import { faultProvider, openaiClient as driverClient } from '../testing/sdkDrivers.js';

export { eventually } from '../testing/sdkDrivers.js';

/** What every clean request streams, a word per chunk (9 words). */
export const REPLY = FAULT_SERVER_DEFAULTS.reply;

/**
 * Short real budgets: 2 retries of any kind, 1 content retry, 5 ms fixed backoff, Retry-After up to 2 s.
 * Timeouts well above the server's 2 ms token gap and well below anything a test waits for.
 */
export const RETRY = Object.freeze({ attempts: 1, maxRetries: 2, backoff: 'fixed', baseDelay: 5, maxRetryAfter: 2000 } as const);
export const TIMEOUT = Object.freeze({ initialToken: 300, interToken: 150 });
/**
 * For the silence faults (no-response, slow-first-token, stall): a time to first token with room
 * for a loaded CI, which the retried clean request must still meet.
 */
export const INITIAL = Object.freeze({ initialToken: 400, interToken: 150 });
/** Timeouts no test run reaches (for abort tests, where no timeout may interfere). */
export const PATIENT = Object.freeze({ initialToken: 2000, interToken: 2000 });

/**
 * A fresh fault server per test (closed in afterEach), so `server.requests` and the per-model `*k`
 * counters only ever hold the current test's requests. Read `handle.server` inside the test.
 */
export function useFaultServer(tokenDelayMs = 2): { readonly server: FaultServer } {
  const handle = {} as { server: FaultServer };
  beforeEach(async () => {
    handle.server = await startFaultServer({ tokenDelayMs });
  });
  afterEach(() => handle.server?.close());
  return handle;
}

/** A real openai client for `server`, SDK retries off, its logger silenced (malformed SSE logs twice). */
export function openaiClient(server: FaultServer): OpenAI {
  const quiet = vi.fn();
  return driverClient(server, { error: quiet, warn: quiet, info: quiet, debug: quiet });
}

/** Everything the factory was called with, for asserting attempts, fallbacks and checkpoints. */
export type Calls = L0StreamContext[];

/** An l0 factory streaming `model` through the real openai SDK; records each ctx in `calls`. */
export function viaOpenAI(client: OpenAI, model: string, calls: Calls = []): L0StreamFactory {
  return (ctx) => {
    calls.push(ctx);
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Tell me about the fox.' }];
    if (ctx.continuationPrompt !== undefined) messages.push({ role: 'assistant', content: ctx.continuationPrompt });
    return client.chat.completions.create(
      { model, messages, stream: true, stream_options: { include_usage: true } },
      { signal: ctx.signal },
    );
  };
}

/** An l0 factory streaming `model` through the real openai SDK's `responses.create`; records each ctx in `calls`. */
export function viaResponses(client: OpenAI, model: string, calls: Calls = []): L0StreamFactory {
  return (ctx) => {
    calls.push(ctx);
    const input: OpenAI.Responses.ResponseInputItem[] = [{ role: 'user', content: 'Tell me about the fox.' }];
    if (ctx.continuationPrompt !== undefined) input.push({ role: 'assistant', content: ctx.continuationPrompt });
    return client.responses.create({ model, input, stream: true }, { signal: ctx.signal });
  };
}

/** An l0 factory streaming `model` through the real `ai` SDK and @ai-sdk/openai-compatible. */
export function viaAiSdk(server: FaultServer, model: string, calls: Calls = []): L0StreamFactory {
  const provider = faultProvider(server);
  return (ctx) => {
    calls.push(ctx);
    return streamText({ model: provider.chatModel(model), prompt: 'Tell me about the fox.', abortSignal: ctx.signal, maxRetries: 0, onError: () => {} });
  };
}

/** How an l0() run ended, as seen through accumulate(). */
export interface Outcome {
  readonly events: L0Event[];
  /** The last accumulate() state (status 'error' with `error` set when the run failed). */
  readonly state: L0State;
  /** The live error the run failed with, if it failed. */
  readonly error: unknown;
  readonly ms: number;
}

/**
 * Runs `l0(options)` to its end (never throws) and folds it with accumulate({ errorsAsState: true }).
 * `onEvent` sees each event in a microtask right after it was emitted and folded into the state, as
 * a user reacting to what the UI shows would (e.g. to abort mid-stream).
 */
export async function runL0(options: L0Options, onEvent?: (e: L0Event, events: readonly L0Event[]) => void): Promise<Outcome> {
  const events: L0Event[] = [];
  let error: unknown;
  const started = Date.now();
  const state = await lastValueFrom(
    l0(options).pipe(
      tap({
        next: (e) => {
          events.push(e);
          if (onEvent) {
            const seen = events.slice();
            queueMicrotask(() => onEvent(e, seen));
          }
        },
        error: (e: unknown) => (error = e),
      }),
      accumulate({ errorsAsState: true }),
    ),
  );
  return { events, state, error, ms: Date.now() - started };
}

/** The events of one type, in order. */
export function eventsOf<T extends L0Event['type']>(events: readonly L0Event[], type: T): Extract<L0Event, { type: T }>[] {
  return events.filter((e): e is Extract<L0Event, { type: T }> => e.type === type);
}

/** Requests the server received for `model`. */
export const requestsFor = (server: FaultServer, model: string) => server.requests.filter((r) => r.model === model);

/** Polls (every 5 ms, up to `timeoutMs`) until the server has seen `model`'s request `index` closed by the client. */
export async function expectClosedByClient(server: FaultServer, model: string, index = 0, timeoutMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (requestsFor(server, model)[index]?.closedByClient !== true && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(requestsFor(server, model)[index]?.closedByClient, `${model} request #${index} closedByClient`).toBe(true);
}

/**
 * `l0()` over the real openai SDK (one client), with the suite's short retry and timeout budgets: `models`
 * is one model, or the primary followed by its fallbacks; `calls[i]` records the contexts of model i.
 */
export function runOpenAIModel(
  server: FaultServer,
  models: string | readonly [string, ...string[]],
  extra: Partial<L0Options> = {},
  ...calls: Calls[]
): Promise<Outcome> {
  const client = openaiClient(server);
  const [stream, ...fallbackStreams] = (typeof models === 'string' ? [models] : models).map((m, i) => viaOpenAI(client, m, calls[i]));
  return runL0({ stream: stream!, ...(fallbackStreams.length > 0 ? { fallbackStreams } : {}), retry: RETRY, timeout: TIMEOUT, ...extra });
}

/** `l0()` over the real openai SDK's `responses.create` for `model` (then its fallbacks), with the suite's short budgets. */
export function runResponsesModel(server: FaultServer, models: string | readonly [string, ...string[]], extra: Partial<L0Options> = {}): Promise<Outcome> {
  const client = openaiClient(server);
  const [stream, ...fallbackStreams] = (typeof models === 'string' ? [models] : models).map((m) => viaResponses(client, m));
  return runL0({ stream: stream!, ...(fallbackStreams.length > 0 ? { fallbackStreams } : {}), retry: RETRY, timeout: TIMEOUT, ...extra });
}

/** `l0()` over the real `ai` SDK for `model`, with the suite's short retry and timeout budgets. */
export function runAiSdkModel(server: FaultServer, model: string, extra: Partial<L0Options> = {}, calls: Calls = []): Promise<Outcome> {
  return runL0({ stream: viaAiSdk(server, model, calls), retry: RETRY, timeout: TIMEOUT, ...extra });
}

/** The run completed with `finishReason`, and accumulate() shows exactly `content`. */
export function expectComplete(o: Outcome, finishReason: string, content: string): void {
  expect(o.error, 'the run should not fail').toBeUndefined();
  expect(o.state).toMatchObject({ status: 'complete', finishReason, content });
  expect(o.events.at(-1)?.type).toBe('complete');
}

/** The run failed with an error the guard accepts, carrying `fields`; accumulate() shows exactly `content`. */
export function expectFailure(o: Outcome, guard: (e: unknown) => boolean, fields: Record<string, unknown>, content: string): void {
  expect(guard(o.error), `guard ${guard.name} on ${String(o.error)}`).toBe(true);
  expect(o.error).toMatchObject(fields);
  expect(o.state).toMatchObject({ status: 'error', content, error: { code: fields['code'] } });
}

/** `[reason, delayMs]` of each retry event. */
export const retriesOf = (o: Outcome) => eventsOf(o.events, 'retry').map((r) => [r.reason, r.delayMs] as const);

/**
 * The run rode out one fault: exactly one retry (`[reason, delayMs]`, its error matching `error`), then it
 * completed with `stop` and the whole REPLY, in 2 requests.
 */
export function expectRetriedOnce(o: Outcome, server: FaultServer, retry: readonly [string, number], error: Record<string, unknown> = {}): void {
  expectComplete(o, 'stop', REPLY);
  expect(retriesOf(o)).toEqual([retry]);
  expect(eventsOf(o.events, 'retry')[0]!.error).toMatchObject(error);
  expect(server.requests.length).toBe(2);
}

/**
 * The run of `fault:cut-tool-call` (every request cut mid-arguments) failed with a retryable
 * INCOMPLETE_STREAM after the first request and maxRetries: 2, and no cut call reached the consumer.
 */
export function expectCutToolCallFailed(o: Outcome, server: FaultServer): void {
  expect(o.error).toMatchObject({ code: 'INCOMPLETE_STREAM', retryable: true });
  expect(eventsOf(o.events, 'tool-call')).toEqual([]);
  expect(o.state.toolCalls).toEqual([]);
  expect(server.requests).toHaveLength(3);
  expect(server.requests[0]!.closedByClient).toBe(false); // the server cut it
}

/** The events before the first retry event (what that retry retracted). */
export const eventsBeforeRetry = (o: Outcome) => o.events.slice(0, o.events.findIndex((e) => e.type === 'retry'));

/** The text of the token events, joined. */
export const textOf = (events: readonly L0Event[]) => eventsOf(events, 'token').map((t) => t.value).join('');

/** An `onEvent` for runL0 that aborts `controller` once `n` tokens have arrived. */
export const abortAtToken = (controller: AbortController, n: number) => (_: L0Event, events: readonly L0Event[]) => {
  if (eventsOf(events, 'token').length === n) controller.abort();
};
