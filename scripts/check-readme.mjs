// Type-checks every ```ts block of README.md against the package sources, so README examples compile in CI.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const out = '.readme-check';
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
const blocks = [...readFileSync('README.md', 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
blocks.forEach((code, i) => writeFileSync(`${out}/block${i}.ts`, `export {};\n${code}`));
writeFileSync(`${out}/tsconfig.json`, JSON.stringify({
  extends: '../tsconfig.check.json',
  compilerOptions: { rootDir: '..', noUnusedLocals: false },
  include: ['./*.ts'],
}));
try {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', `${out}/tsconfig.json`], { stdio: 'inherit' });
  console.log(`README: ${blocks.length} TypeScript blocks compile`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
