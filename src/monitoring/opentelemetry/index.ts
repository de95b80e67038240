/* l0-rx/opentelemetry: tracing with OpenTelemetry (`@opentelemetry/api` is an optional peer). */
export { withOpenTelemetry } from './withOpenTelemetry.js';
export type { WithOpenTelemetryConfig } from './withOpenTelemetry.js';
