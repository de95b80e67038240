/** Every entry point of package.json's "exports" and the source module it is built from (spec/jsdoc.spec.ts holds the list to package.json). */
export const ENTRY_SOURCES: Readonly<Record<string, string>> = {
  'l0-rx': 'src/index.ts',
  'l0-rx/operators': 'src/operators/index.ts',
  'l0-rx/testing': 'src/testing/index.ts',
  'l0-rx/stores/jsonl': 'src/stores/jsonl/index.ts',
  'l0-rx/stores/redis': 'src/stores/redis/index.ts',
  'l0-rx/opentelemetry': 'src/monitoring/opentelemetry/index.ts',
  'l0-rx/sentry': 'src/monitoring/sentry/index.ts',
  'l0-rx/breakers/redis': 'src/breaker/redis/index.ts',
};
