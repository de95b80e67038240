import { deepStrictEqual } from 'node:assert';
import { TestScheduler } from 'rxjs/testing';
import { isPlainRecord } from '../internal/options.js';
import { setOwn } from '../structured/partialJsonFrames.js';

/**
 * A `TestScheduler` for marble tests of l0-rx pipelines, whose matcher compares errors by
 * `name`, `code` and `message` (never by identity or stack), so `toBe('#', undefined, expectedError)`
 * works with l0-rx's error classes and with {@link fakeError} look-alikes.
 *
 *   cold('a-#', undefined, new ProviderError('x', ...))     actual
 *   toBe('a-#', undefined, new ProviderError('x', ...))     passes: same name/code/message
 *
 * Rules:
 * 1. Both sides are normalised before comparison: every `Error` (at any depth) becomes
 *    `{name, code, message}`; object keys whose value is `undefined` are dropped (as `toEqual` does);
 *    Map and Set values are normalised inside a Map or Set; an object that keeps its content outside
 *    its own keys becomes its class name over that content (`{URL: 'https://a/'}`, `{Headers: [['a', '1']]}`:
 *    its `toJSON()`, or its entries), so two URLs or two Headers never compare as empty; dates,
 *    regular expressions and binary buffers, and asymmetric matchers (objects with `asymmetricMatch`, such as `expect.any(Error)`),
 *    are kept as is.
 * 2. The normalised frames go to `assertDeepEqual(actual, expected)`, which must throw on a mismatch.
 *    The default is `node:assert`'s `deepStrictEqual`, which does not understand asymmetric matchers:
 *    pass `(a, e) => expect(a).toEqual(e)` to use them with vitest or jest.
 * 3. Use a fresh scheduler per test and its `run()` mode, where `asyncScheduler` timers, and so
 *    {@link fakeModel} scripts and every l0-rx operator's default scheduler, run on virtual time.
 *
 * @example
 * import { fromStream } from 'l0-rx';
 * import { createTestScheduler, fakeModel } from 'l0-rx/testing';
 * createTestScheduler().run(({ expectObservable }) => {
 *   expectObservable(fromStream(fakeModel('a---b|'))).toBe('(sa)b(c|)', {
 *     s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
 *     a: { type: 'token', value: 'a' }, b: { type: 'token', value: 'b' },
 *     c: { type: 'complete', finishReason: 'stop' },
 *   });
 * });
 * @param assertDeepEqual Throws when the normalised `actual` and `expected` differ. @default deepStrictEqual from node:assert
 * @returns A new TestScheduler.
 */
export function createTestScheduler(
  assertDeepEqual: (actual: unknown, expected: unknown) => void = deepStrictEqual,
): TestScheduler {
  if (typeof assertDeepEqual !== 'function') throw new TypeError('createTestScheduler: assertDeepEqual must be a function');
  return new TestScheduler((actual, expected) => assertDeepEqual(normalizeForMatch(actual), normalizeForMatch(expected)));
}

/** @internal Normalises marble frames for comparison (see {@link createTestScheduler}). */
export function normalizeForMatch(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return code === undefined ? { name: value.name, message: value.message } : { name: value.name, code, message: value.message };
  }
  if (typeof value !== 'object' || value === null) return value;
  if (typeof (value as { asymmetricMatch?: unknown }).asymmetricMatch === 'function' || seen.has(value)) return value;
  // values whose content is not in their own keys: compared as they are, never as an empty object
  if (value instanceof Date || value instanceof RegExp || value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return value;
  seen.add(value); // the current path only, to stop on cycles; shared sub-objects are normalised each time
  try {
    if (Array.isArray(value)) return value.map((v) => normalizeForMatch(v, seen));
    if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, normalizeForMatch(v, seen)]));
    if (value instanceof Set) return new Set([...value].map((v) => normalizeForMatch(v, seen)));
    // a URL, Headers or URLSearchParams keeps its content in internal slots: no own keys, so every two were "equal" ({})
    const opaque = Object.keys(value).length === 0 && !isPlainRecord(value) ? contentOf(value) : undefined;
    if (opaque !== undefined) return { [value.constructor?.name ?? 'Object']: normalizeForMatch(opaque, seen) };
    const out: Record<string, unknown> = {};
    // an own `__proto__` key (JSON.parse makes one from a model's answer) stays a key, never the copy's prototype
    for (const [k, v] of Object.entries(value)) if (v !== undefined) setOwn(out, k, normalizeForMatch(v, seen));
    return out;
  } finally {
    seen.delete(value);
  }
}

/** What a class instance without own keys holds: `toJSON()` (a URL's href) or its entries (Headers, URLSearchParams, FormData); undefined: neither. */
function contentOf(value: object): unknown {
  const { toJSON } = value as { toJSON?: unknown };
  if (typeof toJSON === 'function') return toJSON.call(value) as unknown;
  const entries = (value as Partial<Iterable<unknown>>)[Symbol.iterator]?.call(value);
  // an iterator is its own iterable: read here, a generator's values would be gone from the frame
  if (entries === undefined || entries === value) return undefined;
  const out: unknown[] = [];
  for (let r = entries.next(); r.done !== true; r = entries.next()) out.push(r.value);
  return out;
}
