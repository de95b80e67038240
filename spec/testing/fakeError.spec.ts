/** @test {fakeError} */
import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { fakeError, fakeModel } from 'l0-rx/testing';

describe('fakeError', () => {
  it('should build a RateLimitError look-alike with real Headers for a 429', () => {
    const e = fakeError({ status: 429, headers: { 'retry-after': '2', 'x-request-id': 'req_1' } });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({
      name: 'Error', message: '429 Rate limit reached. Please try again later.', status: 429,
      code: 'rate_limit_exceeded', type: 'requests', requestID: 'req_1',
      error: { message: 'Rate limit reached. Please try again later.', type: 'requests', code: 'rate_limit_exceeded', param: null },
    });
    expect(e.constructor.name).toBe('RateLimitError');
    expect(e.headers).toBeInstanceOf(Headers);
    expect(e.headers.get('Retry-After')).toBe('2');
  });

  it("should be named as the real SDK's error is: name 'Error', the class in constructor.name", () => {
    const real = new OpenAI.RateLimitError(429, { message: 'Rate limit reached. Please try again later.' }, undefined, new Headers());
    const fake = fakeError({ status: 429 });
    expect([fake.name, fake.constructor.name, String(fake)]).toEqual([real.name, real.constructor.name, String(real)]);
  });

  it.each([
    [400, 'BadRequestError', 'invalid_request_error'],
    [401, 'AuthenticationError', 'invalid_request_error'],
    [500, 'InternalServerError', 'server_error'],
    [503, 'InternalServerError', 'server_error'],
    [529, 'InternalServerError', 'overloaded_error'],
    [418, 'APIError', 'invalid_request_error'],
  ])('should make a %i an instance of a class named like the openai SDK class (%s) with error.type %s', (status, name, type) => {
    const e = fakeError({ status });
    expect(e.constructor.name).toBe(name);
    expect(e).toMatchObject({ name: 'Error', status, error: { type } });
  });

  it('should take message, code and type overrides', () => {
    const e = fakeError({ status: 400, code: 'context_length_exceeded', message: 'too long', type: 'invalid_request_error' });
    expect(e).toMatchObject({ message: '400 too long', code: 'context_length_exceeded', error: { code: 'context_length_exceeded' } });
  });

  it('should build Node system errors with code, errno and syscall', () => {
    expect(fakeError({ network: 'ECONNRESET' })).toMatchObject({ name: 'Error', message: 'read ECONNRESET', code: 'ECONNRESET', syscall: 'read' });
    expect(fakeError({ network: 'ENOTFOUND' })).toMatchObject({ code: 'ENOTFOUND', syscall: 'getaddrinfo' });
    expect(fakeError({ network: 'ESOMETHING' })).toMatchObject({ code: 'ESOMETHING' });
  });

  it('should build the TypeError fetch throws for undici codes, with the code on the cause', () => {
    const e = fakeError({ network: 'UND_ERR_SOCKET' });
    expect(e).toBeInstanceOf(TypeError);
    expect(e).toMatchObject({ message: 'terminated', cause: { name: 'SocketError', code: 'UND_ERR_SOCKET', message: 'other side closed' } });
    expect(fakeError({ network: 'UND_ERR_CONNECT_TIMEOUT' })).toMatchObject({ message: 'fetch failed', cause: { code: 'UND_ERR_CONNECT_TIMEOUT' } });
  });

  it('should build an in-band stream error with no status', () => {
    const e = fakeError({ inBand: { type: 'server_error', message: 'boom' } });
    expect(e.constructor.name).toBe('APIError');
    expect(e).toMatchObject({ name: 'Error', message: 'boom', status: undefined, type: 'server_error', error: { type: 'server_error' } });
  });

  it('should return an Error instance unchanged', () => {
    const e = new RangeError('x');
    expect(fakeError(e)).toBe(e);
  });

  it('should throw a TypeError for an invalid spec', () => {
    expect(() => fakeError({ status: 9 })).toThrow(/fakeError: status must be an HTTP status/);
    expect(() => fakeError({ network: '' })).toThrow(/network must be a non-empty/);
    expect(() => fakeError({ inBand: {} } as never)).toThrow(/inBand must be/);
    expect(() => fakeError({ what: 1 } as never)).toThrow(/unknown error spec with keys \{what\}/);
    expect(() => fakeError('boom' as never)).toThrow(TypeError);
  });

  it.each([
    [{ status: 429, network: 'ECONNRESET' }, /fakeError: conflicting keys "status" \(\{status\}\) with "network" \(\{network\}\)/],
    [{ network: 'ECONNRESET', headers: { 'retry-after': '1' }, code: 'x' }, /conflicting keys "headers", "code" \(\{status\}\) with "network" \(\{network\}\)/],
    [{ inBand: { type: 'server_error' }, message: 'boom' }, /conflicting keys "message" \(\{status\}\) with "inBand" \(\{inBand\}\)/],
    [{ status: 500, network: 'EPIPE', inBand: { type: 'server_error' } }, /"status" \(\{status\}\) with "network" \(\{network\}\) with "inBand" \(\{inBand\}\)/],
    [{ status: 429, header: { 'retry-after': '1' } }, /fakeError: unknown key\(s\) "header" in an error spec/],
    [{ network: 'ECONNRESET', retries: 2 }, /fakeError: unknown key\(s\) "retries"/],
  ])('should throw a TypeError naming the conflicting keys of a spec that mixes kinds, or its unknown keys: %j', (spec, message) => {
    expect(() => fakeError(spec as never)).toThrow(TypeError);
    expect(() => fakeError(spec as never)).toThrow(message);
  });

  it.each([
    [{ status: 429, message: 5 }, /fakeError: message must be a string, got 5/],
    [{ status: 400, code: { id: 1 } }, /fakeError: code must be a string, got \{"id":1\}/],
    [{ status: 500, type: null }, /fakeError: type must be a string, got null/],
    [{ status: 429, headers: { 'retry-after': { s: 2 } } }, /fakeError: headers\["retry-after"\] must be a string, got \{"s":2\}/],
    [{ inBand: { type: 'server_error', message: 7 } }, /fakeError: inBand.message must be a string, got 7/],
    [{ inBand: { type: 'server_error', code: 1 } }, /fakeError: inBand.code must be a string, got 1/],
  ])('should throw a TypeError naming a field of the wrong type, never build a body the SDK could not: %j', (spec, message) => {
    expect(() => fakeError(spec as never)).toThrow(message);
  });

  it('should name the conflicting keys where a spec is nested, as options.error of fakeModel', () => {
    expect(() => fakeModel('a#', { error: { status: 429, network: 'ECONNRESET' } as never })).toThrow(/fakeModel: options.error: conflicting keys "status"/);
  });
});
