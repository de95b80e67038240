/** @test {checkKeys} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { closestName, editDistance } from '../../src/internal/closestName.js';
import { checkKeys, childPath, describeOption, optionLabel, optionPath } from '../../src/internal/options.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['intialToken', 'initialToken', 1],
    ['onRetyr', 'onRetry', 1],
    ['ab', 'ba', 1],
    ['kitten', 'sitting', 3],
  ])('should count %j -> %j as %i edits', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('should be a distance: zero only for equal strings, symmetric, within the length bounds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = editDistance(a, b);
        expect(d === 0).toBe(a === b);
        expect(editDistance(b, a)).toBe(d);
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
      }),
    );
  });
});

describe('closestName', () => {
  const l0Keys = ['stream', 'fallbackStreams', 'retry', 'timeout', 'signal', 'onRetry', 'onFallback', 'onError', 'onEvent'];
  const retryKeys = ['attempts', 'maxRetries', 'backoff', 'maxRetryAfter'];

  it.each([
    ['timeOut', l0Keys, 'timeout'],
    ['retries', l0Keys, 'retry'],
    ['fallbacks', l0Keys, 'fallbackStreams'],
    ['onRetries', l0Keys, 'onRetry'],
    ['onEror', l0Keys, 'onError'],
    ['maxRetry', retryKeys, 'maxRetries'],
    ['maxAttempts', retryKeys, 'attempts'],
    ['backof', retryKeys, 'backoff'],
  ])('should take %j for %j', (word, candidates, expected) => {
    expect(closestName(word, candidates)).toBe(expected);
  });

  it.each([['x'], ['model'], ['zzzzzz'], ['a'.repeat(10_000)]])('should suggest nothing for %j', (word) => {
    expect(closestName(word, l0Keys)).toBeUndefined();
  });
});

describe('describeOption', () => {
  it.each([
    [undefined, 'undefined'],
    [null, 'null'],
    [3, '3'],
    [Number.NaN, 'NaN'],
    [true, 'true'],
    [10n, '10n'],
    ['fast', '"fast"'],
    ['3', '"3"'],
    [[1, 2], 'an array'],
    [{ a: 1 }, 'an object'],
    [Object.create(null), 'an object'],
    [new Map(), 'a Map'],
    [new AbortController().signal, 'an AbortSignal'],
    [Symbol('s'), 'Symbol(s)'],
  ])('should render %s as %s', (value, text) => {
    expect(describeOption(value)).toBe(text);
  });

  it('should cut long strings and function sources to about 60 characters', () => {
    expect(describeOption('x'.repeat(1000))).toBe(`"${'x'.repeat(60)}…"`);
    const fn = (attempt: number) => {
      const veryLongVariableName = attempt * 2;
      return veryLongVariableName > 10 && veryLongVariableName < 100;
    };
    const text = describeOption(fn);
    expect(text).toMatch(/^a function \(attempt\) => \{ const veryLongVariableName/);
    expect(text.length).toBeLessThanOrEqual('a function '.length + 61);
  });

  it('should never throw, whatever the value', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const hostile = new Proxy({}, { getPrototypeOf: () => { throw new Error('trap'); } });
    expect(describeOption(proxy)).toBe('an unreadable value');
    expect(describeOption(hostile)).toBe('an unreadable value');
    fc.assert(fc.property(fc.anything(), (value) => typeof describeOption(value) === 'string'));
  });
});

describe('option paths', () => {
  const l0 = optionPath('l0', '', 'options');

  it('should render a key as the call the user wrote', () => {
    expect(optionLabel(optionPath('withTimeouts'), 'initialToken')).toBe('withTimeouts({initialToken})');
    expect(optionLabel(optionPath('fromStream', 'factory, '), 'adapters')).toBe('fromStream(factory, {adapters})');
    expect(optionLabel(l0, 'signal')).toBe('l0({signal})');
    expect(optionLabel(childPath(l0, 'timeout'), 'initialToken')).toBe('l0({timeout: {initialToken}})');
    expect(optionLabel(childPath(childPath(l0, 'a'), 'b'), 'c')).toBe('l0({a: {b: {c}}})');
    expect(childPath(l0, 'timeout').self).toBe('l0({timeout})');
  });
});

describe('checkKeys', () => {
  const where = optionPath('withTimeouts');
  const allowed = ['initialToken', 'interToken', 'total'];

  it('should accept known keys and an empty bag', () => {
    expect(() => checkKeys(where, { initialToken: 1, total: undefined }, allowed)).not.toThrow();
    expect(() => checkKeys(where, {}, allowed)).not.toThrow();
  });

  it('should name an unknown key with a suggestion', () => {
    expect(() => checkKeys(where, { totl: 1 }, allowed)).toThrow(
      new TypeError('withTimeouts(config): unknown option `totl` (did you mean `total`?)'),
    );
  });

  it('should list the options when a key has no close match', () => {
    expect(() => checkKeys(where, { zzz: 1, totl: 1 }, allowed)).toThrow(
      new TypeError('withTimeouts(config): unknown options `zzz`, `totl` (did you mean `total`?); the options are `initialToken`, `interToken`, `total`'),
    );
  });

  it('should ignore keys outside `only`, inherited keys and symbols', () => {
    const bag = Object.assign(Object.create({ inherited: 1 }), { state: 1, [Symbol('s')]: 2, onTotal: 3 });
    expect(() => checkKeys(where, bag, allowed, /^on/)).toThrow(/unknown option `onTotal`/);
    expect(() => checkKeys(where, { state: 1 }, allowed, /^on/)).not.toThrow();
  });

  it('should shorten a very long unknown key', () => {
    expect(() => checkKeys(where, { ['k'.repeat(500)]: 1 }, allowed)).toThrow(/unknown option `k{40}…`/);
  });
});
