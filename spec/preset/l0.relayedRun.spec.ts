/** @test {l0} */
import { describe, expect, it } from 'vitest';
import { asapScheduler, lastValueFrom, toArray } from 'rxjs';
import { customPatternRule, fromServerSentEvents, l0, ProviderError, serializeError, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { finalState, runScenario } from '../helpers/runScenario.js';

/*
 * l0() with continuation over a stream that relays another run's events: a nested l0() (its `checkpoint`
 * events hold its own text only), or a server's run read with fromServerSentEvents (its `retry` and
 * `resume` events retract to, and resume, its own text only). The outer run resumes from its own
 * checkpoints: the text it resumed from stays in front of the relayed run's.
 */

const fast = { backoff: 'fixed', baseDelay: 1 } as const;
const cut = { error: { network: 'ECONNRESET' } } as const;
const checkpointsOf = (events: readonly L0Event[]) => events.flatMap((e) => (e.type === 'checkpoint' ? [e.content] : []));

describe('l0() continuation over a nested l0() run', () => {
  const nested = (model: ReturnType<typeof fakeModel>) => () =>
    l0({ stream: model, continueFromLastKnownGoodToken: true, checkpointInterval: 1, retry: false });

  it('should resume from its own checkpoint "Hello world", not the nested run\'s " world"', () => {
    // (before: the nested run's checkpoints came after the outer run's and won: attempt 3 resumed from " world")
    const model = fakeModel([{ items: ['Hel', 'lo', cut] }, { items: [' wor', 'ld', cut] }, { items: [' again'] }]);
    const inner = nested(model);
    const contexts: (string | undefined)[] = [];
    const run = runScenario(() =>
      l0({ stream: (ctx) => (contexts.push(ctx.checkpoint), inner()), continueFromLastKnownGoodToken: true, checkpointInterval: 1, retry: fast }),
    );
    expect(contexts).toEqual([undefined, 'Hello', 'Hello world']);
    expect(checkpointsOf(run.events)).toEqual(['Hel', 'Hello', 'Hello wor', 'Hello world', 'Hello world again']); // its own, once each
    expect(finalState(run.events)).toMatchObject({ content: 'Hello world again', status: 'complete' });
  });

  it('should resume only from text its guardrails passed, not from a nested checkpoint they had not judged', () => {
    // the rule reports BAD a token later (span 3): the outer checkpoints stop short of it, the nested run's did not
    const bad = customPatternRule(/BAD/, 'bad', 'error', { span: 3 });
    const inner = nested(fakeModel([{ items: ['all ', 'is ', 'ok ', 'BAD', ' tail'] }, { items: ['fine'] }]));
    const run = runScenario(() =>
      l0({ stream: inner, guardrails: [bad], continueFromLastKnownGoodToken: true, checkpointInterval: 1, retry: fast }),
    );
    expect(run.events.find((e) => e.type === 'resume')).toEqual({ type: 'resume', checkpoint: 'all is ' });
    expect(finalState(run.events)).toMatchObject({ content: 'all is fine', status: 'complete' });
  });

  it('should resume from nothing after the nested run retracted its text with a retry and then failed', () => {
    // the nested run (continuation off) retracts "Hello" with its retry, then fails before any text: the outer run
    // has no text left to resume from (before: its loop kept the checkpoint "Hello" and attempt 2 resumed from it)
    const model = fakeModel([{ items: ['Hel', 'lo', cut] }, { items: [cut] }, { items: ['Hi'] }]);
    const inner = () => l0({ stream: model, retry: { maxRetries: 1, ...fast } });
    const contexts: (string | undefined)[] = [];
    const run = runScenario(() =>
      l0({ stream: (ctx) => (contexts.push(ctx.checkpoint), inner()), continueFromLastKnownGoodToken: true, checkpointInterval: 1, retry: fast }),
    );
    expect(contexts).toEqual([undefined, undefined]);
    expect(finalState(run.events)).toMatchObject({ content: 'Hi', status: 'complete' });
  });

  it('should pass on no checkpoint of a nested run with continuation off', () => {
    const run = runScenario(() => l0({ stream: nested(fakeModel({ items: ['a', 'b'] })) }));
    expect(run.events.map((e) => e.type)).toEqual(['start', 'token', 'token', 'complete']);
  });
});

describe('l0() continuation over a server\'s run read with fromServerSentEvents', () => {
  const start = (attempt: number): L0Event => ({ type: 'start', attempt, fallbackIndex: 0, isRetry: attempt > 1, isFallback: false });
  const tok = (value: string): L0Event => ({ type: 'token', value });
  const down = serializeError(new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 }));
  const frames = (events: readonly L0Event[], end: string) =>
    events.map((e, i) => `id: ${i + 1}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('') + end;
  const errorFrame = `event: error\ndata: ${JSON.stringify(down)}\n\n`;
  /** The server's runs, one a request: "Hello" cut; " wor", its own retry resuming from " wor", "ld", cut; "!". */
  const bodies = [
    frames([start(1), tok('Hel'), tok('lo')], errorFrame),
    frames([start(1), tok(' wor'), { type: 'retry', attempt: 1, delayMs: 0, reason: 'server_error', countsTowardAttempts: false, error: down }, start(2), { type: 'resume', checkpoint: ' wor' }, tok('ld')], errorFrame),
    frames([start(1), tok('!'), { type: 'complete', finishReason: 'stop' }], 'event: end\ndata: {}\n\n'),
  ];

  it('should keep the text it resumed from in front of the server run\'s retried text, and resume from "Hello world"', async () => {
    // (before: the server's retry retracted "Hello" and its resume said " wor": attempt 3 resumed from " world")
    let calls = 0;
    const fetch = (async () => new Response(bodies[calls++]!, { headers: { 'content-type': 'text/event-stream' } })) as typeof globalThis.fetch;
    const contexts: (string | undefined)[] = [];
    const events = await lastValueFrom(l0({
      stream: (ctx) => (contexts.push(ctx.checkpoint), fromServerSentEvents('http://x/events', { fetch })),
      continueFromLastKnownGoodToken: true,
      checkpointInterval: 1,
      timeout: false,
      retry: { backoff: 'fixed', baseDelay: 0 },
      scheduler: asapScheduler,
    }).pipe(toArray()));
    expect(contexts).toEqual([undefined, 'Hello', 'Hello world']);
    const resumes = events.flatMap((e) => (e.type === 'resume' ? [e.checkpoint] : []));
    expect(resumes).toEqual(['Hello', 'Hello', 'Hello wor', 'Hello world']); // the attempt's, after the relayed retry, the relayed one, the next attempt's
    expect(finalState(events)).toMatchObject({ content: 'Hello world!', status: 'complete' });
  });
});
