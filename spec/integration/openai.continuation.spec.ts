/** @test {l0} */
import { describe, expect, it } from 'vitest';
import { REPLY, eventsOf, expectComplete, requestsFor, retriesOf, runOpenAIModel, useFaultServer, type Calls } from './harness.js';

// Continuation from the last known good token through the real openai SDK.
//
// The fault server does not continue a reply: every request streams `REPLY` from its first word
// ("The", " quick", " brown", " fox", " jumps", ...). So the resumed attempt repeats what the
// checkpoint already holds, and deduplicateContinuation removes that overlap: with
// checkpointInterval 2, the cut after 5 words leaves the checkpoint "The quick brown fox" (taken
// at token 4; " jumps" is past it and is lost with the cut). The retry's head "The quick brown fox"
// equals the whole checkpoint, starting at a word boundary, so it is dropped and the retry adds
// " jumps over the lazy dog.": the final text is checkpoint + the rest = exactly REPLY, with no
// word doubled.
const ctx = useFaultServer();
const CHECKPOINT = 'The quick brown fox';
const CONTINUATION = { continueFromLastKnownGoodToken: true, checkpointInterval: 2, buildContinuationPrompt: (c: string) => `Continue after: ${c}` };

describe('l0() + openai SDK: continuation', () => {
  it('should resume a cut stream from its checkpoint and de-duplicate the restarted head', async () => {
    const calls: Calls = [];
    const model = 'fault:cut-after-n:5*1';
    const o = await runOpenAIModel(ctx.server, model, CONTINUATION, calls);

    expectComplete(o, 'stop', REPLY);
    expect(retriesOf(o)).toEqual([['incomplete_stream', 5]]);
    const retryAt = o.events.findIndex((e) => e.type === 'retry');
    expect(eventsOf(o.events.slice(0, retryAt), 'checkpoint').map((c) => [c.content, c.tokenCount])).toEqual([
      ['The quick', 2],
      [CHECKPOINT, 4],
    ]);
    // after the retry: start, resume{checkpoint}, then only the tokens the checkpoint does not hold
    const resumed = o.events.slice(retryAt + 1);
    expect(resumed.slice(0, 2)).toEqual([
      { type: 'start', attempt: 2, fallbackIndex: 0, isRetry: true, isFallback: false },
      { type: 'resume', checkpoint: CHECKPOINT },
    ]);
    expect(eventsOf(resumed, 'token').map((t) => t.value)).toEqual([' jumps', ' over', ' the', ' lazy', ' dog.']);
    expect(o.state.resumedFrom).toBe(CHECKPOINT);

    expect(calls.map((c) => [c.attempt, c.fallbackIndex, c.checkpoint])).toEqual([
      [1, 0, undefined],
      [2, 0, CHECKPOINT],
    ]);
    expect(calls[1]!.continuationPrompt).toBe(`Continue after: ${CHECKPOINT}`);
    expect(ctx.server.requests.length).toBe(2);
    // the resumed request carried the continuation prompt to the server
    expect(ctx.server.requests[1]!.messages).toContainEqual({ role: 'assistant', content: `Continue after: ${CHECKPOINT}` });
    expect(requestsFor(ctx.server, model)[0]!.messages).toHaveLength(1);
  });

  it('should hand the checkpoint to a fallback when the primary keeps being cut', async () => {
    const primary: Calls = [];
    const fallback: Calls = [];
    const o = await runOpenAIModel(ctx.server, ['fault:cut-after-n:5', 'gpt-fallback'], CONTINUATION, primary, fallback);
    // Each primary retry restarts the reply; after de-duplication it adds only " jumps" before the
    // next cut (1 token: no new checkpoint), so the checkpoint stays "The quick brown fox" throughout.
    expectComplete(o, 'stop', REPLY);
    expect(primary.map((c) => [c.attempt, c.checkpoint])).toEqual([
      [1, undefined],
      [2, CHECKPOINT],
      [3, CHECKPOINT],
    ]);
    expect(fallback.map((c) => [c.attempt, c.fallbackIndex, c.checkpoint])).toEqual([[1, 1, CHECKPOINT]]);
    expect(eventsOf(o.events, 'resume').map((r) => r.checkpoint)).toEqual([CHECKPOINT, CHECKPOINT, CHECKPOINT]);
    expect(eventsOf(o.events, 'fallback').map((f) => f.error.code)).toEqual(['INCOMPLETE_STREAM']);
    expect(requestsFor(ctx.server, 'fault:cut-after-n:5').length).toBe(3);
    expect(requestsFor(ctx.server, 'gpt-fallback').length).toBe(1);
  });

  it('should end with the checkpoint when the resumed model is stopped while it still repeats it ("The quick brown foxThe quick" before)', async () => {
    const fallback: Calls = [];
    // the fallback restarts the reply and the provider stops it after "The quick": it added nothing to the checkpoint
    const o = await runOpenAIModel(ctx.server, ['fault:cut-after-n:5', 'fault:content-filter:2'], { ...CONTINUATION, retry: false }, [], fallback);
    expect(fallback.map((c) => c.checkpoint)).toEqual([CHECKPOINT]);
    expectComplete(o, 'content-filter', CHECKPOINT);
    expect(eventsOf(o.events.slice(o.events.findIndex((e) => e.type === 'fallback')), 'token')).toEqual([]);
  });
});
