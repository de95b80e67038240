/** @test {l0} */
import { describe, expect, it } from 'vitest';
import { l0, type L0Options } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { runScenario, typesOf } from '../helpers/runScenario.js';

const stream = fakeModel('ok|');
const messageOf = (options: Record<string, unknown>): string => {
  try {
    l0({ stream, ...options } as L0Options);
  } catch (e) {
    expect(e).toBeInstanceOf(TypeError);
    return (e as Error).message;
  }
  throw new Error('l0() accepted the options');
};

/* Strict options: every key l0() does not know is a TypeError naming it, with the closest valid one. */
describe('l0() unknown options', () => {
  it.each([
    ['a misspelled top-level option', { timeouts: false }, 'l0(options): unknown option `timeouts` (did you mean `timeout`?)'],
    ['a misspelled callback', { onRetries: () => {} }, 'l0(options): unknown option `onRetries` (did you mean `onRetry`?)'],
    ['a shortened name', { fallbacks: [] }, 'l0(options): unknown option `fallbacks` (did you mean `fallbackStreams`?)'],
    ['a misspelled timeout', { timeout: { intialToken: 1000 } }, 'l0({timeout}): unknown option `intialToken` (did you mean `initialToken`?)'],
    ['a misspelled retry option', { retry: { maxRetry: 2 } }, 'l0({retry}): unknown option `maxRetry` (did you mean `maxRetries`?)'],
    [
      'a misspelled de-duplication option',
      { deduplicateContinuation: { minOverlp: 3 } },
      'l0({deduplicateContinuation}): unknown option `minOverlp` (did you mean `minOverlap`?)',
    ],
  ])('should reject %s and suggest the closest option', (_, options, message) => {
    expect(messageOf(options)).toBe(message);
  });

  it.each([
    ['a per-fallback option l0 does not take', { fallbackStreams: [stream, { stream, model: 'b', retry: 2 }] }, 'l0({fallbackStreams[1]}): unknown option `retry`; the options are `stream`, `model`'],
    ['a misspelled key next to stream and model', { fallbackStreams: [{ stream, model: 'b', modle: 'c' }] }, 'l0({fallbackStreams[0]}): unknown option `modle` (did you mean `model`?)'],
    ['a misspelled model', { fallbackStreams: [{ stream, modle: 'b' }] }, 'l0({fallbackStreams[0]}): unknown option `modle` (did you mean `model`?)'],
  ])('should reject %s in a named fallback', (_, options, message) => {
    expect(messageOf(options)).toBe(message);
  });

  it('should list the options when nothing is close', () => {
    expect(messageOf({ timeout: { zzz: 1 } })).toBe(
      'l0({timeout}): unknown option `zzz`; the options are `initialToken`, `interToken`, `total`',
    );
  });

  it('should name every unknown key at once', () => {
    expect(messageOf({ retries: 2, timeOut: false })).toBe(
      'l0(options): unknown options `retries` (did you mean `retry`?), `timeOut` (did you mean `timeout`?)',
    );
  });

  it.each([
    ['timeout.scheduler (l0 takes one scheduler)', { timeout: { scheduler: {} } }, /^l0\(\{timeout\}\): unknown option `scheduler`/],
    ['deduplicateContinuation.enabled (continuation switches it)', { deduplicateContinuation: { enabled: true } }, /^l0\(\{deduplicateContinuation\}\): unknown option `enabled`/],
  ])('should reject %s', (_, options, message) => {
    expect(messageOf(options)).toMatch(message);
  });
});

describe('l0() options of the wrong type', () => {
  it.each([
    ['retry: null', { retry: null }, 'l0({retry}) must be an object, a preset name, a number of content retries or false, got null'],
    ['retry: true', { retry: true }, 'l0({retry}) must be an object, a preset name, a number of content retries or false, got true'],
    ['retry: -1', { retry: -1 }, 'l0({retry}) must be a non-negative integer (content retries), a preset name, an object or false, got -1'],
    ['retry: [3]', { retry: [3] }, 'l0({retry}) must be an object, a preset name, a number of content retries or false, got an array'],
    ['timeout: "fast"', { timeout: 'fast' }, 'l0({timeout}) must be an object or false, got "fast"'],
    ['timeout: null', { timeout: null }, 'l0({timeout}) must be an object or false, got null'],
    ['retry: {attempts: "3"}', { retry: { attempts: '3' } }, 'l0({retry: {attempts}}) must be a non-negative integer, got "3"'],
    ['retry: {maxRetries: -1}', { retry: { maxRetries: -1 } }, 'l0({retry: {maxRetries}}) must be a non-negative integer, got -1'],
    ['retry: {backoff: 1}', { retry: { backoff: 1 } }, /^l0\(\{retry: \{backoff\}\}\): unknown backoff 1; expected one of/],
    ['retry: {maxRetries: null}', { retry: { maxRetries: null } }, 'l0({retry: {maxRetries}}) must be a non-negative integer, got null'],
    ['retry: {backoff: null}', { retry: { backoff: null } }, /^l0\(\{retry: \{backoff\}\}\): unknown backoff null; expected one of/],
    ['retry: {shouldRetry: null}', { retry: { shouldRetry: null } }, 'l0({retry: {shouldRetry}}) must be a function, got null'],
    [
      'timeout: {initialToken: 0}',
      { timeout: { initialToken: 0 } },
      'l0({timeout: {initialToken}}) must be a number of ms > 0 (false or Infinity: no limit; timeout: false turns them all off), got 0',
    ],
    ['timeout: {total: "1s"}', { timeout: { total: '1s' } }, /^l0\(\{timeout: \{total\}\}\) must be a number of ms > 0.*got "1s"$/],
    [
      'deduplicateContinuation: {minOverlap: 0}',
      { deduplicateContinuation: { minOverlap: 0 } },
      'l0({deduplicateContinuation: {minOverlap}}) must be a positive integer, got 0',
    ],
    ['onStart: 1', { onStart: 1 }, 'l0({onStart}) must be a function, got 1'],
    ['onError: null', { onError: null }, 'l0({onError}) must be a function, got null'],
    ['adapters: null', { adapters: null }, 'l0({adapters}) must be an array of StreamAdapter objects ({ name, detect, create }), got null'],
    ['random: null', { random: null }, 'l0({random}) must be a function, got null'],
    ['scheduler: {}', { scheduler: {} }, 'l0({scheduler}) must be a SchedulerLike, got an object'],
    ['signal: "stop"', { signal: 'stop' }, 'l0({signal}) must be an AbortSignal, got "stop"'],
    // eslint-disable-next-line no-sparse-arrays
    ['fallbackStreams with a hole', { fallbackStreams: [, stream] }, 'l0({fallbackStreams[0]}) must be a factory function or { stream, model }, got undefined'],
    ['fallbackStreams: ["gpt-4o"]', { fallbackStreams: ['gpt-4o'] }, 'l0({fallbackStreams[0]}) must be a factory function or { stream, model }, got "gpt-4o"'],
    ['detectZeroTokens: "no"', { detectZeroTokens: 'no' }, 'l0({detectZeroTokens}) must be a boolean, got "no"'],
    ['context: ["user-1"]', { context: ['user-1'] }, 'l0({context}) must be an object, got an array'],
  ])('should throw a TypeError naming the option as written for %s', (_, options, message) => {
    if (typeof message === 'string') expect(messageOf(options)).toBe(message);
    else expect(messageOf(options)).toMatch(message);
  });

  it('should suggest the closest retry preset', () => {
    expect(messageOf({ retry: 'recomended' })).toBe(
      "l0({retry}): unknown preset \"recomended\" (did you mean 'recommended'?); the presets are 'minimal', 'recommended', 'strict', 'exponential'",
    );
  });

  it('should never name an internal operator in its messages', () => {
    for (const options of [{ timeout: { interToken: -1 } }, { retry: { baseDelay: -1 } }, { retry: { retryOn: 'network' } }, { onEvent: 'log' }]) {
      expect(messageOf(options)).not.toMatch(/withTimeouts|retryWithBackoff|tapLifecycle|deduplicateContinuation\(/);
    }
  });

  it('should shorten a long value, such as a function source, in the message', () => {
    const message = messageOf({ signal: (reason: string) => `${reason} `.repeat(50) + 'a very long function body indeed, far beyond sixty characters' });
    expect(message).toMatch(/^l0\(\{signal\}\) must be an AbortSignal, got a function \(reason\) => .{1,60}…$/);
    expect(messageOf({ retry: 'x'.repeat(5000) }).length).toBeLessThan(250);
  });

  it('should say how to turn a timeout off in l0(), where a budget left undefined takes the default', () => {
    // it said "use undefined to disable", as withTimeouts does: here that is the 5000 ms default, which fires
    expect(messageOf({ timeout: { initialToken: 0 } })).not.toMatch(/undefined/);
    const advised = runScenario(() => l0({ stream: fakeModel('-'), retry: false, timeout: { initialToken: undefined } }));
    expect([advised.error, advised.errorFrame]).toMatchObject([{ code: 'INITIAL_TOKEN_TIMEOUT' }, 5000]);
    const off = runScenario(() => l0({ stream: fakeModel('-'), retry: false, timeout: false }), { unsubscribeAt: 60_000 });
    expect(off.error).toBeUndefined();
  });

  it('should accept undefined for any option (the default)', () => {
    const options = { timeout: undefined, retry: undefined, onStart: undefined, adapters: undefined, random: undefined };
    expect(() => l0({ stream, ...options })).not.toThrow();
  });
});

describe('l0({retry: false})', () => {
  it('should not retry a network failure: one call, the error itself', () => {
    const model = fakeModel(['#']);
    const run = runScenario(() => l0({ stream: model, retry: false }));
    expect(model.callCount).toBe(1);
    expect(typesOf(run.events)).not.toContain('retry');
    expect(run.error).toMatchObject({ code: 'NETWORK_ERROR' });
  });

  it('should not retry a timeout either', () => {
    const model = fakeModel(['-']);
    const run = runScenario(() => l0({ stream: model, retry: false }));
    expect(model.callCount).toBe(1);
    expect(run.error).toMatchObject({ code: 'INITIAL_TOKEN_TIMEOUT' });
    expect(run.errorFrame).toBe(5000);
  });

  it('should still move to a fallback, without retrying it', () => {
    const primary = fakeModel(['#']);
    const fallback = fakeModel(['#', 'ok|']);
    const run = runScenario(() => l0({ stream: primary, fallbackStreams: [fallback], retry: false }));
    expect([primary.callCount, fallback.callCount]).toEqual([1, 1]);
    expect(typesOf(run.events)).toContain('fallback');
    expect(run.error).toMatchObject({ code: 'ALL_STREAMS_EXHAUSTED' });
  });

  it('should keep retrying network failures with retry: 0, which only stops content retries', () => {
    const model = fakeModel(['#', 'ok|']);
    const run = runScenario(() => l0({ stream: model, retry: 0, random: () => 0 }));
    expect(model.callCount).toBe(2);
    expect(run.error).toBeUndefined();
  });
});
