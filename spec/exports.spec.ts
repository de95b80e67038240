/** @test {exports} */
import { describe, expect, it } from 'vitest';
import * as root from 'l0-rx';
import * as operators from 'l0-rx/operators';
import * as testing from 'l0-rx/testing';

// The public surface, sorted. Adding or removing a runtime export must show up here as a deliberate diff.
describe('public exports', () => {
  it('should export exactly these names from l0-rx', () => {
    expect(Object.keys(root).sort()).toEqual([
      'AllStreamsExhaustedError',
      'AttemptText',
      'BUILT_IN_ADAPTERS',
      'CONTENT_EVENT_TYPES',
      'DriftDetectedError',
      'FROM_SERVER_SENT_EVENTS_DEFAULTS',
      'GuardrailViolationError',
      'InvalidStreamError',
      'L0Error',
      'L0_DEFAULTS',
      'L0_EVENT_TYPES',
      'ProviderError',
      'RETRY_PRESETS',
      'RETRY_WITH_BACKOFF_DEFAULTS',
      'SSE_REPLAY_BUFFER_DEFAULTS',
      'SchemaValidationError',
      'StreamAbortedError',
      'TO_SERVER_SENT_EVENTS_DEFAULTS',
      'TokenTimeoutError',
      'UnknownError',
      'ZeroOutputError',
      'accumulate',
      'aiSdkAdapter',
      'aiSdkProviderAdapter',
      'attemptTextChange',
      'checkpointEvery',
      'classifyError',
      'createSseReplayBuffer',
      'deduplicateContinuation',
      'deserializeError',
      'detectZeroOutput',
      'fallbackTo',
      'fromAttempt',
      'fromServerSentEvents',
      'fromStream',
      'isAllStreamsExhaustedError',
      'isContentEvent',
      'isDriftDetectedError',
      'isGuardrailViolationError',
      'isInvalidStreamError',
      'isL0Error',
      'isProviderError',
      'isSchemaValidationError',
      'isStreamAbortedError',
      'isTokenTimeoutError',
      'isUnknownError',
      'isZeroOutputError',
      'l0',
      'mastraAdapter',
      'ofType',
      'openaiChatAdapter',
      'openaiResponsesAdapter',
      'parseLastEventId',
      'retryWithBackoff',
      'serializeError',
      'tapLifecycle',
      'textAdapter',
      'toL0Error',
      'toServerSentEvents',
      'withTimeouts',
    ]);
  });

  it('should export only operators from l0-rx/operators', () => {
    expect(Object.keys(operators).sort()).toEqual([
      'accumulate',
      'checkpointEvery',
      'deduplicateContinuation',
      'detectZeroOutput',
      'fallbackTo',
      'ofType',
      'retryWithBackoff',
      'tapLifecycle',
      'withTimeouts',
    ]);
  });

  it('should export the same operator functions from both entry points', () => {
    for (const name of Object.keys(operators)) {
      expect((root as Record<string, unknown>)[name], name).toBe((operators as Record<string, unknown>)[name]);
    }
  });

  it('should export exactly these names from l0-rx/testing', () => {
    expect(Object.keys(testing).sort()).toEqual([
      'FAULT_NAMES',
      'FAULT_SERVER_DEFAULTS',
      'createTestScheduler',
      'fakeError',
      'fakeModel',
      'parseFaultModel',
      'startFaultServer',
    ]);
  });
});
