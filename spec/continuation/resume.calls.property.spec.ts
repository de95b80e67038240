/** @test {checkpointEvery} through l0() and accumulate(): tool calls and data across resumes */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { l0 } from 'l0-rx';
import { finalState, runScenario } from '../helpers/runScenario.js';
import { answerParts, checkpointsAfterCalls, resumingModel, type AnswerPiece } from '../helpers/resumingModel.js';
import { runs } from '../helpers/propertyRuns.js';

/** A piece of the answer: a word (all different, so no head reads as a repeat of the checkpoint), a tool call or data. */
const pieceArb = fc.constantFrom('word', 'word', 'word', 'call', 'data');
const answerOf = (kinds: readonly string[]): AnswerPiece[] =>
  kinds.map((kind, i) =>
    kind === 'word' ? ` w${i}` : kind === 'call' ? { toolCall: { id: `call_${i}`, name: 'lookup', arguments: `{"n":${i}}` } } : { data: { contentType: 'json', json: i } });

describe('a resumed l0() run never loses or repeats a tool call or data', () => {
  it('should hold every call and data once, and the whole text, whatever the checkpoints and where the attempts fail', () => {
    let resumedPastOne = 0; // runs that resumed after an attempt that made a call or sent data: the case that lost it
    fc.assert(fc.property(
      fc.array(pieceArb, { minLength: 1, maxLength: 14 }),
      fc.array(fc.nat({ max: 14 }), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 4 }),
      fc.boolean(),
      (kinds, cuts, interval, viaFallback) => {
        const answer = answerOf(kinds);
        const model = resumingModel(answer, cuts);
        const more = cuts.map(() => model); // each failed attempt falls back to the next stream
        const run = runScenario(() => l0({
          stream: model,
          continueFromLastKnownGoodToken: true,
          checkpointInterval: interval,
          deduplicateContinuation: false,
          ...(viaFallback ? { fallbackStreams: more, retry: false } : { retry: { backoff: 'fixed', baseDelay: 1, maxRetries: 9 } }),
        }));
        expect(run.error).toBeUndefined();
        const firstResume = run.events.findIndex((e) => e.type === 'resume');
        if (firstResume > 0 && run.events.slice(0, firstResume).some((e) => e.type === 'tool-call' || e.type === 'data')) resumedPastOne++;
        expect(checkpointsAfterCalls(run.events)).toEqual([]);
        const { text, callIds, data } = answerParts(answer);
        const state = finalState(run.events);
        expect(state.toolCalls.map((c) => c.id)).toEqual(callIds);
        expect(state.data).toEqual(data);
        expect(state.content).toBe(text);
      }), { numRuns: runs(200) });
    expect(resumedPastOne).toBeGreaterThan(runs(20));
  });
});
