/** @test {toL0Error} */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { APIError as APIError5 } from 'openai5';
import { APIError as APIError6 } from 'openai6';
import { APIError as APIError7 } from 'openai';
import { toL0Error, type ErrorCategory, type ErrorReason, type ProviderErrorCode } from 'l0-rx';

// The HTTP errors of every supported SDK major, built from that major's own classes, must become the
// same typed error. openai: `APIError.generate` (what the client calls on a non-2xx answer; it picks
// BadRequestError, AuthenticationError, ... RateLimitError, InternalServerError or a plain APIError,
// with `headers` a `Headers` object). AI SDK: `APICallError` of the @ai-sdk/provider each major
// installs (with `responseHeaders` a plain record and `isRetryable` the class's default, as
// @ai-sdk/openai-compatible throws it), from the copy under `ai` and the copy under its
// @ai-sdk/openai-compatible (the one the stream's error part really carries; same version).
// The same faults over the wire, through l0(): spec/integration/errors.sdks.spec.ts.

interface APICallErrorClass {
  new (options: { message: string; url: string; requestBodyValues: unknown; statusCode?: number; responseHeaders?: Record<string, string>; responseBody?: string; data?: unknown }): Error;
}
type Generate = (status: number, body: object | undefined, message: string | undefined, headers: Headers) => Error;

const here = createRequire(import.meta.url);
/** The APICallError of the @ai-sdk/provider that `pkg` resolves. */
function apiCallErrorOf(pkg: string): { path: string; APICallError: APICallErrorClass } {
  const path = createRequire(here.resolve(pkg)).resolve('@ai-sdk/provider');
  return { path, APICallError: (here(path) as { APICallError: APICallErrorClass }).APICallError };
}

interface Built {
  readonly status: number;
  readonly body: { readonly error: Record<string, unknown> } | undefined;
  readonly headers: Readonly<Record<string, string>>;
}
interface Major {
  readonly name: string;
  readonly build: (b: Built) => Error;
}

const openaiMajor = (name: string, generate: Generate): Major => ({
  name,
  build: ({ status, body, headers }) => generate(status, body, body ? undefined : 'upstream error', new Headers(headers)),
});
const aiMajor = (name: string, pkg: string): Major & { path: string } => {
  const { path, APICallError } = apiCallErrorOf(pkg);
  return {
    name: `${name} (${path.replace(/^.*node_modules\/(.*)\/dist\/.*$/, '$1')})`,
    path,
    build: ({ status, body, headers }) =>
      new APICallError({
        message: typeof body?.error['message'] === 'string' ? body.error['message'] : 'Bad Gateway',
        url: 'http://127.0.0.1/v1/chat/completions',
        requestBodyValues: {},
        statusCode: status,
        responseHeaders: headers as Record<string, string>,
        responseBody: body ? JSON.stringify(body) : 'upstream error',
        ...(body ? { data: body } : {}),
      }),
  };
};

const MAJORS: readonly Major[] = [
  openaiMajor('openai 5', APIError5.generate.bind(APIError5) as unknown as Generate),
  openaiMajor('openai 6', APIError6.generate.bind(APIError6) as unknown as Generate),
  openaiMajor('openai 7', APIError7.generate.bind(APIError7) as unknown as Generate),
  aiMajor('ai 5', 'ai5'),
  aiMajor('@ai-sdk/openai-compatible 1', 'openai-compatible1'),
  aiMajor('ai 6', 'ai6'),
  aiMajor('@ai-sdk/openai-compatible 2', 'openai-compatible2'),
  aiMajor('ai 7', 'ai'),
];

/** The body OpenAI (Anthropic for 529) sends with each status. */
const openAIBody = (message: string, type: string, code: string | null = null) => ({ error: { message, type, param: null, code } });
const BODIES: Readonly<Record<number, Built['body']>> = {
  400: openAIBody("Invalid value for 'temperature'.", 'invalid_request_error'),
  401: openAIBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'),
  403: openAIBody('Country, region, or territory not supported', 'request_forbidden', 'unsupported_country_region_territory'),
  404: openAIBody('The model `gpt-9` does not exist.', 'invalid_request_error', 'model_not_found'),
  408: openAIBody('Request timed out.', 'timeout'),
  409: openAIBody('Conflict: the request was already made.', 'invalid_request_error'),
  413: openAIBody('Request too large.', 'invalid_request_error', 'request_too_large'),
  422: openAIBody('Unprocessable entity.', 'invalid_request_error'),
  429: openAIBody('Rate limit reached for requests.', 'requests', 'rate_limit_exceeded'),
  500: openAIBody('The server had an error while processing your request.', 'server_error'),
  502: openAIBody('Bad gateway.', 'server_error'),
  503: openAIBody('The engine is currently overloaded.', 'server_error'),
  504: openAIBody('Gateway timeout.', 'server_error'),
  529: { error: { type: 'overloaded_error', message: 'Overloaded' } },
};

type Expected = { code: ProviderErrorCode; category: ErrorCategory; reason: ErrorReason; retryable: boolean };
const e = (code: ProviderErrorCode, category: ErrorCategory, reason: ErrorReason, retryable: boolean): Expected => ({ code, category, reason, retryable });
const BAD = e('BAD_REQUEST', 'bad-request', 'bad_request', false);
const AUTH = e('AUTH_ERROR', 'auth', 'auth', false);
const SERVER = e('SERVER_ERROR', 'server', 'server_error', true);
/** What each status is, with or without a body (the body never changes the category here). */
const EXPECTED: Readonly<Record<number, Expected>> = {
  400: BAD,
  401: AUTH,
  403: AUTH,
  404: BAD,
  408: e('NETWORK_ERROR', 'timeout', 'timeout', true),
  409: SERVER,
  413: BAD,
  422: BAD,
  429: e('RATE_LIMITED', 'rate-limit', 'rate_limit', true),
  500: SERVER,
  502: SERVER,
  503: SERVER,
  504: SERVER,
  529: SERVER,
};

const NOW = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
const HEADERS: readonly (readonly [string, Record<string, string>, number | undefined])[] = [
  ['no Retry-After', {}, undefined],
  ['Retry-After: 2', { 'retry-after': '2' }, 2000],
  ['retry-after-ms: 1500', { 'retry-after-ms': '1500' }, 1500],
  ['Retry-After as an HTTP date 3 s ahead', { 'retry-after': 'Wed, 21 Oct 2015 07:28:03 GMT' }, 3000],
];

const fieldsOf = (error: unknown) => {
  const { code, category, reason, retryable, status, retryAfterMs, name } = error as Record<string, unknown>;
  return { name, code, category, reason, retryable, status, retryAfterMs };
};

describe('toL0Error: every SDK major', () => {
  it('should load a distinct @ai-sdk/provider for each ai major', () => {
    const paths = new Set(MAJORS.flatMap((m) => ('path' in m ? [m.path as string] : [])));
    expect(paths.size).toBeGreaterThanOrEqual(3);
  });

  describe.each(Object.keys(EXPECTED).map(Number))('HTTP %i', (status) => {
    describe.each(HEADERS)('%s', (_, headers, retryAfterMs) => {
      it.each([
        ['with its body', BODIES[status]],
        ['without a body', undefined],
      ])('should give the same fields for every major %s', (_, body) => {
        const expected = { name: 'ProviderError', ...EXPECTED[status]!, status, retryAfterMs };
        const got = MAJORS.map((m) => [m.name, fieldsOf(toL0Error(m.build({ status, body, headers }), { now: NOW }))] as const);
        expect(Object.fromEntries(got)).toEqual(Object.fromEntries(MAJORS.map((m) => [m.name, expected])));
      });
    });
  });

  it.each(MAJORS.map((m) => [m.name, m] as const))("should honour OpenAI's x-should-retry: false on a 503 (%s)", (_, m) => {
    const error = toL0Error(m.build({ status: 503, body: BODIES[503], headers: { 'x-should-retry': 'false' } }));
    expect(fieldsOf(error)).toMatchObject({ code: 'SERVER_ERROR', status: 503, retryable: false });
  });

  it.each([429, 503])("should read OpenAI's x-ratelimit-reset of an exhausted side only on a 429 (HTTP %i)", (status) => {
    const headers = { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '6m0s', 'x-ratelimit-remaining-tokens': '100', 'x-ratelimit-reset-tokens': '1s' };
    const got = MAJORS.map((m) => [m.name, fieldsOf(toL0Error(m.build({ status, body: BODIES[status], headers }))).retryAfterMs] as const);
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(MAJORS.map((m) => [m.name, status === 429 ? 360_000 : undefined])));
  });

  it.each(MAJORS.map((m) => [m.name, m] as const))('should read a context-length 400 as CONTEXT_LENGTH_EXCEEDED (%s)', (_, m) => {
    const body = openAIBody("This model's maximum context length is 128000 tokens.", 'invalid_request_error', 'context_length_exceeded');
    expect(fieldsOf(toL0Error(m.build({ status: 400, body, headers: {} })))).toMatchObject({
      code: 'CONTEXT_LENGTH_EXCEEDED',
      reason: 'context_length_exceeded',
      retryable: false,
      status: 400,
    });
  });

  it.each(MAJORS.map((m) => [m.name, m] as const))('should keep a 429 insufficient_quota from being retried (%s)', (_, m) => {
    const body = openAIBody('You exceeded your current quota.', 'insufficient_quota', 'insufficient_quota');
    expect(fieldsOf(toL0Error(m.build({ status: 429, body, headers: { 'retry-after': '1' } })))).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: false,
      status: 429,
      retryAfterMs: 1000,
    });
  });
});
