/** @test {toL0Error} */
import { describe, expect, it } from 'vitest';
import { MIMEType } from 'node:util';
import OpenAI from 'openai';
import { APICallError } from '@ai-sdk/provider';
import {
  isProviderError,
  isStreamAbortedError,
  isUnknownError,
  ProviderError,
  StreamAbortedError,
  TokenTimeoutError,
  ZeroOutputError,
  type ProviderErrorCode,
} from 'l0-rx';
import { toL0Error } from '../../src/errors/normalizeError.js';

const h = (init: Record<string, string> = {}) => new Headers(init);
const socketError = () => Object.assign(new Error('other side closed'), { name: 'SocketError', code: 'UND_ERR_SOCKET' });

describe('toL0Error', () => {
  it('should return an L0Error unchanged', () => {
    const errors = [new ZeroOutputError({ content: '' }), new StreamAbortedError(), new ProviderError('x', { code: 'SERVER_ERROR', category: 'server', retryable: true })];
    for (const e of errors) expect(toL0Error(e)).toBe(e);
  });

  it.each([
    ['a user Error', new Error('boom'), 'Error: boom'],
    ['a TypeError from user code', new TypeError('x.map is not a function'), 'TypeError: x.map is not a function'],
    ['a string', 'boom', 'a string "boom"'],
    ['a number', 42, 'number 42'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['a plain object', { reason: 'x' }, 'an object with keys [reason]'],
    ['an object with a message but no name', { message: 'bad' }, 'an object with message "bad"'],
    ['a null-prototype object', Object.assign(Object.create(null) as object, { a: 1 }), 'an object without a prototype with keys [a]'],
    // the article follows the class name ("a Array", "a Event", "a AbortSignal" read wrong)
    ['an array', ['x', 'y'], 'an Array with keys [0, 1]'],
    ['an abort Event', new Event('abort'), 'an Event with keys []'],
    ['an AbortSignal', new AbortController().signal, 'an AbortSignal with keys []'],
    ['a Map', new Map(), 'a Map with keys []'],
    // "a" before a U read as "you" (a byte stream's chunk; it read "an Uint8Array" once the article followed the name)
    ['a Uint8Array', new Uint8Array(2), 'a Uint8Array with keys [0, 1]'],
    ['a URL', new URL('https://a.example/'), 'a URL with keys []'],
    ['an UnknownThing', new (class UnknownThing {})(), 'an UnknownThing with keys []'],
    // "an" before initials read from a vowel, as the platform names them (it read "a XMLHttpRequest": an XHR adapter rejecting with its request)
    ['an XMLHttpRequest', new (class XMLHttpRequest {})(), 'an XMLHttpRequest with keys []'],
    ['an HTMLDivElement', new (class HTMLDivElement {})(), 'an HTMLDivElement with keys []'],
    ['an Http2ServerRequest', new (class Http2ServerRequest {})(), 'an Http2ServerRequest with keys []'],
    ['an SVGSVGElement', new (class SVGSVGElement {})(), 'an SVGSVGElement with keys []'],
    ['an RTCPeerConnection', new (class RTCPeerConnection {})(), 'an RTCPeerConnection with keys []'],
    // any X before a consonant or a digit reads "ex" (it read "a X509Certificate", node:crypto's, and "a XRSession", WebXR's)
    ['an X509Certificate', new (class X509Certificate {})(), 'an X509Certificate with keys []'],
    ['an XRSession', new (class XRSession {})(), 'an XRSession with keys []'],
    ['a Xylophone', new (class Xylophone {})(), 'a Xylophone with keys []'],
    // initials read as a word keep "a"
    ['a MIMEType', new MIMEType('text/plain'), 'a MIMEType with keys []'],
  ])('should wrap %s in an UnknownError naming it, with the original as cause', (_, e, named) => {
    const out = toL0Error(e);
    expect(isUnknownError(out)).toBe(true);
    expect(out).toMatchObject({ code: 'UNKNOWN_ERROR', category: 'unknown', retryable: true, reason: 'unknown' });
    expect(out.cause).toBe(e);
    expect('cause' in out).toBe(true);
    expect(out.message).toBe(`Unclassified failure: ${named}`);
  });

  it('should shorten a huge string and a function source to about 200 characters in the message', () => {
    const huge = toL0Error('x'.repeat(100_000));
    expect(huge.message.length).toBeLessThan(260);
    expect(huge.message).toMatch(/^Unclassified failure: a string "x+…"$/);
    const fn = toL0Error(function bigFunction() { return 'y'.repeat(500) + 'z'.repeat(500); });
    expect(fn.message.length).toBeLessThan(260);
    expect(fn.message).toContain('bigFunction');
  });

  it('should name a revoked Proxy without touching it', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const out = toL0Error(proxy);
    expect(isUnknownError(out)).toBe(true);
    expect(out.message).toBe('Unclassified failure: an object that cannot be inspected (a revoked Proxy?)');
  });

  it.each([
    ['APIUserAbortError', () => new OpenAI.APIUserAbortError()],
    ['DOMException AbortError', () => new DOMException('This operation was aborted', 'AbortError')],
  ])('should turn %s into a StreamAbortedError with the original as cause', (_, make) => {
    const e = make();
    const out = toL0Error(e);
    expect(isStreamAbortedError(out)).toBe(true);
    expect(out).toMatchObject({ code: 'STREAM_ABORTED', category: 'abort', retryable: false, reason: 'abort', cause: e });
    expect((out as Error).message).toContain(e.message);
  });

  type Row = readonly [string, () => unknown, ProviderErrorCode, Record<string, unknown>];
  const rows: Row[] = [
    ['a 429', () => new OpenAI.RateLimitError(429, { message: 'Too many requests' }, undefined, h({ 'retry-after': '1' })), 'RATE_LIMITED', { category: 'rate-limit', reason: 'rate_limit', retryable: true, status: 429, retryAfterMs: 1000 }],
    ['a 503', () => new OpenAI.InternalServerError(503, undefined, undefined, h()), 'SERVER_ERROR', { category: 'server', reason: 'server_error', retryable: true, status: 503 }],
    ['a 401', () => new OpenAI.AuthenticationError(401, { message: 'bad key' }, undefined, h()), 'AUTH_ERROR', { category: 'auth', reason: 'auth', retryable: false, status: 401 }],
    ['a 400', () => new OpenAI.BadRequestError(400, { message: 'bad temperature' }, undefined, h()), 'BAD_REQUEST', { category: 'bad-request', reason: 'bad_request', retryable: false, status: 400 }],
    ['a context-length 400', () => new OpenAI.BadRequestError(400, { code: 'context_length_exceeded', message: 'too long' }, undefined, h()), 'CONTEXT_LENGTH_EXCEEDED', { category: 'bad-request', reason: 'context_length_exceeded', retryable: false }],
    ['a content-filter 400', () => new OpenAI.BadRequestError(400, { code: 'content_filter', message: 'filtered' }, undefined, h()), 'CONTENT_FILTERED', { category: 'bad-request', reason: 'content_filtered', retryable: false }],
    ['a reset before headers', () => new OpenAI.APIConnectionError({ cause: new TypeError('fetch failed', { cause: socketError() }) }), 'NETWORK_ERROR', { category: 'network', reason: 'network_error', retryable: true }],
    ["TypeError('terminated')", () => new TypeError('terminated', { cause: socketError() }), 'INCOMPLETE_STREAM', { category: 'network', reason: 'incomplete_stream', retryable: true }],
    ['an AI SDK 200 cut mid-stream', () => new APICallError({ message: 'Failed to process successful response', url: 'u', requestBodyValues: {}, statusCode: 200, isRetryable: true }), 'INCOMPLETE_STREAM', { category: 'network', reason: 'incomplete_stream', status: 200 }],
    ['malformed SSE JSON', () => new SyntaxError('Error reading response: malformed server-sent event JSON.'), 'MALFORMED_CHUNK', { category: 'server', reason: 'malformed_chunk', retryable: true }],
    ['a TimeoutError', () => new DOMException('The operation timed out.', 'TimeoutError'), 'NETWORK_ERROR', { category: 'timeout', reason: 'timeout', retryable: true }],
    ['a TLS failure', () => Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }), 'NETWORK_ERROR', { category: 'network', retryable: false }],
  ];

  it.each(rows)('should turn %s into a ProviderError', (_, make, code, fields) => {
    const e = make();
    const out = toL0Error(e);
    expect(isProviderError(out)).toBe(true);
    expect(out).toMatchObject({ name: 'ProviderError', code, ...fields, cause: e });
  });

  it('should write a helpful message with the status, the delay and the original message', () => {
    const e = new OpenAI.RateLimitError(429, { message: 'Too many requests' }, undefined, h({ 'retry-after': '1' }));
    expect((toL0Error(e) as Error).message).toBe('Rate limited (HTTP 429), retry after 1000 ms: 429 Too many requests');
  });

  it('should write a message without a status or delay when there are none', () => {
    expect((toL0Error(new TypeError('fetch failed')) as Error).message).toBe('Network error: fetch failed');
  });

  it('should use options.now for an HTTP-date Retry-After', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    const e = new OpenAI.RateLimitError(429, undefined, undefined, h({ 'retry-after': new Date(now + 3000).toUTCString() }));
    expect(toL0Error(e, { now })).toMatchObject({ retryAfterMs: 3000 });
    expect((toL0Error(e) as ProviderError).retryAfterMs).toBeUndefined();
  });

  it('should keep the SDK error in the serialised cause chain', () => {
    const out = toL0Error(new TypeError('terminated', { cause: socketError() })) as ProviderError;
    expect(out.toJSON()).toMatchObject({
      code: 'INCOMPLETE_STREAM',
      cause: { name: 'TypeError', message: 'terminated', cause: { name: 'SocketError', code: 'UND_ERR_SOCKET' } },
    });
  });

  it('should turn a wrapper around an L0Error into an UnknownError, not a ProviderError', () => {
    const inner = new TokenTimeoutError({ kind: 'initial', timeoutMs: 5, elapsedMs: 5, tokenCount: 0 });
    const wrapper = new Error('wrapped', { cause: inner });
    expect(toL0Error(wrapper)).toMatchObject({ name: 'UnknownError', code: 'UNKNOWN_ERROR', cause: wrapper });
  });

  it('should turn a wrapper around a StreamAbortedError into a StreamAbortedError, so it is never retried', () => {
    const wrapper = new Error('wrapped', { cause: new StreamAbortedError() });
    expect(toL0Error(wrapper)).toMatchObject({ name: 'StreamAbortedError', code: 'STREAM_ABORTED', cause: wrapper });
  });

  it('should still wrap an error whose own status decided over an L0Error cause', () => {
    const wrapper = Object.assign(new Error('gateway said 503'), { status: 503, cause: new ZeroOutputError({ content: '' }) });
    expect(toL0Error(wrapper)).toMatchObject({ name: 'ProviderError', code: 'SERVER_ERROR', status: 503 });
  });
});
