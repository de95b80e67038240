/** @test {classifyError} */
import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { APICallError } from '@ai-sdk/provider';
import { StreamProviderError } from 'ai';
import { classifyError, isProviderError, isStreamAbortedError, type ErrorCategory, type ErrorClassification, type ErrorReason } from 'l0-rx';
import { toL0Error } from '../../src/errors/normalizeError.js';

// Deeper cause chains, provider verdicts that outrank the AI SDK's `isRetryable`, and SDK errors
// whose class names a minifier has mangled.

const c = (category: ErrorCategory, reason: ErrorReason, retryable: boolean, extra: { status?: number } = {}): ErrorClassification => ({
  category,
  reason,
  retryable,
  countsTowardAttempts: category === 'content' || category === 'unknown',
  ...extra,
});
/** What Node's TLS layer hands undici: `Error: certificate has expired` with a `code`. */
const tlsError = (code = 'CERT_HAS_EXPIRED', message = 'certificate has expired') => Object.assign(new Error(message), { code });
/** undici's fetch rejection around a lower-level failure. */
const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });
const apiCall = (fields: Partial<ConstructorParameters<typeof APICallError>[0]>) =>
  new APICallError({ message: 'Bad Request', url: 'https://api.anthropic.com/v1/messages', requestBodyValues: {}, ...fields });
/** A bundler renamed the class: only `constructor.name` changes, the instance is the SDK's own. */
const minified = <T extends object>(e: T): T => Object.defineProperty(e, 'constructor', { value: class e {} });

type Row = readonly [string, () => unknown, ErrorClassification];

describe('classifyError cause chains and SDK edge cases', () => {
  describe('a specific code below a generic network error', () => {
    const tls = c('network', 'network_error', false);
    const rows: Row[] = [
      ["undici TypeError('fetch failed') caused by CERT_HAS_EXPIRED", () => fetchFailed(tlsError()), tls],
      ['openai APIConnectionError caused by that TypeError', () => new OpenAI.APIConnectionError({ cause: fetchFailed(tlsError()) }), tls],
      ['openai APIConnectionError caused by a self-signed chain', () => new OpenAI.APIConnectionError({ cause: fetchFailed(tlsError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain')) }), tls],
      ["AI SDK APICallError 'Cannot connect to API' with the cert error as cause", () => apiCall({ message: 'Cannot connect to API: certificate has expired', cause: tlsError(), isRetryable: true }), tls],
      ['AI SDK APICallError whose cause chain reaches the cert error', () => apiCall({ message: 'Cannot connect to API: fetch failed', cause: fetchFailed(tlsError()), isRetryable: true }), tls],
      ['openai APIConnectionError caused by an aborted undici request', () => new OpenAI.APIConnectionError({ cause: fetchFailed(tlsError('UND_ERR_ABORTED', 'Request aborted')) }), c('abort', 'abort', false)],
      ['openai APIConnectionError caused by a headers timeout', () => new OpenAI.APIConnectionError({ cause: fetchFailed(tlsError('UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error')) }), c('timeout', 'timeout', true)],
      ['openai APIConnectionError caused by ECONNRESET (still plain network)', () => new OpenAI.APIConnectionError({ cause: fetchFailed(tlsError('ECONNRESET', 'read ECONNRESET')) }), c('network', 'network_error', true)],
    ];
    it.each(rows)('should classify %s', (_, make, expected) => expect(classifyError(make())).toEqual(expected));

    it('should normalise a TLS failure behind APIConnectionError into a non-retryable ProviderError', () => {
      const out = toL0Error(new OpenAI.APIConnectionError({ cause: fetchFailed(tlsError()) }));
      expect(isProviderError(out)).toBe(true);
      expect(out).toMatchObject({ code: 'NETWORK_ERROR', category: 'network', retryable: false });
    });

    it('should keep a status-bearing outer error over a deeper code', () => {
      const e = new OpenAI.InternalServerError(503, undefined, undefined, new Headers());
      Object.assign(e, { cause: tlsError() });
      expect(classifyError(e)).toEqual(c('server', 'server_error', true, { status: 503 }));
    });
  });

  describe('a non-retryable provider code over isRetryable: true', () => {
    const quota = { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } };
    const rows: Row[] = [
      ['AI SDK APICallError 429 insufficient_quota', () => apiCall({ message: 'You exceeded your current quota', statusCode: 429, data: quota, isRetryable: true }), c('rate-limit', 'rate_limit', false, { status: 429 })],
      ['AI SDK APICallError 429 insufficient_quota (default isRetryable)', () => apiCall({ message: 'quota', statusCode: 429, data: quota }), c('rate-limit', 'rate_limit', false, { status: 429 })],
      ['AI SDK StreamProviderError 429 insufficient_quota', () => new StreamProviderError({ message: 'quota', code: 'insufficient_quota', statusCode: 429 }), c('rate-limit', 'rate_limit', false, { status: 429 })],
      ['AI SDK StreamProviderError context_length_exceeded marked retryable', () => new StreamProviderError({ message: 'too long', code: 'context_length_exceeded', isRetryable: true }), c('bad-request', 'context_length_exceeded', false)],
      ['AI SDK APICallError 429 rate_limit_exceeded (still retryable)', () => apiCall({ message: 'slow down', statusCode: 429, data: { error: { code: 'rate_limit_exceeded' } }, isRetryable: true }), c('rate-limit', 'rate_limit', true, { status: 429 })],
      ['AI SDK APICallError 400 without a provider code, marked retryable (still upgraded)', () => apiCall({ statusCode: 400, isRetryable: true }), c('server', 'server_error', true, { status: 400 })],
    ];
    it.each(rows)('should classify %s', (_, make, expected) => expect(classifyError(make())).toEqual(expected));

    it('should normalise an AI SDK insufficient_quota 429 into a non-retryable ProviderError', () => {
      const out = toL0Error(apiCall({ message: 'quota', statusCode: 429, data: quota, isRetryable: true }));
      expect(out).toMatchObject({ code: 'RATE_LIMITED', retryable: false, status: 429 });
    });
  });

  describe('Anthropic context-length errors through the AI SDK', () => {
    const tooLong = 'prompt is too long: 210000 tokens > 200000 maximum';
    const body = (message: string) => ({ type: 'error', error: { type: 'invalid_request_error', message } });
    const context = c('bad-request', 'context_length_exceeded', false, { status: 400 });
    const rows: Row[] = [
      ['the message on the APICallError', () => apiCall({ message: tooLong, statusCode: 400, data: body(tooLong), responseBody: JSON.stringify(body(tooLong)) }), context],
      ['the message only in data.error', () => apiCall({ statusCode: 400, data: body(tooLong) }), context],
      ['the message only in responseBody', () => apiCall({ statusCode: 400, data: { type: 'error', error: { type: 'invalid_request_error' } }, responseBody: JSON.stringify(body(tooLong)) }), context],
      ['an Anthropic error frame without a status', () => ({ type: 'error', error: { type: 'invalid_request_error', message: tooLong } }), c('bad-request', 'context_length_exceeded', false)],
      ['another invalid_request_error (still bad_request)', () => apiCall({ statusCode: 400, data: body('max_tokens: Field required'), responseBody: JSON.stringify(body('max_tokens: Field required')) }), c('bad-request', 'bad_request', false, { status: 400 })],
    ];
    it.each(rows)('should classify %s', (_, make, expected) => expect(classifyError(make())).toEqual(expected));

    it('should normalise it into a CONTEXT_LENGTH_EXCEEDED ProviderError', () => {
      expect(toL0Error(apiCall({ statusCode: 400, data: body(tooLong) }))).toMatchObject({ code: 'CONTEXT_LENGTH_EXCEEDED', retryable: false });
    });
  });

  describe('openai errors from a minified bundle', () => {
    it('should check the SDK default messages the shape fallback relies on', () => {
      expect(new OpenAI.APIUserAbortError().message).toBe('Request was aborted.');
      expect(new OpenAI.APIConnectionError({}).message).toBe('Connection error.');
      expect(new OpenAI.APIConnectionTimeoutError().message).toBe('Request timed out.');
      expect(minified(new OpenAI.APIUserAbortError()).constructor.name).toBe('e');
    });

    const rows: Row[] = [
      ['APIUserAbortError', () => minified(new OpenAI.APIUserAbortError()), c('abort', 'abort', false)],
      ['APIConnectionTimeoutError', () => minified(new OpenAI.APIConnectionTimeoutError()), c('timeout', 'timeout', true)],
      ['APIConnectionError without a cause', () => minified(new OpenAI.APIConnectionError({})), c('network', 'network_error', true)],
      ['APIConnectionError caused by a cert error', () => minified(new OpenAI.APIConnectionError({ cause: fetchFailed(tlsError()) })), c('network', 'network_error', false)],
      ['APIUserAbortError with a custom message (no exact match)', () => minified(new OpenAI.APIUserAbortError({ message: 'stop' })), c('unknown', 'unknown', true)],
      ["a plain Error('Request was aborted.') (no SDK shape)", () => new Error('Request was aborted.'), c('unknown', 'unknown', true)],
      ["a plain object {message: 'Connection error.'} (no SDK shape)", () => ({ message: 'Connection error.' }), c('unknown', 'unknown', true)],
    ];
    it.each(rows)('should classify a minified %s', (_, make, expected) => expect(classifyError(make())).toEqual(expected));

    it('should normalise a minified user abort into a StreamAbortedError', () => {
      const e = minified(new OpenAI.APIUserAbortError());
      const out = toL0Error(e);
      expect(isStreamAbortedError(out)).toBe(true);
      expect(out).toMatchObject({ category: 'abort', retryable: false, cause: e });
    });
  });
});
