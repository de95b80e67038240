/** @test {checkpointEvery} */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, of, toArray } from 'rxjs';
import { checkpointEvery, l0, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { finalState, runScenario } from '../helpers/runScenario.js';

// A source that cuts text into UTF-16 pieces may end a token between the two halves of an emoji.
// A checkpoint cut there holds half a character: the resumed attempt, its continuation prompt and
// the final text would carry a lone surrogate (sent to a provider as invalid Unicode).
const fast = { backoff: 'fixed', baseDelay: 1 } as const;
const tok = (value: string): L0Event => ({ type: 'token', value });
const checkpointsOf = (events: readonly L0Event[]) => events.flatMap((e) => (e.type === 'checkpoint' ? [[e.content, e.tokenCount]] : []));
const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('checkpointEvery around a surrogate pair cut between tokens', () => {
  it('should leave the half emoji at the end out of the checkpoint', async () => {
    const events = await lastValueFrom(of(tok('Hi '), tok('\ud83d'), tok('\ude00'), tok(' there')).pipe(checkpointEvery(2), toArray()));
    expect(checkpointsOf(events)).toEqual([['Hi ', 2], ['Hi 😀 there', 4]]);
  });

  it('should emit no checkpoint that would hold nothing more than the last one', async () => {
    const events = await lastValueFrom(of(tok('Hi '), tok('\ud83d'), tok('\ude00')).pipe(checkpointEvery(1), toArray()));
    expect(checkpointsOf(events)).toEqual([['Hi ', 1], ['Hi 😀', 3]]);
  });

  it('should resume, prompt and end with whole characters through l0()', () => {
    const prompts: string[] = [];
    const model = fakeModel([{ items: ['Hi ', '\ud83d', { error: { network: 'ECONNRESET' } }] }, { items: ['😀 there.'] }]);
    const r = runScenario(() =>
      l0({
        stream: (ctx) => (ctx.continuationPrompt && prompts.push(ctx.continuationPrompt), model(ctx)),
        continueFromLastKnownGoodToken: true,
        checkpointInterval: 2,
        buildContinuationPrompt: (c) => `Continue after: ${c}`,
        retry: fast,
      }));
    expect(model.calls.map((c) => c.checkpoint)).toEqual([undefined, 'Hi ']);
    expect(prompts).toEqual(['Continue after: Hi ']);
    expect(finalState(r.events).content).toBe('Hi 😀 there.');
    expect(lone.test(finalState(r.events).content)).toBe(false);
  });
});
