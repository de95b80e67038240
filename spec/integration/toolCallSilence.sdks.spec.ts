/** @test {withTimeouts} */
import { describe, expect, it } from 'vitest';
import { RESPONSES, SDKS } from './sdks.js';
import { REPLY, eventsOf, expectComplete, requestsFor, runL0, useFaultServer } from './harness.js';

// A tool call's argument fragments are held by the adapters until the call is whole, so the run
// emits nothing while they stream. The provider is not silent, though: each chunk restarts the
// timeout clock. Here 30 fragments, 50 ms apart (about 1.5 s), stream under a 1 s initialToken;
// before, every attempt failed with INITIAL_TOKEN_TIMEOUT. Only the fragments may race the clock:
// a warm-up request first takes the SDK's cold start (its first connection, code loaded on first use)
// out of the time to the first chunk, and the budget is 20 gaps wide. Under load both had failed it
// (with a 250 ms budget and 20 ms gaps, and with 600 ms: the first chunk came after the deadline).

const ctx = useFaultServer(50);
const MODEL = 'fault:tool-call-fragments:30';
const TIGHT = Object.freeze({ initialToken: 1000, interToken: 1000 });
const pick = [SDKS.find((s) => s.name.startsWith('openai 7'))!, SDKS.find((s) => s.name.startsWith('ai 7'))!, RESPONSES.find((s) => s.name.startsWith('openai 7'))!];

describe.each(pick)('a tool call streaming longer than initialToken + $name', (sdk) => {
  it('should complete with the call in one request: its fragments are the source\'s activity', async () => {
    expectComplete(await runL0({ stream: sdk.via(ctx.server, 'warm-up'), retry: { maxRetries: 0 }, timeout: false }), 'stop', REPLY);
    const o = await runL0({ stream: sdk.via(ctx.server, MODEL), retry: { maxRetries: 1, backoff: 'fixed', baseDelay: 5 }, timeout: TIGHT });
    expect(o.error).toBeUndefined();
    expectComplete(o, 'tool-calls', '');
    expect(eventsOf(o.events, 'tool-call')).toMatchObject([{ name: 'get_weather' }]);
    expect(requestsFor(ctx.server, MODEL)).toHaveLength(1);
    expect(o.ms).toBeGreaterThan(TIGHT.initialToken);
  });
});
