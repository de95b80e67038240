/** @test {serializeError} */
import { describe, expect, it } from 'vitest';
import { serializeError, TokenTimeoutError } from 'l0-rx';

describe('serializeError', () => {
  it('should serialise an L0Error through its toJSON', () => {
    const e = new TokenTimeoutError({ kind: 'inter', timeoutMs: 100, elapsedMs: 100, tokenCount: 1 });
    expect(JSON.parse(JSON.stringify(serializeError(e)))).toEqual({
      name: 'TokenTimeoutError', message: e.message, code: 'INTER_TOKEN_TIMEOUT', category: 'timeout', retryable: true, reason: 'timeout',
    });
  });

  it('should keep the live error without serialising it', () => {
    const e = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const s = serializeError(e);
    expect(s.live).toBe(e);
    expect(JSON.stringify(s)).toBe('{"name":"Error","message":"read ECONNRESET","code":"ECONNRESET"}');
  });

  it('should read error-like objects and stringify anything else', () => {
    expect(serializeError({ name: 'X', message: 'm', code: 'C' })).toEqual({ name: 'X', message: 'm', code: 'C' });
    expect(serializeError('boom')).toEqual({ name: 'Error', message: 'boom' });
    expect(serializeError(undefined)).toEqual({ name: 'Error', message: 'undefined' });
  });
});
