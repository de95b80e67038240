import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import { runsTimeout } from './spec/helpers/propertyRuns.js';

/** Spec files that vi.mock a module: they run with a module graph of their own. */
export const MOCKING = ['spec/stores/jsonlEventStore.fsync.spec.ts', 'spec/testing/faultServer.internalError.spec.ts'];

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
    // one fixed fast-check seed unless L0_PROPERTY_SEED says otherwise (spec/helpers/propertySeed.ts)
    setupFiles: ['spec/helpers/propertySeed.ts'],
    // longer when L0_PROPERTY_RUNS draws more inputs (spec/helpers/propertyRuns.ts)
    testTimeout: runsTimeout(20_000),
    reporters: ['default', 'json'],
    // Spec files share their worker's module graph (no per-file re-import: the suite's import time fell from
    // about 210 s to 20 s); the files that replace modules with vi.mock get their own (spec/vitestProjects.spec.ts
    // keeps this list complete).
    projects: [
      { extends: true, test: { name: 'shared', isolate: false, include: ['spec/**/*.spec.ts'], exclude: [...configDefaults.exclude, ...MOCKING] } },
      { extends: true, test: { name: 'isolated', isolate: true, include: MOCKING } },
    ],
    outputFile: { json: '.vitest/results.json' },
  },
});
