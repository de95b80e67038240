/** @test {l0} @test {checkpointEvery} */
import { describe, expect, it } from 'vitest';
import { l0, type L0Options } from 'l0-rx';
import { finalState, runScenario } from '../helpers/runScenario.js';
import { checkpointsAfterCalls, resumingModel, type AnswerPiece } from '../helpers/resumingModel.js';

/* A resumed model is prompted with the checkpoint's text only, and the retry retracts the failed attempt's tool
   calls and data: a checkpoint after one would lose it. l0() with continuation never makes one. */

const fast = { backoff: 'fixed', baseDelay: 1 } as const;
const weather: AnswerPiece = { toolCall: { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' } };
const chart: AnswerPiece = { data: { contentType: 'image', url: 'https://example.com/chart.png' } };
const continued = (model: ReturnType<typeof resumingModel>, options: Partial<L0Options> = {}) =>
  runScenario(() => l0({ stream: model, continueFromLastKnownGoodToken: true, checkpointInterval: 2, retry: fast, ...options }));

describe('l0() continuation around tool calls and data', () => {
  it('should resume from the checkpoint before the tool call, so the resumed model makes it again and the state holds it once', () => {
    // tokens, the call, more tokens (a checkpoint's worth), then a network reset
    const model = resumingModel(['Let', ' me', ' check', '.', weather, ' It', ' is', ' sunny', '.'], [8]);
    const run = continued(model);
    expect(model.checkpoints).toEqual([undefined, 'Let me check.']);
    expect(checkpointsAfterCalls(run.events)).toEqual([]);
    const state = finalState(run.events);
    expect(state.toolCalls.map((c) => c.id)).toEqual(['call_1']);
    expect(state).toMatchObject({ content: 'Let me check. It is sunny.', status: 'complete' });
  });

  it('should start over when the call came before the attempt\'s first checkpoint', () => {
    const model = resumingModel(['Let', weather, ' me', ' check', ' it', '.'], [5]);
    const run = continued(model);
    expect(model.checkpoints).toEqual([undefined, undefined]);
    expect(run.events.some((e) => e.type === 'resume')).toBe(false);
    expect(finalState(run.events).toolCalls.map((c) => c.id)).toEqual(['call_1']);
  });

  it('should keep data the same way: resume before it, and hold it once', () => {
    const model = resumingModel(['Here', ' is', chart, ' the', ' chart', ' you', ' asked'], [6]);
    const run = continued(model);
    expect(model.checkpoints).toEqual([undefined, 'Here is']);
    expect(finalState(run.events)).toMatchObject({ content: 'Here is the chart you asked', data: [chart.data], status: 'complete' });
  });

  it('should hand a fallback the checkpoint before the call', () => {
    const model = resumingModel(['Let', ' me', weather, ' see', ' now', ' then'], [5]);
    const run = continued(model, { fallbackStreams: [model], retry: false });
    expect(model.checkpoints).toEqual([undefined, 'Let me']);
    expect(finalState(run.events)).toMatchObject({ content: 'Let me see now then', fallbackIndex: 1, toolCalls: [{ id: 'call_1' }] });
  });

  it('should not checkpoint after a call that a relayed run (a nested l0()) made either: the outer attempt resumes from before it', () => {
    const model = resumingModel(['Let', ' me', weather, ' see', ' now', ' then'], [5]);
    const relayed = () => l0({ stream: model, continueFromLastKnownGoodToken: true, checkpointInterval: 2, retry: false });
    const run = continued(resumingModel([], []), { stream: relayed });
    expect(run.events.filter((e) => e.type === 'resume')).toEqual([{ type: 'resume', checkpoint: 'Let me' }]);
    expect(checkpointsAfterCalls(run.events)).toEqual([]);
    // the relayed run starts over (it is no attempt of the outer loop); the outer de-duplication cuts its head
    expect(model.checkpoints).toEqual([undefined, undefined]);
    expect(finalState(run.events)).toMatchObject({ content: 'Let me see now then', toolCalls: [{ id: 'call_1' }], status: 'complete' });
  });

  it('should stop checkpointing a resumed attempt at its call too, and resume the next one from its last checkpoint before it', () => {
    // attempt 1 checkpoints "ab" and fails; attempt 2 resumes it, checkpoints "abcd", calls, goes on, fails
    const model = resumingModel(['a', 'b', 'c', 'd', weather, 'e', 'f', 'g'], [3, 4]);
    const run = continued(model);
    expect(model.checkpoints).toEqual([undefined, 'ab', 'abcd']);
    expect(checkpointsAfterCalls(run.events)).toEqual([]);
    expect(finalState(run.events)).toMatchObject({ content: 'abcdefg', toolCalls: [{ id: 'call_1' }], resumedFrom: 'abcd' });
  });
});
