/** @test {l0} */
import { describe, expect, it } from 'vitest';
import { defineGuardrailRule, l0, strictJsonRule, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { finalState, runScenario } from '../helpers/runScenario.js';

// A rule's `complete(text)` judges the whole text once the attempt ends. The checkpoints the
// attempt made while streaming were passed by the streaming checks only: when the completion check
// rejects the text, none of them (nor the checkpoint the attempt resumed from, which is part of the
// rejected text) is known good, so the next attempt, on the same model or a fallback, starts over.
const fast = { backoff: 'fixed', baseDelay: 1 } as const;
const items = (...tokens: string[]) => ({ items: tokens });
const cut = { items: ['The ', 'rest', { error: { network: 'ECONNRESET' } }] } as const;
const noBad = defineGuardrailRule({ name: 'no-bad', complete: (text) => (text.includes('BAD') ? { message: 'saw BAD' } : undefined) });
const resumesOf = (events: readonly L0Event[]) => events.flatMap((e) => (e.type === 'resume' ? [e.checkpoint] : []));

describe('continuation after a completion check rejects the text', () => {
  it('should start the retry over instead of resuming from the rejected text', () => {
    const model = fakeModel([items('ok ', 'BAD ', 'x ', 'y'), items('fine.')]);
    const r = runScenario(() => l0({ stream: model, guardrails: [noBad], continueFromLastKnownGoodToken: true, checkpointInterval: 1, retry: fast }));
    expect(r.error).toBeUndefined();
    expect(resumesOf(r.events)).toEqual([]);
    expect(model.calls.map((c) => c.checkpoint)).toEqual([undefined, undefined]);
    expect(finalState(r.events).content).toBe('fine.');
  });

  it('should let a strict JSON answer recover on retry (a resumed invalid prefix can never pass)', () => {
    const model = fakeModel([items('{"a": ', '1}', ' hope', ' this helps'), items('{"a": ', '1}')]);
    const r = runScenario(() => l0({ stream: model, guardrails: [strictJsonRule()], continueFromLastKnownGoodToken: true, checkpointInterval: 2, retry: fast }));
    expect(r.error).toBeUndefined();
    expect(model.calls.map((c) => c.checkpoint)).toEqual([undefined, undefined]);
    expect(finalState(r.events).content).toBe('{"a": 1}');
  });

  it('should start a fallback over when the rejected attempt left the last checkpoint seen', () => {
    // attempt 1 is rejected at completion; attempt 2 starts over and is cut before its first checkpoint
    const primary = fakeModel([items('ok ', 'BAD ', 'x ', 'y'), cut]);
    const fallback = fakeModel([items('fine.')]);
    const r = runScenario(() =>
      l0({ stream: primary, fallbackStreams: [fallback], guardrails: [noBad], continueFromLastKnownGoodToken: true, checkpointInterval: 4, retry: { ...fast, attempts: 1, maxRetries: 1 } }));
    expect(r.error).toBeUndefined();
    expect(primary.calls.map((c) => c.checkpoint)).toEqual([undefined, undefined]);
    expect(fallback.calls.map((c) => c.checkpoint)).toEqual([undefined]);
    expect(resumesOf(r.events)).toEqual([]);
    expect(finalState(r.events).content).toBe('fine.');
  });

  it('should still resume from the checkpoint when the attempt is cut (the completion check never ran)', () => {
    const model = fakeModel([{ items: ['ok ', 'then ', { error: { network: 'ECONNRESET' } }] }, items(' fine.')]);
    const r = runScenario(() => l0({ stream: model, guardrails: [noBad], continueFromLastKnownGoodToken: true, checkpointInterval: 1, retry: fast }));
    expect(model.calls.map((c) => c.checkpoint)).toEqual([undefined, 'ok then ']);
    expect(finalState(r.events).content).toBe('ok then  fine.');
  });
});
