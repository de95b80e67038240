import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const input = {
  index: 'src/index.ts',
  'operators/index': 'src/operators/index.ts',
  'testing/index': 'src/testing/index.ts',
  'stores/jsonl/index': 'src/stores/jsonl/index.ts',
  'stores/redis/index': 'src/stores/redis/index.ts',
  'opentelemetry/index': 'src/monitoring/opentelemetry/index.ts',
  'sentry/index': 'src/monitoring/sentry/index.ts',
  'breakers/redis/index': 'src/breaker/redis/index.ts',
};
const external = (id) =>
  /^(rxjs|zod|openai|ai|ajv|jsonrepair|@standard-schema|redis|@redis|@ai-sdk|@mastra|@opentelemetry|@sentry)(\/|$)/.test(id) || id.startsWith('node:');

export default [
  {
    input,
    external,
    treeshake: { moduleSideEffects: 'no-external' },
    plugins: [
      typescript({
        tsconfig: './tsconfig.testing.json',
        declaration: false,
        declarationMap: false,
        outDir: 'dist',
        rootDir: 'src',
        noEmitOnError: true,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
      }),
    ],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs', sourcemap: true, hoistTransitiveImports: false },
      { dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs', sourcemap: true, exports: 'named', hoistTransitiveImports: false },
    ],
  },
  {
    input,
    external,
    plugins: [dts({ tsconfig: './tsconfig.testing.json' })],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].d.mts', chunkFileNames: 'chunks/[name]-[hash].d.mts' },
      { dir: 'dist', format: 'es', entryFileNames: '[name].d.cts', chunkFileNames: 'chunks/[name]-[hash].d.cts' },
    ],
  },
];
