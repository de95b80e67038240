// The browser suite (examples/angular: the Angular app in headless Chromium against the chat
// backend), as the last step of `npm test`. It needs Debian's chromium and the example's own
// install (`npm ci` in examples/angular, which brings its Node 22). When either is missing it says
// so in a banner that cannot be missed; under CI (CI=true) that is a failure, never a skip.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const app = 'examples/angular';
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const required = process.env.CI === 'true' || process.argv.includes('--required');

const missing = [
  [!existsSync(chromium), `no Chromium at ${chromium} (apt-get install -y chromium, or set CHROMIUM_PATH)`],
  [!existsSync(`${app}/node_modules/.bin/ng`) || !existsSync(`${app}/node_modules/.bin/node`), `${app} is not installed (cd ${app} && npm ci)`],
  [!existsSync('dist/index.mjs'), 'the library is not built (npm run build)'],
].filter(([isMissing]) => isMissing).map(([, reason]) => reason);

if (missing.length > 0) {
  const rule = '='.repeat(78);
  const lines = [rule, `BROWSER SUITE NOT RUN: ${missing.join('; ')}`, `  ${required ? 'It is required here (CI), so this is a failure.' : 'The Angular app was NOT tested in a browser on this machine; the rest of npm test does not cover it.'}`, rule];
  console.error(`\n${lines.join('\n')}\n`);
  process.exit(required ? 1 : 0);
}

// Each script runs under the example's Node 22 (npm puts its node_modules/.bin first on PATH).
for (const script of ['build', 'typecheck', 'e2e']) {
  const run = spawnSync('npm', ['run', '--silent', script], { cwd: app, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`\nbrowser suite: \`npm run ${script}\` in ${app} failed${run.status === null ? ` (${run.signal ?? run.error})` : ''}`);
    process.exit(1);
  }
}
