/* l0-rx: reliable LLM token streams as RxJS Observables. Explicit named exports only. */

/* Event model */
export { CONTENT_EVENT_TYPES, isContentEvent, L0_EVENT_TYPES } from './events/eventTypes.js';
export type {
  BreakerEvent,
  CheckpointEvent,
  CompleteEvent,
  ContentEvent,
  ControlEvent,
  DataEvent,
  DataPayload,
  DriftEvent,
  FallbackEvent,
  FinishReason,
  L0Event,
  L0EventOf,
  L0EventType,
  PartialEvent,
  ProgressEvent,
  ReasoningEvent,
  ResultEvent,
  ResumeEvent,
  RetryEvent,
  StartEvent,
  TokenEvent,
  ToolCallEvent,
  Usage,
  Violation,
  ViolationEvent,
  ViolationSeverity,
} from './events/eventTypes.js';

/* Event log and replay */
export { EVENT_LOG_VERSION } from './events/eventStore.js';
export type { EventEnvelope, EventStore, MaybePromise, RecordedErrorEvent, RecordedEvent, SeqRange } from './events/eventStore.js';
export { EventLogError, isEventLogError } from './events/EventLogError.js';
export type { EventLogErrorCode } from './events/EventLogError.js';
export { RECORD_EVENTS_DEFAULTS } from './events/recordEvents.js';
export { replayEvents, REPLAY_EVENTS_DEFAULTS } from './events/replayEvents.js';
export type { ReplayEventsConfig } from './events/replayEvents.js';
export { createMemoryEventStore } from './stores/memoryEventStore.js';

/* Errors */
export { L0Error, isL0Error } from './errors/L0Error.js';
export type { ErrorCategory, L0ErrorOptions, L0RunInfo } from './errors/L0Error.js';
export type { ErrorReason } from './errors/errorReason.js';
export { deserializeTypedError as deserializeError } from './errors/deserializeTypedError.js';
export { serializeError } from './errors/serializeError.js';
export type { SerializedError } from './errors/serializeError.js';
export { classifyError } from './errors/classifyError.js';
export { toL0Error } from './errors/normalizeError.js';
export type { ToL0ErrorOptions } from './errors/normalizeError.js';
export type { ClassifyErrorOptions, ErrorClassification } from './errors/classifyError.js';
export { TokenTimeoutError, isTokenTimeoutError } from './errors/TokenTimeoutError.js';
export type { TimeoutKind, TokenTimeoutInfo } from './errors/TokenTimeoutError.js';
export { ZeroOutputError, isZeroOutputError } from './errors/ZeroOutputError.js';
export type { ZeroOutputInfo } from './errors/ZeroOutputError.js';
export { GuardrailViolationError, isGuardrailViolationError } from './errors/GuardrailViolationError.js';
export type { GuardrailViolationInfo } from './errors/GuardrailViolationError.js';
export { DriftDetectedError, isDriftDetectedError } from './errors/DriftDetectedError.js';
export type { DriftDetectedInfo } from './errors/DriftDetectedError.js';
export { SchemaValidationError, isSchemaValidationError } from './errors/SchemaValidationError.js';
export type { SchemaIssue, SchemaValidationInfo } from './errors/SchemaValidationError.js';
export { ProviderError, isProviderError } from './errors/ProviderError.js';
export type { ProviderErrorCode, ProviderErrorOptions } from './errors/ProviderError.js';
export { StreamAbortedError, isStreamAbortedError } from './errors/StreamAbortedError.js';
export { AllStreamsExhaustedError, isAllStreamsExhaustedError } from './errors/AllStreamsExhaustedError.js';
export { InvalidStreamError, isInvalidStreamError } from './errors/InvalidStreamError.js';
export { UnknownError, isUnknownError } from './errors/UnknownError.js';

/* Attempts */
export { fromAttempt } from './attempt/fromAttempt.js';
export type { FromAttemptConfig } from './attempt/fromAttempt.js';
export type { AttemptContext } from './attempt/attemptContext.js';
export { AttemptText, attemptTextChange } from './attempt/attemptText.js';
export type { AttemptTextChange, AttemptTextConfig } from './attempt/attemptText.js';

/* Sources */
export { fromStream } from './sources/fromStream.js';
export type { FromStreamConfig, StreamContext, StreamFactory, StreamInput } from './sources/fromStream.js';
export { BUILT_IN_ADAPTERS } from './sources/adapters/index.js';
export { aiSdkAdapter } from './sources/adapters/aiSdk.js';
export { aiSdkProviderAdapter } from './sources/adapters/aiSdkProvider.js';
export { mastraAdapter } from './sources/adapters/mastra.js';
export { openaiChatAdapter } from './sources/adapters/openaiChat.js';
export { openaiResponsesAdapter } from './sources/adapters/openaiResponses.js';
export { textAdapter } from './sources/adapters/text.js';
export type { AdapterEmit, ChunkDecoder, StreamAdapter } from './sources/adapters/types.js';

/* Operators (also in l0-rx/operators) */
export {
  accumulate,
  budget,
  checkpointEvery,
  circuitBreaker,
  deduplicateContinuation,
  detectDrift,
  detectZeroOutput,
  fallbackTo,
  measureRun,
  guard,
  hedge,
  ofType,
  recordEvents,
  retryWithBackoff,
  tapLifecycle,
  withTimeouts,
} from './operators/index.js';
export type {
  AccumulateConfig,
  BackoffKind,
  BudgetConfig,
  BudgetPricing,
  DeduplicateContinuationConfig,
  DetectDriftConfig,
  DetectZeroOutputConfig,
  DriftCheck,
  DriftDetector,
  DriftType,
  GuardConfig,
  GuardMode,
  HedgeConfig,
  L0State,
  L0Status,
  LifecycleCallbacks,
  MeasureRunConfig,
  RecordedInfo,
  RecordEventsConfig,
  RetryDelayContext,
  RetryOnItem,
  RetryPresetName,
  RetryWithBackoffConfig,
  RunMetrics,
  RunOutcome,
  ShouldRetryContext,
  ToolCall,
  WithTimeoutsConfig,
} from './operators/index.js';
export { RETRY_PRESETS, RETRY_WITH_BACKOFF_DEFAULTS } from './retry/retryConfig.js';

/* Structured output */
export { parseStructured } from './operators/index.js';
export { structured } from './structured/structured.js';
export type { StructuredOptions } from './structured/structured.js';
export type { ParseStructuredConfig, TruncatedPolicy } from './structured/parseStructured.js';
export type { DeepPartial, StructuredEvent } from './structured/structuredEvent.js';
export { repairJson } from './structured/repairJson.js';
export type { JsonCorrection, RepairJsonResult } from './structured/repairJson.js';
export { extractJson } from './structured/extractJson.js';
export { jsonSchema } from './structured/jsonSchema.js';
export type { AjvErrorLike, AjvLike, AjvValidateLike } from './structured/jsonSchema.js';
export type { ExtractedJson, JsonSource } from './structured/extractJson.js';

export { parseToolArguments } from './structured/parseToolArguments.js';

/* Formatting */
export { formatContext, escapeDelimiters, unescapeDelimiters } from './format/formatContext.js';
export type { ContextDelimiter, FormatContextConfig } from './format/formatContext.js';
export { formatMemory } from './format/formatMemory.js';
export type { FormatMemoryConfig, MemoryEntry } from './format/formatMemory.js';
export { toolDefinition, toolParameters } from './format/toolDefinition.js';
export type { OpenAIToolDefinition, ToolSpec } from './format/toolDefinition.js';
export { cleanOutput } from './format/cleanOutput.js';
export type { CleanOutputConfig } from './format/cleanOutput.js';
export { extractCode, extractCodeBlocks } from './format/extractCodeBlocks.js';
export type { CodeBlock } from './format/extractCodeBlocks.js';
export { stripThinking, THINKING_TAGS } from './format/stripThinking.js';
export { splitThinking } from './operators/index.js';
export type { SplitThinkingConfig } from './operators/index.js';
export { dedent, escapeHtml, escapeRegex, normalizeNewlines, removeAnsi, sanitize, truncate } from './format/text.js';
/* Guardrail rules and presets */
export type { GuardFinding, GuardFindings, GuardRule, GuardRuleRun } from './guard/guardRule.js';
export type { GuardPhaseEvent } from './guard/guardPhase.js';
export { defineGuardrailRule } from './guard/defineGuardrailRule.js';
export { jsonRule } from './guard/rules/jsonRule.js';
export { strictJsonRule } from './guard/rules/strictJsonRule.js';
export { markdownRule } from './guard/rules/markdownRule.js';
export { latexRule } from './guard/rules/latexRule.js';
export { BUILT_IN_PATTERNS, patternRule } from './guard/rules/patternRule.js';
export type { PatternCategory, PatternRuleConfig, PatternSpec } from './guard/rules/patternRule.js';
export { customPatternRule } from './guard/rules/customPatternRule.js';
export type { CustomPatternRuleConfig } from './guard/rules/customPatternRule.js';
export { zeroOutputRule } from './guard/rules/zeroOutputRule.js';
export {
  jsonOnlyGuardrails,
  latexOnlyGuardrails,
  markdownOnlyGuardrails,
  minimalGuardrails,
  recommendedGuardrails,
  strictGuardrails,
} from './guard/rules/presets.js';

/* Drift detectors */
export { DRIFT_DETECTORS } from './drift/driftDetectors.js';
/* Multi-model */
export { raceModels } from './race/raceModels.js';
export type { RaceModelsConfig, RaceWinCondition, RaceWinInfo } from './race/raceModels.js';
export { parallel, PARALLEL_DEFAULTS } from './multi/parallel.js';
export type { ParallelConfig, ParallelResult, ParallelStatus } from './multi/parallel.js';
export { sequential } from './multi/sequential.js';
export type { SequentialConfig } from './multi/sequential.js';
export { batched } from './multi/batched.js';
export type { BatchedConfig } from './multi/batched.js';
export { pipeline } from './multi/pipeline.js';
export type { PipelineConfig, PipelineResult, PipelineStep, PipelineUpdate, StepContext, StepResult } from './multi/pipeline.js';
export { consensus, CONSENSUS_DEFAULTS } from './consensus/consensus.js';
export type { ConflictResolution, ConsensusConfig, ConsensusOutput, ConsensusResult, ConsensusStrategy, FieldConsensus } from './consensus/consensus.js';
export { textSimilarity } from './consensus/textSimilarity.js';
export { ConsensusError, isConsensusError } from './consensus/ConsensusError.js';
export type { ConsensusErrorInfo } from './consensus/ConsensusError.js';
export { createCircuitBreaker } from './breaker/createCircuitBreaker.js';
export type { CircuitBreakerConfig } from './breaker/createCircuitBreaker.js';
export type { BreakerStateChange, CircuitBreaker } from './breaker/breakerInstance.js';
export { memoryBreakerStore } from './breaker/breakerStore.js';
export type { BreakerRecord, BreakerState, BreakerStore } from './breaker/breakerStore.js';
export { CircuitOpenError, isCircuitOpenError } from './breaker/CircuitOpenError.js';
export type { CircuitOpenInfo } from './breaker/CircuitOpenError.js';
export { Budget, createBudget } from './budget/budgetLedger.js';
export { BudgetExceededError, isBudgetExceededError } from './budget/BudgetExceededError.js';
export type { BudgetExceededInfo } from './budget/BudgetExceededError.js';
export { createWindow, largeWindow, mediumWindow, paragraphWindow, sentenceWindow, smallWindow } from './windows/createWindow.js';
export type { ChunkProcessor, CreateWindowConfig, DocumentChunk, DocumentWindow, MergeResultsOptions, WindowContext, WindowStrategy } from './windows/createWindow.js';
/* Transport: Server-Sent Events from a backend to a browser */
export { toServerSentEvents, TO_SERVER_SENT_EVENTS_DEFAULTS } from './transport/toServerSentEvents.js';
export type { ServerSentEvents, SseResponseLike, ToServerSentEventsConfig } from './transport/toServerSentEvents.js';
export { fromServerSentEvents, FROM_SERVER_SENT_EVENTS_DEFAULTS } from './transport/fromServerSentEvents.js';
export type { FromServerSentEventsConfig } from './transport/fromServerSentEvents.js';
export { createSseReplayBuffer, SSE_REPLAY_BUFFER_DEFAULTS } from './transport/sseReplayBuffer.js';
export type { SequencedEvent, SseReplayBuffer, SseReplayBufferConfig, SseReplayRunOptions, SseReplaySource } from './transport/sseReplayBuffer.js';
export { parseLastEventId } from './transport/sseFrames.js';
export { createStoreReplaySource } from './transport/storeReplaySource.js';
export type { StoreReplaySourceConfig } from './transport/storeReplaySource.js';

/* Chaos tests: a stream factory whose calls fail as a real provider would */
export { injectFaults } from './chaos/injectFaults.js';
export type { InjectedFault, InjectFaultsOptions } from './chaos/injectFaults.js';
export type { FaultName, InjectFaultName } from './chaos/faults.js';

/* Preset */
export { l0, L0_DEFAULTS } from './preset/l0.js';
export type { L0NamedStream, L0Options, L0StreamContext, L0StreamFactory } from './preset/l0.js';
