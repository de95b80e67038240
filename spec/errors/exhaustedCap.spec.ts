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
