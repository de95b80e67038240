/** @test {classifyError} */
import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import {
  APICallError,
  EmptyResponseBodyError,
  InvalidArgumentError,
  InvalidPromptError,
  InvalidResponseDataError,
  JSONParseError,
  LoadAPIKeyError,
  NoSuchModelError,
  UnsupportedFunctionalityError,
} from '@ai-sdk/provider';
import { InvalidMessageRoleError, RetryError, StreamProviderError } from 'ai';
import {
  AllStreamsExhaustedError,
  classifyError,
  type ErrorReason,
  DriftDetectedError,
  GuardrailViolationError,
  InvalidStreamError,
  ProviderError,
  SchemaValidationError,
  StreamAbortedError,
  TokenTimeoutError,
  ZeroOutputError,
  type ErrorCategory,
  type ErrorClassification,
} from 'l0-rx';

/** Expected classification; countsTowardAttempts is true exactly for content and unknown. */
const c = (
  category: ErrorCategory,
  reason: ErrorReason,
  retryable: boolean,
  extra: { retryAfterMs?: number; status?: number } = {},
): ErrorClassification => ({
  category,
  reason,
  retryable,
  countsTowardAttempts: category === 'content' || category === 'unknown',
  ...extra,
});

const UNKNOWN = c('unknown', 'unknown', true);
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
const socketError = () => Object.assign(new Error('other side closed'), { name: 'SocketError', code: 'UND_ERR_SOCKET' });
const h = (init: Record<string, string> = {}) => new Headers(init);
const apiCall = (statusCode: number | undefined, extra: Partial<ConstructorParameters<typeof APICallError>[0]> = {}) =>
  new APICallError({ message: `HTTP ${statusCode}`, url: 'http://x/v1/chat', requestBodyValues: {}, statusCode, ...extra });

type Row = readonly [string, () => unknown, ErrorClassification];

describe('classifyError', () => {
  describe('l0-rx errors', () => {
    const rows: Row[] = [
      ['TokenTimeoutError', () => new TokenTimeoutError({ kind: 'inter', timeoutMs: 10, elapsedMs: 11, tokenCount: 2 }), c('timeout', 'timeout', true)],
      ['ZeroOutputError', () => new ZeroOutputError({ content: '' }), c('content', 'zero_output', true)],
      ['recoverable GuardrailViolationError', () => new GuardrailViolationError({ violations: [{ ruleId: 'json', message: 'bad', severity: 'error', recoverable: true }] }), c('content', 'guardrail_violation', true)],
      ['fatal GuardrailViolationError', () => new GuardrailViolationError({ violations: [{ ruleId: 'pii', message: 'leak', severity: 'fatal', recoverable: false }] }), c('content', 'fatal_guardrail_violation', false)],
      ['DriftDetectedError', () => new DriftDetectedError({ types: ['meta'], confidence: 0.9 }), c('content', 'drift', true)],
      ['SchemaValidationError', () => new SchemaValidationError({ kind: 'INVALID_JSON' }), c('content', 'invalid_json', true)],
      ['StreamAbortedError', () => new StreamAbortedError(), c('abort', 'abort', false)],
      ['InvalidStreamError', () => new InvalidStreamError('not a stream'), c('bad-request', 'invalid_stream', false)],
      ['ProviderError with status and Retry-After', () => new ProviderError('slow down', { code: 'RATE_LIMITED', category: 'rate-limit', retryable: true, reason: 'rate_limit', status: 429, retryAfterMs: 2000 }), c('rate-limit', 'rate_limit', true, { status: 429, retryAfterMs: 2000 })],
      ['AllStreamsExhaustedError (category and retryability of the last error)', () => new AllStreamsExhaustedError([new ZeroOutputError({ content: '' }), new TokenTimeoutError({ kind: 'initial', timeoutMs: 1, elapsedMs: 1, tokenCount: 0 })]), c('timeout', 'all_streams_exhausted', true)],
      ['AllStreamsExhaustedError after a last error that is not retryable', () => new AllStreamsExhaustedError([new TokenTimeoutError({ kind: 'initial', timeoutMs: 1, elapsedMs: 1, tokenCount: 0 }), new InvalidStreamError('bad')]), c('bad-request', 'all_streams_exhausted', false)],
      ['an L0Error from another copy (brand only)', () => ({ [Symbol.for('l0-rx.L0Error')]: true, category: 'server', reason: 'server_error', retryable: true, status: 503 }), c('server', 'server_error', true, { status: 503 })],
      ['an L0Error in the cause chain', () => new Error('wrapped', { cause: new ZeroOutputError({ content: ' ' }) }), c('content', 'zero_output', true)],
    ];
    it.each(rows)('should read %s as is', (_, make, expected) => expect(classifyError(make())).toEqual(expected));
  });

  describe('openai SDK errors', () => {
    const rows: Row[] = [
      ['RateLimitError with retry-after-ms and retry-after', () => new OpenAI.RateLimitError(429, { message: 'Rate limit reached', code: 'rate_limit_exceeded' }, undefined, h({ 'retry-after': '1', 'retry-after-ms': '1500' })), c('rate-limit', 'rate_limit', true, { status: 429, retryAfterMs: 1500 })],
      ['RateLimitError with retry-after only', () => new OpenAI.RateLimitError(429, undefined, undefined, h({ 'retry-after': '1' })), c('rate-limit', 'rate_limit', true, { status: 429, retryAfterMs: 1000 })],
      ['RateLimitError insufficient_quota (billing)', () => new OpenAI.RateLimitError(429, { code: 'insufficient_quota', message: 'quota' }, undefined, h()), c('rate-limit', 'rate_limit', false, { status: 429 })],
      ['InternalServerError 503', () => new OpenAI.InternalServerError(503, undefined, 'Service Unavailable', h()), c('server', 'server_error', true, { status: 503 })],
      ['InternalServerError 500', () => new OpenAI.InternalServerError(500, { message: 'boom', type: 'server_error' }, undefined, h()), c('server', 'server_error', true, { status: 500 })],
      ['APIError 529 (overloaded)', () => new OpenAI.APIError(529, { type: 'overloaded_error' }, undefined, h()), c('server', 'server_error', true, { status: 529 })],
      ['AuthenticationError 401', () => new OpenAI.AuthenticationError(401, { code: 'invalid_api_key', message: 'bad key' }, undefined, h()), c('auth', 'auth', false, { status: 401 })],
      ['PermissionDeniedError 403', () => new OpenAI.PermissionDeniedError(403, undefined, undefined, h()), c('auth', 'auth', false, { status: 403 })],
      ['BadRequestError context_length_exceeded', () => new OpenAI.BadRequestError(400, { code: 'context_length_exceeded', type: 'invalid_request_error', message: "This model's maximum context length is 8192 tokens" }, undefined, h()), c('bad-request', 'context_length_exceeded', false, { status: 400 })],
      ['BadRequestError with only a context-length message', () => new OpenAI.BadRequestError(400, { message: 'Input exceeds the context window of this model' }, undefined, h()), c('bad-request', 'context_length_exceeded', false, { status: 400 })],
      ['BadRequestError content_filter', () => new OpenAI.BadRequestError(400, { code: 'content_filter', message: 'filtered' }, undefined, h()), c('bad-request', 'content_filtered', false, { status: 400 })],
      ['BadRequestError (plain)', () => new OpenAI.BadRequestError(400, { message: 'Invalid value for temperature' }, undefined, h()), c('bad-request', 'bad_request', false, { status: 400 })],
      ['NotFoundError 404', () => new OpenAI.NotFoundError(404, undefined, undefined, h()), c('bad-request', 'bad_request', false, { status: 404 })],
      ['UnprocessableEntityError 422', () => new OpenAI.UnprocessableEntityError(422, undefined, undefined, h()), c('bad-request', 'bad_request', false, { status: 422 })],
      ['ConflictError 409 (the SDK retries it)', () => new OpenAI.ConflictError(409, undefined, undefined, h()), c('server', 'server_error', true, { status: 409 })],
      ['APIError 408', () => new OpenAI.APIError(408, undefined, undefined, h()), c('timeout', 'timeout', true, { status: 408 })],
      ['APIError 425', () => new OpenAI.APIError(425, undefined, undefined, h()), c('server', 'server_error', true, { status: 425 })],
      ['RateLimitError insufficient_quota with x-should-retry: true (a spent quota does not come back in seconds)', () => new OpenAI.RateLimitError(429, { code: 'insufficient_quota', message: 'quota' }, undefined, h({ 'x-should-retry': 'true', 'retry-after': '1' })), c('rate-limit', 'rate_limit', false, { status: 429, retryAfterMs: 1000 })],
      ['RateLimitError with x-should-retry: true', () => new OpenAI.RateLimitError(429, { code: 'rate_limit_exceeded', message: 'slow down' }, undefined, h({ 'x-should-retry': 'true' })), c('rate-limit', 'rate_limit', true, { status: 429 })],
      ['RateLimitError with x-should-retry: false', () => new OpenAI.RateLimitError(429, { code: 'rate_limit_exceeded', message: 'slow down' }, undefined, h({ 'x-should-retry': 'false' })), c('rate-limit', 'rate_limit', false, { status: 429 })],
      ['InternalServerError 503 with x-should-retry: false', () => new OpenAI.InternalServerError(503, undefined, undefined, h({ 'x-should-retry': 'false' })), c('server', 'server_error', false, { status: 503 })],
      ['APIConnectionError (reset before headers)', () => new OpenAI.APIConnectionError({ cause: new TypeError('fetch failed', { cause: socketError() }) }), c('network', 'network_error', true)],
      ['APIConnectionTimeoutError', () => new OpenAI.APIConnectionTimeoutError(), c('timeout', 'timeout', true)],
      ['APIUserAbortError', () => new OpenAI.APIUserAbortError(), c('abort', 'abort', false)],
      ['in-band error frame (APIError, no status, server_error)', () => new OpenAI.APIError(undefined, { message: 'The server had an error', type: 'server_error' }, undefined, undefined), c('server', 'server_error', true)],
      ['in-band error frame without a type', () => new OpenAI.APIError(undefined, { message: 'oops' }, undefined, undefined), c('server', 'server_error', true)],
      ['in-band rate-limit frame', () => new OpenAI.APIError(undefined, { message: 'slow', code: 'rate_limit_exceeded' }, undefined, undefined), c('rate-limit', 'rate_limit', true)],
      ['malformed SSE JSON SyntaxError', () => new SyntaxError('Error reading response: malformed server-sent event JSON.'), c('server', 'malformed_chunk', true)],
    ];
    it.each(rows)('should classify %s', (_, make, expected) => expect(classifyError(make())).toEqual(expected));
  });

  describe('AI SDK errors', () => {
    const cut = () =>
      apiCall(200, {
        message: 'Failed to process successful response',
        isRetryable: true,
        cause: new TypeError('terminated', { cause: socketError() }),
      });
    const rows: Row[] = [
      ['APICallError 200 + isRetryable (stream cut mid-way)', cut, c('network', 'incomplete_stream', true, { status: 200 })],
      ['APICallError 503 with plain responseHeaders', () => apiCall(503, { responseHeaders: { 'retry-after': '3' } }), c('server', 'server_error', true, { status: 503, retryAfterMs: 3000 })],
      ['APICallError 429 with a capitalised Retry-After', () => apiCall(429, { responseHeaders: { 'Retry-After': '1' } }), c('rate-limit', 'rate_limit', true, { status: 429, retryAfterMs: 1000 })],
      ['APICallError 400 (isRetryable false)', () => apiCall(400), c('bad-request', 'bad_request', false, { status: 400 })],
      ['APICallError 400 with data.error.code context_length_exceeded', () => apiCall(400, { data: { error: { code: 'context_length_exceeded', message: 'too long' } } }), c('bad-request', 'context_length_exceeded', false, { status: 400 })],
      ['APICallError 503 explicitly not retryable', () => apiCall(503, { isRetryable: false }), c('server', 'server_error', false, { status: 503 })],
      ['APICallError 400 explicitly retryable', () => apiCall(400, { isRetryable: true }), c('server', 'server_error', true, { status: 400 })],
      ['APICallError without a status, retryable', () => apiCall(undefined, { isRetryable: true }), c('network', 'network_error', true)],
      ['RetryError (uses lastError)', () => new RetryError({ message: 'Failed after 3 attempts', reason: 'maxRetriesExceeded', errors: [apiCall(503), apiCall(429, { responseHeaders: { 'retry-after-ms': '700' } })] }), c('rate-limit', 'rate_limit', true, { status: 429, retryAfterMs: 700 })],
      ['RetryError with reason abort', () => new RetryError({ message: 'aborted', reason: 'abort', errors: [apiCall(503)] }), c('abort', 'abort', false)],
      ['StreamProviderError in a 200 (server_error type, default isRetryable false)', () => new StreamProviderError({ message: 'The server had an error', type: 'server_error' }), c('server', 'server_error', true)],
      ['StreamProviderError with no type', () => new StreamProviderError({ message: 'something' }), c('server', 'server_error', false)],
      ['StreamProviderError overloaded_error', () => new StreamProviderError({ message: 'Overloaded', type: 'overloaded_error' }), c('server', 'server_error', true)],
      ['JSONParseError (malformed chunk)', () => new JSONParseError({ text: '{"a":', cause: new SyntaxError('Unexpected end of JSON input') }), c('server', 'malformed_chunk', true)],
      ['InvalidResponseDataError (no finish reason)', () => new InvalidResponseDataError({ data: undefined, message: 'Response stream ended without a finish reason.' }), c('network', 'incomplete_stream', true)],
      ['InvalidResponseDataError (bad data)', () => new InvalidResponseDataError({ data: { id: 1 } }), c('server', 'malformed_chunk', true)],
      ['EmptyResponseBodyError', () => new EmptyResponseBodyError(), c('network', 'incomplete_stream', true)],
      // the SDK's checks of the call itself: the same call fails the same way again
      ['LoadAPIKeyError (no API key)', () => new LoadAPIKeyError({ message: 'OpenAI API key is missing.' }), c('auth', 'auth', false)],
      ['InvalidPromptError', () => new InvalidPromptError({ prompt: undefined, message: 'prompt or messages must be defined' }), c('bad-request', 'bad_request', false)],
      ['InvalidMessageRoleError', () => new InvalidMessageRoleError({ role: 'wizard' }), c('bad-request', 'bad_request', false)],
      ['InvalidArgumentError', () => new InvalidArgumentError({ argument: 'temperature', message: 'temperature must be a number' }), c('bad-request', 'bad_request', false)],
      ['UnsupportedFunctionalityError', () => new UnsupportedFunctionalityError({ functionality: 'image parts' }), c('bad-request', 'bad_request', false)],
      ['NoSuchModelError', () => new NoSuchModelError({ modelId: 'gpt-9', modelType: 'languageModel' }), c('bad-request', 'bad_request', false)],
    ];
    it.each(rows)('should classify %s', (_, make, expected) => expect(classifyError(make())).toEqual(expected));
  });

  describe('Node, undici and browser errors', () => {
    const rows: Row[] = [
      ["TypeError('fetch failed') caused by UND_ERR_SOCKET", () => new TypeError('fetch failed', { cause: socketError() }), c('network', 'network_error', true)],
      ["TypeError('terminated') caused by a SocketError", () => new TypeError('terminated', { cause: socketError() }), c('network', 'incomplete_stream', true)],
      ["browser TypeError('Failed to fetch')", () => new TypeError('Failed to fetch'), c('network', 'network_error', true)],
      ["Safari TypeError('Load failed')", () => new TypeError('Load failed'), c('network', 'network_error', true)],
      ...['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'].map(
        (code): Row => [`code ${code}`, () => withCode(`x ${code.toLowerCase()}`, code), c('network', 'network_error', true)],
      ),
      ['code UND_ERR_HEADERS_TIMEOUT', () => withCode('Headers Timeout Error', 'UND_ERR_HEADERS_TIMEOUT'), c('timeout', 'timeout', true)],
      ['code UND_ERR_BODY_TIMEOUT', () => withCode('Body Timeout Error', 'UND_ERR_BODY_TIMEOUT'), c('timeout', 'timeout', true)],
      ['code ERR_STREAM_PREMATURE_CLOSE', () => withCode('Premature close', 'ERR_STREAM_PREMATURE_CLOSE'), c('network', 'incomplete_stream', true)],
      ['code CERT_HAS_EXPIRED (not retryable)', () => withCode('certificate has expired', 'CERT_HAS_EXPIRED'), c('network', 'network_error', false)],
      ["DOMException('aborted', 'AbortError')", () => new DOMException('aborted', 'AbortError'), c('abort', 'abort', false)],
      ['AbortSignal.timeout reason (TimeoutError)', () => new DOMException('The operation timed out.', 'TimeoutError'), c('timeout', 'timeout', true)],
      ['a wrapper whose cause is ECONNRESET', () => new Error('request failed', { cause: withCode('read ECONNRESET', 'ECONNRESET') }), c('network', 'network_error', true)],
      ['an AggregateError of connection refusals', () => new AggregateError([withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED')]), c('network', 'network_error', true)],
      ['a JSON.parse SyntaxError (user code)', () => new SyntaxError('Unexpected token } in JSON at position 3'), UNKNOWN],
      ['a TypeError from user code', () => new TypeError('x.map is not a function'), UNKNOWN],
    ];
    it.each(rows)('should classify %s', (_, make, expected) => expect(classifyError(make())).toEqual(expected));
  });

  describe('provider frames and plain objects', () => {
    const frame = (type: string) => ({ type: 'error', error: { type, message: type } });
    const rows: Row[] = [
      ['Anthropic overloaded_error frame', () => frame('overloaded_error'), c('server', 'server_error', true)],
      ['Anthropic rate_limit_error frame', () => frame('rate_limit_error'), c('rate-limit', 'rate_limit', true)],
      ['Anthropic api_error frame', () => frame('api_error'), c('server', 'server_error', true)],
      ['Anthropic invalid_request_error frame', () => frame('invalid_request_error'), c('bad-request', 'bad_request', false)],
      ['Anthropic authentication_error frame', () => frame('authentication_error'), c('auth', 'auth', false)],
      ['Anthropic permission_error frame', () => frame('permission_error'), c('auth', 'auth', false)],
      ['Anthropic request_too_large frame', () => frame('request_too_large'), c('bad-request', 'bad_request', false)],
      ['Anthropic 529 error (status + body)', () => ({ status: 529, error: { type: 'error', error: { type: 'overloaded_error' } } }), c('server', 'server_error', true, { status: 529 })],
      ['an OpenRouter-style {error: {code: 429}}', () => ({ error: { code: 429, message: 'Rate limited' } }), c('rate-limit', 'rate_limit', true)],
      ['a Responses API response.failed event', () => ({ type: 'response.failed', response: { error: { code: 'rate_limit_exceeded', message: 'x' } } }), c('rate-limit', 'rate_limit', true)],
      ['{statusCode: 429, headers: {retry-after-ms}}', () => ({ statusCode: 429, headers: { 'retry-after-ms': '250' } }), c('rate-limit', 'rate_limit', true, { status: 429, retryAfterMs: 250 })],
      ['{response: {status: 401}}', () => ({ response: { status: 401 } }), c('auth', 'auth', false, { status: 401 })],
      ["{status: '502'}", () => ({ status: '502' }), c('server', 'server_error', true, { status: 502 })],
      ['{status: 200} alone', () => ({ status: 200 }), UNKNOWN],
      ['an AI SDK error stream part', () => ({ type: 'error', error: apiCall(503) }), c('server', 'server_error', true, { status: 503 })],
    ];
    it.each(rows)('should classify %s', (_, make, expected) => expect(classifyError(make())).toEqual(expected));
  });

  describe('message text (last resort)', () => {
    const network = c('network', 'network_error', true);
    const rows: Row[] = [
      ['Connection reset by peer', () => new Error('Connection reset by peer'), network],
      ['getaddrinfo ENOTFOUND', () => new Error('getaddrinfo ENOTFOUND api.openai.com'), network],
      ['Failed to fetch (as a plain Error)', () => new Error('Failed to fetch'), network],
      ['request timed out', () => new Error('The request timed out'), network],
      ['socket hang up', () => new Error('socket hang up'), network],
      ['a thrown string', () => 'socket hang up', network],
      ['SSL certificate problem', () => new Error('SSL certificate problem: unable to get local issuer certificate'), c('network', 'network_error', false)],
      ['self signed certificate', () => new Error('self signed certificate in certificate chain'), c('network', 'network_error', false)],
      ['rate limit', () => new Error('Rate limit exceeded, try later'), c('rate-limit', 'rate_limit', true)],
      ['status 429', () => new Error('Request failed with status 429'), c('rate-limit', 'rate_limit', true)],
      ['status code 503', () => new Error('Request failed with status code 503'), c('server', 'server_error', true)],
      ['maximum context length', () => new Error("This model's maximum context length is 4096 tokens"), c('bad-request', 'context_length_exceeded', false)],
    ];
    it.each(rows)('should classify %s', (_, make, expected) => expect(classifyError(make())).toEqual(expected));

    it.each([
      'Invalid JSON',
      'Schema validation failed',
      'Chunk processed twice',
      'session expired',
      'Invalid response from the tool',
      'Please reset password',
      'All tests passed the assessment',
      'Context length must be positive',
      'boom',
    ])('should not classify the message %j', (message) => expect(classifyError(new Error(message))).toEqual(UNKNOWN));

    it.each([undefined, null, 42, {}, [], 'boom'])('should classify %j as unknown', (e) => expect(classifyError(e)).toEqual(UNKNOWN));
  });

  describe('cause chains', () => {
    const nest = (depth: number, inner: unknown): unknown =>
      depth === 0 ? inner : new Error(`level ${depth}`, { cause: nest(depth - 1, inner) });

    it('should follow causes up to 5 levels', () => {
      expect(classifyError(nest(5, withCode('x', 'ECONNRESET')))).toEqual(c('network', 'network_error', true));
    });

    it('should stop after 5 levels', () => {
      expect(classifyError(nest(6, withCode('x', 'ECONNRESET')))).toEqual(UNKNOWN);
    });

    it('should prefer a structured cause over the outer message text', () => {
      const e = new Error('rate limit wrapper', { cause: new OpenAI.InternalServerError(503, undefined, undefined, h()) });
      expect(classifyError(e)).toEqual(c('server', 'server_error', true, { status: 503 }));
    });

    it('should survive a cyclic cause chain', () => {
      const a = new Error('a');
      const b = new Error('b', { cause: a });
      Object.assign(a, { cause: b });
      expect(classifyError(a)).toEqual(UNKNOWN);
    });
  });

  describe('result', () => {
    it('should be frozen', () => {
      expect(Object.isFrozen(classifyError(new TypeError('fetch failed')))).toBe(true);
      expect(Object.isFrozen(classifyError(new Error('boom')))).toBe(true);
      expect(Object.isFrozen(classifyError(new ZeroOutputError({ content: '' })))).toBe(true);
    });
  });
});
