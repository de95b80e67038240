import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { runsTimeout } from './spec/helpers/propertyRuns.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^l0-rx\/operators$/, replacement: here('./src/operators/index.ts') },
      { find: /^l0-rx\/testing$/, replacement: here('./src/testing/index.ts') },
      { find: /^l0-rx\/stores\/jsonl$/, replacement: here('./src/stores/jsonl/index.ts') },
      { find: /^l0-rx\/stores\/redis$/, replacement: here('./src/stores/redis/index.ts') },
      { find: /^l0-rx\/opentelemetry$/, replacement: here('./src/monitoring/opentelemetry/index.ts') },
      { find: /^l0-rx\/sentry$/, replacement: here('./src/monitoring/sentry/index.ts') },
      { find: /^l0-rx\/breakers\/redis$/, replacement: here('./src/breaker/redis/index.ts') },
      { find: /^l0-rx$/, replacement: here('./src/index.ts') },
    ],
  },
  test: {
    include: ['spec/**/*.spec.ts'],
    // one fixed fast-check seed unless L0_PROPERTY_SEED says otherwise (spec/helpers/propertySeed.ts)
    setupFiles: ['spec/helpers/propertySeed.ts'],
    // longer when L0_PROPERTY_RUNS draws more inputs (spec/helpers/propertyRuns.ts)
    testTimeout: runsTimeout(20_000),
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/results.json' },
  },
});
