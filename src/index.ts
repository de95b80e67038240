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
  checkpointEvery,
  deduplicateContinuation,
  detectZeroOutput,
  fallbackTo,
  ofType,
  retryWithBackoff,
  tapLifecycle,
  withTimeouts,
} from './operators/index.js';
export type {
  AccumulateConfig,
  BackoffKind,
  DeduplicateContinuationConfig,
  DetectZeroOutputConfig,
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

/* Transport: Server-Sent Events from a backend to a browser */
export { toServerSentEvents, TO_SERVER_SENT_EVENTS_DEFAULTS } from './transport/toServerSentEvents.js';
export type { ServerSentEvents, SseResponseLike, ToServerSentEventsConfig } from './transport/toServerSentEvents.js';
export { fromServerSentEvents, FROM_SERVER_SENT_EVENTS_DEFAULTS } from './transport/fromServerSentEvents.js';
export type { FromServerSentEventsConfig } from './transport/fromServerSentEvents.js';
export { createSseReplayBuffer, SSE_REPLAY_BUFFER_DEFAULTS } from './transport/sseReplayBuffer.js';
export type { SequencedEvent, SseReplayBuffer, SseReplayBufferConfig, SseReplaySource } from './transport/sseReplayBuffer.js';
export { parseLastEventId } from './transport/sseFrames.js';

/* Preset */
export { l0, L0_DEFAULTS } from './preset/l0.js';
export type { L0Options, L0StreamContext, L0StreamFactory } from './preset/l0.js';
