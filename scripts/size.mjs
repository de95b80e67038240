// Minified + gzipped size of what an app pays for, per entry point and per typical import, with rxjs
// external (the app has it already). Tree-shaken by rollup, minified by terser.
//
//   node scripts/size.mjs           prints the figures
//   node scripts/size.mjs --check   also fails (exit 1) when a budget is exceeded or a bundle pulls
//                                   in code it must not (npm test runs this after the build)
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import terser from '@rollup/plugin-terser';

const root = process.cwd();
const dist = `${root}/dist`;
/** Text that only the provider adapters and the provider half of error classification contain. */
const PROVIDER_CODE = ['chat.completion.chunk', 'response.created', 'insufficient_quota', 'ECONNRESET', 'text-delta'];
/** Text that only structured output (our parser and repair, and jsonrepair) contains: it joins a bundle only when imported. */
const STRUCTURED_CODE = ['extract-fence', 'close-structure', 'Colon expected'];

/** Text that only the guardrail rule bodies contain: they join a bundle only with the rules an app imports. */
const RULE_CODE = ['json-structure', 'markdown-structure', 'pattern-detection', 'latex-environments'];

/**
 * Each case: the import, its budget in KB (min+gzip), strings its bundle must not contain, and a
 * `target` where the issue set one the budget does not meet (printed beside it, never hidden).
 * A browser that consumes a backend's event stream imports the operators, never the adapters.
 * docs/size-history.md tells how each budget grew, change by change; the README's design
 * decisions say why each is what it is. A change that moves a budget adds its line there.
 */

const cases = [
  { label: "import { l0 } from 'l0-rx'", code: `export { l0 } from '${dist}/index.mjs';`, budget: 41.2, mustNotContain: [...RULE_CODE, ...STRUCTURED_CODE] },
  { label: "import { structured } from 'l0-rx' (with jsonrepair)", code: `export { structured } from '${dist}/index.mjs';`, budget: 53.69 },
  { label: "import { parseStructured } from 'l0-rx/operators' (with jsonrepair)", code: `export { parseStructured } from '${dist}/operators/index.mjs';`, budget: 15.57, mustNotContain: PROVIDER_CODE },
  { label: "import { formatContext, stripThinking, extractCode } from 'l0-rx'", code: `export { formatContext, stripThinking, extractCode } from '${dist}/index.mjs';`, budget: 2.43, mustNotContain: [...PROVIDER_CODE, ...STRUCTURED_CODE] },
  { label: "import * from 'l0-rx' (whole root entry)", code: `export * from '${dist}/index.mjs';`, budget: 101.59 },
  { label: "import * from 'l0-rx/operators'", code: `export * from '${dist}/operators/index.mjs';`, budget: 52.04 },
  {
    label: 'a browser consuming a backend stream (accumulate, ofType, withTimeouts, retryWithBackoff, fallbackTo, tapLifecycle)',
    code: `export { accumulate, ofType, withTimeouts, retryWithBackoff, fallbackTo, tapLifecycle } from '${dist}/index.mjs';`,
    budget: 12.57,
    mustNotContain: [...PROVIDER_CODE, ...STRUCTURED_CODE],
  },
  {
    label: 'guardrails and drift on their own (guard, recommendedGuardrails, detectDrift)',
    code: `export { guard, recommendedGuardrails, detectDrift } from '${dist}/index.mjs';`,
    budget: 20.34,
    mustNotContain: PROVIDER_CODE,
  },
  {
    label: "l0 with guardrails (import { l0, recommendedGuardrails } from 'l0-rx')",
    code: `export { l0, recommendedGuardrails } from '${dist}/index.mjs';`,
    budget: 50.8,
  },
  {
    label: 'a browser reading a backend over SSE (fromServerSentEvents, accumulate, retryWithBackoff)',
    code: `export { fromServerSentEvents, accumulate, retryWithBackoff } from '${dist}/index.mjs';`,
    budget: 13.56,
    // issue #13's target; the README's design decisions ("Deviation: the SSE browser bundle") say what reaching it would remove
    target: 6,
    mustNotContain: PROVIDER_CODE,
  },
  { label: "import { accumulate } from 'l0-rx'", code: `export { accumulate } from '${dist}/index.mjs';`, budget: 4.67, mustNotContain: PROVIDER_CODE },
];

/** Runtime dependencies are bundled into the figures, as an app's bundler does (only rxjs is the app's already). */
const bundled = {
  jsonrepair: fileURLToPath(import.meta.resolve('jsonrepair')),
};

const check = process.argv.includes('--check');
const failures = [];
for (const { label, code, budget, target, mustNotContain = [] } of cases) {
  const bundle = await rollup({
    input: 'entry',
    external: (id) => /^rxjs(\/|$)/.test(id),
    plugins: [
      { name: 'entry', resolveId: (id) => (id === 'entry' ? id : (bundled[id] ?? null)), load: (id) => (id === 'entry' ? code : null) },
      terser(),
    ],
    // as an app's bundler does with our package.json's `sideEffects: false`
    treeshake: { moduleSideEffects: false },
  });
  const { output } = await bundle.generate({ format: 'es' });
  const js = output[0].code;
  // only rxjs may stay an import: a schema library, ajv or an SDK imported at runtime would show here
  const foreign = output[0].imports.filter((id) => !/^rxjs(\/|$)/.test(id));
  if (foreign.length > 0) failures.push(`${label} imports ${foreign.join(', ')} at runtime`);
  const gz = gzipSync(js, { level: 9 }).length / 1024;
  const missed = target !== undefined && gz > target ? `; target ${target} KB NOT MET, ${(gz - target).toFixed(2)} KB over: see the README's design decisions` : '';
  console.log(`${label}: ${(js.length / 1024).toFixed(1)} KB min, ${gz.toFixed(2)} KB min+gzip (budget ${budget} KB${missed})`);
  if (gz > budget) failures.push(`${label} is ${gz.toFixed(3)} KB, over its ${budget} KB budget`);
  for (const text of mustNotContain) {
    if (js.includes(text)) failures.push(`${label} contains code it must not ("${text}"): something it imports pulls in the provider adapters or the guardrail rules`);
  }
}
if (check && failures.length > 0) {
  console.error(`\nsize check failed:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
if (check) console.log('size check: every bundle within budget');
