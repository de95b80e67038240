/** @test {withTimeouts} */
import { describe, expect, it } from 'vitest';
import { RESPONSES, SDKS } from './sdks.js';
import { eventsOf, expectComplete, runL0, useFaultServer } from './harness.js';

// A tool call's argument fragments are held by the adapters until the call is whole, so the run
// emits nothing while they stream. The provider is not silent, though: each chunk restarts the
// timeout clock. Here 30 fragments, 20 ms apart (about 600 ms), stream under a 250 ms
// initialToken and a 150 ms interToken; before, every attempt failed with INITIAL_TOKEN_TIMEOUT.

const ctx = useFaultServer(20);
const TIGHT = Object.freeze({ initialToken: 250, interToken: 150 });
const pick = [SDKS.find((s) => s.name.startsWith('openai 7'))!, SDKS.find((s) => s.name.startsWith('ai 7'))!, RESPONSES.find((s) => s.name.startsWith('openai 7'))!];

describe.each(pick)('a tool call streaming longer than initialToken + $name', (sdk) => {
  it('should complete with the call in one request: its fragments are the source\'s activity', async () => {
    const o = await runL0({ stream: sdk.via(ctx.server, 'fault:tool-call-fragments:30'), retry: { maxRetries: 1, backoff: 'fixed', baseDelay: 5 }, timeout: TIGHT });
    expect(o.error).toBeUndefined();
    expectComplete(o, 'tool-calls', '');
    expect(eventsOf(o.events, 'tool-call')).toMatchObject([{ name: 'get_weather' }]);
    expect(ctx.server.requests).toHaveLength(1);
    expect(o.ms).toBeGreaterThan(TIGHT.initialToken);
  });
});
