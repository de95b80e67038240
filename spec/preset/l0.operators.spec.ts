/** @test {l0} */
import { defer, filter, map, scan, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  GuardrailViolationError,
  isGuardrailViolationError,
  isProviderError,
  isStreamAbortedError,
  l0,
  type L0Event,
  type L0Options,
  type RetryEvent,
  type StartEvent,
} from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { runScenario, typesOf } from '../helpers/runScenario.js';

/* l0()'s open slots: attemptOperators (per attempt, before checks and retries), runOperators (once per run), model names, retry: false. */

const fast = { backoff: 'fixed', baseDelay: 1 } as const;
const starts = (events: readonly L0Event[]) => events.filter((e): e is StartEvent => e.type === 'start');
const violation = (value: string) =>
  new GuardrailViolationError({ violations: [{ ruleId: 'no-bad', message: `saw ${value}`, severity: 'error', recoverable: true }] });

/** An attempt operator that fails the attempt on the token `bad`, as a guardrail would. */
const rejectBad: MonoTypeOperatorFunction<L0Event> = map((e) => {
  if (e.type === 'token' && e.value === 'bad') throw violation(e.value);
  return e;
});

/** An attempt operator with per-subscription state: it reports how many tokens each subscription saw. */
function countTokens(counts: number[]): MonoTypeOperatorFunction<L0Event> {
  return (source) =>
    defer(() => {
      const index = counts.push(0) - 1;
      return source.pipe(tap((e) => e.type === 'token' && counts[index]!++));
    });
}

/** A run operator that records what reaches it. */
function recordRun(log: string[]): MonoTypeOperatorFunction<L0Event> {
  return tap({
    next: (e) => log.push(e.type === 'start' ? `start:${e.attempt}:${e.fallbackIndex}` : e.type),
    error: (err: unknown) => log.push(`error:${(err as Error).name}`),
    complete: () => log.push('done'),
    unsubscribe: () => log.push('unsubscribed'),
  });
}

describe('l0() options: attemptOperators', () => {
  it('should run them on every attempt with fresh state per attempt', () => {
    const counts: number[] = [];
    const model = fakeModel(['ab#', 'cde|']);
    const run = runScenario(() => l0({ stream: model, retry: fast, attemptOperators: [countTokens(counts)] }));
    expect(run.error).toBeUndefined();
    expect(counts).toEqual([2, 3]);
  });

  it('should give a scan-based operator a fresh accumulator on each attempt', () => {
    const seen: number[] = [];
    const tokenCount: MonoTypeOperatorFunction<L0Event> = (source) =>
      source.pipe(
        scan((acc, e) => ({ n: acc.n + (e.type === 'token' ? 1 : 0), e }), { n: 0, e: undefined as L0Event | undefined }),
        tap(({ n, e }) => e?.type === 'complete' && seen.push(n)),
        map(({ e }) => e!),
      );
    const run = runScenario(() => l0({ stream: fakeModel([{ items: ['.', '.', '.'] }, 'xy|']), retry: fast, attemptOperators: [tokenCount] }));
    expect(run.error).toBeUndefined();
    // attempt 1 ("...") completes with 3 tokens and fails zero-output detection after the operator; attempt 2 counts from 0
    expect(seen).toEqual([3, 2]);
  });

  it('should apply them in the order given', () => {
    const order: string[] = [];
    const mark = (name: string): MonoTypeOperatorFunction<L0Event> => tap((e) => e.type === 'token' && order.push(name));
    runScenario(() => l0({ stream: fakeModel('a|'), attemptOperators: [mark('first'), mark('second')] }));
    expect(order).toEqual(['first', 'second']);
  });

  it('should fail the attempt with their error and retry it: retry event, then the next start', () => {
    const model = fakeModel([{ items: ['a', 'bad'] }, { items: ['good'] }]);
    const run = runScenario(() => l0({ stream: model, retry: fast, attemptOperators: [rejectBad] }));
    expect(run.error).toBeUndefined();
    expect(typesOf(run.events)).toEqual(['start', 'token', 'retry', 'start', 'token', 'complete']);
    const retry = run.events.find((e): e is RetryEvent => e.type === 'retry')!;
    expect(retry).toMatchObject({ attempt: 1, reason: 'guardrail_violation', countsTowardAttempts: true, error: { name: 'GuardrailViolationError' } });
    expect(starts(run.events).map((e) => [e.attempt, e.isRetry])).toEqual([[1, false], [2, true]]);
  });

  it('should end the run with their error once the retries are spent', () => {
    const stream = fakeModel({ items: ['bad'] });
    const run = runScenario(() => l0({ stream, retry: { ...fast, attempts: 1 }, attemptOperators: [rejectBad] }));
    expect(isGuardrailViolationError(run.error)).toBe(true);
    expect(stream.callCount).toBe(2);
  });

  it('should see the tokens after continuation de-duplication', () => {
    const seen: string[] = [];
    const model = fakeModel([{ items: ['Hello', ' world', { error: { network: 'ECONNRESET' } }] }, { items: ['world', ' again'] }]);
    const record: MonoTypeOperatorFunction<L0Event> = tap((e) => e.type === 'token' && seen.push(e.value));
    runScenario(() =>
      l0({ stream: model, retry: fast, continueFromLastKnownGoodToken: true, checkpointInterval: 2, attemptOperators: [record] }),
    );
    expect(model.calls.map((c) => c.checkpoint)).toEqual([undefined, 'Hello world']);
    expect(seen).toEqual(['Hello', ' world', ' again']);
  });

  it('should run before checkpoints: a token they drop never reaches a checkpoint', () => {
    const dropX = filter<L0Event>((e) => !(e.type === 'token' && e.value === 'X'));
    const run = runScenario(() =>
      l0({ stream: fakeModel({ items: ['a', 'X', 'b'] }), continueFromLastKnownGoodToken: true, checkpointInterval: 1, attemptOperators: [dropX] }),
    );
    expect(run.events.filter((e) => e.type === 'checkpoint')).toEqual([
      { type: 'checkpoint', content: 'a', tokenCount: 1 },
      { type: 'checkpoint', content: 'ab', tokenCount: 2 },
    ]);
  });

  it('should run before checkpoints: a retry resumes from text they accepted, never from the token they rejected', () => {
    const model = fakeModel([{ items: ['a', 'bad'] }, { items: ['c'] }]);
    const run = runScenario(() =>
      l0({ stream: model, retry: fast, continueFromLastKnownGoodToken: true, checkpointInterval: 1, attemptOperators: [rejectBad] }),
    );
    expect(run.events.filter((e) => e.type === 'checkpoint').map((e) => (e as { content: string }).content)).toEqual(['a', 'ac']);
    expect(model.calls.map((c) => c.checkpoint)).toEqual([undefined, 'a']);
  });

  it('should run before zero-output detection: output they drop leaves the attempt empty', () => {
    const dropAll = filter<L0Event>((e) => e.type !== 'token');
    const model = fakeModel({ items: ['text'] });
    const run = runScenario(() => l0({ stream: model, retry: { ...fast, attempts: 0 }, attemptOperators: [dropAll] }));
    expect((run.error as Error).name).toBe('ZeroOutputError');
  });

  it.each([
    ['not an array', map(() => undefined)],
    ['an array with a non-function', [tap(() => undefined), 'guard']],
    ['an array with null', [null]],
  ])('should throw a TypeError naming attemptOperators when it is %s', (_what, value) => {
    expect(() => l0({ stream: fakeModel('a|'), attemptOperators: value as never })).toThrow(TypeError);
    expect(() => l0({ stream: fakeModel('a|'), attemptOperators: value as never })).toThrow(/l0\({attemptOperators}\) must be an array of operators/);
  });

  it('should throw a TypeError naming runOperators when it is not an array of functions', () => {
    expect(() => l0({ stream: fakeModel('a|'), runOperators: [{}] as never })).toThrow(/l0\({runOperators}\) must be an array of operators/);
  });
});

describe('l0() options: runOperators', () => {
  it('should see every event of every attempt, then the completion', () => {
    const log: string[] = [];
    const run = runScenario(() => l0({ stream: fakeModel(['a#', 'b|']), retry: fast, runOperators: [recordRun(log)] }));
    expect(log).toEqual([...run.events.map((e) => (e.type === 'start' ? `start:${e.attempt}:${e.fallbackIndex}` : e.type)), 'done']);
    expect(log).toEqual(['start:1:0', 'token', 'retry', 'start:2:0', 'token', 'complete', 'done']);
  });

  it('should see fallbacks and the final error of the run', () => {
    const log: string[] = [];
    const run = runScenario(() =>
      l0({ stream: fakeModel('a#'), fallbackStreams: [fakeModel('b#')], retry: { ...fast, maxRetries: 0 }, runOperators: [recordRun(log)] }),
    );
    expect((run.error as Error).name).toBe('AllStreamsExhaustedError');
    expect(log).toEqual(['start:1:0', 'token', 'fallback', 'start:1:1', 'token', 'error:AllStreamsExhaustedError']);
  });

  it('should see an abort of the signal as a StreamAbortedError', () => {
    const log: string[] = [];
    const controller = new AbortController();
    const run = runScenario(
      () => l0({ stream: fakeModel('a----b|'), signal: controller.signal, runOperators: [recordRun(log)] }),
      { at: [[2, () => controller.abort()]] },
    );
    expect(isStreamAbortedError(run.error)).toBe(true);
    expect(log).toEqual(['start:1:0', 'token', 'error:StreamAbortedError']);
  });

  it('should see an unsubscription', () => {
    const log: string[] = [];
    runScenario(() => l0({ stream: fakeModel('a----b|'), runOperators: [recordRun(log)] }), { unsubscribeAt: 2 });
    expect(log).toEqual(['start:1:0', 'token', 'unsubscribed']);
  });

  it('should run once per run, not per attempt', () => {
    let subscriptions = 0;
    const count: MonoTypeOperatorFunction<L0Event> = (source) => defer(() => (subscriptions++, source));
    runScenario(() => l0({ stream: fakeModel(['a#', 'a#', 'b|']), retry: fast, runOperators: [count] }));
    expect(subscriptions).toBe(1);
  });

  it('should run before the lifecycle callbacks, which see what they emit', () => {
    const tokens: string[] = [];
    const upper = map<L0Event, L0Event>((e) => (e.type === 'token' ? { ...e, value: e.value.toUpperCase() } : e));
    runScenario(() => l0({ stream: fakeModel('ab|'), runOperators: [upper], onEvent: (e) => e.type === 'token' && tokens.push(e.value) }));
    expect(tokens).toEqual(['A', 'B']);
  });
});

describe('l0() options: model names', () => {
  it('should report `model` on every start of the primary', () => {
    const run = runScenario(() => l0({ stream: fakeModel(['a#', 'b|']), model: 'gpt-4o-mini', retry: fast }));
    expect(starts(run.events).map((e) => [e.attempt, e.model])).toEqual([[1, 'gpt-4o-mini'], [2, 'gpt-4o-mini']]);
  });

  it('should report a named fallback\'s model, and none for an unnamed one', () => {
    const run = runScenario(() =>
      l0({
        stream: fakeModel('a#'),
        model: 'primary',
        fallbackStreams: [{ stream: fakeModel('b#'), model: 'backup' }, fakeModel('c|')],
        retry: false,
      }),
    );
    expect(run.error).toBeUndefined();
    expect(starts(run.events)).toEqual([
      { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false, model: 'primary' },
      { type: 'start', attempt: 1, fallbackIndex: 1, isRetry: false, isFallback: true, model: 'backup' },
      { type: 'start', attempt: 1, fallbackIndex: 2, isRetry: false, isFallback: true },
    ]);
  });

  it('should leave `model` out of start when none is given', () => {
    const run = runScenario(() => l0({ stream: fakeModel('a|') }));
    expect(run.events[0]).not.toHaveProperty('model');
  });

  it.each([
    ['model: ""', { model: '' }, /l0\({model}\) must be a non-empty string/],
    ['model: 42', { model: 42 }, /l0\({model}\) must be a non-empty string/],
    ['a fallback without model', { fallbackStreams: [{ stream: () => [] }] }, /l0\({fallbackStreams\[0\]}\) must be a factory function or \{ stream, model \}/],
    ['a fallback with a numeric model', { fallbackStreams: [() => [], { stream: () => [], model: 1 }] }, /l0\({fallbackStreams\[1\]}\)/],
  ])('should throw a TypeError for %s', (_what, options, message) => {
    expect(() => l0({ stream: fakeModel('a|'), ...(options as Partial<L0Options>) })).toThrow(TypeError);
    expect(() => l0({ stream: fakeModel('a|'), ...(options as Partial<L0Options>) })).toThrow(message);
  });
});

describe('l0() options: retry: false', () => {
  it('should make one request only and end with its error, typed', () => {
    const model = fakeModel('a#');
    const run = runScenario(() => l0({ stream: model, retry: false }));
    expect(model.callCount).toBe(1);
    expect(isProviderError(run.error)).toBe(true);
    expect(typesOf(run.events)).toEqual(['start', 'token']);
  });

  it('should make one request per stream with fallbacks', () => {
    const primary = fakeModel('a#');
    const backup = fakeModel('b#');
    const run = runScenario(() => l0({ stream: primary, fallbackStreams: [backup], retry: false }));
    expect([primary.callCount, backup.callCount]).toEqual([1, 1]);
    expect((run.error as Error).name).toBe('AllStreamsExhaustedError');
  });

  it('should not retry a content failure either', () => {
    const model = fakeModel({ items: ['...'] });
    const run = runScenario(() => l0({ stream: model, retry: false }));
    expect(model.callCount).toBe(1);
    expect((run.error as Error).name).toBe('ZeroOutputError');
  });
});
