/** @test {startFaultServer} */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFaultServer, type FaultServer } from 'l0-rx/testing';
import { parseFaultModel, planFault, type StreamPart } from '../../src/testing/faults.js';
import { eventually, runOpenAI, useSharedFaultServer } from './sdkDrivers.js';

// The promises in startFaultServer's JSDoc that no other spec pins down: timers, caps, precedence, usage, defaults.
const REPLY = 'one two three';
const ctx = useSharedFaultServer(REPLY);

/** POSTs a chat completion with plain fetch (no SDK timers of its own). */
const post = (server: FaultServer, body: object) =>
  fetch(`${server.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ messages: [], ...body }) });

/** The parsed `data:` chunks of an SSE body, without `[DONE]`. */
async function sseChunks(res: Response): Promise<any[]> {
  const text = await res.text();
  expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  return text.split('\n\n').filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]').map((l) => JSON.parse(l.slice(6)));
}

const textOf = (parts: readonly StreamPart[]) => parts.map((p) => ('content' in p ? p.content : '')).join('');

/** Watches the global setTimeout: the delays asked for and the handles returned, in call order. */
function watchTimers() {
  const set = vi.spyOn(globalThis, 'setTimeout');
  const clear = vi.spyOn(globalThis, 'clearTimeout');
  const delays = () => set.mock.calls.map((call) => call[1]);
  const handlesFor = (ms: number) => set.mock.results.filter((_, i) => set.mock.calls[i]![1] === ms).map((r) => r.value as unknown);
  const cleared = (handle: unknown) => clear.mock.calls.some(([h]) => h === handle);
  return { delays, handlesFor, cleared };
}

describe('startFaultServer guarantees', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('close()', () => {
    it('should clear a pending 10 s slow-first-token timer and resolve at once', async () => {
      const timers = watchTimers();
      const local = await startFaultServer({ tokenDelayMs: 0 });
      const response = post(local, { model: 'fault:slow-first-token:10000', stream: true }).then((r) => r.text()).catch(() => 'dropped');
      await eventually(() => timers.handlesFor(10_000).length === 1);
      const started = Date.now();
      await local.close();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(timers.cleared(timers.handlesFor(10_000)[0])).toBe(true);
      expect(await response).toBe('dropped');
    });
  });

  describe('delays', () => {
    it.each([
      ['a 60 s slow-first-token', 'fault:slow-first-token:60000', {}],
      ['a 60 s tokenDelayMs', 'gpt-slow', { tokenDelayMs: 60_000 }],
    ])('should wait at most 10 s for %s', async (_, model, options) => {
      const timers = watchTimers();
      const local = await startFaultServer({ tokenDelayMs: 0, ...options });
      const response = post(local, { model, stream: true }).then((r) => r.text()).catch(() => 'dropped');
      try {
        await eventually(() => timers.handlesFor(10_000).length === 1);
        expect(timers.delays()).not.toContain(60_000);
      } finally {
        await local.close();
      }
      expect(await response).toBe('dropped');
    });

    it('should cap the planned first-token delay at 10 s', () => {
      expect(planFault(parseFaultModel('fault:slow-first-token:60000'), REPLY, 1)).toMatchObject({ firstDelayMs: 10_000 });
    });
  });

  describe('x-fault header', () => {
    it('should win over a fault in the model name', async () => {
      const { error } = await runOpenAI(ctx.client, 'fault:server-error', { headers: { 'x-fault': 'rate-limit:2' } });
      expect(error).toMatchObject({ status: 429 });
      expect(error.headers.get('retry-after')).toBe('2');
      expect(ctx.requestFor('fault:server-error')).toMatchObject({ fault: 'rate-limit', arg: '2' });
    });
  });

  describe('usage chunk', () => {
    it.each([
      ['without stream_options', {}],
      ['with include_usage false', { stream_options: { include_usage: false } }],
    ])('should send neither a usage chunk nor a usage field %s', async (_, extra) => {
      const chunks = await sseChunks(await post(ctx.server, { model: 'gpt-no-usage', stream: true, ...extra }));
      expect(chunks.filter((c) => 'usage' in c)).toEqual([]);
      expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
      expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
    });

    it('should send usage: null on every chunk and a final empty-choices usage chunk with include_usage', async () => {
      const chunks = await sseChunks(await post(ctx.server, { model: 'gpt-usage', stream: true, stream_options: { include_usage: true } }));
      expect(chunks.slice(0, -1).every((c) => c.usage === null && c.choices.length === 1)).toBe(true);
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 3 } });
    });
  });

  describe('defaults', () => {
    it('should wait 500 ms before the first token of slow-first-token', () => {
      expect(planFault(parseFaultModel('fault:slow-first-token'), REPLY, 1)).toMatchObject({ firstDelayMs: 500 });
    });

    it('should repeat the sentence 20 times for repetition-loop', () => {
      const plan = planFault(parseFaultModel('fault:repetition-loop'), REPLY, 1);
      expect(plan.kind === 'stream' && textOf(plan.parts)).toBe('I will keep saying the same thing. '.repeat(20));
    });

    it('should stop content-filter after 3 tokens', () => {
      const plan = planFault(parseFaultModel('fault:content-filter'), 'a b c d e', 1);
      expect(plan).toMatchObject({ kind: 'stream', finish: 'content_filter' });
      expect(plan.kind === 'stream' && textOf(plan.parts)).toBe('a b c');
    });
  });
});
