/** @test {serializeError} */
import { describe, expect, it } from 'vitest';
import { deserializeError, isL0Error, isTokenTimeoutError, serializeError, TokenTimeoutError, type SerializedError } from 'l0-rx';

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

    it('should make a plain error an unknown, retryable L0Error and keep an unknown reason out', () => {
      const back = deserializeError({ name: 'TypeError', message: 'x is undefined' });
      expect(isL0Error(back)).toBe(true);
      expect(back).toMatchObject({ name: 'TypeError', code: 'UNKNOWN_ERROR', category: 'unknown', retryable: true, reason: 'unknown' });
      expect(deserializeError({ name: 'E', message: 'm', code: 'X', category: 'server', reason: 'nonsense' as never }).reason).toBe('unknown');
    });
  });

  it('should read error-like objects and stringify anything else', () => {
    expect(serializeError({ name: 'X', message: 'm', code: 'C' })).toEqual({ name: 'X', message: 'm', code: 'C' });
    expect(serializeError('boom')).toEqual({ name: 'Error', message: 'boom' });
    expect(serializeError(undefined)).toEqual({ name: 'Error', message: 'undefined' });
  });
});
