/** @test {l0} */
import { describe, expect, it } from 'vitest';
import { recommendedGuardrails } from 'l0-rx';
import { REPLY, eventsOf, expectComplete, requestsFor, runOpenAIModel, useFaultServer } from '../integration/harness.js';

// Guardrails and drift through the real openai SDK against the fault server: a refusal and a
// looping model end with the fallback's clean text, never with the bad output.
const ctx = useFaultServer();
/** Content faults need no silence budget: wide ones, so a loaded machine's pause is never a timeout retry. */
const WIDE = { timeout: { initialToken: 5000, interToken: 5000 } } as const;

describe('l0({guardrails, detectDrift}) + openai SDK: content faults', () => {
  it('should fall back from a refusal to the clean model at once (a refusal is not retried)', async () => {
    const o = await runOpenAIModel(ctx.server, ['fault:refusal', 'gpt-clean'], { ...WIDE, guardrails: recommendedGuardrails });
    expectComplete(o, 'stop', REPLY);
    expect(eventsOf(o.events, 'violation')[0]?.violation).toMatchObject({ ruleId: 'pattern-detection', severity: 'error' });
    expect(eventsOf(o.events, 'fallback')).toHaveLength(1);
    expect(o.state.fallbackIndex).toBe(1);
  });

  it('should fall back from a refusal sent as delta.refusal too', async () => {
    const o = await runOpenAIModel(ctx.server, ['fault:refusal:delta', 'gpt-clean'], { ...WIDE, guardrails: recommendedGuardrails });
    expectComplete(o, 'stop', REPLY);
  });

  it('should stop a repetition loop while it streams, retry it once, then fall back to the clean text', async () => {
    const o = await runOpenAIModel(ctx.server, ['fault:repetition-loop:200', 'gpt-clean'], { ...WIDE, detectDrift: true });
    expectComplete(o, 'stop', REPLY);
    const drift = eventsOf(o.events, 'drift');
    expect(drift.map((d) => d.types)).toEqual([['repetition'], ['repetition']]);
    expect(eventsOf(o.events, 'retry').map((r) => r.reason)).toEqual(['drift']);
    expect(requestsFor(ctx.server, 'fault:repetition-loop:200')).toHaveLength(2);
    // stopped after a few repetitions of the 35-character sentence, not after all 200
    const firstAttemptTokens = o.events.slice(0, o.events.findIndex((e) => e.type === 'drift')).filter((e) => e.type === 'token');
    expect(firstAttemptTokens.length).toBeLessThan(40);
  });
});
