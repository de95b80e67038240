// Minified + gzipped size of what an app pays for: `import { l0 } from 'l0-rx'` and the whole root
// entry, with rxjs external (the app has it already). Tree-shaken by rollup, minified by terser.
import { gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import terser from '@rollup/plugin-terser';

const root = process.cwd();
const cases = {
  "import { l0 } from 'l0-rx'": `export { l0 } from '${root}/dist/index.mjs';`,
  "import * from 'l0-rx' (whole root entry)": `export * from '${root}/dist/index.mjs';`,
  "import * from 'l0-rx/operators'": `export * from '${root}/dist/operators/index.mjs';`,
};

for (const [label, code] of Object.entries(cases)) {
  const bundle = await rollup({
    input: 'entry',
    external: (id) => /^rxjs(\/|$)/.test(id),
    plugins: [
      { name: 'entry', resolveId: (id) => (id === 'entry' ? id : null), load: (id) => (id === 'entry' ? code : null) },
      terser(),
    ],
    treeshake: { moduleSideEffects: 'no-external' },
  });
  const { output } = await bundle.generate({ format: 'es' });
  const js = output[0].code;
  console.log(`${label}: ${(js.length / 1024).toFixed(1)} KB min, ${(gzipSync(js, { level: 9 }).length / 1024).toFixed(1)} KB min+gzip`);
}
