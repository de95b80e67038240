/** @test {resolveRetryConfig} */
import { asyncScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { RETRY_PRESETS, RETRY_WITH_BACKOFF_DEFAULTS, retryWithBackoff } from 'l0-rx';
import { resolveRetryConfig } from '../../src/retry/retryConfig.js';

describe('resolveRetryConfig', () => {
  it('should apply L0\'s documented defaults', () => {
    const c = resolveRetryConfig(undefined);
    expect(c).toMatchObject({
      attempts: 3,
      maxRetries: 6,
      backoff: 'fixed-jitter',
      baseDelay: 1000,
      maxDelay: 10000,
      retryOn: ['network', 'rate-limit', 'server', 'timeout', 'content', 'unknown'],
      respectRetryAfter: true,
      maxRetryAfter: 60000,
    });
    expect(c.scheduler).toBe(asyncScheduler);
    expect(c.shouldRetry).toBeUndefined();
    expect(c.calculateDelay).toBeUndefined();
  });

  it('should default random() to a uniform number in [0, 1)', () => {
    const { random } = resolveRetryConfig({});
    for (let i = 0; i < 50; i++) {
      const r = random();
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThan(1);
    }
  });

  it('should resolve the defaults, a count or a preset once, but never share a config resolved with an inherited scheduler or random', () => {
    expect(resolveRetryConfig(undefined)).toBe(resolveRetryConfig(undefined));
    expect(resolveRetryConfig('strict')).toBe(resolveRetryConfig('strict'));
    expect(resolveRetryConfig(2)).toBe(resolveRetryConfig(2));
    expect(resolveRetryConfig(2).attempts).toBe(2);
    expect(resolveRetryConfig(3)).not.toBe(resolveRetryConfig(2));
    const scheduler = new TestScheduler(() => undefined);
    const random = () => 0.5;
    const inherited = resolveRetryConfig(undefined, undefined, { scheduler, random });
    expect(inherited.scheduler).toBe(scheduler);
    expect(inherited.random).toBe(random);
    expect(resolveRetryConfig(undefined).scheduler).toBe(asyncScheduler);
    // objects are resolved each time (they may be mutated between calls)
    const config = { attempts: 1 };
    const first = resolveRetryConfig(config);
    config.attempts = 4;
    expect(resolveRetryConfig(config).attempts).toBe(4);
    expect(first.attempts).toBe(1);
  });

  it('should freeze the defaults and the presets', () => {
    expect(Object.isFrozen(RETRY_WITH_BACKOFF_DEFAULTS)).toBe(true);
    expect(Object.isFrozen(RETRY_WITH_BACKOFF_DEFAULTS.retryOn)).toBe(true);
    expect(Object.isFrozen(RETRY_PRESETS)).toBe(true);
    expect(Object.isFrozen(RETRY_PRESETS.strict)).toBe(true);
  });

  it('should read a number as the attempts shorthand', () => {
    expect(resolveRetryConfig(5)).toMatchObject({ attempts: 5, maxRetries: 6 });
    expect(resolveRetryConfig(0)).toMatchObject({ attempts: 0, maxRetries: 6 });
  });

  it('should raise the default maxRetries to attempts above it (it cut them at 6 without a word), and keep a maxRetries given', () => {
    expect(resolveRetryConfig(10)).toMatchObject({ attempts: 10, maxRetries: 10 });
    expect(resolveRetryConfig({ attempts: 8 })).toMatchObject({ attempts: 8, maxRetries: 8 });
    expect(resolveRetryConfig({ attempts: 8, maxRetries: undefined })).toMatchObject({ attempts: 8, maxRetries: 8 });
    expect(resolveRetryConfig({ attempts: 8, maxRetries: 4 })).toMatchObject({ attempts: 8, maxRetries: 4 });
    expect(resolveRetryConfig({ attempts: 2 })).toMatchObject({ attempts: 2, maxRetries: 6 });
  });

  it('should resolve the L0 presets by name', () => {
    expect(resolveRetryConfig('minimal')).toMatchObject({ attempts: 2, maxRetries: 4, backoff: 'linear', baseDelay: 1000 });
    expect(resolveRetryConfig('recommended')).toMatchObject({ attempts: 3, maxRetries: 6, backoff: 'fixed-jitter' });
    expect(resolveRetryConfig('strict')).toMatchObject({ attempts: 3, maxRetries: 6, backoff: 'full-jitter' });
    expect(resolveRetryConfig('exponential')).toMatchObject({ attempts: 4, maxRetries: 8, backoff: 'exponential' });
  });

  it('should keep user callbacks, scheduler and random', () => {
    const shouldRetry = () => true;
    const calculateDelay = () => 5;
    const random = () => 0.5;
    const c = resolveRetryConfig({ shouldRetry, calculateDelay, random, scheduler: asyncScheduler });
    expect(c).toMatchObject({ shouldRetry, calculateDelay, random });
  });

  describe('validation (TypeError naming the option)', () => {
    const cases: [string, unknown, RegExp][] = [
      ['a negative count', -1, /attempts/],
      ['a fractional count', 1.5, /attempts/],
      ['negative attempts', { attempts: -1 }, /^retryWithBackoff\(\{attempts\}\) must be a non-negative integer, got -1$/],
      ['NaN attempts', { attempts: NaN }, /attempts/],
      ['fractional maxRetries', { maxRetries: 2.5 }, /maxRetries/],
      ['infinite maxRetries', { maxRetries: Infinity }, /maxRetries/],
      ['a negative baseDelay', { baseDelay: -5 }, /\{baseDelay\}\) must be a finite number/],
      ['an infinite maxDelay', { maxDelay: Infinity }, /maxDelay/],
      ['a NaN maxRetryAfter', { maxRetryAfter: NaN }, /maxRetryAfter/],
      ['an unknown backoff', { backoff: 'quadratic' }, /backoff "quadratic".*'fixed', 'linear', 'exponential', 'full-jitter', 'fixed-jitter', 'decorrelated-jitter'/],
      ['an unknown preset', 'aggressive', /preset "aggressive".*'minimal', 'recommended', 'strict', 'exponential'/],
      ['an unknown retryOn entry', { retryOn: ['network', 'rate_limited'] }, /retryOn.*"rate_limited"/],
      ['a misspelled backoff', { backoff: 'exponentail' }, /^retryWithBackoff\(\{backoff\}\): unknown backoff "exponentail" \(did you mean 'exponential'\?\); expected one of 'fixed'/],
      ['a misspelled retryOn category', { retryOn: ['netwrok'] }, /^retryWithBackoff\(\{retryOn\}\) has unknown entry "netwrok" \(did you mean 'network'\?\); expected/],
      ['a misspelled retryOn reason', { retryOn: ['zero-output'] }, /unknown entry "zero-output" \(did you mean 'zero_output'\?\)/],
      ['a retryOn entry that is not a string', { retryOn: [5] }, /^retryWithBackoff\(\{retryOn\}\) has unknown entry 5; expected/],
      ['a backoff nothing is close to', { backoff: 'quadratic' }, /^retryWithBackoff\(\{backoff\}\): unknown backoff "quadratic"; expected/],
      ['a retryOn that is not an array', { retryOn: 'network' }, /\{retryOn\}\) must be an array, got "network"/],
      ['a shouldRetry that is not a function', { shouldRetry: true }, /\{shouldRetry\}\) must be a function, got true/],
      ['a calculateDelay that is not a function', { calculateDelay: 5 }, /\{calculateDelay\}\) must be a function/],
      ['a random that is not a function', { random: 0.5 }, /\{random\}\) must be a function/],
      ['a string count', { attempts: '3' }, /\{attempts\}\) must be a non-negative integer, got "3"/],
      ['a respectRetryAfter that is not a boolean', { respectRetryAfter: 'yes' }, /\{respectRetryAfter\}\) must be a boolean/],
      ['a scheduler that is not a SchedulerLike', { scheduler: {} }, /\{scheduler\}\) must be a SchedulerLike, got an object/],
      ['a misspelled option', { maxRetry: 2 }, /^retryWithBackoff\(config\): unknown option `maxRetry` \(did you mean `maxRetries`\?\)$/],
      ['an array', [3], /must be a number, a preset name or an object, got an array/],
      ['null', null, /^retryWithBackoff\(config\) must be a number, a preset name or an object, got null$/],
      ['a null count (null is a value, not "not given")', { attempts: null }, /^retryWithBackoff\(\{attempts\}\) must be a non-negative integer, got null$/],
      ['a null retryOn', { retryOn: null }, /\{retryOn\}\) must be an array, got null/],
      ['a null respectRetryAfter', { respectRetryAfter: null }, /\{respectRetryAfter\}\) must be a boolean, got null/],
      ['a null random', { random: null }, /\{random\}\) must be a function, got null/],
    ];
    it.each(cases)('should throw for %s', (_, config, message) => {
      expect(() => resolveRetryConfig(config as never)).toThrow(TypeError);
      expect(() => resolveRetryConfig(config as never)).toThrow(message);
    });

    it('should throw when retryWithBackoff is called, not at subscribe time', () => {
      expect(() => retryWithBackoff({ attempts: -1 })).toThrow(/retryWithBackoff\(\{attempts\}\)/);
      expect(() => retryWithBackoff('nope' as never)).toThrow(TypeError);
    });

    it('should accept zero delays and zero counts', () => {
      expect(resolveRetryConfig({ attempts: 0, maxRetries: 0, baseDelay: 0, maxDelay: 0, maxRetryAfter: 0 })).toMatchObject({
        attempts: 0,
        maxRetries: 0,
        baseDelay: 0,
      });
    });

    describe('delays a timer cannot hold (above 2^31 - 1 ms, which Node fires at once)', () => {
      it.each(['baseDelay', 'maxDelay', 'maxRetryAfter'] as const)('should reject %s above 2147483647 ms, naming the limit', (key) => {
        const config = { baseDelay: 0, [key]: 3e9 };
        expect(() => resolveRetryConfig(config)).toThrow(TypeError);
        expect(() => resolveRetryConfig(config)).toThrow(
          `retryWithBackoff({${key}}) must be at most 2147483647 ms (about 24.8 days), got 3000000000`,
        );
      });

      it('should accept every delay at the limit itself', () => {
        const max = 2_147_483_647;
        expect(resolveRetryConfig({ baseDelay: max, maxDelay: max, maxRetryAfter: max })).toMatchObject({ baseDelay: max, maxDelay: max, maxRetryAfter: max });
      });
    });

    describe('baseDelay above maxDelay', () => {
      it('should reject both given, naming both values', () => {
        expect(() => resolveRetryConfig({ baseDelay: 5000, maxDelay: 1000 })).toThrow(TypeError);
        expect(() => resolveRetryConfig({ baseDelay: 5000, maxDelay: 1000 })).toThrow('retryWithBackoff({maxDelay}) must be at least baseDelay (5000), got 1000');
      });

      it('should name the option given when the other is the default', () => {
        expect(() => resolveRetryConfig({ baseDelay: 20_000 })).toThrow('retryWithBackoff({baseDelay}) must be at most maxDelay (10000), got 20000');
      });

      it('should lower the default baseDelay to a maxDelay given below it (maxDelay alone caps every wait)', () => {
        expect(resolveRetryConfig({ maxDelay: 500 })).toMatchObject({ baseDelay: 500, maxDelay: 500 });
        expect(resolveRetryConfig({ maxDelay: 0 })).toMatchObject({ baseDelay: 0, maxDelay: 0 });
        expect(resolveRetryConfig({ maxDelay: 1500 })).toMatchObject({ baseDelay: 1000, maxDelay: 1500 });
      });

      it('should accept baseDelay equal to maxDelay, and every preset', () => {
        expect(resolveRetryConfig({ baseDelay: 2000, maxDelay: 2000 })).toMatchObject({ baseDelay: 2000, maxDelay: 2000 });
        for (const name of Object.keys(RETRY_PRESETS) as (keyof typeof RETRY_PRESETS)[]) expect(resolveRetryConfig(name).maxDelay).toBe(10_000);
      });
    });

    it('should accept categories and reasons in retryOn', () => {
      expect(resolveRetryConfig({ retryOn: ['unknown', 'zero_output', 'rate-limit'] }).retryOn).toEqual(['unknown', 'zero_output', 'rate-limit']);
    });
  });
});
