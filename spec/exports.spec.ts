/** @test {exports} */
import { describe, expect, it } from 'vitest';
import * as root from 'l0-rx';
import * as operators from 'l0-rx/operators';
import * as testing from 'l0-rx/testing';
import * as jsonl from 'l0-rx/stores/jsonl';
import * as redis from 'l0-rx/stores/redis';
import * as opentelemetry from 'l0-rx/opentelemetry';
import * as sentry from 'l0-rx/sentry';
import * as breakersRedis from 'l0-rx/breakers/redis';

// The public surface, sorted. Adding or removing a runtime export must show up here as a deliberate diff.
describe('public exports', () => {
  it('should export exactly these names from l0-rx', () => {
    expect(Object.keys(root).sort()).toEqual([
      'AllStreamsExhaustedError',
      'AttemptText',
      'BUILT_IN_ADAPTERS',
      'BUILT_IN_PATTERNS',
      'Budget',
      'BudgetExceededError',
      'CONSENSUS_DEFAULTS',
      'CONTENT_EVENT_TYPES',
      'CircuitOpenError',
      'ConsensusError',
      'DRIFT_DETECTORS',
      'DriftDetectedError',
      'EVENT_LOG_VERSION',
      'EventLogError',
      'FROM_SERVER_SENT_EVENTS_DEFAULTS',
      'GuardrailViolationError',
      'InvalidStreamError',
      'L0Error',
      'L0_DEFAULTS',
      'L0_EVENT_TYPES',
      'PARALLEL_DEFAULTS',
      'ProviderError',
      'RECORD_EVENTS_DEFAULTS',
      'REPLAY_EVENTS_DEFAULTS',
      'RETRY_PRESETS',
      'RETRY_WITH_BACKOFF_DEFAULTS',
      'SSE_REPLAY_BUFFER_DEFAULTS',
      'SchemaValidationError',
      'StreamAbortedError',
      'THINKING_TAGS',
      'TO_SERVER_SENT_EVENTS_DEFAULTS',
      'TokenTimeoutError',
      'UnknownError',
      'ZeroOutputError',
      'accumulate',
      'aiSdkAdapter',
      'aiSdkProviderAdapter',
      'attemptTextChange',
      'batched',
      'budget',
      'checkpointEvery',
      'circuitBreaker',
      'classifyError',
      'cleanOutput',
      'consensus',
      'createBudget',
      'createCircuitBreaker',
      'createMemoryEventStore',
      'createSseReplayBuffer',
      'createStoreReplaySource',
      'createWindow',
      'customPatternRule',
      'dedent',
      'deduplicateContinuation',
      'defineGuardrailRule',
      'deserializeError',
      'detectDrift',
      'detectZeroOutput',
      'escapeDelimiters',
      'escapeHtml',
      'escapeRegex',
      'extractCode',
      'extractCodeBlocks',
      'extractJson',
      'fallbackTo',
      'formatContext',
      'formatMemory',
      'fromAttempt',
      'fromServerSentEvents',
      'fromStream',
      'guard',
      'hedge',
      'injectFaults',
      'isAllStreamsExhaustedError',
      'isBudgetExceededError',
      'isCircuitOpenError',
      'isConsensusError',
      'isContentEvent',
      'isDriftDetectedError',
      'isEventLogError',
      'isGuardrailViolationError',
      'isInvalidStreamError',
      'isL0Error',
      'isProviderError',
      'isSchemaValidationError',
      'isStreamAbortedError',
      'isTokenTimeoutError',
      'isUnknownError',
      'isZeroOutputError',
      'jsonOnlyGuardrails',
      'jsonRule',
      'jsonSchema',
      'l0',
      'largeWindow',
      'latexOnlyGuardrails',
      'latexRule',
      'markdownOnlyGuardrails',
      'markdownRule',
      'mastraAdapter',
      'measureRun',
      'mediumWindow',
      'memoryBreakerStore',
      'minimalGuardrails',
      'normalizeNewlines',
      'ofType',
      'openaiChatAdapter',
      'openaiResponsesAdapter',
      'paragraphWindow',
      'parallel',
      'parseLastEventId',
      'parseStructured',
      'parseToolArguments',
      'patternRule',
      'pipeline',
      'raceModels',
      'recommendedGuardrails',
      'recordEvents',
      'removeAnsi',
      'repairJson',
      'replayEvents',
      'retryWithBackoff',
      'sanitize',
      'sentenceWindow',
      'sequential',
      'serializeError',
      'smallWindow',
      'splitThinking',
      'strictGuardrails',
      'strictJsonRule',
      'stripThinking',
      'structured',
      'tapLifecycle',
      'textAdapter',
      'textSimilarity',
      'toL0Error',
      'toServerSentEvents',
      'toolDefinition',
      'toolParameters',
      'truncate',
      'unescapeDelimiters',
      'withTimeouts',
      'zeroOutputRule',
    ]);
  });

  it('should export only operators from l0-rx/operators', () => {
    expect(Object.keys(operators).sort()).toEqual([
      'accumulate',
      'budget',
      'checkpointEvery',
      'circuitBreaker',
      'deduplicateContinuation',
      'detectDrift',
      'detectZeroOutput',
      'fallbackTo',
      'guard',
      'hedge',
      'measureRun',
      'ofType',
      'parseStructured',
      'recordEvents',
      'retryWithBackoff',
      'splitThinking',
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

  it('should export exactly one factory or operator from each Node-only or SDK entry', () => {
    expect(Object.keys(jsonl).sort()).toEqual(['createJsonlEventStore']);
    expect(Object.keys(redis).sort()).toEqual(['REDIS_EVENT_STORE_DEFAULTS', 'createRedisEventStore']);
    expect(Object.keys(opentelemetry).sort()).toEqual(['withOpenTelemetry']);
    expect(Object.keys(sentry).sort()).toEqual(['withSentry']);
    expect(Object.keys(breakersRedis).sort()).toEqual(['redisBreakerStore']);
  });
});
