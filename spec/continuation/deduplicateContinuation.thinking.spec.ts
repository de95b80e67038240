/** @test {deduplicateContinuation} */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, of, toArray } from 'rxjs';
import { accumulate, deduplicateContinuation, l0, splitThinking, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { ev } from '../helpers/attemptSource.js';
import { finalState, runScenario } from '../helpers/runScenario.js';

const { start, tok, resume, complete } = ev;
const fast = { backoff: 'fixed', baseDelay: 1 } as const;

/** The raw tokens of a resumed attempt through deduplicateContinuation, then splitThinking (as in l0's attemptOperators). */
async function resumed(checkpoint: string, tokens: readonly string[]) {
  const events: L0Event[] = [start(2), resume(checkpoint), ...tokens.map(tok), complete()];
  const deduped = await lastValueFrom(of(...events).pipe(deduplicateContinuation(), toArray()));
  const state = (await lastValueFrom(of(...deduped).pipe(splitThinking(), accumulate(), toArray()))).at(-1)!;
  return { raw: deduped.flatMap((e) => (e.type === 'token' ? [e.value] : [])).join(''), content: state.content, reasoning: state.reasoning };
}

// A reasoning model that writes its thinking in the text (<think>...</think>) thinks again when it
// resumes: the overlap with the checkpoint is at the head of the text after the block, not at the
// block. The block passes on untouched (it is not held back once it is known to be one).
describe('deduplicateContinuation with a thinking block at the head of the resumed attempt', () => {
  it('should remove the repeated words after a <think> block', async () => {
    const r = await resumed('Hello world', ['<think>', 'continuing', '</think>', 'world', ' is great']);
    expect(r).toEqual({ raw: '<think>continuing</think> is great', content: 'Hello world is great', reasoning: 'continuing' });
  });

  it('should handle tags split across tokens, other tag names and whitespace around the block', async () => {
    const r = await resumed('Hello world', ['<thi', 'nk>ok</thi', 'nk>\n\nworld is', ' great']);
    expect([r.content, r.reasoning]).toEqual(['Hello world is great', 'ok']);
    expect((await resumed('The quick brown fox', ['<Thinking>hm</Thinking>', 'brown fox jumps'])).content).toBe('The quick brown fox jumps');
  });

  it('should read a block after invisible white space at the head (a zero-width space) as one after a space', async () => {
    for (const lead of ['\u200b', ' ']) {
      const r = await resumed('Hello world', [lead, '<think>x</think>', 'world', ' is great']);
      expect([JSON.stringify(lead), r.raw]).toEqual([JSON.stringify(lead), `${lead}<think>x</think> is great`]);
    }
  });

  it('should remove a repeated checkpoint that starts the text after the block\'s blank lines', async () => {
    const r = await resumed('Hello world', ['<think>x</think>', '\n\nHello world', ' again']);
    expect([r.content, r.reasoning]).toEqual(['Hello world again', 'x']);
  });

  it('should pass a long thinking block on as it streams, before the overlap is decided', async () => {
    const events: L0Event[] = [start(2), resume('Hello world'), tok('<think>'), tok('a'), tok('b')];
    const out = await lastValueFrom(of(...events).pipe(deduplicateContinuation(), toArray()));
    expect(out.slice(2)).toEqual([tok('<think>'), tok('a'), tok('b')]);
  });

  it('should treat a tag that is not a thinking tag as text (it can be the overlap)', async () => {
    expect((await resumed('Hello <b>world', ['<b>world</b>', ' is'])).content).toBe('Hello <b>world</b> is');
    expect((await resumed('Hello world', [' <', 'b>', 'x'])).raw).toBe(' <b>x');
  });

  it('should keep the space between the checkpoint and the text after the block (splitThinking drops it only at the start of a line of text)', async () => {
    expect((await resumed('Hello world', ['<think>x</think>', ' and more'])).content).toBe('Hello world and more');
  });

  it('should resume through l0() with splitThinking in attemptOperators without repeating the checkpoint\'s tail', () => {
    const model = fakeModel([
      { items: ['<think>plan</think>', 'Hello', ' world', { error: { network: 'ECONNRESET' } }] },
      { items: ['<think>go on</think>', 'world', ' is great'] },
    ]);
    const r = runScenario(() =>
      l0({ stream: model, continueFromLastKnownGoodToken: true, checkpointInterval: 1, attemptOperators: [splitThinking()], retry: fast }),
    );
    expect(model.calls[1]!.checkpoint).toBe('Hello world');
    expect(finalState(r.events)).toMatchObject({ content: 'Hello world is great', status: 'complete' });
  });
});
