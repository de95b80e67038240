/* l0-rx: reliable LLM token streams as RxJS Observables. Explicit named exports only. */

/* Event model */
export { CONTENT_EVENT_TYPES, isContentEvent, L0_EVENT_TYPES } from './events/eventTypes.js';
export type {
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
  ProgressEvent,
  ReasoningEvent,
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

/* Errors */
export { L0Error, isL0Error } from './errors/L0Error.js';
export type { ErrorCategory, L0ErrorOptions, L0RunInfo } from './errors/L0Error.js';
export type { ErrorReason } from './errors/errorReason.js';
export { deserializeError } from './errors/deserializeError.js';
export { serializeError } from './errors/serializeError.js';
export type { SerializedError } from './errors/serializeError.js';
export { classifyError } from './errors/classifyError.js';
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
export type { SchemaValidationInfo } from './errors/SchemaValidationError.js';
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
export type { AdapterEmit, ChunkDecoder, StreamAdapter } from './sources/adapters/types.js';

/* Operators (also in l0-rx/operators) */
export {
  accumulate,
  budget,
  checkpointEvery,
  circuitBreaker,
  deduplicateContinuation,
  detectZeroOutput,
  fallbackTo,
  hedge,
  ofType,
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
  DetectZeroOutputConfig,
  HedgeConfig,
  L0State,
  L0Status,
  LifecycleCallbacks,
  RetryDelayContext,
  RetryOnItem,
  RetryPresetName,
  RetryWithBackoffConfig,
  ShouldRetryContext,
  ToolCall,
  WithTimeoutsConfig,
} from './operators/index.js';
export { RETRY_PRESETS, RETRY_WITH_BACKOFF_DEFAULTS } from './retry/retryConfig.js';

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
export type { BreakerStateChange, CircuitBreaker, CircuitBreakerConfig } from './breaker/createCircuitBreaker.js';
export { memoryBreakerStore } from './breaker/breakerStore.js';
export type { BreakerRecord, BreakerState, BreakerStore } from './breaker/breakerStore.js';
export { CircuitOpenError, isCircuitOpenError } from './breaker/CircuitOpenError.js';
export type { CircuitOpenInfo } from './breaker/CircuitOpenError.js';
export { Budget, createBudget } from './budget/budget.js';
export { BudgetExceededError, isBudgetExceededError } from './budget/BudgetExceededError.js';
export type { BudgetExceededInfo } from './budget/BudgetExceededError.js';
export { createWindow } from './windows/createWindow.js';
export type { ChunkProcessor, CreateWindowConfig, DocumentChunk, DocumentWindow, WindowContext, WindowStrategy } from './windows/createWindow.js';

/* Preset */
export { l0, L0_DEFAULTS } from './preset/l0.js';
export type { L0Options, L0StreamContext, L0StreamFactory } from './preset/l0.js';
