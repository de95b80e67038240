/** @test {README.md} */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import terserPlugin from '@rollup/plugin-terser';
import { rollup } from 'rollup';
import { describe, expect, it } from 'vitest';

// Figures the README's Dependencies section states as facts of the code today: the size of each
// runtime dependency (measured as scripts/size.mjs measures a bundle: rollup, terser, gzip -9) and
// the length of the partial-JSON parser. Each must be within a fifth of what is measured.
const root = fileURLToPath(new URL('..', import.meta.url));
const flat = readFileSync(`${root}README.md`, 'utf8').replace(/\s+/g, ' ');

/** The first group of `pattern` in the README, as a number. */
function figure(pattern: RegExp): number {
  const found = pattern.exec(flat)?.[1];
  if (found === undefined) throw new Error(`README no longer matches ${pattern} (the sentence this spec reads was reworded: update the pattern)`);
  return Number(found);
}

/** The plugin's ESM build exports the function itself; its types are read as CommonJS, which puts it under `default`. */
const terser = terserPlugin as unknown as (typeof terserPlugin)['default'];

/** `name` alone (`export { name } from 'pkg'`), minified and gzipped, in KB. */
async function gzippedKb(name: string, file: string): Promise<number> {
  const bundle = await rollup({
    input: 'entry',
    plugins: [{ name: 'entry', resolveId: (id) => (id === 'entry' ? id : null), load: (id) => (id === 'entry' ? `export { ${name} } from '${file}';` : null) }, terser()],
    treeshake: { moduleSideEffects: false },
  });
  const { output } = await bundle.generate({ format: 'es' });
  return gzipSync(output[0].code, { level: 9 }).length / 1024;
}

describe("README's Dependencies figures", () => {
  it.each([
    ['eventsource-parser', 'createParser', `${root}node_modules/eventsource-parser/dist/index.js`],
    ['jsonrepair', 'jsonrepair', fileURLToPath(import.meta.resolve('jsonrepair'))],
  ])('should give %s the size it adds to a bundle', async (pkg, name, file) => {
    const stated = figure(new RegExp(`\`${pkg}\`.{0,160}?about ([\\d.]+) KB gzipped`));
    const measured = await gzippedKb(name, file);
    expect(Math.abs(measured - stated) / measured, `${pkg}: README ${stated} KB, measured ${measured.toFixed(2)} KB`).toBeLessThan(0.2);
  });

  it('should give the partial-JSON parser its length and number of files', () => {
    const [, files, lines] = /The partial-JSON parser is our own \((\w+) files, about (\d+) lines/.exec(flat) ?? [];
    const parser = readdirSync(`${root}src/structured`).filter((f) => f.startsWith('partialJson'));
    const measured = parser.reduce((n, f) => n + readFileSync(`${root}src/structured/${f}`, 'utf8').split('\n').length, 0);
    expect(files).toBe(['one', 'two', 'three', 'four', 'five', 'six'][parser.length - 1]);
    expect(Math.abs(measured - Number(lines)) / measured, `README ${lines} lines, measured ${measured}`).toBeLessThan(0.2);
  });
});
