// @ts-check
// Copies the repository's current build (../../dist and the entry folders, exactly the package's
// `files`) over node_modules/l0-rx before every app build, so the app and the browser suite always
// run the library as just built, not the snapshot `npm ci` packed (install-links=true in .npmrc).
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const target = fileURLToPath(new URL('../node_modules/l0-rx/', import.meta.url));
if (!existsSync(`${root}dist/index.mjs`)) {
  console.error(`no library build in ${root}dist: run \`npm run build\` at the repository root first`);
  process.exit(1);
}
if (!existsSync(target)) {
  console.error(`${target} is missing: run \`npm ci\` in examples/angular first`);
  process.exit(1);
}
/** @type {{ files: string[] }} */
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
for (const entry of pkg.files) {
  rmSync(`${target}${entry}`, { recursive: true, force: true });
  cpSync(`${root}${entry}`, `${target}${entry}`, { recursive: true });
}
cpSync(`${root}package.json`, `${target}package.json`);
console.log(`l0-rx: using the build in ${root}dist`);
