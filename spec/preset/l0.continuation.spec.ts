/** @test {l0} */
import { describe, expect, it, vi } from 'vitest';
import { concat, from, of, throwError, type Observable } from 'rxjs';
import { checkpointEvery, fallbackTo, fromStream, isInvalidStreamError, l0, ProviderError, type CheckpointEvent, type L0Event, type L0Options } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { finalState, runScenario, subsequence, typesOf } from '../helpers/runScenario.js';
import { unhandledDuring } from '../helpers/unhandled.js';

/* L0 acceptance scenarios C1-C7 (reference/l0-tests-and-bench.md 7.7), through the l0() preset on virtual time. */

const fast = { backoff: 'fixed', baseDelay: 1 } as const;
const tokens = (n: number, name = (i: number) => `t${i}`) => Array.from({ length: n }, (_, i) => name(i));
const letters = (from: string, to: string) =>
  tokens(to.charCodeAt(0) - from.charCodeAt(0) + 1, (i) => String.fromCharCode(from.charCodeAt(0) + i));

describe('l0() checkpoints and continuation (C1-C7)', () => {
  it('should emit a checkpoint with the accumulated content every 5 tokens (C1)', () => {
    const run = runScenario(() =>
      l0({ stream: fakeModel({ items: tokens(15) }), continueFromLastKnownGoodToken: true, checkpointInterval: 5 }),
    );
    const checkpoints = run.events.filter((e): e is CheckpointEvent => e.type === 'checkpoint');
    expect(checkpoints.map((c) => c.tokenCount)).toEqual([5, 10, 15]);
    expect(checkpoints.map((c) => c.content)).toEqual([
      tokens(5).join(''),
      tokens(10).join(''),
      tokens(15).join(''),
    ]);
    expect(run.events.indexOf(checkpoints[0]!)).toBe(6); // right after the 5th token
  });

  it('should emit no checkpoints with continuation off (C1)', () => {
    const run = runScenario(() => l0({ stream: fakeModel({ items: tokens(15) }), checkpointInterval: 5 }));
    expect(typesOf(run.events)).not.toContain('checkpoint');
  });

  it('should resume from the last interval checkpoint "ABCDE" and end with "ABCDEG" (C2)', () => {
    const model = fakeModel(['ABCDEF#', 'G|']);
    const run = runScenario(() =>
      l0({ stream: model, continueFromLastKnownGoodToken: true, checkpointInterval: 5, retry: fast }),
    );
    // Decision (as L0): the resume point is the last checkpoint, not the last token ("F" is lost).
    expect(model.calls.map((c) => c.checkpoint)).toEqual([undefined, 'ABCDE']);
    expect(subsequence(run.events, ['retry', 'start', 'resume', 'complete'])).toEqual(['start', 'retry', 'start', 'resume', 'complete']);
    expect(run.events.find((e) => e.type === 'resume')).toEqual({ type: 'resume', checkpoint: 'ABCDE' });
    expect(finalState(run.events)).toMatchObject({ content: 'ABCDEG', resumedFrom: 'ABCDE', status: 'complete' });
  });

  it('should start fresh when the attempt failed before its first checkpoint (C3)', () => {
    const model = fakeModel([{ items: ['ab', 'cd', { error: { network: 'ECONNRESET' } }] }, { items: ['Fresh'] }]);
    const run = runScenario(() =>
      l0({ stream: model, continueFromLastKnownGoodToken: true, checkpointInterval: 10, retry: fast }),
    );
    expect(model.calls.map((c) => c.checkpoint)).toEqual([undefined, undefined]);
    expect(typesOf(run.events)).not.toContain('resume');
    expect(finalState(run.events)).toMatchObject({ content: 'Fresh', resumedFrom: undefined });
  });

  describe('de-duplication of the resumed head (C4)', () => {
    const cases: [string, string, string[], L0Options['deduplicateContinuation'], string][] = [
      ['overlap then more', 'Hello world', ['world', ' is great'], true, 'Hello world is great'],
      ['head entirely overlapping', 'Hello world', ['world'], true, 'Hello world'],
      ['minOverlap 2 keeps a 1-char coincidence', 'abc', ['cd'], { minOverlap: 2 }, 'abccd'],
      ['case-insensitive', 'Hello World', ['world is nice'], { caseSensitive: false }, 'Hello World is nice'],
      ['de-duplication off', 'Hello world', ['world', ' test'], false, 'Hello worldworld test'],
      ['one character per token', 'Hello beautiful world', [...'world is nice'], true, 'Hello beautiful world is nice'],
    ];
    it.each(cases)('should handle %s (C4)', (_name, checkpoint, continuation, deduplicateContinuation, expected) => {
      const model = fakeModel([{ items: [checkpoint, { error: { network: 'ECONNRESET' } }] }, { items: continuation }]);
      const run = runScenario(() =>
        l0({
          stream: model,
          continueFromLastKnownGoodToken: true,
          checkpointInterval: 1,
          deduplicateContinuation,
          retry: fast,
        }),
      );
      expect(model.calls[1]!.checkpoint).toBe(checkpoint);
      expect(finalState(run.events).content).toBe(expected);
    });
  });

  it('should end with the checkpoint when the resumed answer stops partway through repeating it (C4; L0 read "Hello worldHello wor")', () => {
    const model = fakeModel([{ items: ['Hello', ' world', { error: { network: 'ECONNRESET' } }] }, { items: ['Hello', ' wor'], finishReason: 'length' }]);
    const run = runScenario(() => l0({ stream: model, continueFromLastKnownGoodToken: true, checkpointInterval: 1, retry: fast }));
    expect(model.calls[1]!.checkpoint).toBe('Hello world');
    expect(run.events.slice(-2)).toEqual([{ type: 'resume', checkpoint: 'Hello world' }, { type: 'complete', finishReason: 'length' }]);
    expect(finalState(run.events)).toMatchObject({ content: 'Hello world', finishReason: 'length', status: 'complete' });
  });

  it('should continue a fallback from the primary\'s checkpoint: fallback, start, resume, "Primary content here and more" (C5)', () => {
    const primary = fakeModel({ items: ['Primary', ' content', ' here', { error: new Error('primary down') }] });
    const fb = fakeModel({ items: ['here', ' and more'] });
    const run = runScenario(() =>
      // retry: false, so the plain Error (an `unknown` failure, retried by default) falls back at once
      l0({ stream: primary, fallbackStreams: [fb], continueFromLastKnownGoodToken: true, checkpointInterval: 1, retry: false }),
    );
    expect(fb.calls[0]).toMatchObject({ fallbackIndex: 1, checkpoint: 'Primary content here' });
    expect(subsequence(run.events, ['fallback', 'start', 'resume', 'complete'])).toEqual([
      'start', 'fallback', 'start', 'resume', 'complete',
    ]);
    expect(finalState(run.events)).toMatchObject({ content: 'Primary content here and more', fallbackIndex: 1 });
  });

  // C6's guardrail half (a fatal rule seeing de-duplicated text) waits for guard(); the prompt hook is covered.
  it('should give the continuation-prompt hook the checkpoint "ABCDEFGHIJ" (C6)', () => {
    const build = vi.fn((checkpoint: string) => `Continue after: ${checkpoint}`);
    const prompts: (string | undefined)[] = [];
    const model = fakeModel([{ items: [...letters('A', 'L'), { error: { network: 'ECONNRESET' } }] }, { items: ['MN'] }]);
    const run = runScenario(() =>
      l0({
        stream: (ctx) => (prompts.push(ctx.continuationPrompt), model(ctx)),
        continueFromLastKnownGoodToken: true,
        checkpointInterval: 5,
        buildContinuationPrompt: build,
        retry: fast,
      }),
    );
    expect(build).toHaveBeenCalledTimes(1);
    expect(build).toHaveBeenCalledWith('ABCDEFGHIJ');
    expect(prompts).toEqual([undefined, 'Continue after: ABCDEFGHIJ']);
    expect(finalState(run.events).content).toBe('ABCDEFGHIJMN'); // K and L are lost, as in L0
  });

  it('should never call the continuation-prompt hook with continuation off (C6)', () => {
    const build = vi.fn(() => 'prompt');
    runScenario(() =>
      l0({ stream: fakeModel(['ABCDEF#', 'G|']), checkpointInterval: 5, buildContinuationPrompt: build, retry: fast }),
    );
    expect(build).not.toHaveBeenCalled();
  });

  // a factory whose Observable relays another run passes that run's checkpoints on: a nested l0() with continuation
  // on its `checkpoint` events, a server's run read with fromServerSentEvents its `resume` events (the server sends
  // no checkpoints); with continuation off neither may make the next attempt resume
  const relays: [string, L0Event][] = [
    ['checkpoint events', { type: 'checkpoint', content: 'Hel', tokenCount: 1 }],
    ['resume events', { type: 'resume', checkpoint: 'Hel' }],
  ];
  it.each(relays)('should start every retry and fallback over with continuation off, even from a stream that relays %s', (_, relayedEvent) => {
    const cut = new ProviderError('cut', { code: 'INCOMPLETE_STREAM', category: 'network', retryable: true, reason: 'incomplete_stream' });
    const head: L0Event[] = [{ type: 'token', value: 'Hel' }, relayedEvent, { type: 'token', value: 'lo' }];
    const end: L0Event = { type: 'complete', finishReason: 'stop' };
    const relayed = (fail: boolean): Observable<L0Event> => concat(from(head), fail ? throwError(() => cut) : of(end));
    const contexts: (string | undefined)[] = [];
    const build = vi.fn(() => 'prompt');
    const run = runScenario(() =>
      l0({
        stream: (ctx) => (contexts.push(ctx.checkpoint), relayed(true)),
        fallbackStreams: [(ctx) => (contexts.push(ctx.checkpoint), relayed(false))],
        buildContinuationPrompt: build,
        retry: { ...fast, maxRetries: 1 },
      }),
    );
    expect(contexts).toEqual([undefined, undefined, undefined]); // primary, its retry, the fallback
    expect(build).not.toHaveBeenCalled();
    expect(run.events.filter((e) => e.type === 'resume')).toHaveLength(relayedEvent.type === 'resume' ? 3 : 0); // only the relayed ones
    expect(finalState(run.events)).toMatchObject({ content: 'Hello', fallbackIndex: 1, status: 'complete' });
  });

  it.each<[boolean, (string | undefined)[], string]>([
    [false, [undefined], 'X'],
    [true, ['abcd'], 'abcdX'],
  ])('should resume an l0() run that is a fallback of a pipe with checkpoints only with its own continuation on (%s)', (continuation, checkpoints, content) => {
    // the outer loop hands the checkpoint on; the l0() run's own option decides whether its attempt resumes from it
    const backup = fakeModel(['X|']);
    const run = runScenario(() =>
      fromStream(fakeModel(['abcd#'])).pipe(
        checkpointEvery(2),
        fallbackTo(l0({ stream: backup, continueFromLastKnownGoodToken: continuation, retry: fast })),
      ),
    );
    expect(backup.calls.map((c) => c.checkpoint)).toEqual(checkpoints);
    expect(finalState(run.events)).toMatchObject({ content, resumedFrom: checkpoints[0], status: 'complete' });
  });

  it('should tell the consumer about the re-sent state with a resume event and never re-send it as a token (C7)', () => {
    const run = runScenario(() =>
      l0({ stream: fakeModel(['ABCDEF#', 'G|']), continueFromLastKnownGoodToken: true, checkpointInterval: 5, retry: fast }),
    );
    // Decision: `resume{checkpoint}` replaces L0's single re-sent checkpoint token.
    const afterRetry = run.events.slice(run.events.findIndex((e) => e.type === 'retry') + 1);
    expect(afterRetry).toEqual([
      { type: 'start', attempt: 2, fallbackIndex: 0, isRetry: true, isFallback: false },
      { type: 'resume', checkpoint: 'ABCDE' },
      { type: 'token', value: 'G' },
      { type: 'complete', finishReason: 'stop' },
    ]);
  });
});

describe('l0() buildContinuationPrompt that cannot give a prompt', () => {
  const resumed = () => fakeModel([{ items: [...'ABCDEF', { error: { network: 'ECONNRESET' } }] }, { items: ['G'] }]);
  const runWith = (build: unknown) => {
    const model = resumed();
    const prompts: unknown[] = [];
    const run = runScenario(() =>
      l0({
        stream: (ctx) => (prompts.push(ctx.continuationPrompt), model(ctx)),
        continueFromLastKnownGoodToken: true,
        checkpointInterval: 5,
        buildContinuationPrompt: build as (checkpoint: string) => string,
        retry: fast,
      }),
    );
    return { run, prompts, model };
  };

  it('should fail the resumed attempt with an InvalidStreamError, never handing the factory a promise, when the builder is async', () => {
    const { run, prompts, model } = runWith(async (checkpoint: string) => `Continue after: ${checkpoint}`);
    expect(prompts).toEqual([undefined]); // the factory never saw "[object Promise]"
    expect(model.calls).toHaveLength(1);
    expect(isInvalidStreamError(run.error)).toBe(true);
    expect((run.error as Error).message).toMatch(/buildContinuationPrompt.*must return a string/);
    expect(String((run.error as Error).cause)).toMatch(/Promise/);
  });

  it('should leave the rejection of an async builder handled (the InvalidStreamError says what went wrong)', async () => {
    let error: unknown;
    const unhandled = await unhandledDuring(() => {
      error = runWith(() => Promise.reject(new Error('no prompt'))).run.error;
    });
    expect(isInvalidStreamError(error)).toBe(true);
    expect(unhandled).toEqual([]);
  });

  it('should fail at once with an InvalidStreamError holding the throw, not retry a builder that throws on the same checkpoint', () => {
    const boom = new Error('boom');
    const build = vi.fn(() => {
      throw boom;
    });
    const { run, model } = runWith(build);
    expect(build).toHaveBeenCalledTimes(1);
    expect(build).toHaveBeenCalledWith('ABCDE');
    expect(model.calls).toHaveLength(1);
    expect(isInvalidStreamError(run.error)).toBe(true);
    expect((run.error as Error).cause).toBe(boom);
    expect((run.error as Error).message).toMatch(/buildContinuationPrompt/);
  });
});
