/** @test {toL0Error} */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isProviderError, isTokenTimeoutError, isZeroOutputError } from 'l0-rx';
import type { FaultServer } from 'l0-rx/testing';
import {
  PATIENT,
  REPLY,
  RETRY,
  eventsBeforeRetry,
  eventsOf,
  expectClosedByClient,
  expectComplete,
  expectFailure,
  expectRetriedOnce,
  retriesOf,
  runL0,
  textOf,
  useFaultServer,
  type Outcome,
} from './harness.js';
import { MASTRA } from './mastraSdk.js';
import { RESPONSES, SDKS, type Sdk } from './sdks.js';

// Every fault the server can send, through every SDK major (sdks.ts) and the Mastra agent: each must
// become the same typed error (code, category, retryable, reason, status, retryAfterMs) and the same
// retry decision, whatever the SDK wraps it in (openai's APIError subclasses, the AI SDK's APICallError
// in an `error` part, Mastra's copy of it). The happy paths and stream-shape faults are in sdkVersions.spec.ts;
// the same errors built directly from each major's classes: spec/errors/toL0Error.sdkMajors.spec.ts.
// Timeouts are PATIENT except where the fault is silence (no-response, slow-first-token, stall): there
// the timeout is the fault's only way out, and SILENCE says which one.

const ctx = useFaultServer();
const run = (sdk: Sdk, model: string, server: FaultServer = ctx.server, fetch?: typeof globalThis.fetch) =>
  runL0({ stream: sdk.via(server, model, fetch ? { fetch } : {}), retry: RETRY, timeout: PATIENT });
/** Initial-token and inter-token budgets well above a warm SDK's first token, well below the faults' silence. */
const SILENCE = Object.freeze({ initialToken: 1000, interToken: 400 });

/** A fetch that counts its calls, also where no fault server answers (a closed port): the same count for a 404 route, which the server records too. */
function countingFetch(): { fetch: typeof globalThis.fetch; readonly calls: number } {
  const counter: { fetch: typeof globalThis.fetch; calls: number } = {
    calls: 0,
    fetch: (input, init) => (counter.calls++, fetch(input, init)),
  };
  return counter;
}

/** A loopback port nothing listens on (opened, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The run failed at once (no retry, one request) with a ProviderError carrying exactly these fields. */
function expectFailedAtOnce(o: Outcome, requests: number, fields: Record<string, unknown>): void {
  expectFailure(o, isProviderError, fields, '');
  expect(retriesOf(o)).toEqual([]);
  expect(requests).toBe(1);
  for (const absent of ['status', 'retryAfterMs'] as const) if (!(absent in fields)) expect(fieldOf(o.error, absent), absent).toBeUndefined();
}

/** A field of the run's live error (an L0Error always has `status` and `retryAfterMs`, maybe undefined). */
const fieldOf = (error: unknown, key: 'status' | 'retryAfterMs'): unknown => (error as Record<string, unknown>)[key];

const RATE_LIMITED = { code: 'RATE_LIMITED', category: 'rate-limit', reason: 'rate_limit', retryable: true, status: 429 } as const;
const SERVER_ERROR = { code: 'SERVER_ERROR', category: 'server', reason: 'server_error', retryable: true } as const;
const NETWORK_ERROR = { code: 'NETWORK_ERROR', category: 'network', reason: 'network_error', retryable: true } as const;

describe.each([...SDKS, ...RESPONSES, MASTRA])('errors: l0() + $name', (sdk) => {
  describe('429', () => {
    it('should retry rate-limit-ms after its retry-after-ms', async () => {
      const o = await run(sdk, 'fault:rate-limit-ms:40*1');
      expectRetriedOnce(o, ctx.server, ['rate_limit', 40], { ...RATE_LIMITED, retryAfterMs: 40 });
    });

    it('should retry rate-limit-date after its HTTP-date Retry-After (read with the scheduler clock)', async () => {
      const o = await run(sdk, 'fault:rate-limit-date:1*1');
      expectComplete(o, 'stop', REPLY);
      const [retry] = eventsOf(o.events, 'retry');
      // the date has whole seconds: "1 s ahead" is 0 to 1000 ms from when the client reads it
      expect(retry).toMatchObject({ reason: 'rate_limit', error: RATE_LIMITED });
      expect(retry!.delayMs).toBeGreaterThanOrEqual(0);
      expect(retry!.delayMs).toBeLessThanOrEqual(1000);
      // fromStream has no clock, so the error keeps no retryAfterMs for a date; retryWithBackoff reads
      // the date from its cause's headers with scheduler.now() (classifyError rule 1), the same for every major
      expect(retry!.error).not.toHaveProperty('retryAfterMs');
      expect(ctx.server.requests.length).toBe(2);
    });

    it('should fail at once when the HTTP-date Retry-After is above maxRetryAfter', async () => {
      const o = await run(sdk, 'fault:rate-limit-date:5');
      expectFailure(o, isProviderError, RATE_LIMITED, '');
      expect(retriesOf(o)).toEqual([]);
      expect(ctx.server.requests.length).toBe(1);
    });

    it('should retry rate-limit-none after the backoff, with no retryAfterMs', async () => {
      const o = await run(sdk, 'fault:rate-limit-none*1');
      expectRetriedOnce(o, ctx.server, ['rate_limit', 5], RATE_LIMITED);
      expect(eventsOf(o.events, 'retry')[0]!.error).not.toHaveProperty('retryAfterMs');
    });

    it('should fail quota-429 (insufficient_quota) at once: waiting does not fix billing', async () => {
      const o = await run(sdk, 'fault:quota-429');
      expectFailedAtOnce(o, ctx.server.requests.length, { ...RATE_LIMITED, retryable: false });
    });

    it('should fail at once when Retry-After is above maxRetryAfter', async () => {
      const o = await run(sdk, 'fault:rate-limit:5');
      expectFailedAtOnce(o, ctx.server.requests.length, { ...RATE_LIMITED, retryAfterMs: 5000 });
    });
  });

  describe('5xx', () => {
    it.each([
      ['server-error', 500],
      ['unavailable', 503],
      ['overloaded-529', 529],
    ])('should retry %s (HTTP %i) as SERVER_ERROR', async (fault, status) => {
      const o = await run(sdk, `fault:${fault}*1`);
      expectRetriedOnce(o, ctx.server, ['server_error', 5], { ...SERVER_ERROR, status });
      expect(eventsOf(o.events, 'retry')[0]!.error).not.toHaveProperty('retryAfterMs');
    });

    it('should ride out flapping (503, then clean) with one retry', async () => {
      const o = await run(sdk, 'fault:flapping');
      expectRetriedOnce(o, ctx.server, ['server_error', 5], { ...SERVER_ERROR, status: 503 });
    });
  });

  describe('4xx: never retried', () => {
    it('should fail auth-401 with AUTH_ERROR', async () => {
      const o = await run(sdk, 'fault:auth-401');
      expectFailedAtOnce(o, ctx.server.requests.length, { code: 'AUTH_ERROR', category: 'auth', reason: 'auth', retryable: false, status: 401 });
    });

    it('should fail context-length-400 with CONTEXT_LENGTH_EXCEEDED', async () => {
      const o = await run(sdk, 'fault:context-length-400');
      const fields = { code: 'CONTEXT_LENGTH_EXCEEDED', category: 'bad-request', reason: 'context_length_exceeded', retryable: false, status: 400 };
      expectFailedAtOnce(o, ctx.server.requests.length, fields);
    });

    it('should fail a plain 400 (an unknown fault) with BAD_REQUEST', async () => {
      const o = await run(sdk, 'fault:no-such-fault');
      expectFailedAtOnce(o, ctx.server.requests.length, { code: 'BAD_REQUEST', category: 'bad-request', reason: 'bad_request', retryable: false, status: 400 });
    });

    it('should fail a 404 (no such route) with BAD_REQUEST', async () => {
      const counter = countingFetch();
      const o = await run(sdk, 'gpt-test', { ...ctx.server, url: `${ctx.server.url}/missing` }, counter.fetch);
      expectFailedAtOnce(o, counter.calls, { code: 'BAD_REQUEST', category: 'bad-request', reason: 'bad_request', retryable: false, status: 404 });
    });
  });

  describe('connection', () => {
    it('should retry reset-before-headers as NETWORK_ERROR', async () => {
      const o = await run(sdk, 'fault:reset-before-headers*1');
      expectRetriedOnce(o, ctx.server, ['network_error', 5], NETWORK_ERROR);
      expect(eventsOf(o.events, 'retry')[0]!.error).not.toHaveProperty('status');
    });

    it('should retry cut-tool-call as INCOMPLETE_STREAM: the cut call never reaches the consumer', async () => {
      const o = await run(sdk, 'fault:cut-tool-call*1');
      expectRetriedOnce(o, ctx.server, ['incomplete_stream', 5], { code: 'INCOMPLETE_STREAM', retryable: true });
      // the retry is the clean reply (the fault was for the first request only): no call from either attempt
      expect(eventsOf(o.events, 'tool-call')).toEqual([]);
      expectComplete(o, 'stop', REPLY);
    });

    it('should retry a refused connection until maxRetries, then fail with NETWORK_ERROR', async () => {
      const counter = countingFetch();
      const refused = { ...ctx.server, url: `http://127.0.0.1:${await closedPort()}/v1` };
      const o = await run(sdk, 'gpt-test', refused, counter.fetch);
      expectFailure(o, isProviderError, NETWORK_ERROR, '');
      expect(fieldOf(o.error, 'status')).toBeUndefined();
      expect(retriesOf(o)).toEqual([['network_error', 5], ['network_error', 5]]);
      expect(counter.calls).toBe(3);
    });
  });

  describe('silence (SILENCE timeouts: the timeout is the fault)', () => {
    const runSilent = (model: string) => runL0({ stream: sdk.via(ctx.server, model), retry: RETRY, timeout: SILENCE });

    it('should retry no-response after initialToken and close the silent request', async () => {
      const o = await runSilent('fault:no-response*1');
      expectRetriedOnce(o, ctx.server, ['timeout', 5], { code: 'INITIAL_TOKEN_TIMEOUT', category: 'timeout', retryable: true });
      await expectClosedByClient(ctx.server, 'fault:no-response*1', 0);
    });

    it('should retry slow-first-token after initialToken', async () => {
      const o = await runSilent('fault:slow-first-token:3000*1');
      expectRetriedOnce(o, ctx.server, ['timeout', 5], { code: 'INITIAL_TOKEN_TIMEOUT', category: 'timeout', retryable: true });
    });

    it('should retry a stall after interToken and retract its text', async () => {
      const o = await runSilent('fault:stall:2*1');
      expectRetriedOnce(o, ctx.server, ['timeout', 5], { code: 'INTER_TOKEN_TIMEOUT', category: 'timeout', retryable: true });
      expect(textOf(eventsBeforeRetry(o))).toBe('The quick');
    });

    it('should fail no-response with INITIAL_TOKEN_TIMEOUT once maxRetries are spent', async () => {
      const o = await runSilent('fault:no-response');
      expectFailure(o, isTokenTimeoutError, { code: 'INITIAL_TOKEN_TIMEOUT', category: 'timeout', retryable: true }, '');
      expect(retriesOf(o)).toEqual([['timeout', 5], ['timeout', 5]]);
      expect(ctx.server.requests.length).toBe(3);
    });
  });

  describe('in the stream', () => {
    it('should fail empty-completion with ZERO_OUTPUT after one content retry', async () => {
      const o = await run(sdk, 'fault:empty-completion');
      expectFailure(o, isZeroOutputError, { code: 'ZERO_OUTPUT', category: 'content' }, '');
      expect(retriesOf(o)).toEqual([['zero_output', 5]]);
      expect(ctx.server.requests.length).toBe(2);
    });
  });
});

// sdkVersions.spec.ts runs error-in-200 for the Responses rows; the chat completions rows get an
// in-band `{error}` frame in a 200 stream: openai yields an APIError without a status, the AI SDK an
// `error` part.
describe.each([...SDKS, MASTRA])('errors: l0() + $name: in-band error', (sdk) => {
  it('should retry error-in-200 as SERVER_ERROR without a status', async () => {
    const o = await run(sdk, 'fault:error-in-200*1');
    expectRetriedOnce(o, ctx.server, ['server_error', 5], SERVER_ERROR);
    expect(eventsOf(o.events, 'retry')[0]!.error).not.toHaveProperty('status');
  });
});
