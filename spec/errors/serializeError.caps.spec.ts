/** @test {serializeError} @test {deserializeError} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AllStreamsExhaustedError,
  deserializeError,
  isL0Error,
  L0Error,
  ProviderError,
  serializeError,
  TokenTimeoutError,
  UnknownError,
  type SerializedError,
} from 'l0-rx';
import { runs } from '../helpers/propertyRuns.js';

/*
 * Serialised errors go into events, recorded logs and SSE error frames. Every error keeps its cause
 * chain and an AggregateError its `errors` (Node's refused connection to `localhost` is one: one
 * ECONNREFUSED per address tried), and the result is capped: 8 errors deep, 32 in all, messages cut to
 * 2,000 characters, so one provider error with a huge body or an endless chain cannot make a huge frame.
 */

/** Through JSON and back, as a log or an SSE frame carries it. */
const wire = (e: unknown): SerializedError => JSON.parse(JSON.stringify(serializeError(e))) as SerializedError;

/** Node's `connect ECONNREFUSED` to a host with two addresses (net's autoSelectFamily). */
function refused(): AggregateError {
  const one = (address: string) => Object.assign(new Error(`connect ECONNREFUSED ${address}:8080`), { code: 'ECONNREFUSED' });
  return Object.assign(new AggregateError([one('::1'), one('127.0.0.1')], ''), { code: 'ECONNREFUSED' });
}

/** The number of errors in a serialised error: itself, its causes and its `errors`, all the way down (not the `[Truncated]` marks). */
function count(plain: SerializedError | string | undefined): number {
  if (typeof plain !== 'object' || plain.message === '[Truncated]') return 0;
  return 1 + count(plain.cause) + (plain.errors ?? []).reduce((n, e) => n + count(e), 0);
}

describe('serializeError: causes, AggregateErrors and caps', () => {
  it('should keep the cause chain of an error that is not an L0Error', () => {
    const e = new Error('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
    expect(serializeError(e)).toEqual({ name: 'Error', message: 'fetch failed', cause: { name: 'Error', message: 'read ECONNRESET', code: 'ECONNRESET' } });
  });

  it('should keep the errors of an AggregateError cause, through a round trip', () => {
    const e = new ProviderError('connection refused', { code: 'NETWORK_ERROR', category: 'network', retryable: true, cause: refused() });
    const plain = wire(e);
    expect(plain.cause).toEqual({
      name: 'AggregateError', message: '', code: 'ECONNREFUSED',
      errors: [
        { name: 'Error', message: 'connect ECONNREFUSED ::1:8080', code: 'ECONNREFUSED' },
        { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:8080', code: 'ECONNREFUSED' },
      ],
    });
    expect(serializeError(deserializeError(plain))).toEqual(plain);
  });

  it('should keep the errors of an AggregateError itself, and of an AllStreamsExhaustedError that is a cause', () => {
    const plain = wire(refused());
    expect(plain.errors?.map((e) => e.message)).toEqual(['connect ECONNREFUSED ::1:8080', 'connect ECONNREFUSED 127.0.0.1:8080']);
    // rebuilt as an L0Error of category unknown (a plain error has none), its errors kept
    expect(serializeError(deserializeError(plain))).toMatchObject(plain);
    const exhausted = new AllStreamsExhaustedError([new UnknownError('a'), new UnknownError('b')]);
    const wrapped = wire(new UnknownError(exhausted));
    expect((wrapped.cause as SerializedError).errors?.map((e) => e.message)).toEqual(['Unclassified failure: a string "a"', 'Unclassified failure: a string "b"']);
  });

  it('should cut a huge message, a huge string cause and a huge foreign info', () => {
    const page = `<html>${'x'.repeat(1_000_000)}</html>`;
    const e = new ProviderError(page, { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 502, cause: Object.assign(new Error(page), { info: { body: page } }) });
    const plain = serializeError(e);
    expect(plain.message).toHaveLength(2001);
    expect(plain.message.endsWith('…')).toBe(true);
    expect(plain.cause).toEqual({ name: 'Error', message: `${page.slice(0, 2000)}…` });
    expect(serializeError(new Error(page)).message).toHaveLength(2001);
    expect(serializeError(page).message).toHaveLength(2001);
    expect(new UnknownError(page).toJSON().cause).toHaveLength(2001);
    expect(JSON.stringify(serializeError(Object.assign(new Error('x'), { code: page }))).length).toBeLessThan(300);
  });

  it('should keep a checkpoint whole: a retry resumes from it', () => {
    const checkpoint = 'token '.repeat(1000);
    expect(serializeError(new L0Error('x', { code: 'X', category: 'content', retryable: true, checkpoint })).checkpoint).toBe(checkpoint);
  });

  it('should stop a cyclic or endless chain of errors that are not L0Errors', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.defineProperty(a, 'cause', { value: b });
    expect(serializeError(a)).toEqual({ name: 'Error', message: 'a', cause: { name: 'Error', message: 'b', cause: '[Circular]' } });
    let chain = new Error('root');
    for (let i = 0; i < 1000; i++) chain = new Error(`level ${i}`, { cause: chain });
    const plain = serializeError(chain);
    expect(count(plain)).toBe(8);
    expect(JSON.stringify(plain)).toContain('"cause":"[Truncated]"');
  });

  it('should write at most 32 errors, however wide and deep the AggregateErrors nest', () => {
    const tree = (depth: number): Error => (depth === 0 ? new Error('leaf') : new AggregateError(Array.from({ length: 10 }, () => tree(depth - 1)), `level ${depth}`));
    const plain = serializeError(new UnknownError(tree(4)));
    expect(count(plain)).toBe(32);
    // each cut list ends with one mark for the rest
    expect(JSON.stringify(plain).match(/\[Truncated\]/g)).toHaveLength(4);
    expect(JSON.stringify(plain).length).toBeLessThan(5000);
    const self = new AggregateError([], 'self');
    (self.errors as unknown[]).push(self);
    expect(serializeError(self).errors).toEqual([{ name: 'Error', message: '[Circular]' }]);
  });

  // an entry that is not an error (a string, an object without a message, a hole, a link back) was never counted: an
  // AggregateError of 10,000 strings gave 10,000 entries (349 KB), a million holes took a second and a million entries
  const many = (errors: unknown[]) => new AggregateError(errors, 'many');
  it.each([
    ['strings', () => many(Array.from({ length: 10_000 }, (_, i) => `refused ${i}`))],
    ['objects without a message', () => many(Array.from({ length: 10_000 }, (_, i) => ({ field: i })))],
    ['holes', () => many(new Array(100_000))],
    ['itself, 10,000 times', () => {
      const self = many([]);
      (self.errors as unknown[]).push(...new Array(10_000).fill(self));
      return self;
    }],
  ])('should write at most 32 entries when an AggregateError\'s errors are %s', (_, make) => {
    const plain = serializeError(make());
    expect(plain.errors).toHaveLength(32); // the AggregateError itself, 30 entries and one mark for the rest
    expect(plain.errors?.at(-1)).toEqual({ name: 'Error', message: '[Truncated]' });
    expect(JSON.stringify(plain).length).toBeLessThan(3000);
  });

  // the second pass counted the entries the first had not (its strings, its `[Circular]` marks), and read a
  // `[Circular]` 8 errors down as too deep: the replayed error's chain was not the recorded one
  it.each([
    ['an AggregateError of 40 strings', () => new UnknownError(new AggregateError(Array.from({ length: 40 }, (_, i) => `s${i}`), 'm'))],
    ['an UnknownError over 7 errors whose last links back to the first (8 errors down)', () => {
      const chain = Array.from({ length: 7 }, (_, i) => new Error(`level ${i}`));
      chain.forEach((e, i) => Object.defineProperty(e, 'cause', { value: chain[(i + 1) % 7] }));
      return new UnknownError(chain[0]);
    }],
  ])('should give the same plain error again from its deserialised copy, for %s', (_, make) => {
    const plain = wire(make());
    expect(serializeError(deserializeError(plain))).toEqual(plain);
  });

  // an errors list that throws midway (an index getter, a Proxy's trap) kept the entries read before it with no mark:
  // a list that read as whole
  const hostileAt = (n: number): AggregateError => {
    const list: unknown[] = Array.from({ length: n + 2 }, (_, i) => new Error(`e${i}`));
    Object.defineProperty(list, n, { get: () => { throw new Error('hostile entry'); } });
    return Object.defineProperty(new AggregateError([], 'hostile'), 'errors', { value: list }); // the constructor would read it whole
  };
  const cut = { name: 'Error', message: '[Truncated]' };

  it('should keep the entries an errors list gave before it threw, then one mark for the rest, through a round trip', () => {
    const plain = wire(new UnknownError(hostileAt(2)));
    expect((plain.cause as SerializedError).errors).toEqual([{ name: 'Error', message: 'e0' }, { name: 'Error', message: 'e1' }, cut]);
    expect(serializeError(deserializeError(plain))).toEqual(plain);
    // its `length` a throwing trap: nothing read, only the mark
    const lengthless = new Proxy([new Error('never read')], { get: (t, k) => (k === 'length' ? (() => { throw new Error('hostile length'); })() : Reflect.get(t, k)) });
    expect(serializeError(Object.defineProperty(new AggregateError([], 'x'), 'errors', { value: lengthless })).errors).toEqual([cut]);
    // the whole list unreadable (a throwing getter, a revoked Proxy): no list at all
    const revoked = Proxy.revocable([], {});
    revoked.revoke();
    for (const errors of [{ get: () => { throw new Error('hostile list'); } }, { value: revoked.proxy }]) {
      const e = Object.defineProperty(new AggregateError([], 'x'), 'errors', errors);
      expect(() => JSON.stringify(serializeError(e))).not.toThrow();
      expect(serializeError(e)).toEqual({ name: 'AggregateError', message: 'x' });
    }
  });

  // the list was read with for...of: the break after the cap's mark called the iterator's `return`, and one that threw
  // added a second mark (33 entries, and the round trip lost one)
  it('should end a list cut at the cap with one mark when its iterator throws on the way out', () => {
    const list = Array.from({ length: 40 }, (_, i) => new Error(`e${i}`));
    Object.defineProperty(list, Symbol.iterator, {
      *value() {
        try {
          yield* list.values();
        } finally {
          // eslint-disable-next-line no-unsafe-finally -- the hostile list under test
          throw new Error('hostile return');
        }
      },
    });
    const plain = wire(new UnknownError(Object.defineProperty(new AggregateError([], 'wide'), 'errors', { value: list })));
    const { errors } = plain.cause as SerializedError;
    expect(errors).toHaveLength(31); // with the UnknownError and the AggregateError: 30 entries, then the mark
    expect(errors?.at(-1)).toEqual(cut);
    expect(errors?.at(-2)).toEqual({ name: 'Error', message: 'e29' });
    expect(count(plain)).toBe(32);
    expect(serializeError(deserializeError(plain))).toEqual(plain);
  });

  it('should count the mark of a list that threw as its deserialised copy counts it, so a round trip near the cap is exact', () => {
    for (let n = 0; n < 4; n++) {
      const wide = new AggregateError([hostileAt(n), ...Array.from({ length: 40 }, (_, i) => `s${i}`)], 'wide');
      const plain = wire(new UnknownError(wide));
      expect(count(plain)).toBeLessThanOrEqual(32);
      expect(serializeError(deserializeError(plain))).toEqual(plain);
    }
  });

  it('should keep class, code, category, retryable, attempt and the cause chain through a round trip', () => {
    const message = fc.string({ maxLength: 30 });
    const link = fc.oneof(
      message.map((m) => new Error(m)),
      fc.tuple(message, fc.boolean()).map(([m, retryable]) => new L0Error(m, { code: 'X', category: 'server', retryable })),
      fc.nat(1).map(() => refused()),
      // a wide AggregateError of strings and errors: the 32-entry cap, met at any entry
      fc.array(fc.oneof(message, message.map((m) => new Error(m))), { maxLength: 40 }).map((list) => new AggregateError(list, 'many')),
    );
    fc.assert(
      fc.property(fc.array(link, { maxLength: 12 }), fc.integer({ min: 1, max: 9 }), fc.boolean(), (links, attempt, l0Top) => {
        const cause = links.reduceRight<unknown>((inner, e) => (Object.defineProperty(e, 'cause', { value: inner, configurable: true }), e), undefined);
        const top = l0Top
          ? new TokenTimeoutError({ kind: 'inter', timeoutMs: 5, elapsedMs: 5, tokenCount: 1 }).withRunInfo({ attempt })
          : new ProviderError('down', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503, ...(cause === undefined ? {} : { cause }) }).withRunInfo({ attempt });
        const plain = wire(top);
        const back = deserializeError(plain);
        expect(isL0Error(back)).toBe(true);
        expect(back).toMatchObject({ name: top.name, code: top.code, category: top.category, retryable: top.retryable, attempt });
        expect(serializeError(back)).toEqual(plain);
        expect(count(plain)).toBeLessThanOrEqual(32);
      }),
      { numRuns: runs(100) },
    );
  });
});
