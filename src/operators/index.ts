/* l0-rx/operators: pipeable operators and their Config/Info types only. */

/* Events */
export { accumulate } from '../events/accumulate.js';
export type { AccumulateConfig, L0State, L0Status, ToolCall } from '../events/accumulate.js';
export { ofType } from '../events/ofType.js';

/* Timeouts */
export { withTimeouts } from '../timeouts/withTimeouts.js';
export type { WithTimeoutsConfig } from '../timeouts/withTimeouts.js';

/* Zero output */
export { detectZeroOutput } from '../zeroOutput/detectZeroOutput.js';
export type { DetectZeroOutputConfig } from '../zeroOutput/detectZeroOutput.js';

/* Retry */
export { retryWithBackoff } from '../retry/retryWithBackoff.js';
export type {
  BackoffKind,
  RetryDelayContext,
  RetryOnItem,
  RetryPresetName,
  RetryWithBackoffConfig,
  ShouldRetryContext,
} from '../retry/retryConfig.js';

/* Fallback */
export { fallbackTo } from '../fallback/fallbackTo.js';

/* Multi-model */
export { hedge } from '../race/hedge.js';
export type { HedgeConfig } from '../race/hedge.js';
export { circuitBreaker } from '../breaker/circuitBreaker.js';
export { budget } from '../budget/budget.js';
export type { BudgetConfig, BudgetPricing } from '../budget/budgetLedger.js';

/* Continuation */
export { checkpointEvery } from '../continuation/checkpointEvery.js';
export { deduplicateContinuation } from '../continuation/deduplicateContinuation.js';
export type { DeduplicateContinuationConfig } from '../continuation/deduplicateContinuation.js';

/* Event log */
export { recordEvents } from '../events/recordEvents.js';
export type { RecordedInfo, RecordEventsConfig } from '../events/recordEvents.js';

/* Monitoring */
export { measureRun } from '../monitoring/runMetrics.js';
export type { MeasureRunConfig, RunMetrics, RunOutcome } from '../monitoring/runMetrics.js';

/* Lifecycle */
export { tapLifecycle } from '../lifecycle/tapLifecycle.js';
export type { LifecycleCallbacks } from '../lifecycle/tapLifecycle.js';

/* Structured output */
export { parseStructured } from '../structured/parseStructured.js';
export type { ParseStructuredConfig, TruncatedPolicy } from '../structured/parseStructured.js';
export type { DeepPartial, StructuredEvent } from '../structured/structuredEvent.js';

/* Formatting */
export { splitThinking } from '../format/splitThinking.js';
export type { SplitThinkingConfig } from '../format/splitThinking.js';
/* Guardrails and drift */
export { guard } from '../guard/guard.js';
export type { GuardConfig, GuardMode } from '../guard/guard.js';
export { detectDrift } from '../drift/detectDrift.js';
export type { DetectDriftConfig, DriftCheck, DriftDetector, DriftType } from '../drift/detectDrift.js';
