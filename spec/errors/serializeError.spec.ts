/** @test {serializeError} */
import { describe, expect, it } from 'vitest';
import {
  AllStreamsExhaustedError,
  deserializeError,
  isAllStreamsExhaustedError,
  isL0Error,
  isTokenTimeoutError,
  ProviderError,
  serializeError,
  retryWithBackoff,
  TokenTimeoutError,
  UnknownError,
  type L0Event,
  type SerializedError,
} from 'l0-rx';
import { Observable, queueScheduler } from 'rxjs';

describe('serializeError', () => {
  it('should serialise an L0Error through its toJSON', () => {
    const e = new TokenTimeoutError({ kind: 'inter', timeoutMs: 100, elapsedMs: 100, tokenCount: 1 });
    expect(JSON.parse(JSON.stringify(serializeError(e)))).toEqual({
      name: 'TokenTimeoutError', message: e.message, code: 'INTER_TOKEN_TIMEOUT', category: 'timeout', retryable: true, reason: 'timeout',
      info: { kind: 'inter', timeoutMs: 100, elapsedMs: 100, tokenCount: 1 },
    });
  });

  it('should hold plain data only: nothing hidden, so JSON round trips are lossless', () => {
    const e = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const s = serializeError(e);
    expect(Object.getOwnPropertyNames(s)).toEqual(['name', 'message', 'code']);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  describe('deserializeError', () => {
    it('should rebuild a typed error that passes the class guards, with info and fields', () => {
      const t = new TokenTimeoutError({ kind: 'initial', timeoutMs: 5, elapsedMs: 5, tokenCount: 0 }).withRunInfo({ attempt: 2, fallbackIndex: 1 });
      const back = deserializeError(JSON.parse(JSON.stringify(serializeError(t))) as SerializedError);
      expect(isTokenTimeoutError(back)).toBe(true);
      expect(isTokenTimeoutError(back) && back.info).toEqual(t.info);
      expect(back).toMatchObject({ name: 'TokenTimeoutError', code: 'INITIAL_TOKEN_TIMEOUT', category: 'timeout', reason: 'timeout', attempt: 2, fallbackIndex: 1, message: t.message });
      expect(serializeError(back)).toEqual(serializeError(t));
    });

    it('should keep a serialised cause chain through a second round trip', () => {
      const e = new ProviderError('reset', { code: 'NETWORK_ERROR', category: 'network', retryable: true, cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
      const plain = JSON.parse(JSON.stringify(serializeError(e))) as SerializedError;
      expect(plain.cause).toEqual({ name: 'Error', message: 'read ECONNRESET', code: 'ECONNRESET' });
      expect(serializeError(deserializeError(plain))).toEqual(plain);
    });

    it('should rebuild an AllStreamsExhaustedError with its errors and its cause typed', () => {
      const timeout = new TokenTimeoutError({ kind: 'inter', timeoutMs: 20, elapsedMs: 20, tokenCount: 1 }).withRunInfo({ attempt: 1, fallbackIndex: 1 });
      const reset = new ProviderError('reset', { code: 'NETWORK_ERROR', category: 'network', retryable: true }).withRunInfo({ attempt: 1, fallbackIndex: 0 });
      const e = new AllStreamsExhaustedError([reset, timeout], { fallbackIndex: 1 });
      const plain = JSON.parse(JSON.stringify(serializeError(e))) as SerializedError;
      const back = deserializeError(plain);
      expect(isAllStreamsExhaustedError(back)).toBe(true);
      expect(isAllStreamsExhaustedError(back) && back.errors.map((x) => (x as Error).name)).toEqual(['ProviderError', 'TokenTimeoutError']);
      expect(isTokenTimeoutError(back.cause)).toBe(true);
      expect(back).toMatchObject({ message: e.message, code: 'ALL_STREAMS_EXHAUSTED', fallbackIndex: 1 });
      expect(back.attemptErrors).toHaveLength(2);
      expect(serializeError(back)).toEqual(plain);
    });

    it('should keep the attempt and fallback index of an AllStreamsExhaustedError a retry around its chain numbered', () => {
      const e = new AllStreamsExhaustedError([new UnknownError('x')], { fallbackIndex: 1 }).withRunInfo({ attempt: 2 });
      const back = deserializeError(JSON.parse(JSON.stringify(serializeError(e))) as SerializedError);
      // the attempt was lost (undefined): a replayed or transported run ended on another attempt than the live one
      expect(back).toMatchObject({ name: 'AllStreamsExhaustedError', attempt: 2, fallbackIndex: 1 });
      expect(serializeError(back)).toEqual(serializeError(e));
    });

    it('should make a plain error an unknown, retryable L0Error and keep an unknown reason out', () => {
      const back = deserializeError({ name: 'TypeError', message: 'x is undefined' });
      expect(isL0Error(back)).toBe(true);
      expect(back).toMatchObject({ name: 'TypeError', code: 'UNKNOWN_ERROR', category: 'unknown', retryable: true, reason: 'unknown' });
      expect(deserializeError({ name: 'E', message: 'm', code: 'X', category: 'server', reason: 'nonsense' as never }).reason).toBe('unknown');
    });
  });

  it('should leave out a cause\'s info that JSON.stringify cannot write (a BigInt, a cycle), keeping one it can', () => {
    const cyclic: Record<string, unknown> = { id: 1 };
    cyclic['self'] = cyclic;
    const withInfo = (info: object) => Object.assign(new Error('rpc failed'), { code: 'CALL_EXCEPTION', info });
    for (const info of [{ value: 10n }, cyclic]) {
      const s = serializeError(new UnknownError(withInfo(info)));
      expect(() => JSON.stringify(s)).not.toThrow();
      expect(s.cause).toEqual({ name: 'Error', message: 'rpc failed', code: 'CALL_EXCEPTION' });
    }
    expect(serializeError(new UnknownError(withInfo({ id: 1 }))).cause).toMatchObject({ info: { id: 1 } });
  });

  it('should give a retry event that JSON.stringify can write when the failed attempt\'s cause has such an info', () => {
    const failing = new Observable<L0Event>((s) => s.error(new UnknownError(Object.assign(new Error('rpc failed'), { info: { value: 10n } }))));
    const events: L0Event[] = [];
    failing.pipe(retryWithBackoff({ maxRetries: 1, baseDelay: 0, backoff: 'fixed', scheduler: queueScheduler })).subscribe({ next: (e) => events.push(e), error: () => {} });
    expect(events.map((e) => e.type)).toEqual(['retry']);
    expect(() => JSON.stringify(events)).not.toThrow();
  });

  it('should read error-like objects and stringify anything else', () => {
    expect(serializeError({ name: 'X', message: 'm', code: 'C' })).toEqual({ name: 'X', message: 'm', code: 'C' });
    expect(serializeError('boom')).toEqual({ name: 'Error', message: 'boom' });
    expect(serializeError(undefined)).toEqual({ name: 'Error', message: 'undefined' });
  });
});
