/** @test {consensus} @test {parallel} @test {budget} @test {pipeline} */
import { describe, expect, it } from 'vitest';
import { last, lastValueFrom, tap, toArray } from 'rxjs';
import { budget, consensus, fromStream, isBudgetExceededError, parallel, pipeline, type L0Event, type StreamFactory } from 'l0-rx';
import { eventsOf, expectClosedByClient, openaiClient, REPLY, requestsFor, useFaultServer } from './harness.js';
import type OpenAI from 'openai';

// The policies that stop a stream early (consensus earlyExit and timeout, parallel failFast, budget,
// pipeline timeout) through the real openai SDK: the stopped stream's HTTP request must be closed
// by the client, not left streaming.
const ctx = useFaultServer(10);

const model = (client: OpenAI, name: string): StreamFactory => ({ signal }) =>
  client.chat.completions.create({ model: name, messages: [{ role: 'user', content: 'Tell me about the fox.' }], stream: true }, { signal });
const run = (client: OpenAI, name: string) => fromStream(model(client, name));

describe('early stops + openai SDK', () => {
  it('should close the request of a consensus source earlyExit cancelled', async () => {
    const client = openaiClient(ctx.server);
    const r = await lastValueFrom(consensus([run(client, 'gpt-a'), run(client, 'fault:stall'), run(client, 'gpt-b')], { earlyExit: true }));
    expect([r.consensus, r.cancelledCount, r.outputs[1]!.status]).toEqual([REPLY, 1, 'cancelled']);
    await expectClosedByClient(ctx.server, 'fault:stall');
  });

  it('should close the request of a consensus source still streaming at the timeout', async () => {
    const client = openaiClient(ctx.server);
    const r = await lastValueFrom(consensus([run(client, 'gpt-a'), run(client, 'gpt-b'), run(client, 'fault:stall')], { timeout: 400 }));
    expect([r.consensus, r.status, r.outputs[2]!.status]).toEqual([REPLY, 'partial', 'error']);
    await expectClosedByClient(ctx.server, 'fault:stall');
  });

  it('should close the requests in flight when a parallel run fails fast', async () => {
    const client = openaiClient(ctx.server);
    const r = await lastValueFrom(parallel([run(client, 'fault:stall'), run(client, 'fault:server-error')], { failFast: true }).pipe(last()));
    expect(r.statuses).toEqual(['cancelled', 'error']);
    await expectClosedByClient(ctx.server, 'fault:stall');
  });

  it('should close the request a budget cut', async () => {
    const client = openaiClient(ctx.server);
    const events: L0Event[] = [];
    const error = await lastValueFrom(run(client, 'gpt-long').pipe(budget({ maxOutputTokens: 2, estimateTokens: () => 1 }), tap((e) => events.push(e))))
      .catch((e: unknown) => e);
    expect(isBudgetExceededError(error)).toBe(true);
    expect(eventsOf(events, 'token')).toHaveLength(2);
    await expectClosedByClient(ctx.server, 'gpt-long');
  });

  it('should close the request of the step a pipeline timeout stopped', async () => {
    const client = openaiClient(ctx.server);
    const updates = await lastValueFrom(pipeline([{ name: 'draft', run: () => run(client, 'fault:stall') }], 'topic', { timeout: 300 }).pipe(toArray()));
    const result = updates.at(-1)!;
    expect(result.type === 'result' && result.result.status).toBe('error');
    await expectClosedByClient(ctx.server, 'fault:stall');
    expect(requestsFor(ctx.server, 'fault:stall')).toHaveLength(1);
  });
});
