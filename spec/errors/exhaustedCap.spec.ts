/** @test {AllStreamsExhaustedError} @test {serializeError} @test {recordEvents} @test {replayEvents} */
import { lastValueFrom, of, concat, throwError } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import {
  AllStreamsExhaustedError,
  createMemoryEventStore,
  deserializeError,
  isAllStreamsExhaustedError,
  L0Error,
  ProviderError,
  recordEvents,
  replayEvents,
  serializeError,
  UnknownError,
  type EventEnvelope,
  type EventStore,
  type L0Event,
  type SerializedError,
} from 'l0-rx';

/*
 * An AllStreamsExhaustedError serialises each attempt's error whole (each within the usual caps), and
 * at most 64 of them: a run of 1,000 attempts whose errors have long causes was a 16 MB log line or
 * SSE frame. Past 64, the first 31, a `[Truncated]` entry and the last 32 are kept: the last is the
 * cause (the replayed error's category and `retryable` are its), and the message counts every attempt.
 */

/** Through JSON and back, as a log or an SSE frame carries it. */
const wire = (e: unknown): SerializedError => JSON.parse(JSON.stringify(serializeError(e))) as SerializedError;

/** Attempt `i`'s error: a provider error 8 causes deep, each message at the 2,000-character cap. */
function attempt(i: number, last = false): ProviderError {
  let cause: Error = new Error(`root ${i} ${'x'.repeat(2000)}`);
  for (let d = 0; d < 7; d++) cause = new Error(`level ${d} of ${i} ${'y'.repeat(2000)}`, { cause });
  return last
    ? new ProviderError(`attempt ${i}`, { code: 'RATE_LIMITED', category: 'rate-limit', retryable: true, status: 429, cause })
    : new ProviderError(`attempt ${i}`, { code: 'SERVER_ERROR', category: 'server', retryable: false, status: 500, cause });
}

function exhausted(n: number): AllStreamsExhaustedError {
  return new AllStreamsExhaustedError(Array.from({ length: n }, (_, i) => attempt(i, i === n - 1)), { fallbackIndex: 3 });
}

describe('AllStreamsExhaustedError: a total cap on its serialised errors', () => {
  it('should keep 1,000 attempts with deep causes within a bounded size: the first 31, a mark, the last 32', () => {
    const plain = wire(exhausted(1000));
    // was 16 MB: every entry is capped alone (32 errors, 2,000-character messages), so 64 entries at most
    expect(JSON.stringify(plain).length).toBeLessThan(1_200_000);
    const messages = plain.errors!.map((e) => e.message);
    expect(messages).toHaveLength(64);
    expect(messages.slice(0, 31)).toEqual(Array.from({ length: 31 }, (_, i) => `attempt ${i}`));
    expect(messages[31]).toBe('[Truncated]');
    expect(plain.errors![31]).toEqual({ name: 'L0Error', message: '[Truncated]', code: 'UNKNOWN_ERROR', category: 'unknown', retryable: false, reason: 'unknown' });
    expect(messages.slice(32)).toEqual(Array.from({ length: 32 }, (_, i) => `attempt ${968 + i}`));
    expect(plain.message).toMatch(/^All 1000 attempt\(s\) over every stream failed; last: attempt 999$/);
    expect(plain).toMatchObject({ code: 'ALL_STREAMS_EXHAUSTED', category: 'rate-limit', retryable: true, fallbackIndex: 3 });
  });

  it('should rebuild a cut list as the error it was, and serialise that copy the same', () => {
    const plain = wire(exhausted(1000));
    const back = deserializeError(plain);
    expect(isAllStreamsExhaustedError(back)).toBe(true);
    // the last attempt (the cause) is kept: the category, retryable and message are the live error's
    expect(back).toMatchObject({ category: 'rate-limit', retryable: true, message: plain.message });
    expect(wire(back)).toEqual(plain);
    expect(JSON.stringify(wire(back))).toBe(JSON.stringify(plain));
  });

  it('should keep every attempt of a list of 64 (no mark), and cut one of 65 to 64', () => {
    const whole = wire(new AllStreamsExhaustedError(Array.from({ length: 64 }, (_, i) => new UnknownError(`e${i}`))));
    expect(whole.errors!.map((e) => e.message)).toEqual(Array.from({ length: 64 }, (_, i) => `Unclassified failure: a string "e${i}"`));
    expect(wire(deserializeError(whole))).toEqual(whole);
    const cut = wire(new AllStreamsExhaustedError(Array.from({ length: 65 }, (_, i) => new UnknownError(`e${i}`))));
    const messages = cut.errors!.map((e) => e.message);
    expect(messages).toHaveLength(64);
    expect(messages[30]).toBe('Unclassified failure: a string "e30"');
    expect(messages[31]).toBe('[Truncated]');
    expect(messages[32]).toBe('Unclassified failure: a string "e33"');
    expect(wire(deserializeError(cut))).toEqual(cut);
  });

  it('should record a run that ended with 1,000 attempts as a bounded log line, replayed as the same error', async () => {
    const store = createMemoryEventStore();
    const error = exhausted(1000);
    const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
    await lastValueFrom(concat(of(start), throwError(() => error)).pipe(recordEvents(store, { streamId: 'r' }))).catch(() => undefined);
    const log = store.read('r') as readonly { event: { type: string; error?: SerializedError } }[];
    expect(JSON.stringify(log.at(-1)).length).toBeLessThan(1_200_000);
    const replayed = await lastValueFrom(replayEvents(store, 'r')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAllStreamsExhaustedError(replayed)).toBe(true);
    expect(wire(replayed)).toEqual(wire(error));
  });

  it('should record the 1,000 failed attempts of a run (attemptErrors) the same way: bounded, replayed with the first 31, a mark, the last 32', async () => {
    const store = createMemoryEventStore();
    const attempts = Array.from({ length: 1000 }, (_, i) => attempt(i, i === 999));
    const error = attempts[999]!.withRunInfo({ attempt: 1000, attemptErrors: attempts });
    const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
    await lastValueFrom(concat(of(start), throwError(() => error)).pipe(recordEvents(store, { streamId: 'r' }))).catch(() => undefined);
    const log = store.read('r') as readonly { event: { type: string; error?: SerializedError } }[];
    // was 16 MB: every attempt's error whole
    expect(JSON.stringify(log.at(-1)).length).toBeLessThan(1_200_000);
    const replayed = (await lastValueFrom(replayEvents(store, 'r')).then(
      () => undefined,
      (e: unknown) => e,
    )) as ProviderError;
    expect(replayed).toMatchObject({ code: 'RATE_LIMITED', attempt: 1000, message: 'attempt 999' });
    const messages = replayed.attemptErrors.map((e) => (e as Error).message);
    expect(messages).toHaveLength(64);
    expect(messages.slice(0, 31)).toEqual(Array.from({ length: 31 }, (_, i) => `attempt ${i}`));
    expect(messages[31]).toBe('[Truncated]');
    expect(messages.slice(32)).toEqual(Array.from({ length: 32 }, (_, i) => `attempt ${968 + i}`));
    // recorded again, the replayed run's error is the same line
    const again = createMemoryEventStore();
    await lastValueFrom(concat(of(start), throwError(() => replayed)).pipe(recordEvents(again, { streamId: 'r' }))).catch(() => undefined);
    const line = (of: typeof store) => (of.read('r') as readonly { event: unknown }[]).at(-1)!.event;
    expect(line(again)).toEqual(line(store));
  });

  it('should rebuild a log line of exhaustions nested 300 deep without serialising any of them (each rebuilt one serialised its whole subtree: 400 deep took seconds, 1,000 minutes)', async () => {
    let plain: SerializedError = { name: 'ProviderError', message: 'root', code: 'SERVER_ERROR', category: 'server', retryable: true };
    for (let d = 0; d < 300; d++) plain = { name: 'AllStreamsExhaustedError', message: `level ${d}`, errors: [plain] };
    const envelopes = [
      { v: 1, streamId: 'r', seq: 0, ts: 0, run: 'x', event: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false } },
      { v: 1, streamId: 'r', seq: 1, ts: 1, run: 'x', event: { type: 'error', error: plain } },
    ];
    const store: EventStore = { append: () => undefined, read: () => envelopes as EventEnvelope[], streams: () => ['r'], delete: () => undefined };
    // the real methods, counted: the constructor serialised its last error to read its message
    const spies = [vi.spyOn(L0Error.prototype, 'toJSON'), vi.spyOn(AllStreamsExhaustedError.prototype, 'toJSON')];
    try {
      const replayed = await lastValueFrom(replayEvents(store, 'r', { speed: 0 })).then(() => undefined, (e: unknown) => e);
      expect(spies.map((s) => s.mock.calls.length)).toEqual([0, 0]);
      let e = replayed as AllStreamsExhaustedError;
      for (let d = 299; d >= 0; d--) {
        expect([isAllStreamsExhaustedError(e), e.message, e.category, e.retryable]).toEqual([true, `level ${d}`, 'server', true]);
        e = e.errors[0] as AllStreamsExhaustedError;
      }
      expect(e).toMatchObject({ name: 'ProviderError', message: 'root', code: 'SERVER_ERROR' });
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
    // a live one's message still names its last error's, as serialised (cut to 200 characters)
    const inner = new AllStreamsExhaustedError([new Error('boom '.repeat(100))]);
    expect(new AllStreamsExhaustedError([inner]).message).toBe(`All 1 attempt(s) over every stream failed; last: ${serializeError(inner).message.slice(0, 200)}…`);
  });
});

/** Exhaustions nested `depth` deep (each one's single error the next), around a server error. */
function nested(depth: number): AllStreamsExhaustedError {
  let e: unknown = new ProviderError('root', { code: 'SERVER_ERROR', category: 'server', retryable: true });
  for (let d = 0; d < depth; d++) e = new AllStreamsExhaustedError([e]);
  return e as AllStreamsExhaustedError;
}

/** How many exhaustions deep a serialised one goes (each one's last error the next), and what it ends with. */
function depthOf(plain: SerializedError): [number, SerializedError] {
  let depth = 0;
  for (; plain.name === 'AllStreamsExhaustedError'; depth++) plain = plain.errors!.at(-1)!;
  return [depth, plain];
}

describe('AllStreamsExhaustedError: a cap on the whole serialised tree', () => {
  const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
  const record = async (error: unknown, store = createMemoryEventStore()) => {
    await lastValueFrom(concat(of(start), throwError(() => error)).pipe(recordEvents(store, { streamId: 'r' }))).catch(() => undefined);
    return { store, line: (store.read('r') as readonly { event: { error: SerializedError } }[]).at(-1)!.event.error };
  };

  it('should record a retry around a fallback chain (16 attempts of 64 streams each) within 64 entries in all: the last attempt cut to what is left, the earlier ones to their mark', async () => {
    const chains = Array.from({ length: 16 }, (_, a) => new AllStreamsExhaustedError(Array.from({ length: 64 }, (_, i) => attempt(a * 100 + i, i === 63))));
    const error = chains[15]!.withRunInfo({ attempt: 16, attemptErrors: chains });
    const { store, line } = await record(error);
    // was 17 MB: each attempt's exhaustion carried 64 errors of its own
    expect(JSON.stringify(line).length).toBeLessThan(2_000_000);
    const attempts = line.attemptErrors!;
    // 16 entries for the attempts, 48 left: the last attempt's first 23, a mark, its last 24; nothing left for the others
    expect(attempts.at(-1)!.errors!.map((e) => e.message)).toEqual([...Array.from({ length: 23 }, (_, i) => `attempt ${1500 + i}`), '[Truncated]', ...Array.from({ length: 24 }, (_, i) => `attempt ${1540 + i}`)]);
    expect(attempts.slice(0, 15).map((a) => a.errors!.map((e) => e.message))).toEqual(Array.from({ length: 15 }, () => ['[Truncated]']));
    expect(attempts.map((a) => [a.message, a.category, a.retryable])).toEqual(chains.map((c) => [c.message, 'rate-limit', true]));
    // the error itself (the last chain's exhaustion) is a tree of its own: its 64 errors whole
    expect(line.errors!.map((e) => e.message)).toEqual(Array.from({ length: 64 }, (_, i) => `attempt ${1500 + i}`));
    const replayed = (await lastValueFrom(replayEvents(store, 'r')).then(() => undefined, (e: unknown) => e)) as AllStreamsExhaustedError;
    // an exhaustion cut to its mark comes back with its recorded category, retryable and cause (its last error was cut)
    expect(replayed.attemptErrors.map((a) => [(a as L0Error).category, (a as L0Error).retryable, ((a as L0Error).cause as SerializedError).message])).toEqual(Array.from({ length: 16 }, (_, a) => ['rate-limit', true, `attempt ${a * 100 + 63}`]));
    expect((await record(replayed)).line).toEqual(line);
  });

  it('should keep a tree of 64 entries whole (exactly, through a log and back), and cut one of 65, the earliest first', async () => {
    const tree = (last: number) => new AllStreamsExhaustedError(Array.from({ length: 8 }, (_, c) => new AllStreamsExhaustedError(Array.from({ length: c === 0 ? last : 7 }, (_, i) => new UnknownError(`e${c}.${i}`)))));
    const whole = wire(tree(7));
    expect(whole.errors!.map((e) => e.errors!.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 7]);
    expect(JSON.stringify(wire(deserializeError(whole)))).toBe(JSON.stringify(whole));
    const { line } = await record(tree(7));
    expect(line).toEqual(whole);
    const cut = wire(tree(8));
    // the first chain's 8 errors had 7 left: its first 3, the mark, its last 3
    expect(cut.errors![0]!.errors!.map((e) => e.message)).toEqual([0, 1, 2, -1, 5, 6, 7].map((i) => (i < 0 ? '[Truncated]' : `Unclassified failure: a string "e0.${i}"`)));
    expect(cut.errors!.slice(1)).toEqual(whole.errors!.slice(1));
    expect(wire(deserializeError(cut))).toEqual(cut);
  });

  it('should record a live exhaustion 3,000 deep as 64 levels and a mark (it overflowed the stack, cut at some depth), and replay it as those levels', async () => {
    const error = nested(3000);
    const { store, line } = await record(error);
    const [depth, end] = depthOf(line);
    expect([depth, end]).toEqual([65, { name: 'L0Error', message: '[Truncated]', code: 'UNKNOWN_ERROR', category: 'unknown', retryable: false, reason: 'unknown' }]);
    const replayed = await lastValueFrom(replayEvents(store, 'r')).then(() => undefined, (e: unknown) => e);
    let e = replayed as AllStreamsExhaustedError;
    let live = error;
    for (let d = 0; d < 65; d++) {
      expect([isAllStreamsExhaustedError(e), e.message, e.category, e.retryable]).toEqual([true, live.message, 'server', true]);
      [e, live] = [e.errors[0] as AllStreamsExhaustedError, live.errors[0] as AllStreamsExhaustedError];
    }
    expect(e).toMatchObject({ name: 'L0Error', message: '[Truncated]' });
  });

  it("should replay a log line 1,000 exhaustions deep (another writer's) as the error it holds, and one deeper as INVALID_LOG before any event, not a RangeError", async () => {
    const deep = (depth: number) => {
      let plain: SerializedError = { name: 'ProviderError', message: 'root', code: 'SERVER_ERROR', category: 'server', retryable: true };
      for (let d = 0; d < depth; d++) plain = { name: 'AllStreamsExhaustedError', message: `level ${d}`, category: 'server', retryable: true, errors: [plain] };
      return plain;
    };
    const logOf = (plain: SerializedError): EventStore => {
      const envelopes = [
        { v: 1, streamId: 'r', seq: 0, ts: 0, run: 'x', event: start },
        { v: 1, streamId: 'r', seq: 1, ts: 1, run: 'x', event: { type: 'error', error: plain } },
      ];
      return { append: () => undefined, read: () => envelopes as EventEnvelope[], streams: () => ['r'], delete: () => undefined };
    };
    const replay = async (store: EventStore) => {
      const events: L0Event[] = [];
      const error = await new Promise((resolve) => replayEvents(store, 'r').subscribe({ next: (x) => events.push(x), error: resolve, complete: () => resolve(undefined) }));
      return { events, error };
    };
    const { error } = await replay(logOf(deep(1001)));
    let e = error as AllStreamsExhaustedError;
    for (let d = 1000; d >= 0; d--) {
      if (!isAllStreamsExhaustedError(e) || e.message !== `level ${d}`) throw new Error(`level ${d}: ${String(e)}`);
      e = e.errors[0] as AllStreamsExhaustedError;
    }
    expect(e).toMatchObject({ name: 'ProviderError', message: 'root', code: 'SERVER_ERROR' });
    // was a RangeError (from 3,000 deep on, with the JIT warm or not)
    for (const depth of [1002, 20_000]) {
      expect(await replay(logOf(deep(depth)))).toMatchObject({ events: [], error: { code: 'INVALID_LOG', message: expect.stringContaining('not a list of errors nested at most 1000 deep') } });
      expect(() => deserializeError(deep(depth))).toThrow(new TypeError('deserializeError(plain): exhaustions nested over 1000 deep'));
    }
    // a damaged entry that deep is named as it is
    const damaged = deep(20_000);
    let leaf = damaged;
    while (leaf.errors) leaf = leaf.errors[0]!;
    (leaf as { message: unknown }).message = 1;
    expect(() => deserializeError(damaged)).toThrow(/^deserializeError\(plain\): plain(\.errors\[0\]){20000} must be a SerializedError/);
    // a caller's own exhaustion that holds itself (no JSON can) is a TypeError, not a RangeError or an endless loop
    const cyclic = { name: 'AllStreamsExhaustedError', message: 'c', errors: [] as SerializedError[] };
    cyclic.errors.push({ name: 'Error', message: 'first' }, cyclic);
    expect(() => deserializeError(cyclic)).toThrow(new TypeError('deserializeError(plain): exhaustions nested over 1000 deep'));
  });
});

describe('AllStreamsExhaustedError: the whole-tree cap, re-entered and cut', () => {
  const p = (s: string) => new ProviderError(s, { code: 'SERVER_ERROR', category: 'server', retryable: true });

  it("should serialise an error the same from inside a getter or toJSON run during another's serialisation, and leave that one's share as it was", () => {
    const inner = new AllStreamsExhaustedError(Array.from({ length: 5 }, (_, i) => p(`i${i}`)));
    const alone = serializeError(inner);
    const seen: SerializedError[] = [];
    // a foreign error that describes another through serializeError (read last: the outer tree has used its 64)
    const odd = { name: 'Error', get message() { seen.push(serializeError(inner)); return 'odd'; } };
    class Wrapping extends L0Error {
      override toJSON(): SerializedError { return { ...super.toJSON(), info: { inner: serializeError(inner) } }; }
    }
    const wrapping = new Wrapping('wrapping', { code: 'X', category: 'server', retryable: true });
    const rest = Array.from({ length: 62 }, (_, i) => p(`o${i}`));
    const plain = serializeError(new AllStreamsExhaustedError([odd, wrapping, ...rest]));
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) expect(s).toEqual(alone);
    expect(plain.errors![1]!.info).toEqual({ inner: alone });
    // the outer tree is cut as it is without them: 64 entries, none taken by the calls inside
    const quiet = serializeError(new AllStreamsExhaustedError([{ name: 'Error', message: 'odd' }, wrapping, ...rest]));
    expect(plain).toEqual(quiet);
  });

  it("should rebuild a cut exhaustion's parent that serialises the same (its cause, walked whole, written as recorded)", () => {
    const last = new AllStreamsExhaustedError(Array.from({ length: 20 }, (_, i) => p(`b${i}`)));
    const plain = wire(new AllStreamsExhaustedError([...Array.from({ length: 50 }, (_, i) => p(`a${i}`)), last]));
    const kept = plain.errors!.at(-1)!.errors!.map((e) => e.message);
    // 51 entries for the list, 13 left for the last's 20: its first 6, a mark, its last 6
    expect(kept).toEqual([...Array.from({ length: 6 }, (_, i) => `b${i}`), '[Truncated]', ...Array.from({ length: 6 }, (_, i) => `b${14 + i}`)]);
    expect(JSON.stringify(wire(deserializeError(plain)))).toBe(JSON.stringify(plain));
  });

  it('should replay a failed attempt (attemptErrors) 1,001 exhaustions deep as the terminal error that deep is (it was INVALID_LOG), and one deeper as INVALID_LOG', async () => {
    const deep = (depth: number) => {
      let plain: SerializedError = { name: 'ProviderError', message: 'root', code: 'SERVER_ERROR', category: 'server', retryable: true };
      for (let d = 0; d < depth; d++) plain = { name: 'AllStreamsExhaustedError', message: `level ${d}`, category: 'server', retryable: true, errors: [plain] };
      return plain;
    };
    const replay = (attempt: SerializedError) => {
      const error = { ...p('last').toJSON(), attemptErrors: [attempt, p('last').toJSON()] };
      const envelopes = [
        { v: 1, streamId: 'r', seq: 0, ts: 0, run: 'x', event: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false } },
        { v: 1, streamId: 'r', seq: 1, ts: 1, run: 'x', event: { type: 'error', error } },
      ];
      const store: EventStore = { append: () => undefined, read: () => envelopes as EventEnvelope[], streams: () => ['r'], delete: () => undefined };
      return lastValueFrom(replayEvents(store, 'r', { speed: 0 })).then(() => undefined, (e: unknown) => e as L0Error);
    };
    // as deep as a terminal error deserializeError rebuilds (levels 1000 to 0)
    expect(() => deserializeError(deep(1001))).not.toThrow();
    const replayed = await replay(deep(1001));
    expect(replayed).toMatchObject({ code: 'SERVER_ERROR', message: 'last' });
    expect((replayed!.attemptErrors[0] as L0Error).message).toBe('level 1000');
    expect(await replay(deep(1002))).toMatchObject({ code: 'INVALID_LOG', message: expect.stringContaining('has attemptErrors') });
  });
});
