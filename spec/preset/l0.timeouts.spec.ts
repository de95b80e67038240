/** @test {l0} */
import { of } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { l0, recommendedGuardrails, type L0Event, type RetryEvent } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { finalState, framesOf, runScenario, tokenText, typesOf } from '../helpers/runScenario.js';

/* L0 acceptance scenarios T1-T4 and Z1-Z4 (reference/l0-tests-and-bench.md 7.4, 7.5), through l0() on virtual time. */

const random = () => 0;

describe('l0() timeouts (T1-T4)', () => {
  it('should fail with INITIAL_TOKEN_TIMEOUT at the deadline, not when the late token arrives, and cancel the source (T1)', () => {
    const model = fakeModel({ items: [{ delay: 1500 }, 'a'] });
    const onTimeout = vi.fn();
    const abortedAtError: boolean[] = [];
    const run = runScenario(() =>
      l0({
        stream: model,
        timeout: { initialToken: 100 },
        retry: { maxRetries: 0 },
        onTimeout,
        onError: () => abortedAtError.push(model.calls[0]!.aborted),
      }),
    );
    // Decision: active timeouts (L0 never fires the initial-token timeout).
    expect(run.errorFrame).toBe(100);
    expect(run.error).toMatchObject({ name: 'TokenTimeoutError', code: 'INITIAL_TOKEN_TIMEOUT', info: { kind: 'initial', elapsedMs: 100 } });
    expect(onTimeout).toHaveBeenCalledWith('initial', 100);
    expect(typesOf(run.events)).toEqual(['start']);
    expect(abortedAtError).toEqual([true]);
    expect(model.calls[0]!.aborted).toBe(true);
  });

  it.each([false, Infinity] as const)('should keep the default initial-token timeout with only the inter-token one turned off by %s', (off) => {
    // (before: a budget could only be left out, taking the default, or all turned off with timeout: false)
    const slow = runScenario(() => l0({ stream: fakeModel({ items: ['a', { delay: 60_000 }, 'b'] }), timeout: { interToken: off }, retry: false }));
    expect(finalState(slow.events)).toMatchObject({ content: 'ab', status: 'complete' });
    const silent = runScenario(() => l0({ stream: fakeModel({ items: [{ delay: 60_000 }, 'a'] }), timeout: { interToken: off }, retry: false }));
    expect([silent.error, silent.errorFrame]).toMatchObject([{ code: 'INITIAL_TOKEN_TIMEOUT' }, 5000]);
  });

  it('should fail with INTER_TOKEN_TIMEOUT 100 ms after the last token, not when the next one arrives (T2)', () => {
    const model = fakeModel({ items: ['a', { delay: 1500 }, 'b'] });
    const run = runScenario(() => l0({ stream: model, timeout: { interToken: 100 }, retry: { maxRetries: 0 } }));
    // Decision: the deadline fires on silence (L0 reports it only when "b" arrives, at 1500 ms).
    expect(run.errorFrame).toBe(100);
    expect(run.error).toMatchObject({ code: 'INTER_TOKEN_TIMEOUT', info: { kind: 'inter', timeoutMs: 100, elapsedMs: 100, tokenCount: 1 } });
    expect(tokenText(run.events)).toBe('a');
    expect(model.calls[0]!.aborted).toBe(true);
  });

  it('should not time out a source with 10 ms gaps under a 1000 ms inter-token budget (T3)', () => {
    const items = Array.from({ length: 20 }, (_, i) => [{ delay: 10 }, `t${i}`]).flat();
    const run = runScenario(() => l0({ stream: fakeModel({ items }), timeout: { interToken: 1000, initialToken: 1000 } }));
    expect(run.error).toBeUndefined();
    expect(run.completeFrame).toBe(200);
    expect(finalState(run.events).tokenCount).toBe(20);
  });

  // The slow-observer and timer-churn parts of T3 are covered by spec/timeouts/withTimeouts*.spec.ts.
  it('should arm a fresh initial-token deadline for every attempt, counted from that attempt\'s start (T3)', () => {
    const model = fakeModel([{ items: [{ hang: true }] }, { items: [{ hang: true }] }, 'ok|']);
    const run = runScenario(() =>
      l0({ stream: model, timeout: { initialToken: 100 }, retry: { backoff: 'fixed', baseDelay: 10 } }),
    );
    expect(framesOf(run, 'retry')).toEqual([100, 210]);
    expect(framesOf(run, 'start')).toEqual([0, 110, 220]);
    expect(run.completeFrame).toBe(222);
    expect(model.calls.map((c) => c.aborted)).toEqual([true, true, false]);
  });

  it('should retry an inter-token timeout against maxRetries only: attempts 0 still gives 7 calls (T4)', () => {
    const model = fakeModel('a'); // one token, then silence
    const run = runScenario(() =>
      l0({ stream: model, timeout: { interToken: 100 }, retry: { attempts: 0, maxRetries: 6, backoff: 'fixed', baseDelay: 10 } }),
    );
    // Decision (as L0): timeouts are transient failures; `attempts` does not limit them, `maxRetries` does.
    expect(model.callCount).toBe(7);
    const retries = run.events.filter((e): e is RetryEvent => e.type === 'retry');
    expect(retries).toHaveLength(6);
    expect(retries.every((e) => e.reason === 'timeout' && e.error.category === 'timeout')).toBe(true);
    expect(run.error).toMatchObject({ code: 'INTER_TOKEN_TIMEOUT', attempt: 7 });
    expect(finalState(run.events).networkRetryCount).toBe(6);
  });
});

describe('l0() zero output (Z1-Z4)', () => {
  it('should fail with ZERO_OUTPUT (after its retries) and never call onComplete for an empty answer (Z1)', () => {
    const model = fakeModel('|');
    const onComplete = vi.fn();
    const run = runScenario(() => l0({ stream: model, random, onComplete }));
    expect(model.callCount).toBe(4);
    expect(run.error).toMatchObject({ name: 'ZeroOutputError', code: 'ZERO_OUTPUT' });
    expect(onComplete).not.toHaveBeenCalled();
  });

  it('should complete with empty content when zero-output detection is off (Z1)', () => {
    const model = fakeModel('|');
    const onComplete = vi.fn();
    const run = runScenario(() => l0({ stream: model, detectZeroTokens: false, onComplete }));
    expect(model.callCount).toBe(1);
    expect(finalState(run.events)).toMatchObject({ content: '', tokenCount: 0, status: 'complete' });
    expect(onComplete).toHaveBeenCalledTimes(1);
  });

  it.each(['   \n\t', '...', '!!!', '###', '---'])('should classify %j as zero output (Z1)', (text) => {
    const run = runScenario(() => l0({ stream: fakeModel({ items: [text] }), retry: { attempts: 0 } }));
    expect(run.error).toMatchObject({ code: 'ZERO_OUTPUT' });
  });

  it.each(['4', 'No', 'OK.', 'Hi!', 'abc', '  x  ', '999', '111', '{}', '[]', 'AAA'])('should accept %j as output, in one request (Z1)', (text) => {
    const model = fakeModel({ items: [text] });
    const run = runScenario(() => l0({ stream: model }));
    expect(model.callCount).toBe(1);
    expect(run.error).toBeUndefined();
    expect(finalState(run.events).content).toBe(text);
  });

  it('should accept a tool-call-only answer in one request, with the guardrail presets too (Z1)', () => {
    // with recommendedGuardrails its zero-output rule failed it: four requests, then a GuardrailViolationError
    for (const guardrails of [undefined, recommendedGuardrails]) {
      const model = fakeModel({ items: [{ toolCall: { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' } }], finishReason: 'tool-calls' });
      const run = runScenario(() => l0({ stream: model, ...(guardrails ? { guardrails } : {}), random }));
      expect(model.callCount).toBe(1);
      expect(run.error).toBeUndefined();
      expect(typesOf(run.events)).toEqual(['start', 'tool-call', 'complete']);
    }
  });

  it('should accept a tool-call-only answer finished with stop, with the guardrail presets too (Z1)', () => {
    // OpenAI finishes a forced call (tool_choice naming a function) with `stop`: the zero-output rule failed it, four requests
    const model = fakeModel({ items: [{ toolCall: { id: 'call_1', name: 'get_weather', arguments: '{}' } }], finishReason: 'stop' });
    const run = runScenario(() => l0({ stream: model, guardrails: recommendedGuardrails, random }));
    expect([model.callCount, run.error, typesOf(run.events)]).toEqual([1, undefined, ['start', 'tool-call', 'complete']]);
  });

  it('should report finishReason content-filter with no text as a complete run, not zero output (Z1)', () => {
    const model = fakeModel({ items: [], finishReason: 'content-filter' });
    const run = runScenario(() => l0({ stream: model }));
    expect(model.callCount).toBe(1);
    expect(run.events.at(-1)).toEqual({ type: 'complete', finishReason: 'content-filter' });
    expect(finalState(run.events)).toMatchObject({ content: '', finishReason: 'content-filter', status: 'complete' });
  });

  it('should report finishReason content-filter with no text as a complete run with the guardrail presets too (Z1)', () => {
    // the zero-output rule failed it: four requests, and a guardrail violation instead of the provider's reason
    const model = fakeModel({ items: [], finishReason: 'content-filter' });
    const run = runScenario(() => l0({ stream: model, guardrails: recommendedGuardrails, random }));
    expect([model.callCount, run.error, run.events.at(-1)]).toEqual([1, undefined, { type: 'complete', finishReason: 'content-filter' }]);
  });

  it('should report finishReason length on a truncated answer (Z1)', () => {
    const run = runScenario(() => l0({ stream: fakeModel({ items: ['Once upon a'], finishReason: 'length', usage: { outputTokens: 3 } }) }));
    expect(finalState(run.events)).toMatchObject({ content: 'Once upon a', finishReason: 'length', usage: { outputTokens: 3 } });
  });

  it('should retry zero output by default and succeed on the next attempt after the backoff (Z2)', () => {
    const model = fakeModel([{ items: [' '] }, { items: ['ok'] }]);
    const run = runScenario(() => l0({ stream: model, random }));
    // Decision: zero_output is a default retry reason (L0 today fails after 1 call), and it waits the backoff.
    expect(model.callCount).toBe(2);
    expect(run.events.find((e) => e.type === 'retry')).toMatchObject({ attempt: 1, delayMs: 1000, reason: 'zero_output' });
    expect(framesOf(run, 'start')).toEqual([0, 1000]);
    expect(finalState(run.events)).toMatchObject({ content: 'ok', modelRetryCount: 1, networkRetryCount: 0 });
  });

  it('should fall back once zero-output retries are spent, with the zero-output error on the fallback event (Z3)', () => {
    const model = fakeModel('|');
    const fb = fakeModel({ items: ['real answer'] });
    const run = runScenario(() => l0({ stream: model, fallbackStreams: [fb], random }));
    expect([model.callCount, fb.callCount]).toEqual([4, 1]);
    const fallback = run.events.findIndex((e) => e.type === 'fallback');
    expect(run.events[fallback]).toMatchObject({ fromIndex: 0, toIndex: 1, error: { code: 'ZERO_OUTPUT', category: 'content' } });
    expect(run.events[fallback + 1]).toMatchObject({ type: 'start', isFallback: true });
    expect(finalState(run.events)).toMatchObject({ content: 'real answer', fallbackIndex: 1 });
  });

  it('should drop empty chunks and count only "a" (Z4)', () => {
    const tok = (value: string): L0Event => ({ type: 'token', value });
    const run = runScenario(() => l0({ stream: () => of(tok(''), tok('a'), tok('')) }));
    expect(typesOf(run.events)).toEqual(['start', 'token', 'complete']);
    expect(finalState(run.events)).toMatchObject({ content: 'a', tokenCount: 1 });
  });
});
