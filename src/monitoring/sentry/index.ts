/* l0-rx/sentry: Sentry breadcrumbs, errors and spans (`@sentry/core` is an optional peer). */
export { withSentry } from './withSentry.js';
export type { WithSentryConfig } from './withSentry.js';
