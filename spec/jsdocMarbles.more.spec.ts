/** @test {JSDoc} */
import { filter, map, mergeMap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createMemoryEventStore, createSseReplayBuffer, createStoreReplaySource, customPatternRule, defineGuardrailRule, fromAttempt, guard,
  isContentEvent, jsonRule, l0, latexRule, markdownRule, measureRun, parseStructured, patternRule, recordEvents, strictJsonRule,
  structured, tapLifecycle, zeroOutputRule, type L0Event, type RunMetrics,
} from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { ev } from './helpers/attemptSource.js';
import { drawn } from './helpers/drawnMarble.js';
import { testScheduler } from './helpers/testScheduler.js';

// The rest of the JSDoc marble lines (jsdocMarbles.spec.ts has the operators'), run as drawn: the
// guard and its rules, structured output, the lifecycle callbacks, the hand-made source, the
// metrics, the SSE replay sources and the fake model. A group such as `(ap)` takes as many frames
// as it has characters, so a line with groups in mid-stream spaces its source to match.
const { start, tok, complete } = ev;

describe('JSDoc marble lines: guardrails, structured output, lifecycle, replay', () => {
  it('guard', () => {
    const rule = defineGuardrailRule({ name: 'no-bad', severity: 'error', check: (delta) => (delta.includes('BAD') ? { message: 'bad' } : undefined) });
    const v = { s: start(), a: tok('a'), b: tok('b'), B: tok('BAD'), c: tok('c'), x: complete(), v: expect.objectContaining({ type: 'violation' }) };
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold(drawn('guard/guard.ts', 'source (s start, B a token'), v);
      expectObservable(source.pipe(guard([rule]))).toBe(drawn('guard/guard.ts', 'guard(rules)  '), v, expect.objectContaining({ code: 'GUARDRAIL_VIOLATION' }));
      expectObservable(source.pipe(guard([rule], { mode: 'hold-back' }))).toBe(drawn('guard/guard.ts', "guard(rules, {mode: 'hold-back'})"), v, expect.objectContaining({ code: 'GUARDRAIL_VIOLATION' }));
    });
  });

  it('parseStructured', () => {
    const v = { s: start(), a: tok('{"n":'), b: tok('1'), c: tok('}'), x: complete(), p: { type: 'partial', value: {} }, q: { type: 'partial', value: { n: 1 } }, R: expect.objectContaining({ type: 'result', data: { n: 1 } }) };
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold(drawn('structured/parseStructured.ts', "events (s start, a '{\"n\":'"), v);
      expectObservable(source.pipe(parseStructured({ schema: z.object({ n: z.number() }) }))).toBe(drawn('structured/parseStructured.ts', 'parseStructured({ schema })'), v);
    });
  });

  it('structured', () => {
    const v = { s: expect.objectContaining({ type: 'start' }), a: tok('{"n":'), b: tok('1'), c: tok('}'), x: expect.objectContaining({ type: 'complete' }), p: { type: 'partial', value: {} }, q: { type: 'partial', value: { n: 1 } }, R: expect.objectContaining({ type: 'result', data: { n: 1 } }) };
    testScheduler().run(({ expectObservable }) => {
      const model = fakeModel([drawn('structured/structured.ts', "model (a '{\"n\":'")], { values: { a: '{"n":', b: '1', c: '}' } });
      expectObservable(structured({ schema: z.object({ n: z.number() }), stream: model })).toBe(drawn('structured/structured.ts', 'structured({ schema, stream })'), v);
    });
  });

  it('tapLifecycle', () => {
    const calls: string[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const retry = { type: 'retry', attempt: 1, delayMs: 0, error: { name: 'UnknownError', code: 'UNKNOWN_ERROR', category: 'unknown', reason: 'unknown', message: 'boom' }, reason: 'unknown', countsTowardAttempts: true } as L0Event;
      const v = { s: start(), a: tok('a'), r: retry, S: start(2), b: tok('b'), x: complete() };
      const source = cold(drawn('lifecycle/tapLifecycle.ts', 'source (s start, r retry'), v);
      expectObservable(source.pipe(tapLifecycle({
        onStart: (n, r, f) => calls.push(`onStart(${n},${r},${f})`), onError: (_e, r, f) => calls.push(`onError(${r},${f})`),
        onRetry: (n, reason) => calls.push(`onRetry(${n},${reason})`), onComplete: () => calls.push('onComplete'),
      }))).toBe(drawn('lifecycle/tapLifecycle.ts', 'tapLifecycle(cb)'), v);
    });
    expect(calls).toEqual(['onStart(1,false,false)', 'onError(true,false)', 'onRetry(1,unknown)', 'onStart(2,true,false)', 'onComplete']);
  });

  it('fromAttempt', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const v = { s: start(), a: tok('a'), b: tok('b') };
      expectObservable(fromAttempt(() => cold('--a-b-|', v))).toBe(drawn('attempt/fromAttempt.ts', 'fromAttempt(() => tokens$)'), v);
    });
  });

  const violation = expect.objectContaining({ type: 'violation' });
  const failed = expect.objectContaining({ name: 'GuardrailViolationError' });
  it.each([
    ['guard/rules/latexRule.ts', 'tokens "\\begin{align}"', 'guard([latexRule()])', latexRule(), { a: tok('\\begin{align}'), b: tok('x=1'), x: complete() }],
    ['guard/rules/markdownRule.ts', 'tokens "```js', 'guard([markdownRule()])', markdownRule(), { a: tok('```js\n'), b: tok('x = 1'), x: complete() }],
    ['guard/rules/patternRule.ts', 'tokens "As an "', 'guard([patternRule()])', patternRule(), { a: tok('As an '), b: tok('AI language'), c: tok(' model') }],
    ['guard/rules/strictJsonRule.ts', 'tokens "just text"', 'guard([strictJsonRule()])', strictJsonRule(), { a: tok('just '), b: tok('te'), c: tok('xt'), x: complete() }],
    ['guard/rules/zeroOutputRule.ts', 'tokens ".", ".."', 'guard([zeroOutputRule()])', zeroOutputRule(), { a: tok('.'), b: tok('..'), x: complete() }],
    ['guard/rules/customPatternRule.ts', 'tokens "my key is "', "guard([customPatternRule(/sk-\\d+/, 'API key')])", customPatternRule(/sk-\d+/, 'API key'), { a: tok('my key is '), b: tok('sk-123'), c: tok('.') }],
  ] as const)('%s', (file, source, result, rule, v) => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold(drawn(file, source), v).pipe(guard([rule]))).toBe(drawn(file, result), { ...v, v: violation }, failed);
    });
  });

  it('guard/rules/jsonRule.ts', () => {
    const tokens = drawn('guard/rules/jsonRule.ts', 'tokens');
    const v = Object.fromEntries([...tokens.replace(/[-|]/g, '')].map((c) => [c, tok(c)]));
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold(tokens, v).pipe(guard([jsonRule()]))).toBe(drawn('guard/rules/jsonRule.ts', 'guard([jsonRule()])'), { ...v, v: violation }, failed);
    });
  });

  it('customPatternRule with redact', () => {
    const v = { a: tok('my key is '), b: tok('sk-123'), c: tok('.'), t: tok('my key is [key].'), v: violation };
    testScheduler().run(({ cold, expectObservable }) => {
      const rule = customPatternRule(/sk-\d+/, 'API key', 'error', { redact: '[key]' });
      expectObservable(cold(drawn('guard/rules/customPatternRule.ts', 'tokens "my key is "'), v).pipe(guard([rule], { mode: 'hold-back', holdBack: 0 })))
        .toBe(drawn('guard/rules/customPatternRule.ts', "{ redact: '[key]' })], { mode: 'hold-back'"), v);
    });
  });

  it('defineGuardrailRule', () => {
    const noBad = defineGuardrailRule({ name: 'no-bad', check: (delta) => (delta.includes('BAD') ? { message: 'saw BAD' } : undefined) });
    testScheduler().run(({ expectObservable }) => {
      const model = fakeModel([drawn('guard/defineGuardrailRule.ts', 'tokens (B: "BAD")').replace('x', '')], { values: { a: 'a', B: 'BAD' } });
      const v = { a: tok('a'), B: tok('BAD'), v: violation, s: expect.objectContaining({ type: 'start' }), r: expect.objectContaining({ type: 'retry', reason: 'guardrail_violation' }) };
      // the retry's backoff is 1 to 1.5 s: the line ends at the retry event
      expectObservable(l0({ stream: model, guardrails: [noBad] }), '^--------!').toBe(drawn('guard/defineGuardrailRule.ts', 'l0({ guardrails: [defineGuardrailRule(noBad)] })'), v);
    });
  });

  it('isContentEvent', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const v = { s: start(), r: { type: 'resume', checkpoint: 'x' } as L0Event, a: tok('a'), b: tok('b') };
      expectObservable(cold(drawn('events/eventTypes.ts', 'events (s start, r resume'), v).pipe(filter(isContentEvent))).toBe(drawn('events/eventTypes.ts', 'filter(isContentEvent)'), v);
    });
  });

  it('measureRun', () => {
    const seen: RunMetrics[] = [];
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const v = { s: start(), a: tok('a'), b: tok('b'), x: complete() };
      const source = cold(drawn('monitoring/runMetrics.ts', 'source'), v);
      expectObservable(source.pipe(measureRun((m) => seen.push(m)))).toBe(drawn('monitoring/runMetrics.ts', 'measureRun(onMetrics)'), v);
      flush();
      expect(seen).toEqual([expect.objectContaining({ outcome: 'complete', tokens: 2 })]);
    });
  });

  it('the SSE replay buffer and the store replay source', () => {
    const v = { s: start(), a: tok('a'), b: tok('b'), c: tok('c'), d: tok('d'), e: tok('e'), x: complete() };
    testScheduler().run(({ cold, expectObservable }) => {
      const buffer = createSseReplayBuffer();
      buffer.add('chat-1', cold(drawn('transport/sseReplayBuffer.ts', "the run of 'chat-1'"), v));
      buffer.replay('chat-1', 0).subscribe(); // the run's first client, from frame 0
      const replay = cold('-----(r|)').pipe(mergeMap(() => buffer.replay('chat-1', 3)), map((e) => e.event));
      expectObservable(replay).toBe(drawn('transport/sseReplayBuffer.ts', "buffer.replay('chat-1', 3)"), v);
    });
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      cold(drawn('transport/storeReplaySource.ts', 'the run on server A'), v).pipe(recordEvents(store, { streamId: 'chat-1', runTag: () => 'r' })).subscribe();
      const replay = cold('-----(r|)').pipe(mergeMap(() => createStoreReplaySource(store).replay('chat-1', 3)), map((e) => e.event));
      expectObservable(replay).toBe(drawn('transport/storeReplaySource.ts', "source.replay('chat-1', 3)"), v);
    });
  });

  it('fakeModel', () => {
    testScheduler().run(({ expectObservable }) => {
      const model = fakeModel(['a-b-#', 'ok|']);
      const v = { a: tok('a'), b: tok('b'), o: tok('o'), k: tok('k'), c: complete() };
      const call = () => model({ signal: new AbortController().signal, attempt: 1, fallbackIndex: 0 });
      expectObservable(call()).toBe(drawn('testing/fakeModel.ts', 'call 1:'), v, expect.objectContaining({ code: 'ECONNRESET' }));
      expectObservable(call()).toBe(drawn('testing/fakeModel.ts', 'call 2+:'), v);
    });
  });
});
