/** @test {injectFaults} */
// The equivalence proof: every fault injected by the wrapper ends exactly as the fault server's `fault:<name>`
// model does through the real openai SDK and fromStream (error class, code, category, reason, retryable,
// retryAfterMs, finish reason, text, tool calls; for an HTTP fault the SDK error too: its class, status, body and
// retry-after headers), by the Chat Completions route and the Responses one. Stalls compare under a short real withTimeouts: the only
// honest way to observe "silent with the socket open" through the real SDK is to wait for a timer.
import { catchError, lastValueFrom, of, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromStream, injectFaults, withTimeouts, type L0Event, type StreamContext, type StreamFactory } from 'l0-rx';
import { FAULT_NAMES } from 'l0-rx/testing';
import { eventually, useSharedFaultServer } from '../testing/sdkDrivers.js';

const REPLY = 'The quick brown fox jumps over the lazy dog.';
const shared = useSharedFaultServer(REPLY);
const STALLS = new Set(['stall', 'no-response']);

const call = (model: string) => ({ signal }: StreamContext) =>
  shared.client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], stream: true }, { signal });
const callResponses = (model: string) => ({ signal }: StreamContext) => shared.client.responses.create({ model, input: 'hi', stream: true }, { signal });

interface Outcome {
  readonly text: string;
  readonly finish?: string;
  readonly tools: unknown[];
  readonly error?: { cls: string; code: unknown; category: unknown; reason: unknown; retryable: unknown; retryAfterMs: unknown; sdk?: unknown };
  readonly retryAfterDate?: number;
}

async function outcome(events$: Observable<L0Event>, stall: boolean): Promise<Outcome> {
  const run$ = stall ? events$.pipe(withTimeouts({ initialToken: 1000, interToken: 1000 })) : events$;
  const events = await lastValueFrom(run$.pipe(toArray(), catchError((e: unknown) => of([{ type: 'error', e }] as never[]))), { defaultValue: [] });
  let text = '';
  let finish: string | undefined;
  let error: Outcome['error'];
  let retryAfterDate: number | undefined;
  const tools: unknown[] = [];
  for (const ev of events as (L0Event | { type: 'error'; e: any })[]) {
    if (ev.type === 'token') text += ev.value;
    else if (ev.type === 'complete') finish = ev.finishReason;
    else if (ev.type === 'tool-call') tools.push(ev);
    else if (ev.type === 'error') {
      const e = ev.e;
      const c = e.cause;
      // the SDK's APIError of an HTTP fault: its class, status, body and retry-after headers (not the transport's own;
      // a date is compared below, within the clocks' rounding)
      const sdk = c?.status && {
        cls: c.constructor.name, status: c.status, body: c.error,
        headers: [...c.headers].filter(([k, v]: [string, string]) => k.startsWith('retry-after') && !Number.isNaN(Number(v))),
      };
      error = { cls: e.constructor.name, code: e.code, category: e.category, reason: e.reason, retryable: e.retryable, retryAfterMs: e.retryAfterMs, ...(sdk ? { sdk } : {}) };
      const date = c?.headers?.get?.('retry-after');
      if (date && Number.isNaN(Number(date))) retryAfterDate = Date.parse(date);
    }
  }
  return { text, tools, ...(finish ? { finish } : {}), ...(error ? { error } : {}), ...(retryAfterDate ? { retryAfterDate } : {}) };
}

const viaServer = (fault: string, route: (model: string) => StreamFactory = call) => outcome(fromStream(route(`fault:${fault}`)), STALLS.has(fault.split(':')[0]!));
const viaWrapper = (fault: string, factory: StreamFactory = call('gpt-clean')) =>
  outcome(fromStream(injectFaults(factory, { faults: [fault], seed: 1 })), STALLS.has(fault.split(':')[0]!));
const FAULTS = [...FAULT_NAMES.filter((n) => n !== 'rate-limit-date'), 'cut-after-n:5', 'stall:0', 'malformed-chunk:4', 'error-in-200:0', 'content-filter:1',
  'refusal:delta', 'repetition-loop:2', 'tool-call-fragments:7', 'cut-tool-call:1', 'rate-limit:2', 'rate-limit-ms:1500', 'slow-first-token:50'];

describe('injectFaults: the same outcome as the fault server through the real openai SDK', () => {
  it.each(FAULTS)('should end %s as the server does', async (fault) => {
    const [server, wrapped] = await Promise.all([viaServer(fault), viaWrapper(fault)]);
    expect(wrapped).toEqual(server);
  });

  // flapping counts the server's requests per model, and the test above made the first of fault:flapping
  it.each(FAULTS.filter((f) => f !== 'flapping'))('should end %s as the server does by the Responses API', async (fault) => {
    const [server, wrapped] = await Promise.all([viaServer(fault, callResponses), viaWrapper(fault, callResponses('gpt-clean'))]);
    expect(wrapped).toEqual(server);
  });

  it('should date rate-limit-date from the scheduler as the server does from its clock (within its 1 s rounding)', async () => {
    const [server, wrapped] = await Promise.all([viaServer('rate-limit-date:30'), viaWrapper('rate-limit-date:30')]);
    expect({ ...wrapped, retryAfterDate: 0 }).toEqual({ ...server, retryAfterDate: 0 });
    expect(server.retryAfterDate).toBeGreaterThan(Date.now() + 25_000);
    expect(Math.abs(wrapped.retryAfterDate! - server.retryAfterDate!)).toBeLessThanOrEqual(2000);
  });

  it('should fail flapping\'s first call with a 503 and run its second clean, as the server does per model', async () => {
    const factory = injectFaults(call('gpt-clean'), { faults: ['flapping*2'] });
    const server = [await viaServer('flapping*2'), await viaServer('flapping*2')];
    const wrapped = [await outcome(fromStream(factory), false), await outcome(fromStream(factory), false)];
    expect(wrapped).toEqual(server);
    expect(server[0]!.error).toMatchObject({ code: 'SERVER_ERROR' });
    expect(server[1]).toEqual({ text: REPLY, tools: [], finish: 'stop' });
  });

  it('should abort the real request once a stall has sent its tokens, leaving the stream open', async () => {
    const model = 'gpt-stall-abort';
    const seen: L0Event[] = [];
    const sub = fromStream(injectFaults(call(model), { faults: ['stall:1'] })).subscribe((e) => seen.push(e));
    await eventually(() => shared.requestFor(model)?.closedByClient === true);
    expect(seen.map((e) => e.type)).toEqual(['start', 'token']);
    expect(sub.closed).toBe(false);
    sub.unsubscribe();
  });

  it('should abort the real request when the consumer leaves during slow-first-token', async () => {
    const model = 'gpt-slow-abort';
    const sub = fromStream(injectFaults(call(model), { faults: ['slow-first-token:5000'] })).subscribe();
    await eventually(() => shared.requestFor(model) !== undefined);
    sub.unsubscribe();
    await eventually(() => shared.requestFor(model)?.closedByClient === true);
    expect(shared.requestFor(model)?.closedByClient).toBe(true);
  });

  it('should make no request for a pre-request or content fault', async () => {
    const model = 'gpt-never-called';
    for (const fault of ['rate-limit', 'reset-before-headers', 'auth-401', 'refusal', 'cut-tool-call']) await viaWrapper(fault, call(model));
    expect(shared.server.requests.filter((r) => r.model === model)).toEqual([]);
  });
});
