/** @test {classifyError} @test {serializeError} @test {toL0Error} @test {L0Error} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { of, throwError } from 'rxjs';
import {
  AllStreamsExhaustedError,
  classifyError,
  fallbackTo,
  isL0Error,
  isUnknownError,
  serializeError,
  UnknownError,
  type L0Event,
} from 'l0-rx';
import { describeValue } from '../../src/errors/InvalidStreamError.js';
import { toL0Error } from '../../src/errors/normalizeError.js';
import { runs } from '../helpers/propertyRuns.js';

/*
 * Classification, serialisation and message building run inside error handlers: if one throws, a run
 * hangs or a rejection goes unhandled. So each must be total: no input may make it throw. The inputs are
 * fast-check's `anything()` plus hostile objects built from a small blueprint (so failures shrink):
 * throwing getters on the fields the classifier reads, revoked Proxies, Proxies whose every trap throws,
 * null prototypes, forged L0Error brands, cyclic and very deep `cause` chains, symbols and bigints.
 */

const BRAND = Symbol.for('l0-rx.L0Error');
const CATEGORIES = ['network', 'rate-limit', 'server', 'timeout', 'content', 'auth', 'bad-request', 'abort', 'unknown'];
/** Every field the classifier, the serialisers or fromStream read on an error or a value. */
const KEYS = [
  'message', 'name', 'code', 'status', 'statusCode', 'cause', 'headers', 'responseHeaders', 'response', 'error',
  'data', 'type', 'isRetryable', 'lastError', 'errors', 'reason', 'responseBody', 'requestID', 'param',
  'constructor', 'then', 'toJSON', 'get', 'toString', 'retryable', 'category', 'retryAfterMs', 'attempt',
] as const;
const HEADER_NAMES = ['retry-after', 'retry-after-ms', 'x-should-retry', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests'];

type Field =
  | { readonly kind: 'throws' }
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'throwing-function' }
  | { readonly kind: 'nested'; readonly blueprint: Blueprint };

type Blueprint =
  | { readonly kind: 'anything'; readonly value: unknown }
  | { readonly kind: 'symbol'; readonly description: string }
  | { readonly kind: 'revoked' }
  | { readonly kind: 'all-traps-throw' }
  | { readonly kind: 'huge-string'; readonly length: number }
  | {
      readonly kind: 'object';
      readonly base: 'error' | 'plain' | 'null-prototype' | 'function';
      readonly fields: readonly (readonly [string, Field])[];
      readonly cycle: 'none' | 'self' | 'pair' | 'deep';
      readonly brand: boolean;
    };

const anything = fc.anything({
  withBigInt: true,
  withNullPrototype: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withObjectString: true,
});

const headerValue = fc.oneof(fc.string(), fc.constantFrom('0', '1.5', '-3', 'Wed, 21 Oct 2015 07:28:00 GMT', '6m0s', 'true', 'false'), anything);

const { blueprint } = fc.letrec<{ blueprint: Blueprint; field: Field }>((tie) => ({
  blueprint: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    anything.map((value): Blueprint => ({ kind: 'anything', value })),
    fc.string().map((description): Blueprint => ({ kind: 'symbol', description })),
    fc.constant<Blueprint>({ kind: 'revoked' }),
    fc.constant<Blueprint>({ kind: 'all-traps-throw' }),
    fc.integer({ min: 1_000, max: 200_000 }).map((length): Blueprint => ({ kind: 'huge-string', length })),
    fc.record({
      kind: fc.constant('object' as const),
      base: fc.constantFrom('error' as const, 'plain' as const, 'null-prototype' as const, 'function' as const),
      fields: fc.array(fc.tuple(fc.constantFrom<string>(...KEYS), tie('field') as fc.Arbitrary<Field>), { maxLength: 8 }),
      cycle: fc.constantFrom('none' as const, 'self' as const, 'pair' as const, 'deep' as const),
      brand: fc.boolean(),
    }),
  ),
  field: fc.oneof(
    { depthSize: 'small' },
    fc.constant<Field>({ kind: 'throws' }),
    fc.constant<Field>({ kind: 'throwing-function' }),
    fc.oneof(anything, fc.integer({ min: 100, max: 599 }), fc.dictionary(fc.constantFrom(...HEADER_NAMES), headerValue)).map(
      (value): Field => ({ kind: 'value', value }),
    ),
    (tie('blueprint') as fc.Arbitrary<Blueprint>).map((b): Field => ({ kind: 'nested', blueprint: b })),
  ),
}));

const thrower = (what: string) => () => {
  throw new Error(`hostile ${what}`);
};

/** Builds a fresh hostile value from its blueprint (fresh each time: revoking is not undoable). */
function build(b: Blueprint): unknown {
  switch (b.kind) {
    case 'anything':
      return b.value;
    case 'symbol':
      return Symbol(b.description);
    case 'huge-string':
      return 'x'.repeat(b.length);
    case 'revoked': {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    }
    case 'all-traps-throw': {
      const traps = ['get', 'has', 'ownKeys', 'getPrototypeOf', 'getOwnPropertyDescriptor', 'set', 'defineProperty', 'apply'];
      return new Proxy(function target() {}, Object.fromEntries(traps.map((t) => [t, thrower(`trap ${t}`)])));
    }
    case 'object': {
      const o: object =
        b.base === 'error' ? new Error('base') : b.base === 'null-prototype' ? Object.create(null) : b.base === 'function' ? function hostile() {} : {};
      for (const [key, field] of b.fields) {
        const descriptor: PropertyDescriptor =
          field.kind === 'throws'
            ? { get: thrower(`getter ${key}`), configurable: true, enumerable: true }
            : { value: field.kind === 'throwing-function' ? thrower(`call ${key}`) : field.kind === 'nested' ? build(field.blueprint) : field.value, configurable: true, enumerable: true, writable: true };
        Object.defineProperty(o, key, descriptor);
      }
      if (b.brand) Object.defineProperty(o, BRAND, { value: true });
      if (b.cycle === 'self') Object.defineProperty(o, 'cause', { value: o, configurable: true });
      if (b.cycle === 'pair') Object.defineProperty(o, 'cause', { value: { message: 'pair', cause: o }, configurable: true });
      if (b.cycle === 'deep') {
        let chain: unknown = o;
        for (let i = 0; i < 200; i++) chain = new Error(`level ${i}`, { cause: chain });
        return chain;
      }
      return o;
    }
  }
}

/** Blueprints, not the values: fast-check inspects generated values, which a revoked Proxy forbids. */
const hostile = blueprint;
const RUNS = { numRuns: runs(400) };

describe('error handling totality', () => {
  describe('properties over anything and hostile objects', () => {
    it('classifyError should never throw and should always return a valid classification', () => {
      fc.assert(
        fc.property(hostile, fc.option(fc.integer({ min: 0, max: 4_000_000_000_000 })), (b, now) => {
          const v = build(b);
          const c = classifyError(v, now === null ? undefined : { now });
          expect(CATEGORIES).toContain(c.category);
          expect(typeof c.reason).toBe('string');
          expect(typeof c.retryable).toBe('boolean');
          expect(typeof c.countsTowardAttempts).toBe('boolean');
        }),
        RUNS,
      );
    });

    it('toL0Error should never throw, and should return an L0Error with the value as cause', () => {
      fc.assert(
        fc.property(hostile, (b) => {
          const v = build(b);
          const out = toL0Error(v);
          expect(isL0Error(out)).toBe(true);
          if (out !== v) expect(Object.is(out.cause, v)).toBe(true);
          expect(typeof out.message).toBe('string');
          if (isUnknownError(out)) expect(out.message.length).toBeLessThan(320);
        }),
        RUNS,
      );
    });

    it('toL0Error should agree with classifyError on the category', () => {
      fc.assert(
        fc.property(hostile, (b) => {
          const v = build(b);
          if (isL0Error(v)) return;
          const out = toL0Error(v);
          const c = classifyError(v);
          if (c.category === 'unknown') expect(isUnknownError(out)).toBe(true);
          if (!isUnknownError(out)) expect(out.category).toBe(c.category);
        }),
        RUNS,
      );
    });

    it('serializeError should never throw and should return JSON-safe plain data', () => {
      fc.assert(
        fc.property(hostile, (b) => {
          const v = build(b);
          const plain = serializeError(v);
          const parsed = JSON.parse(JSON.stringify(plain)) as { name: unknown; message: unknown };
          expect(typeof parsed.name).toBe('string');
          expect(typeof parsed.message).toBe('string');
        }),
        RUNS,
      );
    });

    it('L0Error#toJSON should never throw, whatever its cause chain', () => {
      fc.assert(
        fc.property(hostile, (b) => {
          const v = build(b);
          const own = new UnknownError(v);
          expect(() => JSON.stringify(own)).not.toThrow();
          const normalized = toL0Error(v);
          if (normalized !== v) expect(() => JSON.stringify(normalized)).not.toThrow();
          expect(() => JSON.stringify(new AllStreamsExhaustedError([v, own]))).not.toThrow();
        }),
        RUNS,
      );
    });

    it('classifyError should read a forged brand\'s unknown category as unknown', () => {
      const forged = Object.assign(new Error('x'), { [Symbol.for('l0-rx.L0Error')]: true, code: 'X', category: 'x'.repeat(1000) });
      expect(classifyError(forged).category).toBe('unknown');
    });

    it('describeValue should stay short for a string of control characters (each escapes to 6)', () => {
      expect(describeValue('\u0001'.repeat(100)).length).toBeLessThanOrEqual(130);
      expect(describeValue(new Function('return "\u0001\u0002\u0003\u0004\u0005\u0006\u0007"'), 200).length).toBeLessThanOrEqual(260);
    });

    it('describeValue should never throw and should stay short', () => {
      fc.assert(
        fc.property(hostile, (b) => {
          const v = build(b);
          expect(describeValue(v).length).toBeLessThanOrEqual(130);
          expect(describeValue(v, 200).length).toBeLessThanOrEqual(260);
        }),
        RUNS,
      );
    });

    it('fallbackTo should fall back from a source that errors with any value', () => {
      const complete: L0Event = { type: 'complete', finishReason: 'stop' };
      fc.assert(
        fc.property(hostile, (b) => {
          const v = build(b);
          const seen: string[] = [];
          throwError(() => v)
            .pipe(fallbackTo(of(complete)))
            .subscribe({ next: (e) => seen.push(e.type), error: () => seen.push('error'), complete: () => seen.push('done') });
          expect(seen).toEqual(['fallback', 'complete', 'done']);
        }),
        { numRuns: runs(100) },
      );
    });
  });

  describe('examples', () => {
    const revoked = () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    };

    it('should serialise a cyclic cause chain with [Circular]', () => {
      const a = new Error('a');
      const b = new Error('b', { cause: a });
      Object.defineProperty(a, 'cause', { value: b });
      expect(new UnknownError(a).toJSON()).toMatchObject({
        cause: { name: 'Error', message: 'a', cause: { message: 'b', cause: '[Circular]' } },
      });
    });

    it('should serialise an L0Error that is its own cause', () => {
      const e = new UnknownError('x');
      Object.defineProperty(e, 'cause', { value: e });
      expect(e.toJSON().cause).toBe('[Circular]');
    });

    it('should cut a very long cause chain', () => {
      let chain: unknown = new Error('root');
      for (let i = 0; i < 1000; i++) chain = new Error(`level ${i}`, { cause: chain });
      expect(JSON.stringify(new UnknownError(chain)).length).toBeLessThan(2000);
    });

    it('should still read a 429 when the headers getter throws', () => {
      const e = Object.defineProperty({ status: 429 }, 'headers', { get: thrower('headers') });
      expect(classifyError(e)).toMatchObject({ category: 'rate-limit', reason: 'rate_limit', status: 429 });
    });

    it('should still read a Node code when the status getter throws', () => {
      const e = Object.defineProperty(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 'status', { get: thrower('status') });
      expect(classifyError(e)).toMatchObject({ category: 'network' });
    });

    it('should classify a revoked Proxy as unknown', () => {
      expect(classifyError(revoked())).toMatchObject({ category: 'unknown', reason: 'unknown' });
    });

    it('should serialise a revoked Proxy, a null-prototype object, a symbol and a bigint', () => {
      expect(serializeError(revoked())).toEqual({ name: 'Error', message: 'an object that cannot be inspected (a revoked Proxy?)' });
      expect(serializeError(Object.create(null))).toEqual({ name: 'Error', message: 'an object without a prototype with keys []' });
      expect(serializeError(Symbol('s'))).toEqual({ name: 'Error', message: 'Symbol(s)' });
      expect(serializeError(10n)).toEqual({ name: 'Error', message: '10' });
    });

    it('should serialise an object whose name and message getters throw', () => {
      const e = Object.defineProperties(new Error('x'), { name: { get: thrower('name') }, message: { get: thrower('message') } });
      expect(serializeError(e)).toEqual({ name: 'Error', message: '' });
    });

    it('should treat a forged brand with a throwing toJSON as any error', () => {
      const forged = { [BRAND]: true, name: 'Fake', message: 'm', toJSON: thrower('toJSON') };
      expect(serializeError(forged)).toEqual({ name: 'Fake', message: 'm' });
    });
  });
});
