import type { ErrorCategory } from './L0Error.js';

/**
 * Why a failure happened, in snake_case: the `reason` of {@link classifyError}, of every
 * {@link L0Error}, of `retry` events, and an allowed entry of `retryOn`. One list, used everywhere.
 */
export type ErrorReason =
  | 'network_error'
  | 'incomplete_stream'
  | 'malformed_chunk'
  | 'rate_limit'
  | 'server_error'
  | 'timeout'
  | 'zero_output'
  | 'guardrail_violation'
  | 'fatal_guardrail_violation'
  | 'drift'
  | 'schema'
  | 'invalid_json'
  | 'auth'
  | 'bad_request'
  | 'context_length_exceeded'
  | 'content_filtered'
  | 'abort'
  | 'invalid_stream'
  | 'all_streams_exhausted'
  | 'unknown';

/** Every {@link ErrorReason}. @internal Shared by the validators. */
export const ERROR_REASONS: ReadonlySet<string> = /*#__PURE__*/ new Set<ErrorReason>([
  'network_error', 'incomplete_stream', 'malformed_chunk', 'rate_limit', 'server_error', 'timeout',
  'zero_output', 'guardrail_violation', 'fatal_guardrail_violation', 'drift', 'schema', 'invalid_json',
  'auth', 'bad_request', 'context_length_exceeded', 'content_filtered', 'abort', 'invalid_stream',
  'all_streams_exhausted', 'unknown',
]);

/** Narrows a reason read from outside (a serialised event, a foreign error) to {@link ErrorReason}. */
export function toErrorReason(value: unknown): ErrorReason {
  return typeof value === 'string' && ERROR_REASONS.has(value) ? (value as ErrorReason) : 'unknown';
}

/** Every {@link ErrorCategory}. @internal Shared by the validators and the classification. */
export const ERROR_CATEGORIES: ReadonlySet<unknown> = /*#__PURE__*/ new Set<ErrorCategory>([
  'network', 'rate-limit', 'server', 'timeout', 'content', 'auth', 'bad-request', 'abort', 'unknown',
]);
